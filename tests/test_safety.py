"""The safety layer: risk language in anything typed -> a calm pointer to help.

Covers the evaluation set (recall 100%, precision >= 90%), the holdout set of phrasings written
apart from the lexicon (recall >= 95%, precision >= 90%), every example in risk.yaml, the
figurative near-misses, the helplines data, the strict loader, and the guarantees other code
relies on: any text is accepted, nothing is logged, and every regex is bounded (its speed is
measured in tests/bench/bench_safety.py).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.safety.check import RiskDetector
from server.safety.load import load_risk
from server.safety.model import (
    DEFAULT_DIRECTORY,
    KINDS,
    RESOURCE_KINDS,
    Resource,
    Safety,
    SafetyDataError,
)

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "risk.jsonl"
HOLDOUT = HERE / "data" / "risk_holdout.jsonl"
RISK_YAML = DEFAULT_DIRECTORY / "risk.yaml"
HELPLINES_YAML = DEFAULT_DIRECTORY / "helplines.yaml"


def _load_eval_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_safety", HERE / "eval_safety.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("eval_safety", module)
    spec.loader.exec_module(module)
    return module


eval_safety = _load_eval_module()


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return load_risk(DEFAULT_DIRECTORY)


def _rows(path: Path = DATA) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _yaml_examples() -> list[tuple[str, str, bool]]:
    data = yaml.safe_load(RISK_YAML.read_text(encoding="utf-8"))
    out: list[tuple[str, str, bool]] = []
    for pattern in data["patterns"]:
        examples = pattern.get("examples", {})
        out += [(pattern["id"], text, True) for text in examples.get("match", [])]
        out += [(pattern["id"], text, False) for text in examples.get("no_match", [])]
    return out


# ------------------------------------------------------------------------ the evaluation set


@pytest.mark.parametrize(("path", "least"), [(DATA, 80), (HOLDOUT, 120)], ids=["eval", "holdout"])
def test_evaluation_set_is_well_formed(path: Path, least: int) -> None:
    rows = _rows(path)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len({row["text"] for row in rows}) == len(rows), "duplicate texts"
    for row in rows:
        assert set(row) == {"id", "text", "risk", "kind"}, row["id"]
        assert isinstance(row["text"], str), row["id"]
        assert row["text"].strip(), row["id"]
        if row["risk"]:
            assert row["kind"] in KINDS, row["id"]
        else:
            assert row["kind"] is None, row["id"]
    assert sum(row["risk"] for row in rows) >= least
    assert sum(not row["risk"] for row in rows) >= least
    assert {row["kind"] for row in rows if row["risk"]} == set(KINDS)


def test_evaluation_and_holdout_sets_do_not_overlap() -> None:
    def texts(path: Path) -> set[str]:
        return {" ".join(row["text"].casefold().split()) for row in _rows(path)}

    assert not texts(DATA) & texts(HOLDOUT)


def test_recall_is_total_and_precision_high(detector: RiskDetector) -> None:
    report = eval_safety.evaluate(detector, eval_safety.load_rows(DATA))
    assert report.missed == [], f"missed risk messages: {report.missed}"
    assert report.recall == 1.0
    assert report.precision >= 0.90, f"precision {report.precision:.3f}: {report.false_alarms}"
    kind_rate = 1 - len(report.wrong_kind) / report.risk
    assert kind_rate >= 0.95, f"labelled kind not reported for {report.wrong_kind}"


def test_holdout_recall_and_precision(detector: RiskDetector) -> None:
    """Phrasings written before the lexicon was generalised (see the report in eval_safety)."""
    report = eval_safety.evaluate(detector, eval_safety.load_rows(HOLDOUT))
    assert report.risk >= 120
    assert report.safe >= 120
    assert report.recall >= 0.95, f"recall {report.recall:.3f}, missed: {report.missed}"
    assert report.precision >= 0.90, f"precision {report.precision:.3f}: {report.false_alarms}"
    kind_rate = 1 - len(report.wrong_kind) / report.risk
    assert kind_rate >= 0.90, f"labelled kind not reported for {report.wrong_kind}"


# ------------------------------------------------------------------------ the lexicon's examples


@pytest.mark.parametrize(
    ("pattern_id", "text", "should_match"),
    _yaml_examples(),
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None,
)
def test_lexicon_example(
    detector: RiskDetector, pattern_id: str, text: str, should_match: bool
) -> None:
    fired = detector.matches(text)
    if should_match:
        assert pattern_id in fired, f"{pattern_id} should match {text!r}"
    else:
        assert pattern_id not in fired, f"{pattern_id} should not match {text!r}"


def test_every_pattern_has_examples_of_both_kinds(detector: RiskDetector) -> None:
    kinds: dict[str, set[bool]] = {}
    for pattern_id, _text, should_match in detector.examples:
        kinds.setdefault(pattern_id, set()).add(should_match)
    for pattern_id in detector.pattern_ids:
        assert kinds.get(pattern_id) == {True, False}, pattern_id


# ------------------------------------------------------------------------ figurative speech

FIGURATIVE = [
    "this commute is killing me",
    "I could kill for a coffee",
    "you're killing me with these puns",
    "I'm dying to see you",
    "I nearly died laughing",
    "I'm dead tired",
    "my phone died",
    "she's killing it at work",
    "the suspense is killing me",
    "I'd die of embarrassment",
    "time to hit the road",
    "I'll hit the gym later",
    "she hit the jackpot",
    "the news hit me hard",
    "can you cut the cake",
    "some guy cut me off in traffic",
    "I shot a photo of the sunset",
    "kill the lights please",
    "we went to a murder mystery night",
    "my feet are killing me",
    "this chocolate cake is to die for",
    "I'm so angry I could scream",
    "ur killing me with these group texts lol",
    "mom is going to kill me when she sees my report card lol",
    "dad beat me at chess again",
    "mom hit me up about sunday",
    "your letter really touched me",
    "I burned myself on the oven, it's fine",
    "I cut myself a slice of your pie",
    "i'm cutting back on sugar",
]


@pytest.mark.parametrize("text", FIGURATIVE)
def test_figurative_speech_stays_clean(detector: RiskDetector, text: str) -> None:
    assert detector.assess(text) is None, detector.matches(text)


# ------------------------------------------------------------------------ levels and kinds


@pytest.mark.parametrize(
    ("text", "level", "kind"),
    [
        ("i want to kill myself", "urgent", "suicide"),
        ("sometimes i wish i wasnt here", "concern", "suicide"),
        ("i feel so hopeless", "concern", "suicide"),
        ("i started cutting again", "urgent", "self-harm"),
        ("i used to cut in high school", "concern", "self-harm"),
        ("my dad beats me", "urgent", "abuse"),
        ("my dad used to beat me", "concern", "abuse"),
        ("she takes my money every payday", "concern", "abuse"),
        ("he hits the kids", "urgent", "child"),
        ("my son is scared of him", "concern", "child"),
        ("he's outside my door", "urgent", "danger"),
        ("he said he is going to kill me", "urgent", "danger"),
    ],
)
def test_level_and_kind(detector: RiskDetector, text: str, level: str, kind: str) -> None:
    result = detector.assess(text)
    assert result is not None, text
    assert result.level == level, (text, result.level, detector.matches(text))
    assert kind in result.kinds, (text, result.kinds)


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "I WANT TO DIE",
        "i want to dieeeee",
        "i wanna die",
        "iwant to die"[1:],  # "want to die" without a subject
        "i  want\tto\ndie",
        "I want to die\u2026",
        "I w\u200bant to die",
        "\uff29 want to die",  # fullwidth I
        "i want to d\u00efe",  # accent
        "i want to die!!!",
        "i dont want to live anymore",
        "i don\u2019t want to live anymore",
        "I DON'T WANT TO LIVE ANYMORE",
        "kms",
        "KMS",
        "i want to kil myself",
        "i want to kill my self",
        "im gonna kill myself",
    ],
)
def test_normalisation_variants_are_detected(detector: RiskDetector, text: str) -> None:
    result = detector.assess(text)
    assert result is not None, text
    assert "suicide" in result.kinds, text


def test_assess_checks_all_texts_together(detector: RiskDetector) -> None:
    assert detector.assess() is None
    assert detector.assess("", "   ") is None
    assert detector.assess("we had lunch", "it was lovely") is None
    result = detector.assess("we had lunch", "he hits me when he drinks", "i want to die")
    assert result is not None
    assert result.kinds == ("suicide", "abuse")  # reported in KINDS order
    assert result.level == "urgent"


def test_assess_rejects_non_text(detector: RiskDetector) -> None:
    with pytest.raises(TypeError):
        detector.assess(42)  # type: ignore[arg-type]


def test_kys_said_to_someone_is_abuse_but_alone_is_not_flagged(detector: RiskDetector) -> None:
    told = detector.assess("mom told me to kys")
    assert told is not None
    assert "abuse" in told.kinds
    assert detector.assess("lol kys") is None


# ------------------------------------------------------------------------ messages and resources


def test_messages_are_calm_and_short(detector: RiskDetector) -> None:
    for text in ("sometimes i wish i wasnt here", "i want to kill myself"):
        result = detector.assess(text)
        assert result is not None
        message = result.message
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", message) if s.strip()]
        assert 1 <= len(sentences) <= 3, message
        assert "keep going" in message or "keep working" in message, message
        lowered = message.casefold()
        for banned in ("stop", "should", "must", "end the conversation", "!"):
            assert banned not in lowered, (banned, message)


def test_routing_by_kind(detector: RiskDetector) -> None:
    def kinds_for(text: str) -> set[str]:
        result = detector.assess(text)
        assert result is not None, text
        assert result.resources[-1].kind == "directory", "the directory comes last"
        return {resource.kind for resource in result.resources}

    assert {"crisis", "directory"} <= kinds_for("sometimes i wish i wasnt here")
    assert {"crisis", "emergency"} <= kinds_for("i want to kill myself")
    assert {"domestic-abuse"} <= kinds_for("she takes my money every payday")
    assert {"child"} <= kinds_for("my son is scared of him")
    assert {"emergency"} <= kinds_for("he's outside my door")
    assert "child" not in kinds_for("i feel hopeless")


def test_every_urgent_result_offers_crisis_or_emergency_help(detector: RiskDetector) -> None:
    urgent = 0
    for row in _rows():
        result = detector.assess(row["text"])
        if result is None:
            continue
        kinds = {resource.kind for resource in result.resources}
        assert "directory" in kinds, row["id"]
        if result.level == "urgent":
            urgent += 1
            assert kinds & {"crisis", "emergency"}, row["id"]
    assert urgent >= 50


def test_helplines_file_is_versioned_and_every_entry_valid(detector: RiskDetector) -> None:
    raw = yaml.safe_load(HELPLINES_YAML.read_text(encoding="utf-8"))
    assert isinstance(raw["version"], int)
    assert isinstance(raw["updated"], date)
    assert "re-verify" in HELPLINES_YAML.read_text(encoding="utf-8").casefold()
    resources = detector.resources
    assert len(resources) == len(raw["resources"])
    for resource in resources:
        assert isinstance(resource, Resource)
        assert resource.name, resource
        assert resource.contact, resource
        assert resource.region, resource
        assert resource.kind in RESOURCE_KINDS, resource
        assert resource.source.startswith("https://"), resource
        assert resource.url is None or resource.url.startswith("https://"), resource
        assert date.fromisoformat(resource.checked) <= date.fromisoformat(str(raw["updated"]))
    assert {resource.kind for resource in resources} == set(RESOURCE_KINDS)
    directory = [r for r in resources if r.kind == "directory"]
    assert any("findahelpline.com" in (r.url or "") for r in directory)
    contacts = " ".join(r.contact for r in resources)
    for number in ("988", "741741", "1-800-799-7233", "116 123", "0808 2000 247", "911", "112"):
        assert number in contacts, number


def test_results_are_immutable(detector: RiskDetector) -> None:
    result = detector.assess("i want to die")
    assert isinstance(result, Safety)
    with pytest.raises(AttributeError):
        result.level = "concern"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.resources[0].contact = "x"  # type: ignore[misc]


def test_nothing_is_logged(detector: RiskDetector, caplog: pytest.LogCaptureFixture) -> None:
    canary = "zebra-canary-4711 i want to kill myself"
    with caplog.at_level(logging.DEBUG):
        assert detector.assess(canary) is not None
    assert "zebra-canary-4711" not in caplog.text
    assert caplog.records == []


# ------------------------------------------------------------------------ any text, fast


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=5000))
def test_any_text_is_accepted(detector: RiskDetector, text: str) -> None:
    # Speed is measured in tests/bench/bench_safety.py; runaway backtracking is ruled out by
    # the lint that every pattern is bounded (below).
    result = detector.assess(text)
    assert result is None or isinstance(result, Safety)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=8))
def test_any_number_of_fields_is_accepted(detector: RiskDetector, texts: list[str]) -> None:
    result = detector.assess(*texts)
    assert result is None or isinstance(result, Safety)


# ------------------------------------------------------------------------ the word gate is sound


def _gate_texts() -> list[str]:
    texts = [row["text"] for path in (DATA, HOLDOUT) for row in _rows(path)]
    texts += [text for _id, text, _hit in _yaml_examples()] + FIGURATIVE
    return texts


def _gate_misses(detector: RiskDetector, text: str) -> list[str]:
    """Ids of patterns whose regex matches `text` although none of their `words` is in it."""
    from server.safety.check import Spans

    misses = []
    for variant in detector._normaliser.variants(text):
        spans = Spans(variant)
        for pattern in detector._patterns:
            if pattern.regex.search(variant) and not spans.has_any(pattern):
                misses.append(pattern.id)
    return misses


def test_words_never_hide_a_match_on_any_data(detector: RiskDetector) -> None:
    """A pattern only runs when one of its `words` is in the text; no match may depend on more."""
    checked = 0
    for text in _gate_texts():
        assert not _gate_misses(detector, text), (_gate_misses(detector, text), text)
        checked += 1
    assert checked > 700


_VOCABULARY = sorted(
    {
        word
        for text in _gate_texts()
        for word in re.findall(r"[a-z]+", text.casefold())
        if len(word) > 1 or word == "i"
    }
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=14))
def test_words_never_hide_a_match(detector: RiskDetector, words: list[str]) -> None:
    text = " ".join(words)
    assert not _gate_misses(detector, text), text


# ------------------------------------------------------------------------ the regexes are sane


def _all_regexes() -> list[tuple[str, str]]:
    data = yaml.safe_load(RISK_YAML.read_text(encoding="utf-8"))
    out = [(f"idioms[{i}]", source) for i, source in enumerate(data.get("idioms", []))]
    for pattern in data["patterns"]:
        out.append((pattern["id"], pattern["regex"]))
        for key in ("unless", "concern_if"):
            out += [(f"{pattern['id']}.{key}", source) for source in pattern.get(key, [])]
    for name, body in data["terms"].items():
        out += [(f"terms.{name}", source) for source in ([body] if isinstance(body, str) else body)]
    return out


_REGEXES = _all_regexes()


_UNBOUNDED = re.compile(r"(?:\)|(?<!\\)\.|\\[sSWD]|\[\^[^\]]*\])[*+]|\{\d*,\}")


@pytest.mark.parametrize(("where", "source"), _REGEXES, ids=[where for where, _ in _REGEXES])
def test_every_regex_is_bounded(where: str, source: str) -> None:
    """Repeats stay inside one word (`\\w+`, `l+`); gaps are counted: `(?:\\w+ ){0,3}?`.

    Normalised text is words and single spaces, so no `.*`, `(...)+`, `\\s*` or `{n,}`: every
    match spans a bounded number of words, which keeps backtracking (and assess()) cheap.
    """
    assert not _UNBOUNDED.search(source), where


# ------------------------------------------------------------------------ the strict loader


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    for name in ("risk.yaml", "helplines.yaml"):
        shutil.copy(DEFAULT_DIRECTORY / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return change


def _delete(path: tuple[Any, ...]) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        del data[path[-1]]

    return change


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("risk.yaml", _set(("patterns", 3, "regex"), "(unclosed"), r"patterns\[3\]\.regex"),
        ("risk.yaml", _set(("patterns", 0, "kind"), "sadness"), r"patterns\[0\]\.kind"),
        ("risk.yaml", _set(("patterns", 1, "level"), "panic"), r"patterns\[1\]\.level"),
        ("risk.yaml", _set(("patterns", 2, "colour"), "red"), r"patterns\[2\]\.colour"),
        ("risk.yaml", _set(("patterns", 0, "regex"), r"\b{nosuchterm}"), r"nosuchterm"),
        ("risk.yaml", _set(("patterns", 0, "regex"), r"(?:x)?"), r"patterns\[0\]\.regex"),
        ("risk.yaml", _set(("patterns", 4, "unless"), ["[bad"]), r"patterns\[4\]\.unless\[0\]"),
        ("risk.yaml", _set(("patterns", 1, "id"), "suicide-word"), r"patterns\[1\]\.id"),
        ("risk.yaml", _delete(("patterns", 2, "words")), r"patterns\[2\]\.words"),
        ("risk.yaml", _set(("patterns", 2, "words"), []), r"patterns\[2\]\.words"),
        ("risk.yaml", _set(("patterns", 2, "words"), ["Die!"]), r"patterns\[2\]\.words\[0\]"),
        ("risk.yaml", _set(("patterns", 2, "words"), ["{nosuch}"]), r"nosuch"),
        ("risk.yaml", _set(("patterns", 2, "words"), ["zebra"]), r"patterns\[2\]\.words"),
        ("risk.yaml", _set(("stems", "hit"), "hit"), r"stems\.hit"),
        ("risk.yaml", _set(("extra",), 1), r"\(top level\)\.extra"),
        ("risk.yaml", _delete(("messages", "urgent")), r"messages\.urgent"),
        ("risk.yaml", _set(("updated",), "last tuesday"), r"updated"),
        ("risk.yaml", _set(("idioms", 0), "(("), r"idioms\[0\]"),
        ("helplines.yaml", _delete(("resources", 2, "source")), r"resources\[2\]\.source"),
        ("helplines.yaml", _set(("resources", 0, "kind"), "hotline"), r"resources\[0\]\.kind"),
        ("helplines.yaml", _set(("resources", 1, "checked"), "soon"), r"resources\[1\]\.checked"),
        ("helplines.yaml", _set(("resources", 0, "url"), "http://x.org"), r"resources\[0\]\.url"),
        ("helplines.yaml", _set(("resources", 0, "fax"), "n/a"), r"resources\[0\]\.fax"),
        ("helplines.yaml", _set(("routing", "by_kind", "abuse"), []), r"by_kind\.abuse"),
        ("helplines.yaml", _delete(("version",)), r"version"),
    ],
)
def test_loader_names_file_and_field(
    data_dir: Path, file: str, change: Callable[[Any], None], expected: str
) -> None:
    _edit(data_dir / file, change)
    with pytest.raises(SafetyDataError) as error:
        load_risk(data_dir)
    message = str(error.value)
    assert file in message, message
    assert re.search(expected, message), message


def test_loader_rejects_invalid_yaml_and_duplicate_keys(data_dir: Path) -> None:
    (data_dir / "risk.yaml").write_text("patterns: [unclosed\n", encoding="utf-8")
    with pytest.raises(SafetyDataError, match=r"risk\.yaml"):
        load_risk(data_dir)
    (data_dir / "risk.yaml").write_text("version: 1\nversion: 2\n", encoding="utf-8")
    with pytest.raises(SafetyDataError, match=r"risk\.yaml.*duplicate key"):
        load_risk(data_dir)


def test_loader_reports_a_missing_file(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_DIRECTORY / "risk.yaml", tmp_path / "risk.yaml")
    with pytest.raises(SafetyDataError, match=r"helplines\.yaml"):
        load_risk(tmp_path)


def test_safety_data_error_is_a_value_error() -> None:
    assert issubclass(SafetyDataError, ValueError)
