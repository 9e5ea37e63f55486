"""The second layer of the risk check: a text classifier that generalises past the rules.

The risk rules find risk said in words they have a class for; this layer scores wordings no
rule names ("sat in the garage with the engine running", "gave my switch to my brother, he
should have it") from what thousands of example messages have in common. It is the shared
bag-of-words classifier (server/core/textcat.py), trained by `scripts/train-risk-classifier`
on rules/safety/training/ and read from rules/safety/classifier/model/.

A draft is scored sentence by sentence and over each pair of neighbouring sentences (risk is
sometimes said across two: "i have the pills. tonight's the night"); the draft's score is the
highest, so one risky sentence in a long letter is not diluted by the rest. Besides RISK the
model scores URGENT and each kind of risk, read from the window that scored highest. It reads
only the text it is given and never logs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from server.core.textcat import BagOfWords
from server.safety.model import KINDS

DEFAULT_DIRECTORY = (
    Path(__file__).resolve().parents[2] / "rules" / "safety" / "classifier" / "model"
)
RISK = "RISK"
URGENT = "URGENT"
LABELS: tuple[str, ...] = (RISK, URGENT, *KINDS)


@dataclass(frozen=True)
class Scores:
    risk: float = 0.0
    urgent: float = 0.0
    kinds: dict[str, float] = field(default_factory=dict)

    def likeliest_kind(self) -> str | None:
        return max(self.kinds, key=self.kinds.__getitem__) if self.kinds else None


class RiskClassifier:
    """Scores, from 0 to 1, how likely a draft is to need a pointer to help.

    The thresholds (the score that alarms alone, the score a rule's match needs beside it, and
    the URGENT score) were chosen by the training script's cross-validation and are stored
    with the model."""

    def __init__(self, model: BagOfWords) -> None:
        self.model = model
        self.name = model.name
        self.threshold = model.threshold("threshold")
        self.urgent_threshold = model.threshold("urgent_threshold")
        # A risk rule's match counts when the draft scores at least this (0 for a model
        # trained before the floor: every match counts).
        self.rule_floor = float(model.meta.get("rule_floor", 0.0))
        # Lower floors for the rules whose own examples score under it ("I'm feeling suicidal"
        # reads as 0.04: the written sets' look-alikes use the word too), so that no rule's
        # own example is ever silenced.
        self.rule_floors = {str(k): float(v) for k, v in model.meta.get("rule_floors", {}).items()}

    def floor_for(self, rule_id: str) -> float:
        """The score a draft needs for this risk rule's match to count."""
        return self.rule_floors.get(rule_id, self.rule_floor)

    @classmethod
    def load(
        cls, path: Path, nlp: Language, lists: Mapping[str, Sequence[str]] = {}
    ) -> RiskClassifier:
        """Read a model directory written by `scripts/train-risk-classifier` onto `nlp`;
        `lists` are the rules' word lists, some of which the model may read as word classes."""
        return cls(BagOfWords.load(path, nlp, LABELS, lists))

    def score(self, sentences: Sequence[str]) -> Scores:
        """The scores of the draft's highest-scoring window; zeros for an empty draft."""
        kept = [sentence.strip() for sentence in sentences if sentence.strip()]
        if not kept:
            return Scores()
        scores = self.model.predict_with_pairs(kept)
        best = scores[int(scores[:, 0].argmax())]
        kinds = dict(zip(KINDS, map(float, best[2:]), strict=True))
        return Scores(float(best[0]), float(best[1]), kinds)
