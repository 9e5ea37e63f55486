"""A bag-of-words text classifier (spaCy's TextCategorizer), trained and read the same way by
the risk check and the blame detector's second layer.

Each is a linear model over words, or words and pairs of neighbouring words (`ngrams`,
hashed), one score from 0 to 1 per label: no new dependency, nothing downloaded, a few MiB of
memory and a small share of the parse's time. Texts are scored in the lower case they were
trained in. Both are sums: a bias, a weight per word and, with `ngrams` 2, a weight per pair
of neighbouring words; each word's and pair's weights are read off the model once and a text
is scored by adding them up. Both read word pairs ("you never", "thanks for"): cross-validated,
the messages the blame classifier adds to the rules' flags at precision 0.9 went from 216 to
368, and the risk classifier's recall at precision 0.9 from 0.858 to 0.881, once
everyday messages about calls and silence ("I haven't heard from you in two weeks") were in
its training set.

A model may also read, besides each word, its dictionary forms and the word classes of the
rules it belongs to (`Features`): it then learns one weight for "@means" as well as for
"pills", and a wording it never saw in training still counts through the class the rules
give its words ("tablets", "blister pack"). Which extras a model reads is stored with it.

The training half (`train`, `fold_of`) is used by scripts/train-risk-classifier and
scripts/train-blame-classifier, never at run time.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.pipeline.textcat_multilabel import MultiLabel_TextCategorizer
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch, registry  # type: ignore[attr-defined]
from thinc.api import Config

from server.core.inflect import forms_of, getAllLemmas

PIPE = "textcat_multilabel"
ARCHITECTURES = {1: "bow-unigram", 2: "bow-bigram"}
UNIGRAM = ARCHITECTURES[1]
BOW = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": False,
    "ngram_size": 1,
    "no_output_layer": False,
    "length": 65536,
}


def log_odds(scores: numpy.ndarray) -> numpy.ndarray:
    clipped = numpy.clip(scores, 1e-7, 1 - 1e-7)
    return numpy.log(clipped) - numpy.log(1 - clipped)  # type: ignore[no-any-return]


def sigmoid(odds: numpy.ndarray) -> numpy.ndarray:
    """The inverse of log_odds, without overflow for large odds."""
    return 0.5 * (1 + numpy.tanh(odds / 2))


MAX_WEIGHTS = 50_000  # words and pairs whose weights a model keeps at hand (a few MiB)
_SEVERAL = re.compile(r"[\s-]")  # an entry of more than one word


class Features:
    """The words a model reads for a text: its own words in lower case, then, with `lemmas`,
    each word's other dictionary forms ("pills": "pill"), and the name of each word list in
    `lists` that holds the word in any inflection ("pills", "tablet": "@means"). Entries of
    more than one word are left out: a class is read one word at a time."""

    def __init__(
        self, lists: Mapping[str, Sequence[str]], *, lemmas: bool, repeats: bool = True
    ) -> None:
        self.lemmas = lemmas
        # With repeats False, a run of one mark ("!!!", "??") is read as one: emphasis, not
        # three exclamations (read one by one, "you're so selfish!!!" scored 0.09 for blame
        # where "you're so selfish" scored 0.87, for clean messages end in "!" so often).
        self.repeats = repeats
        self.lists = {name: tuple(lists[name]) for name in sorted(lists)}
        self._names: dict[str, list[str]] = {}
        for name, entries in self.lists.items():
            forms = set().union(*(forms_of(e) for e in entries if not _SEVERAL.search(e)))
            for form in sorted(forms):
                self._names.setdefault(form, []).append(f"@{name}")
        # A server reads the same few thousand words again and again.
        self._extras = lru_cache(maxsize=65536)(self._extras_of)

    def meta(self) -> dict[str, Any]:
        return {"lemmas": self.lemmas, "classes": list(self.lists), "repeats": self.repeats}

    def _extras_of(self, word: str) -> tuple[str, ...]:
        extras = list(self._names.get(word, ()))
        if self.lemmas:
            found = {lemma for lemmas in getAllLemmas(word).values() for lemma in lemmas}
            extras += sorted(found - {word})
        return tuple(extras)

    def words(self, nlp: Language, text: str) -> list[str]:
        """The text's own words, in lower case."""
        # (read off as string ids: a Token object per word costs more than the lookup)
        strings = nlp.vocab.strings
        words = [strings[orth] for orth in nlp.make_doc(text.lower()).to_array(ORTH).tolist()]
        if self.repeats:
            return words
        return [w for i, w in enumerate(words) if not (i and w == words[i - 1] and not w.isalnum())]

    def doc(self, nlp: Language, text: str) -> Doc:
        return Doc(nlp.vocab, words=self.tokens(self.words(nlp, text)))

    def tokens(self, words: Sequence[str]) -> list[str]:
        """What the model reads: the words, then the extras each of them brings."""
        return [*words, *self.extras(words)]

    def extras(self, words: Sequence[str]) -> list[str]:
        return [extra for word in words for extra in self._extras(word)]


