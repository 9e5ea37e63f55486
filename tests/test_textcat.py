"""The shared bag-of-words classifier: what it reads besides the words, and how a model that
reads word classes is loaded."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.language import Language

from server.core.textcat import PLAIN, BagOfWords, Features, train

LABELS = ("RISK",)
TEXTS = [
    ("i took the pills", 1.0),
    ("i swallowed the pills", 1.0),
    ("i have pills here", 1.0),
    ("i took the bus", 0.0),
    ("i swallowed my pride", 0.0),
    ("i have tickets here", 0.0),
]


def blank() -> Language:
    return spacy.blank("en")


def trained(features: Features) -> BagOfWords:
    rows = TEXTS * 60  # enough updates for a six-sentence set to be learnt
    nlp = train([t for t, _ in rows], [{"RISK": y} for _, y in rows], LABELS, 3, features)
    return BagOfWords.of(nlp, LABELS, features.lists)


def test_a_word_also_reads_as_its_dictionary_forms_and_its_classes() -> None:
    features = Features({"means": ("pill", "tablet"), "places": ("bridge",)}, lemmas=True)
    words = [token.text for token in features.doc(blank(), "She TOOK the Pills")]
    assert words[:4] == ["she", "took", "the", "pills"]
    assert {"take", "pill", "@means"} <= set(words[4:])
    assert "@places" not in words


def test_plain_features_read_only_the_words() -> None:
    assert [t.text for t in PLAIN.doc(blank(), "She took the Pills")] == [
        "she",
        "took",
        "the",
        "pills",
    ]


def test_a_word_never_seen_in_training_counts_through_its_class() -> None:
    def lead(model: BagOfWords) -> float:
        """How much more "tablets" (never in training) scores than "the bus"."""
        scores = model.predict(["i took the tablets", "i took the bus"])[:, 0]
        return float(scores[0] - scores[1])

    # Without the class, "tablets" is an unknown word; with it, it reads as "@means", whose
    # weight "pills" taught. (Deterministic: seeded training; measured 0.22 against 0.10.)
    assert lead(trained(Features({"means": ("pill", "tablet")}, lemmas=False))) > 0.15
    assert lead(trained(PLAIN)) < 0.15


def test_a_model_reading_a_class_the_rules_no_longer_have_does_not_load() -> None:
    model = trained(Features({"means": ("pill",)}, lemmas=False))
    with pytest.raises(ValueError, match="means"):
        BagOfWords.of(model.nlp, LABELS, {})


def test_a_saved_model_read_onto_another_pipeline_scores_as_it_did(tmp_path: Path) -> None:
    features = Features({"means": ("pill", "tablet")}, lemmas=True)
    model = trained(features)
    model.nlp.to_disk(tmp_path)
    other = spacy.blank("en")
    read = BagOfWords.load(tmp_path, other, LABELS, features.lists)
    texts = ["i took the tablets", "i took the bus", "I SWALLOWED THE PILLS!!"]
    assert read.nlp is other
    assert numpy.allclose(read.predict(texts), model.predict(texts))
    assert read.predict(texts)[0, 0] > read.predict(texts)[1, 0]


@pytest.mark.parametrize("ngrams", [1, 2])
def test_scores_summed_from_weights_are_the_models_own(ngrams: int) -> None:
    """Scores summed from each word's and each pair's weights are the model's own: repeated
    words, words never seen in training, extras, and a text again once its words are known."""
    features = Features({"means": ("pill", "tablet")}, lemmas=True)
    rows = TEXTS * 60
    nlp = train([t for t, _ in rows], [{"RISK": y} for _, y in rows], LABELS, 3, features, ngrams)
    model = BagOfWords.of(nlp, LABELS, features.lists)
    texts = ["i took the tablets", "pills pills pills", "an unseen zebra", "I TOOK THE PILLS!!"]
    textcat = nlp.get_pipe("textcat_multilabel")
    own = [textcat(features.doc(nlp, text)).cats["RISK"] for text in texts]
    assert numpy.allclose(model.predict(texts)[:, 0], own, atol=1e-5)
    assert numpy.allclose(model.predict(texts[::-1])[:, 0], own[::-1], atol=1e-5)
    assert len({round(score, 3) for score in own}) == len(own)  # four different scores


def test_a_directory_without_the_classifier_does_not_load(tmp_path: Path) -> None:
    spacy.blank("en").to_disk(tmp_path)
    with pytest.raises(ValueError, match="textcat_multilabel"):
        BagOfWords.load(tmp_path, spacy.blank("en"), LABELS)


def test_a_model_of_word_pairs_reads_the_order_of_words() -> None:
    """The same words in another order: a model of single words cannot tell them apart, one
    of word pairs can; and a text with no words scores nothing instead of failing."""
    rows = [("the dog bit me", 1.0), ("me bit the dog", 0.0)] * 100
    texts, cats = [t for t, _ in rows], [{"RISK": y} for _, y in rows]
    pairs = BagOfWords.of(train(texts, cats, LABELS, 3, PLAIN, ngrams=2), LABELS)
    words = BagOfWords.of(train(texts, cats, LABELS, 3, PLAIN, ngrams=1), LABELS)
    assert pairs.name == "bow-bigram"
    scored = pairs.predict(["the dog bit me", "me bit the dog", ""])[:, 0]
    assert scored[0] - scored[1] > 0.2  # measured 0.62 against 0.38
    assert scored[2] == 0.0
    alike = words.predict(["the dog bit me", "me bit the dog"])[:, 0]
    assert abs(alike[0] - alike[1]) < 0.01


@pytest.mark.parametrize("ngrams", [1, 2])
def test_a_pair_of_sentences_scores_as_the_two_read_together(ngrams: int) -> None:
    """Either model sums a pair from its two sentences' sums, changing only the word pairs
    where their words and extras meet: the same as the model's own pass over the two read
    together."""
    features = Features({"means": ("pill", "tablet")}, lemmas=True)
    rows = TEXTS * 60
    texts, cats = [t for t, _ in rows], [{"RISK": y} for _, y in rows]
    nlp = train(texts, cats, LABELS, 3, features, ngrams=ngrams)
    model = BagOfWords.of(nlp, LABELS, features.lists)
    sentences = ["i have pills here", "i took the bus", "i swallowed the tablets", "ok"]
    pairs = model.predict_with_pairs(sentences)[len(sentences) :, 0]
    textcat = nlp.get_pipe("textcat_multilabel")
    together = [
        textcat(features.doc(nlp, f"{a} {b}")).cats["RISK"]
        for a, b in itertools.pairwise(sentences)
    ]
    assert numpy.allclose(pairs, together, atol=1e-5)


def test_threads_scoring_at_once_get_the_scores_of_one_at_a_time() -> None:
    """The server scores drafts on several threads, and a text's word weights are learnt and
    dropped as it goes (the bound is small here, so they are dropped often): each thread must
    still get the scores it would get alone."""
    features = Features({"means": ("pill", "tablet")}, lemmas=True)
    rows = TEXTS * 60
    nlp = train([t for t, _ in rows], [{"RISK": y} for _, y in rows], LABELS, 3, features, 2)
    model = BagOfWords.of(nlp, LABELS, features.lists)
    words = "i took the pills bus tablets here have swallowed my pride tickets".split()
    texts = [
        " ".join(words[(i * 7 + j) % len(words)] for j in range(3 + i % 5)) for i in range(400)
    ]
    alone = [float(model.predict([text])[0, 0]) for text in texts]
    model._matrix = model._matrix[:40]  # room for about two texts' words and pairs
    model._index.clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda text: float(model.predict([text])[0, 0]), texts * 5))
    assert numpy.allclose(together, alone * 5, atol=1e-5)
