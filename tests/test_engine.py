"""The engine end to end: offsets, normalisation, profiles, overlaps and odd input."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core.normalize import normalize
from server.detect.engine import Engine, UnknownProfileError, UnknownRuleError
from server.detect.learned import BlameClassifier, Verdict
from server.detect.reading import split_sentences
from server.rules.schema import Severity

DATA = Path(__file__).parent / "data"


def _blaming(engine: Engine, text: str, profile: str = "strict") -> bool:
    flags = engine.analyze(text, profile=profile).flags
    return any(flag.blaming for flag in flags)


def test_the_articles_example(engine: Engine) -> None:
    flags = engine.analyze("The problem is that you won't let go of me.").flags
    assert flags
    assert flags[0].rule.category == "problem-is-you"
    assert not _blaming(
        engine, "I feel guilty when you get upset if I go one day without calling you."
    )


@pytest.mark.parametrize(
    "text",
    [
        "u never call me back",
        "YOU NEVER CALL ME BACK!!!",
        "you neverrrr call me back",
        "Mom,\nyou never call me back 😡",
        "you never call me back i feel like you dont care",
        "Mom, you won’t let go of me.",
        "your so selfish",
        "ur so selfish",
        "youre always on ur phone",
    ],
)
def test_chat_style_blame_is_found(engine: Engine, text: str) -> None:
    assert _blaming(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "I feel guilty when you get upset if I go one day without calling you.",
        "Thanks for the flowers, they're beautiful.",
        "Can you call me on Sunday?",
        "I love you",
        "you never know",
        "You have to preheat the oven.",
        "When you called me at work on Tuesday, I felt embarrassed.",
        'My boss said "you never listen" and I was shocked.',
        "Dad says you always make the best pie.",
        "I don't think you always do that.",
        "I'll never forget your lasagna.",
        "CAN U CALL ME ON SUNDAY",
    ],
)
def test_hard_negatives_stay_clean(engine: Engine, text: str) -> None:
    assert not _blaming(engine, text)


def test_offsets_point_into_the_submitted_text(engine: Engine) -> None:
    text = "Hi Mum 😊\n\nu NEVER call me back. ur so selfish!!!"
    flags = engine.analyze(text).flags
    assert [flag.text for flag in flags] == ["u NEVER", "ur so selfish"]
    for flag in flags:
        assert text[flag.start : flag.end] == flag.text


def test_flags_are_sorted_and_do_not_overlap(engine: Engine) -> None:
    text = "Why do you always do this? You're so selfish. It's your fault. I feel abandoned."
    flags = engine.analyze(text).flags
    assert len(flags) >= 4
    for before, after in itertools.pairwise(flags):
        assert before.end <= after.start


def test_overlapping_matches_keep_the_most_severe(engine: Engine) -> None:
    # "you're always so selfish" is both an absolute (warning) and a label (error).
    flags = engine.analyze("you're always so selfish").flags
    assert [(flag.rule.category, flag.severity) for flag in flags] == [("labels", Severity.error)]


def test_gentle_profile_softens_faux_feelings_only(engine: Engine) -> None:
    text = "I feel abandoned since you moved."
    assert _blaming(engine, text, "strict")
    assert not _blaming(engine, text, "gentle")
    gentle = engine.analyze(text, profile="gentle").flags
    assert [flag.severity for flag in gentle] == [Severity.info]
    assert _blaming(engine, "You're so selfish.", "gentle")


def test_min_severity_and_disable(engine: Engine) -> None:
    text = "I feel abandoned. You're being so selfish and lazy again."
    only_errors = engine.analyze(text, min_severity=Severity.error).flags
    assert [flag.rule.id for flag in only_errors] == ["youre-so-label"]
    # With the rule off, the classifier still reads the sentence as a label...
    without_rule = engine.analyze(text, disable=["youre-so-label"]).flags
    assert [flag.rule.id for flag in without_rule] == ["i-feel-faux", "classifier-labels"]
    # ...and its kinds are rules too, which can be switched off.
    without_labels = engine.analyze(text, disable=["youre-so-label", "classifier-labels"]).flags
    assert [flag.rule.id for flag in without_labels] == ["i-feel-faux"]


def test_unknown_profile_and_rule_are_errors(engine: Engine) -> None:
    with pytest.raises(UnknownProfileError):
        engine.analyze("hi", profile="harsh")
    with pytest.raises(UnknownRuleError):
        engine.analyze("hi", disable=["no-such-rule"])


def test_only_sentences_with_trigger_words_are_parsed(engine: Engine) -> None:
    text = "The weather was lovely. We went to the park. You never call me back."
    analysis = engine.analyze(text)
    assert len(analysis.sentences) == 1
    assert analysis.sentences[0].doc.text == "You never call me back."
    assert analysis.sentences[0].doc.has_annotation("DEP")


@pytest.mark.parametrize("full_parse", [True, False])
def test_a_sentence_only_the_classifier_flags_is_parsed_too(
    engine: Engine, full_parse: bool
) -> None:
    """No rule wants "Everyone else manages to get along with me.", so the reader leaves it
    out; when the classifier flags it, it is parsed after all: its flag is checked against the
    parse (a generic "you") and the rewrite reads it."""
    text = "The weather was lovely. Everyone else manages to get along with me."
    analysis = engine.analyze(text, full_parse=full_parse)
    assert [flag.rule.id for flag in analysis.flags] == ["classifier-problem-is-you"]
    flag = analysis.flags[0]
    parsed = [s.doc.text for s in analysis.sentences if s.doc.has_annotation("DEP")]
    assert parsed == [flag.text]


def test_check_path_gives_the_same_flags_parsing_less(engine: Engine) -> None:
    """full_parse=False (what /v1/analyze and `mend check` use) keeps every flag, position
    and severity of the full parse on all our labelled sets, while parsing fewer tokens of the
    drafts with several sentences (a lone sentence is read in one pass: see Reader._parse)."""
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATA.glob("labelled*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    parsed = {True: 0, False: 0}
    for text in texts:
        results = {}
        for full in (True, False):
            analysis = engine.analyze(text, full_parse=full)
            results[full] = [(f.rule.id, f.start, f.end, f.severity) for f in analysis.flags]
            if len(analysis.sentences) > 1:
                parsed[full] += sum(
                    len(s.doc) for s in analysis.sentences if s.doc.has_annotation("DEP")
                )
        assert results[False] == results[True], text
    assert parsed[False] < 0.8 * parsed[True]


def test_the_check_path_parses_only_what_a_rule_needs(engine: Engine) -> None:
    text = "Thank you for the lovely day. How are you doing? You never call me back."
    full = engine.analyze(text).sentences
    check = engine.analyze(text, full_parse=False).sentences
    # "How are you doing?" passes hand-written triggers, but holds no pattern's words.
    assert [s.doc.text.strip() for s in full] == [
        "Thank you for the lovely day.",
        "How are you doing?",
        "You never call me back.",
    ]
    assert all(s.doc.has_annotation("DEP") for s in full)
    # The thanks holds one pattern's words, so it is tagged; nothing matched, so no parse.
    assert [(s.doc.text.strip(), s.doc.has_annotation("DEP")) for s in check] == [
        ("Thank you for the lovely day.", False),
        ("You never call me back.", True),
    ]


def test_sentence_split_needs_no_parser(engine: Engine) -> None:
    doc = engine.pipeline.nlp.make_doc("One. Two!\nThree... still three? Four?? Five?! Six")
    assert [span.text for span in split_sentences(doc)] == [
        "One.",
        "Two!",
        "\n",
        "Three... still three?",
        "Four??",
        "Five?!",
        "Six",
    ]


# Blame the parse finds without a phrase for it: passive voice, "nobody ever", praise turned
# to sarcasm, a copula with "you" on one side, a contrast with someone else's parent.
@pytest.mark.parametrize(
    "text",
    [
        "we were never consulted about moving grandma",
        "I got ignored again all through lunch.",
        "Nobody in this family ever asks me how I am.",
        "no one even bothered to ring us on the day",
        "Fantastic job humiliating me in front of the neighbours.",
        "thanks a bunch for blabbing to uncle Ray",
        "Brilliant timing, like always.",
        "The cause of every fight in this house is you.",
        "Even my aunt visited me in the hospital.",
        "yaa never listen",
        "u alwayz forget my recitals",
    ],
)
def test_indirect_blame_is_found(engine: Engine, text: str) -> None:
    assert _blaming(engine, text)


# What the readings of the parse leave alone: a generic "you", a question asking for facts.
@pytest.mark.parametrize(
    "text",
    [
        "In a big city you never really meet your neighbours.",
        "At the airport you always have to take your shoes off.",
        "When you're a teenager you never think about your back.",
        "Do you always walk the dog before breakfast?",
        "have u always lived by the sea",
        "Congrats, you two, the photos are gorgeous.",
    ],
)
def test_generic_you_and_real_questions_stay_clean(engine: Engine, text: str) -> None:
    assert not _blaming(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "Do you always have to shout?",
        "Why do you always leave without saying goodbye?",
        "Mom, in this house you never help.",
        "With me you never make an effort.",
    ],
)
def test_charges_that_look_generic_or_asked_are_still_found(engine: Engine, text: str) -> None:
    # The readings must not swallow these: obligation asked as a question, "why", a sentence
    # naming the writer or speaking to a relative, "in this house".
    assert _blaming(engine, text)


def test_normalize_repairs_texting_spellings() -> None:
    known = {"always", "never"}
    assert normalize("ya always do this", known).text == "you always do this"
    assert normalize("ya that's fine", known).text == "ya that's fine"  # "yeah", alone
    result = normalize("u alwayz do this", known)
    assert result.text == "you always do this"
    start = result.text.index("always")
    assert "u alwayz do this".__getitem__(slice(*result.to_original(start, start + 6))) == "alwayz"


def test_normalize_maps_back_to_the_original() -> None:
    original = "u r SO rude, ur always late"
    result = normalize(original, you_are={"always"})
    assert result.text == "you are so rude, you're always late"
    start = result.text.index("you're")
    assert original.__getitem__(slice(*result.to_original(start, start + 6))) == "ur"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=5000))
def test_any_text_gives_valid_offsets(engine: Engine, text: str) -> None:
    for flag in engine.analyze(text).flags:
        assert 0 <= flag.start < flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                "you",
                "u",
                "ur",
                "never",
                "always",
                "I",
                "feel",
                "like",
                "abandoned",
                "so",
                "selfish",
                "why",
                "do",
                "the",
                "problem",
                "is",
                "’",
                "“",
                "\n",
                "!",
                "?",
                ".",
                "😡",
                "YOU",
                "if",
                "don't",
                "fault",
                "your",
                "thanks",
                "for",
                "nothing",
                "'",
                '"',
                "...",
                "…",
            ]
        ),
        max_size=120,
    ).map(" ".join)
)
def test_rule_vocabulary_soup_gives_valid_offsets(engine: Engine, text: str) -> None:
    for flag in engine.analyze(text).flags:
        assert text[flag.start : flag.end] == flag.text


def test_labelled_set_accuracy(engine: Engine) -> None:
    """A regression guard on our own labelled set (tests/eval_detector.py prints the figures)."""
    items = [json.loads(line) for line in (DATA / "labelled.jsonl").read_text().splitlines()]
    predicted = [_blaming(engine, item["text"]) for item in items]
    tp = sum(p and item["blaming"] for p, item in zip(predicted, items, strict=True))
    fp = sum(p and not item["blaming"] for p, item in zip(predicted, items, strict=True))
    fn = sum(not p and item["blaming"] for p, item in zip(predicted, items, strict=True))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.95
    assert 2 * precision * recall / (precision + recall) >= 0.95


def test_a_run_on_draft_is_read_in_clauses(engine: Engine) -> None:
    """Texting without full stops is cut into pieces of at most LONGEST_SENTENCE tokens, at a
    joining word where there is one, so no rule reads a 1,000-token "sentence"."""
    from server.detect.reading import LONGEST_SENTENCE

    text = "you never listen and you always shout and " * 40
    doc = engine.pipeline.nlp.make_doc(text)
    pieces = list(split_sentences(doc))
    assert len(pieces) > 1
    assert all(len(piece) <= LONGEST_SENTENCE for piece in pieces)
    assert "".join(piece.text_with_ws for piece in pieces) == text
    assert all(piece[0].lower_ == "and" for piece in pieces[1:])
    flags = engine.analyze(text, full_parse=False).flags
    assert len(flags) >= 40  # every "you never" / "you always" is still found


def test_a_dependency_rule_skipped_by_its_required_values_could_not_have_matched(
    engine: Engine,
) -> None:
    """The check before the DependencyMatcher (a node's tag, dependency, lemma or word found on
    no token of the sentence) only skips sentences where the matcher finds nothing: run both
    on every sentence of two labelled sets, for every rule with dependency patterns."""
    texts = [
        json.loads(line)["text"]
        for name in ("labelled.jsonl", "labelled9.jsonl")
        for line in (DATA / name).read_text().splitlines()
    ]
    nlp = engine.pipeline.nlp
    deps = [m.deps for m in engine.detector._patterns.values() if m.deps._keys]
    skipped = 0
    for doc in nlp.pipe(texts):
        for matches in deps:
            if not matches._possible(doc):
                skipped += 1
                assert not matches.matcher(doc), doc.text
    assert skipped > 100  # the check does skip: it is not vacuous


class FixedBlameClassifier(BlameClassifier):
    """Scores each sentence as told (0 for any other): the engine's vote, tested on its own."""

    def __init__(self, scores: dict[str, float], rule_floor: float) -> None:
        self.name, self.threshold, self.rule_floor = "fixed", 0.9, rule_floor
        self._scores = scores

    def read(self, sentences: Sequence[str]) -> list[Verdict]:
        return [Verdict(i, "absolutes", self._scores.get(s, 0.0)) for i, s in enumerate(sentences)]