PLAIN = Features({}, lemmas=False)


class BagOfWords:
    """A trained classifier, read once; `predict` gives one row of label scores per text.

    `nlp` only tokenizes: the classifier was trained on spaCy's English tokenizer, which the
    engine's pipeline shares (checked on all 16,552 texts of the data sets), so a model on
    disk is read as its classifier alone onto that pipeline's vocabulary (`load`) instead of
    as a second pipeline, which cost a third of a second of start-up per model."""

    def __init__(
        self,
        nlp: Language,
        textcat: Any,
        meta: Mapping[str, Any],
        labels: Sequence[str],
        lists: Mapping[str, Sequence[str]] = {},
    ) -> None:
        known = list(getattr(textcat, "labels", ()))
        missing = set(labels) - set(known)
        if textcat is None or missing:
            raise ValueError(f"the model lacks labels: {', '.join(sorted(missing)) or PIPE}")
        self.nlp = nlp
        self.meta: Mapping[str, Any] = meta.get("mend", {})
        self.name = str(self.meta.get("architecture", "textcat"))
        wanted = self.meta.get("features", {})
        unknown = set(wanted.get("classes", ())) - set(lists)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise ValueError(f"the model reads word classes the rules no longer have: {names}")
        self.features = Features(
            {name: lists[name] for name in wanted.get("classes", ())},
            lemmas=bool(wanted.get("lemmas", False)),
            repeats=bool(wanted.get("repeats", True)),  # models before the option read them all
        )
        # Scores come straight from the model, one batch per draft: pipe() and its annotation
        # of each Doc cost more than the model itself on a few short sentences.
        self._model = textcat.model
        self._columns = [known.index(label) for label in labels]
        # The model is a sum, then the logistic: a bias, one weight per word it reads (its
        # extras included) and, with word pairs, one per pair of neighbouring words. Each
        # word's and pair's weights are read off the model once, from a text of that word or
        # pair alone, and a text is then scored by adding them up, with no pass through the
        # model (measured on one sentence: 0.06 ms a call with single words, 0.11 with word pairs,
        # against 0.26 through the model).
        self._pairs = self.name != UNIGRAM
        linear = next(layer for layer in self._model.walk() if layer.name == "sparse_linear")
        self._bias = numpy.asarray(linear.get_param("b"), dtype=float)[self._columns]
        # The weights read so far, a row each, and where each key's row is. (Rows of a matrix,
        # not a dict of arrays: a draft's weights are then summed in one call.)
        self._index: dict[tuple[str, ...], int] = {}
        self._matrix = numpy.zeros((MAX_WEIGHTS, len(self._columns)), dtype=numpy.float32)
        self._lock = threading.Lock()

    @classmethod
    def of(
        cls, nlp: Language, labels: Sequence[str], lists: Mapping[str, Sequence[str]] = {}
    ) -> BagOfWords:
        """The classifier of a pipeline trained by `train`."""
        textcat = nlp.get_pipe(PIPE) if nlp.has_pipe(PIPE) else None
        return cls(nlp, textcat, nlp.meta, labels, lists)

    @classmethod
    def load(
        cls,
        path: Path,
        nlp: Language,
        labels: Sequence[str],
        lists: Mapping[str, Sequence[str]] = {},
    ) -> BagOfWords:
        """The classifier saved under `path` by `train`'s pipeline, read onto `nlp`."""
        config = Config().from_disk(path / "config.cfg")
        if PIPE not in config["components"]:
            raise ValueError(f"the model lacks labels: {PIPE}")
        model = registry.resolve({"model": config["components"][PIPE]["model"]})["model"]
        textcat = MultiLabel_TextCategorizer(nlp.vocab, model, PIPE, threshold=0.5)
        textcat.from_disk(path / PIPE, exclude=("vocab",))
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        return cls(nlp, textcat, meta, labels, lists)

    def threshold(self, key: str) -> float:
        value = float(self.meta[key])
        if not 0.0 < value < 1.0:
            raise ValueError(f"{key} {value} is not between 0 and 1")
        return value

    def _sums(self, key_lists: Sequence[Sequence[tuple[str, ...]]]) -> numpy.ndarray:
        """For each list of keys, the sum of their weights (zero for none)."""
        rows = [row for row, keys in enumerate(key_lists) if keys]
        flat = [key for row in rows for key in key_lists[row]]
        sums = numpy.zeros((len(key_lists), len(self._columns)))
        if rows:
            starts = numpy.cumsum([0, *(len(key_lists[row]) for row in rows[:-1])])
            sums[rows] = numpy.add.reduceat(self._weights_of(flat), starts, axis=0)
        return sums

    def _weights_of(self, keys: Sequence[tuple[str, ...]]) -> numpy.ndarray:
        """The keys' weights, a row each, learning those not yet read. One thread at a time:
        the server scores drafts on several, and learning moves rows and may drop them all."""
        with self._lock:
            needed = set(keys)
            new = needed - self._index.keys()
            if len(self._index) + len(new) > len(self._matrix):
                self._index.clear()  # a bound on memory; the words in use come back at once
                new = needed
                if len(needed) > len(self._matrix):  # a draft longer than the bound foresaw
                    self._matrix = numpy.zeros((len(needed), len(self._columns)), numpy.float32)
            if new:
                self._learn(sorted(new, key=len))  # words before the pairs made of them
            return self._matrix[[self._index[key] for key in keys]]  # a copy, taken in time

    def _scores(self, sums: numpy.ndarray, read: Sequence[bool]) -> numpy.ndarray:
        """The bias and the logistic; a text with no words scores nothing."""
        return numpy.where(numpy.array(read)[:, None], sigmoid(self._bias + sums), 0.0)

    def _keys(self, tokens: Sequence[str]) -> list[tuple[str, ...]]:
        singles: list[tuple[str, ...]] = [(token,) for token in tokens]
        return [*singles, *pairwise(tokens)] if self._pairs else singles

    def _joins(self, *blocks: Sequence[str]) -> list[tuple[str, ...]]:
        """The word pairs where runs of tokens meet, read one after the other."""
        runs = [run for run in blocks if run]
        return [(a[-1], b[0]) for a, b in pairwise(runs)] if self._pairs else []

    def _learn(self, keys: Sequence[tuple[str, ...]]) -> None:
        """The weights of new words and pairs: a text of one word scores the bias and its
        weight; of a pair, the two words' weights as well."""
        docs = [Doc(self.nlp.vocab, words=list(key)) for key in keys]
        odds = log_odds(self._model.predict(docs)[:, self._columns]) - self._bias
        index, matrix = self._index, self._matrix
        for key, weight in zip(keys, odds, strict=True):
            if len(key) == 2:
                weight = weight - matrix[index[key[:1]]] - matrix[index[key[1:]]]
            index[key] = len(index)
            matrix[index[key]] = weight

    def predict(self, texts: Sequence[str]) -> numpy.ndarray:
        """One row per text, one column per label (in the order given at load)."""
        words = [self.features.words(self.nlp, text) for text in texts]
        sums = self._sums([self._keys(self.features.tokens(w)) for w in words])
        return self._scores(sums, [bool(w) for w in words])

    def predict_with_pairs(self, texts: Sequence[str]) -> numpy.ndarray:
        """Rows for each text, then for each two neighbouring texts read together.

        A text is read as its words, then their extras; two texts together ("a b": the
        tokenizer splits at spaces first) as a's words, b's words, a's extras, b's extras. So
        the pair's sum is the two texts' sums with the word pairs where their runs meet
        changed: no text is read twice."""
        words = [self.features.words(self.nlp, text) for text in texts]
        extras = [self.features.extras(w) for w in words]
        n = len(texts)
        sums = self._sums(
            [
                *(self._keys([*w, *e]) for w, e in zip(words, extras, strict=True)),
                *(self._joins(w, e) for w, e in zip(words, extras, strict=True)),
                *(
                    self._joins(wa, wb, ea, eb)
                    for (wa, ea), (wb, eb) in pairwise(zip(words, extras, strict=True))
                ),
            ]
        )
        own, joins, joined = sums[:n], sums[n : 2 * n], sums[2 * n :]
        pairs = own[:-1] + own[1:] - joins[:-1] - joins[1:] + joined
        read = [bool(w) for w in words]
        return numpy.vstack(
            [self._scores(own, read), self._scores(pairs, [a or b for a, b in pairwise(read)])]
        )


