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

import numpy
import spacy
from spacy.language import Language

from server.safety.model import KINDS

DEFAULT_DIRECTORY = (
    Path(__file__).resolve().parents[2] / "rules" / "safety" / "classifier" / "model"
)
ADDITIVE = "bow-unigram"  # a linear model over single words: window scores add up
RISK = "RISK"
URGENT = "URGENT"
LABELS: tuple[str, ...] = (RISK, URGENT, *KINDS)


def _log_odds(scores: numpy.ndarray) -> numpy.ndarray:
    clipped = numpy.clip(scores, 1e-7, 1 - 1e-7)
    return numpy.log(clipped) - numpy.log(1 - clipped)  # type: ignore[no-any-return]


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
        # Scores come straight from the model, one batch per draft: pipe() and its
        # annotation of each Doc cost more than the model itself on a few short windows.
        self._model = textcat.model  # type: ignore[union-attr]
        self._columns = {label: textcat.labels.index(label) for label in LABELS}  # type: ignore[union-attr]
        self.threshold = threshold
        self.urgent_threshold = urgent_threshold
        self.name = str(nlp.meta.get("mend", {}).get("architecture", "textcat"))
        self.additive = self.name == ADDITIVE
        self._bias = _log_odds(self._model.predict([nlp.make_doc("")]))[0]

    @classmethod
    def load(cls, path: Path = DEFAULT_DIRECTORY) -> RiskClassifier:
        """Read a model directory written by `scripts/train-risk-classifier`."""
        nlp = spacy.load(path)
        meta = nlp.meta["mend"]
        return cls(nlp, float(meta["threshold"]), float(meta["urgent_threshold"]))

    def score(self, sentences: Sequence[str]) -> Scores:
        """The scores of the draft's highest-scoring window; zeros for an empty draft."""
        kept = [sentence.strip().lower() for sentence in sentences if sentence.strip()]
        if not kept:
            return Scores()
        make_doc = self.nlp.make_doc
        if self.additive:
            # A bag of single words is a sum of one weight per word, so a pair of sentences
            # scores the sum of the two sentences' log-odds less the bias (the log-odds of no
            # words): the model reads each word once instead of three times.
            scores = self._model.predict([make_doc(text) for text in kept])
            if len(kept) > 1:
                odds = _log_odds(scores)
                pairs = odds[:-1] + odds[1:] - self._bias
                scores = numpy.vstack([scores, 1 / (1 + numpy.exp(-pairs))])
        else:
            scores = self._model.predict([make_doc(text) for text in windows(kept)])
        columns = self._columns
        best = scores[int(scores[:, columns[RISK]].argmax())]
        return Scores(
            float(best[columns[RISK]]),
            float(best[columns[URGENT]]),
            {kind: float(best[columns[kind]]) for kind in KINDS},
        )