def test_a_rule_flag_stands_where_the_classifier_does_not_read_the_sentence_as_clean(
    engine: Engine,
) -> None:
    praise, blame = "You always make the house smell like Christmas.", "You never call me back."
    rules_alone = Engine(engine.pipeline, engine.ruleset)
    assert [f.text for f in rules_alone.analyze(f"{praise} {blame}").flags] == [
        "You always",
        "You never",
    ]
    for praise_score, kept in ((0.049, ["You never"]), (0.05, ["You always", "You never"])):
        fixed = FixedBlameClassifier({praise: praise_score, blame: 0.5}, rule_floor=0.05)
        vetted = Engine(engine.pipeline, engine.ruleset, fixed)
        assert [f.text for f in vetted.analyze(f"{praise} {blame}").flags] == kept, praise_score
    # without a floor (a model trained before there was one) every rule flag stands
    unfloored = Engine(engine.pipeline, engine.ruleset, FixedBlameClassifier({}, rule_floor=0.0))
    assert len(unfloored.analyze(f"{praise} {blame}").flags) == 2
    # Mend's own suggestions are checked strictly: the classifier reads them as clean (it was
    # trained to), so a rule's flag in one must count all the same
    vetted = Engine(engine.pipeline, engine.ruleset, FixedBlameClassifier({}, rule_floor=0.05))
    assert vetted.clean_many([praise]) == [False]
    assert not vetted.analyze(praise).flags


def test_the_shipped_rule_floor_lies_under_the_threshold(engine: Engine) -> None:
    assert engine.learned is not None
    assert 0.0 < engine.learned.rule_floor < engine.learned.threshold