# --------------------------------------------------------------------------------- training


def train(
    texts: Sequence[str],
    cats: Sequence[Mapping[str, float]],
    labels: Iterable[str],
    seed: int,
    features: Features = PLAIN,
    ngrams: int = 1,
) -> Language:
    """A blank English tokenizer and a bag-of-words classifier (of single words, or of words
    and word pairs with `ngrams` 2) trained on lower-cased texts read with `features`. A
    label missing from a row's `cats` is unknown there, not false. Deterministic."""
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(PIPE, config={"model": {**BOW, "ngram_size": ngrams}})
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]
    examples = [
        Example.from_dict(features.doc(nlp, text), {"cats": dict(row)})
        for text, row in zip(texts, cats, strict=True)
    ]
    fix_random_seed(seed)
    optimizer = nlp.initialize(lambda: examples)
    shuffle = random.Random(seed)
    for _ in range(10):  # epochs: 6 to 20 gave the same cross-validated figures
        shuffle.shuffle(examples)
        for batch in minibatch(examples, size=16):  # type: ignore[no-untyped-call]
            nlp.update(batch, sgd=optimizer, drop=0.0)
    nlp.meta["mend"] = {
        "architecture": ARCHITECTURES[ngrams],
        "seed": seed,
        "rows": len(examples),
        "features": features.meta(),
    }
    return nlp


