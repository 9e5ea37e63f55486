"""The blame detector's second layer: a classifier that reads every sentence no rule flagged.

The rules (rules/<category>/) name the wordings of blame they know; people find others
("oh wow u texted back, what an honor", "Say that to me again and you'll be spending
Christmas on your own.").
This layer scores each sentence the rules left alone with the shared bag-of-words classifier
(server/core/textcat.py), trained by `scripts/train-blame-classifier` on the labelled sets and
read from rules/learned/model/, and flags those it is confident about, under the kind of blame
it finds likeliest. Each kind's message, why and fix are data (rules/learned/learned.yaml),
so a flag from here is explained like any other, and says it comes from the classifier
(server/rules/learned.py reads them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from server.core.textcat import BagOfWords
from server.rules.schema import CATEGORIES

MODEL = "model"
BLAME = "BLAME"
LABELS: tuple[str, ...] = (BLAME, *CATEGORIES)


@dataclass(frozen=True)
class Verdict:
    """A sentence the classifier reads as blame: its index, the kind, the score."""

    index: int
    category: str
    score: float


class BlameClassifier:
    """Reads sentences as blaming or not; the threshold was chosen by the training script's
    cross-validation, for precision, and is stored with the model.

    It also vets the rules: a sentence it scores under `rule_floor` it reads as plainly not
    blaming, and a rule's flag there is dropped. Rules match wordings, and praise, warmth and
    a "you" meaning anyone use the same wordings ("You always make the house smell like
    Christmas", "you never know with traffic"). The floor is chosen with the threshold, on
    cross-validated scores; a model without one (0) lets every flag stand."""

    def __init__(self, model: BagOfWords) -> None:
        self.model = model
        self.name = model.name
        self.threshold = model.threshold("threshold")
        self.rule_floor = float(model.meta.get("rule_floor", 0.0))

    @classmethod
    def load(
        cls, folder: Path, nlp: Language, lists: Mapping[str, Sequence[str]] = {}
    ) -> BlameClassifier | None:
        """The model under folder/model, read onto `nlp`, or None when there is none (the
        rules run alone). `lists` are the rules' word lists, some of which the model may read
        as classes."""
        path = folder / MODEL
        if not (path / "meta.json").is_file():
            return None
        return cls(BagOfWords.load(path, nlp, LABELS, lists))

    def read(self, sentences: Sequence[str]) -> list[Verdict]:
        """Each sentence's blame score, with its likeliest kind."""
        return [
            Verdict(index, CATEGORIES_ORDER[int(row[1:].argmax())], float(row[0]))
            for index, row in enumerate(self.model.predict(sentences))
        ]


CATEGORIES_ORDER: tuple[str, ...] = tuple(CATEGORIES)
