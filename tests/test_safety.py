"""The risk check: two layers vote, and anything typed that shows risk gets a calm pointer.

Covers the decision (either layer gives at least a check-in; urgent needs signs that it is
happening now), levels and kinds on plain cases, figures of speech and other look-alikes, the
messages and helplines, the strict loaders, and the guarantees other code relies on: any text
gets an answer (never an error), nothing is logged. Each risk rule's own examples run in
tests/test_rule_examples.py; the figures on sets nobody tuned on are in tests/eval_blind.py.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core.strict_yaml import RuleError
from server.safety.check import RiskCheck
from server.safety.classifier import RiskClassifier
from server.safety.model import DEFAULT_DIRECTORY, KINDS, RESOURCE_KINDS, Resource, Safety
from server.service import Mend

HERE = Path(__file__).resolve().parent
HELPLINES_YAML = DEFAULT_DIRECTORY / "helplines.yaml"


# ------------------------------------------------------------------------ look-alikes

LOOK_ALIKES = [
    "this commute is killing me",
    "I could kill for a coffee",
    "I'm dying to see you",
    "I nearly died laughing",
    "my phone died",
    "the suspense is killing me",
    "I'd die of embarrassment",
    "can you cut the cake",
    "some guy cut me off in traffic",
    "my feet are killing me",
    "this chocolate cake is to die for",
    "mom is going to kill me when she sees my report card lol",
    "dad beat me at chess again",
    "mom hit me up about sunday",
    "I cut myself a slice of your pie",
    "It's been six years since I last hurt myself and I'm proud of that.",
    "You're going to kill me when you hear what I paid for these boots.",
    "Mom I love you but you smother me and I can't breathe.",
    "Thanks for dinner, the lasagne was lovely.",
    "You never call me back and it hurts.",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_get_no_alarm(mend: Mend, text: str) -> None:
    assert mend.assess(text) is None, text


# ------------------------------------------------------------------------ levels and kinds


@pytest.mark.parametrize(
    ("text", "level", "kind"),
    [
        ("i want to kill myself", "checkin", "suicide"),
        ("I've taken all my pills, I'm sorry.", "urgent", "suicide"),
        ("I'm on the roof of the car park and I'm going to jump.", "urgent", "suicide"),
        ("sometimes i wish i was dead", "checkin", "suicide"),
        ("i started cutting again", "checkin", "self-harm"),
        ("I cut myself and it won't stop bleeding", "urgent", "self-harm"),
        ("my husband hit me again last night", "checkin", "abuse"),
        ("He won't let me see my friends and he takes my wages.", "checkin", "abuse"),
        (
            "He's trying to break the door down, I've locked myself in the bathroom.",
            "urgent",
            "danger",
        ),
        ("He hits my son when he's drunk.", "checkin", "child"),
        ("I make myself sick after dinner most nights.", "checkin", "eating"),
        ("I haven't eaten for five days and I fainted at work.", "urgent", "eating"),
    ],
)
def test_level_and_kind(mend: Mend, text: str, level: str, kind: str) -> None:
    result = mend.assess(text)
    assert result is not None, text
    assert result.level == level, (text, result.level, result.rules)
    assert kind in result.kinds, (text, result.kinds)


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "I WANT TO DIE",
        "i want to dieeeee",
        "i wanna die",
        "I want to die…",
        "i dont want to live anymore",
        "I DON'T WANT TO LIVE ANYMORE",
        "kms. i mean it",
    ],
)
def test_spelling_and_case_variants_are_found(mend: Mend, text: str) -> None:
    result = mend.assess(text)
    assert result is not None, text
    assert "suicide" in result.kinds, text


def test_everything_typed_is_assessed_together(mend: Mend) -> None:
    assert mend.assess() is None
    assert mend.assess("", "   ") is None
    assert mend.assess("we had lunch", "it was lovely") is None
    result = mend.assess("we had lunch", "he hits me when he drinks", "i want to die")
    assert result is not None
    assert result.kinds[:2] == ("suicide", "abuse")  # reported in KINDS order
    assert result.found_by[0] == "patterns"
    assert set(result.rules) >= {"wish-to-die", "hurts-me"}


# ------------------------------------------------------------------------ the vote


class FixedClassifier(RiskClassifier):
    """A classifier that gives every draft the same scores: the vote, tested on its own."""

    def __init__(
        self,
        risk: float,
        urgent: float,
        kind: str = "abuse",
        rule_floor: float = 0.0,
        rule_floors: dict[str, float] | None = None,
    ) -> None:
        self.threshold, self.urgent_threshold, self.name = 0.5, 0.5, "fixed"
        self.rule_floor = rule_floor
        self.rule_floors = dict(rule_floors or {})
        self._risk, self._urgent, self._kind = risk, urgent, kind

    def score(self, sentences: Any) -> Any:
        from server.safety.classifier import Scores

        if not sentences:
            return Scores()
        kinds = {kind: float(kind == self._kind) for kind in KINDS}
        return Scores(self._risk, self._urgent, kinds)


def with_classifier(mend: Mend, classifier: RiskClassifier | None) -> Mend:
    risk = RiskCheck(
        classifier=classifier,
        answers=mend.risk._answers,
        resources=mend.risk.resources,
        routing=mend.risk._routing,
        immediacy=mend.risk._immediacy,
        version=mend.risk.version,
        recovered=mend.risk._recovered_phrases,
    )
    return Mend(mend.settings, mend.engine, risk, mend.partner, mend.coach_texts)


def test_either_layer_gives_at_least_a_check_in(mend: Mend) -> None:
    calm = "We argued about the holidays again."
    only_classifier = with_classifier(mend, FixedClassifier(risk=0.9, urgent=0.1))
    result = only_classifier.assess(calm)
    assert result is not None
    assert (result.level, result.found_by, result.kinds) == ("checkin", ("classifier",), ("abuse",))
    assert result.rules == ()
    only_rules = with_classifier(mend, FixedClassifier(risk=0.1, urgent=0.1))
    found = only_rules.assess("he hit me again")
    assert found is not None
    assert found.found_by == ("patterns",)
    assert only_rules.assess(calm) is None


def test_a_rule_match_counts_where_the_classifier_does_not_read_it_as_safe(mend: Mend) -> None:
    line = "he hit me again"
    assert mend.engine.analyze(line).risk, "a risk rule matches the line"
    for score, counted in ((0.29, False), (0.30, True), (0.45, True)):
        floored = with_classifier(mend, FixedClassifier(risk=score, urgent=0.1, rule_floor=0.3))
        found = floored.assess(line)
        assert (found is not None) is counted, score
        if found is not None:
            assert found.found_by == ("patterns",)
            assert found.rules


def test_a_rule_with_its_own_floor_counts_above_it(mend: Mend) -> None:
    line = "he hit me again"
    rule_id = mend.engine.analyze(line).risk[0].rule.id
    floors = {rule_id: 0.1}
    for score, counted in ((0.09, False), (0.1, True), (0.2, True)):
        floored = with_classifier(
            mend, FixedClassifier(risk=score, urgent=0.1, rule_floor=0.3, rule_floors=floors)
        )
        assert (floored.assess(line) is not None) is counted, score


def test_the_shipped_model_keeps_rule_matches_below_its_own_threshold(mend: Mend) -> None:
    """The floor sits below the threshold, or the rules could never add an alarm; and a plain
    rule match the classifier also worries about is reported by both layers."""
    classifier = mend.risk.classifier
    assert classifier is not None
    assert 0.0 < classifier.rule_floor < classifier.threshold
    found = mend.assess("I make myself sick after dinner most nights.")
    assert found is not None
    assert set(found.found_by) == {"patterns", "classifier"}


def test_urgent_needs_signs_that_it_is_happening_now(mend: Mend) -> None:
    sure_now = with_classifier(mend, FixedClassifier(risk=0.9, urgent=0.9))
    without = sure_now.assess("We argued about the holidays again.")
    assert without is not None
    assert without.level == "checkin"
    within = sure_now.assess("We argued about the holidays again and he is outside the door.")
    assert within is not None
    assert within.level == "urgent"


def test_the_rules_run_without_the_classifier(mend: Mend) -> None:
    rules_only = with_classifier(mend, None)
    assert rules_only.assess("i want to die") is not None
    assert rules_only.assess("We argued about the holidays again.") is None


# ------------------------------------------------------------------------ answers and resources


def test_answers_are_calm_short_and_ask_gently(mend: Mend) -> None:
    for text in ("sometimes i wish i was dead", "I've taken all my pills"):
        result = mend.assess(text)
        assert result is not None
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", result.message) if s.strip()]
        assert 1 <= len(sentences) <= 3, result.message
        assert "whenever you like" in result.message, result.message
        for banned in ("should", "must", "end the conversation", "!"):
            assert banned not in result.message.casefold(), (banned, result.message)
        assert result.question.endswith("?")


def test_urgent_lists_the_emergency_numbers_first(mend: Mend) -> None:
    result = mend.assess("He's trying to break the door down, I'm hiding in the wardrobe.")
    assert result is not None
    assert result.level == "urgent"
    assert result.resources[0].kind == "emergency"
    assert result.resources[-1].kind == "directory"


def test_check_in_lists_the_lines_for_its_kinds(mend: Mend) -> None:
    def kinds_for(text: str) -> set[str]:
        result = mend.assess(text)
        assert result is not None, text
        assert result.level == "checkin", text
        assert result.resources[-1].kind == "directory", "the directory comes last"
        assert result.resources[0].kind != "emergency", text
        return {resource.kind for resource in result.resources}

    assert "crisis" in kinds_for("sometimes i wish i was dead")
    assert "domestic-abuse" in kinds_for("He won't let me see my friends.")
    assert "child" in kinds_for("He hits my son when he's drunk.")
    assert "eating" in kinds_for("I make myself sick after dinner most nights.")


def test_helplines_file_is_versioned_and_every_entry_valid(mend: Mend) -> None:
    raw = yaml.safe_load(HELPLINES_YAML.read_text(encoding="utf-8"))
    assert isinstance(raw["version"], int)
    assert isinstance(raw["updated"], date)
    assert "re-verify" in HELPLINES_YAML.read_text(encoding="utf-8").casefold()
    resources = mend.risk.resources
    assert len(resources) == len(raw["resources"])
    for resource in resources:
        assert isinstance(resource, Resource)
        assert resource.kind in RESOURCE_KINDS, resource
        assert resource.source.startswith("https://"), resource
        assert resource.url is None or resource.url.startswith("https://"), resource
        assert date.fromisoformat(resource.checked) <= date.fromisoformat(str(raw["updated"]))
    assert {resource.kind for resource in resources} == set(RESOURCE_KINDS)
    contacts = " ".join(r.contact for r in resources)
    for number in ("988", "741741", "1-800-799-7233", "116 123", "0808 2000 247", "911", "112"):
        assert number in contacts, number


def test_results_are_immutable(mend: Mend) -> None:
    result = mend.assess("i want to die")
    assert isinstance(result, Safety)
    with pytest.raises(AttributeError):
        result.level = "urgent"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.resources[0].contact = "x"  # type: ignore[misc]


def test_nothing_is_logged(mend: Mend, caplog: pytest.LogCaptureFixture) -> None:
    canary = "zebra-canary-4711 i want to kill myself"
    with caplog.at_level(logging.DEBUG):
        assert mend.assess(canary) is not None
    assert "zebra-canary-4711" not in caplog.text


# ------------------------------------------------------------------------ any input


ODD_INPUTS = [
    "",
    "x" * 5000,
    "i want to die " * 350,
    "Мама, я не хочу жить. 我不想活了. i want to die",
    "😢😢😢😭💔🔪",
    "I AM GOING TO KILL MYSELF TONIGHT",
    "i cant do this anymore i want to die i have the pills mom please dont be mad",
    "die die die die die die die die die die",
    "\u200b\u200b\u200b",
]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_odd_input_gets_a_clear_answer(mend: Mend, text: str) -> None:
    result = mend.assess(text)
    assert result is None or result.level in ("checkin", "urgent")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_accepted(mend: Mend, text: str) -> None:
    result = mend.assess(text)
    assert result is None or result.resources


# ------------------------------------------------------------------------ the loaders


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "safety"
    target.mkdir()
    for name in ("helplines.yaml", "answers.yaml"):
        shutil.copy(DEFAULT_DIRECTORY / name, target / name)
    return target


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "change", "field"),
    [
        ("helplines.yaml", lambda d: d["resources"][0].update(kind="hotline"), "resources.0.kind"),
        (
            "helplines.yaml",
            lambda d: d["resources"][0].update(source="ftp://x"),
            "resources.0.source",
        ),
        ("helplines.yaml", lambda d: d["resources"][0].pop("checked"), "resources.0.checked"),
        ("helplines.yaml", lambda d: d["routing"]["by_kind"].pop("eating"), "routing"),
        ("helplines.yaml", lambda d: d["resources"].append(d["resources"][0]), "resources"),
        ("answers.yaml", lambda d: d["answers"].pop("urgent"), "answers"),
        (
            "answers.yaml",
            lambda d: d["answers"]["checkin"].update(extra=1),
            "answers.checkin.extra",
        ),
    ],
)
def test_loader_names_file_and_field(
    mend: Mend, data_dir: Path, file: str, change: Callable[[Any], None], field: str
) -> None:
    _edit(data_dir / file, change)
    with pytest.raises(RuleError) as error:
        RiskCheck.load(data_dir, (), hash, None)
    assert f"{file}: {field}" in str(error.value)


def test_loader_rejects_duplicate_keys(data_dir: Path) -> None:
    path = data_dir / "answers.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "version: 2\n", encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate key"):
        RiskCheck.load(data_dir, (), hash, None)


def test_tuning_sets_are_written_apart_from_the_blind_sets() -> None:
    """No text of a set the classifier learns from is in a blind set."""
    training = {
        json.loads(line)["text"]
        for path in (DEFAULT_DIRECTORY / "training").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    for path in (HERE / "data" / "blind").glob("risk*.jsonl"):
        blind = {json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()}
        assert not training & blind, path.name


def test_replace_keeps_a_safety_frozen(mend: Mend) -> None:
    result = mend.assess("i want to die")
    assert result is not None
    assert replace(result, level="urgent").level == "urgent"


def test_harm_long_past_is_recovery_for_both_layers(mend: Mend) -> None:
    sure = with_classifier(mend, FixedClassifier(risk=0.9, urgent=0.1))
    assert sure.assess("It's been six years since I last hurt myself and I'm proud.") is None
    # Only the sentence that tells of recovery is set aside, not the rest of the draft.
    assert sure.assess("It's been six years since I last hurt myself. I'm scared again.")


@pytest.mark.parametrize("text", [t for t in ODD_INPUTS if t.strip()])
def test_odd_input_gets_a_clear_answer_from_the_api(client: Any, text: str) -> None:
    response = client.post("/v1/analyze", json={"text": text})
    assert response.status_code == 200, response.text
    safety = response.json()["safety"]
    assert safety is None or safety["resources"]


def test_an_empty_draft_is_a_clear_422(client: Any) -> None:
    response = client.post("/v1/analyze", json={"text": ""})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
