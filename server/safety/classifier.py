"""The second layer of the risk check: a text classifier that generalises past the rules.

The risk rules find risk said in words they have a class for; this layer scores wordings no
rule names ("sat in the garage with the engine running", "gave my switch to my brother, he
should have it") from what thousands of example messages have in common. It is spaCy's
TextCategorizer (its bag-of-words architecture: a linear model over hashed words and word
pairs), trained by `scripts/train-risk-classifier` on rules/safety/training/ and loaded from
rules/safety/classifier/model/ onto a blank English tokenizer: no new dependency, nothing
downloaded, a few MiB of memory and a small fraction of the parse's time.

A draft is scored sentence by sentence and over each pair of neighbouring sentences (risk is
sometimes said across two: "i have the pills. tonight's the night"); the draft's score is the
highest, so one risky sentence in a long letter is not diluted by the rest. Besides RISK the
model scores URGENT and each kind of risk, read from the window that scored highest. It reads
only the text it is given and never logs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import spacy
from spacy.language import Language

from server.safety.model import KINDS

DEFAULT_DIRECTORY = (
    Path(__file__).resolve().parents[2] / "rules" / "safety" / "classifier" / "model"
)
RISK = "RISK"
URGENT = "URGENT"
LABELS: tuple[str, ...] = (RISK, URGENT, *KINDS)


def windows(sentences: Sequence[str]) -> list[str]:
    """The texts scored for one draft: each sentence, and each two neighbouring ones, in the
    lower case the model was trained on."""
    kept = [sentence.strip().lower() for sentence in sentences if sentence.strip()]
    return kept + [f"{first} {second}" for first, second in pairwise(kept)]


@dataclass(frozen=True)
class Scores:
    risk: float = 0.0
    urgent: float = 0.0
    kinds: dict[str, float] = field(default_factory=dict)

    def likeliest_kind(self) -> str | None:
        return max(self.kinds, key=self.kinds.__getitem__) if self.kinds else None


class RiskClassifier:
    """Scores, from 0 to 1, how likely a draft is to need a pointer to help.

    The thresholds were chosen by the training script's cross-validation (for recall) and are
    stored with the model."""

    def __init__(self, nlp: Language, threshold: float, urgent_threshold: float) -> None:
        textcat = nlp.get_pipe("textcat_multilabel") if nlp.has_pipe("textcat_multilabel") else None
        labels = set(getattr(textcat, "labels", ()))
        if not set(LABELS) <= labels:
            raise ValueError(f"the model lacks labels: {', '.join(sorted(set(LABELS) - labels))}")
        for value in (threshold, urgent_threshold):
            if not 0.0 < value < 1.0:
                raise ValueError(f"threshold {value} is not between 0 and 1")
        self.nlp = nlp
        self.threshold = threshold
        self.urgent_threshold = urgent_threshold
        self.name = str(nlp.meta.get("mend", {}).get("architecture", "textcat"))

    @classmethod
    def load(cls, path: Path = DEFAULT_DIRECTORY) -> RiskClassifier:
        """Read a model directory written by `scripts/train-risk-classifier`."""
        nlp = spacy.load(path)
        meta = nlp.meta["mend"]
        return cls(nlp, float(meta["threshold"]), float(meta["urgent_threshold"]))

    def score(self, sentences: Sequence[str]) -> Scores:
        """The scores of the draft's highest-scoring window; zeros for an empty draft."""
        texts = windows(sentences)
        if not texts:
            return Scores()
        best = max(self.nlp.pipe(texts), key=lambda doc: doc.cats[RISK])
        cats = best.cats
        return Scores(cats[RISK], cats[URGENT], {kind: cats[kind] for kind in KINDS})
