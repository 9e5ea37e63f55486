"""Every example of every rule: must-match examples are flagged on exactly their span, and
near-misses are not flagged. Each rule runs alone, so a failure names the rule at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.detect.engine import Engine
from server.rules.load import load_rules
from server.rules.schema import RiskRule, Rule
from server.service import Mend
from server.settings import Settings

RULES = load_rules(Settings().rules_dir).rules


def _only(engine: Engine, rule: Rule) -> list[str]:
    """Every other rule, the classifier's kinds included, to be disabled."""
    return [r.id for r in (*engine.ruleset.rules, *engine.ruleset.learned) if r.id != rule.id]


MATCH_CASES = [
    pytest.param(rule, example.text, example.span, id=f"{rule.id}:match:{index}")
    for rule in RULES
    for index, example in enumerate(rule.examples.match)
]
NO_MATCH_CASES = [
    pytest.param(rule, text, id=f"{rule.id}:no_match:{index}")
    for rule in RULES
    for index, text in enumerate(rule.examples.no_match)
]


@pytest.mark.parametrize("full_parse", [True, False], ids=["full", "check"])
@pytest.mark.parametrize(("rule", "text", "span"), MATCH_CASES)
def test_rule_flags_its_example(
    engine: Engine, rule: Rule, text: str, span: str, full_parse: bool
) -> None:
    # full_parse=False is the check's path: exact triggers, and the parser only where needed.
    flags = engine.analyze(text, disable=_only(engine, rule), full_parse=full_parse).flags
    found = [flag.text for flag in flags]
    assert span in found, f"{rule.id} ({Path(rule.path).name}) should flag {span!r} in {text!r}"
    flag = flags[found.index(span)]
    assert text[flag.start : flag.end] == span
    assert flag.rule.id == rule.id


@pytest.mark.parametrize("full_parse", [True, False], ids=["full", "check"])
@pytest.mark.parametrize(("rule", "text"), NO_MATCH_CASES)
def test_rule_leaves_near_miss_alone(
    engine: Engine, rule: Rule, text: str, full_parse: bool
) -> None:
    flags = engine.analyze(text, disable=_only(engine, rule), full_parse=full_parse).flags
    assert not flags, f"{rule.id} should not flag {text!r}, but flagged {[f.text for f in flags]}"


# ---------------------------------------------------------------- risk rules (rules/safety/)

RISK_RULES = load_rules(Settings().rules_dir).risk

RISK_MATCH_CASES = [
    pytest.param(rule, example.text, example.span, example.level, id=f"{rule.id}:match:{index}")
    for rule in RISK_RULES
    for index, example in enumerate(rule.examples.match)
]
RISK_NO_MATCH_CASES = [
    pytest.param(rule, text, id=f"{rule.id}:no_match:{index}")
    for rule in RISK_RULES
    for index, text in enumerate(rule.examples.no_match)
]


@pytest.mark.parametrize("full_parse", [True, False], ids=["full", "check"])
@pytest.mark.parametrize(("rule", "text", "span", "level"), RISK_MATCH_CASES)
def test_risk_rule_finds_its_example(
    engine: Engine, rule: RiskRule, text: str, span: str, level: str | None, full_parse: bool
) -> None:
    found = [m for m in engine.analyze(text, full_parse=full_parse).risk if m.rule.id == rule.id]
    spans = [text[m.start : m.end] for m in found]
    assert span in spans, f"{rule.id} ({Path(rule.path).name}) should find {span!r} in {text!r}"
    if level is not None:
        got = "urgent" if any(m.urgent for m in found) else "checkin"
        assert got == level, f"{rule.id} should rate {text!r} {level}, not {got}"


@pytest.mark.parametrize(("rule", "text", "span", "level"), RISK_MATCH_CASES)
def test_risk_rule_example_gets_an_answer(
    mend: Mend, rule: RiskRule, text: str, span: str, level: str | None
) -> None:
    """Through the whole check, both layers voting: the classifier's floor never silences a
    rule's own example ("I'm feeling suicidal" scores 0.04 with the shipped model)."""
    assert mend.check(text).safety is not None, f"{rule.id}: no answer for {text!r}"


@pytest.mark.parametrize("full_parse", [True, False], ids=["full", "check"])
@pytest.mark.parametrize(("rule", "text"), RISK_NO_MATCH_CASES)
def test_risk_rule_leaves_near_miss_alone(
    engine: Engine, rule: RiskRule, text: str, full_parse: bool
) -> None:
    found = [m for m in engine.analyze(text, full_parse=full_parse).risk if m.rule.id == rule.id]
    assert not found, (
        f"{rule.id} should not find risk in {text!r}: {[text[m.start : m.end] for m in found]}"
    )


# ---------------------------------------------------------------- the blame classifier

LEARNED = load_rules(Settings().rules_dir).learned


@pytest.mark.parametrize("text", [e.text for e in LEARNED[0].examples.match])
def test_classifier_flags_its_example_as_a_whole_sentence(engine: Engine, text: str) -> None:
    rules_only = [rule.id for rule in LEARNED]
    assert not engine.analyze(text, disable=rules_only).blaming, "a rule already finds it"
    flags = engine.analyze(text).flags
    assert [flag.rule.id in rules_only for flag in flags] == [True], flags
    assert flags[0].text == text.strip()


@pytest.mark.parametrize("text", LEARNED[0].examples.no_match)
def test_classifier_leaves_its_near_miss_alone(engine: Engine, text: str) -> None:
    assert not engine.analyze(text).flags