def blind_texts(folder: Path) -> frozenset[str]:
    """The texts of the blind sets (tests/data/blind/), read only so that a training row that
    happens to say exactly the same (independent writers do write "You never listen to me.")
    is left out of training: the blind figures must stay blind."""
    texts = set()
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.add(json.loads(line)["text"])
    return frozenset(texts)


def fold_of(groups: Sequence[str], folds: int, seed: int) -> list[int]:
    """A fold for each row, from a seeded shuffle of its group (rows of a group stay together)."""
    order = sorted(set(groups))
    random.Random(seed).shuffle(order)
    number = {group: index % folds for index, group in enumerate(order)}
    return [number[group] for group in groups]


def cross_validate(
    texts: Sequence[str],
    cats: Sequence[Mapping[str, float]],
    groups: Sequence[str],
    labels: Sequence[str],
    score: Callable[[BagOfWords, int], numpy.ndarray],
    *,
    folds: int = 5,
    seed: int = 11,
    features: Features = PLAIN,
    ngrams: int = 1,
) -> list[numpy.ndarray]:
    """Each row's scores (`score(model, row)`) from a model trained on the other folds."""
    fold = fold_of(groups, folds, seed)
    scores: list[numpy.ndarray] = [numpy.zeros(0)] * len(texts)
    for held in range(folds):
        kept = [i for i, f in enumerate(fold) if f != held]
        kept_texts, kept_cats = [texts[i] for i in kept], [cats[i] for i in kept]
        nlp = train(kept_texts, kept_cats, labels, seed, features, ngrams)
        model = BagOfWords.of(nlp, labels, features.lists)
        for i, f in enumerate(fold):
            if f == held:
                scores[i] = score(model, i)
        print(f"  fold {held + 1}/{folds} done", flush=True)
    return scores
