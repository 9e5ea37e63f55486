"""The rule set as a whole, and the loader's strictness with bad files."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from server.core.strict_yaml import RuleError
from server.detect.engine import Engine
from server.rules.load import load_rules
from server.rules.schema import CATEGORIES, DATA_FOLDERS, TokenPattern
from server.settings import Settings

RULES_DIR = Settings().rules_dir
RULESET = load_rules(RULES_DIR)


def test_ids_are_unique_and_match_file_names() -> None:
    ids = [rule.id for rule in RULESET.rules]
    assert len(ids) == len(set(ids))
    for rule in RULESET.rules:
        assert rule.path.stem == rule.id
        assert rule.path.parent.name == rule.category


def test_every_folder_is_a_known_category_or_data() -> None:
    for folder in RULES_DIR.iterdir():
        if folder.is_dir():
            assert folder.name in CATEGORIES or folder.name in DATA_FOLDERS, folder


def test_every_category_has_a_rule() -> None:
    covered = {rule.category for rule in RULESET.rules}
    assert covered == set(CATEGORIES)


def test_every_rule_has_both_kinds_of_example() -> None:
    for rule in RULESET.rules:
        assert len(rule.examples.match) >= 3, rule.id
        assert len(rule.examples.no_match) >= 3, rule.id


def test_rules_explain_themselves() -> None:
    for rule in RULESET.rules:
        for text in (rule.message, rule.why, rule.fix):
            assert text.strip() == text, (rule.id, text)
            assert text[-1] in ".!?'\"", (rule.id, text)


def test_word_lists_have_no_repeats() -> None:
    for name, words in RULESET.lists.items():
        repeated = [word for word, count in Counter(words).items() if count > 1]
        assert not repeated, (name, repeated)


def test_profiles_include_strict_and_a_gentler_one() -> None:
    assert {"strict", "gentle"} <= set(RULESET.profiles)
    faux = next(rule for rule in RULESET.rules if rule.category == "faux-feelings")
    assert RULESET.profiles["strict"].severity(faux).value == "warning"
    assert RULESET.profiles["gentle"].severity(faux).value == "info"


def test_faux_feelings_point_to_real_feelings_and_needs() -> None:
    lexicons = RULESET.lexicons
    feelings = set(lexicons.feeling_words())
    for word, entry in lexicons.faux.items():
        assert word not in feelings
        assert set(entry.feelings) <= feelings
        assert set(entry.needs) <= set(lexicons.needs)


def test_blank_pipeline_skips_and_reports_rules_needing_a_parse(blank_engine: Engine) -> None:
    skipped = {rule.id for rule in blank_engine.detector.skipped}
    assert skipped == {rule.id for rule in RULESET.rules if rule.needs}
    assert blank_engine.pipeline.note
    # Rules that need only the tokenizer still work without a model.
    token_only = [rule for rule in RULESET.rules if not rule.needs]
    assert token_only
    for rule in token_only:
        example = rule.examples.match[0]
        found = [flag.text for flag in blank_engine.analyze(example.text).flags]
        assert example.span in found, rule.id


# --- the loader rejects bad files, naming the file and the field ------------------------------

GOOD = """\
id: sample-rule
category: absolutes
severity: warning
message: "A message."
why: "Because."
fix: "Do this."
patterns:
  - tokens: [{LOWER: you}, {LOWER: always}]
examples:
  match:
    - {text: "you always", span: "you always"}
    - {text: "You always", span: "You always"}
    - {text: "YOU ALWAYS", span: "YOU ALWAYS"}
  no_match: ["a", "b", "c"]
"""


def _rules_dir_with(tmp_path: Path, body: str, name: str = "sample-rule.yaml") -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES_DIR / "lexicons", root / "lexicons")
    shutil.copy(RULES_DIR / "profiles.yaml", root / "profiles.yaml")
    (root / "absolutes").mkdir()
    (root / "absolutes" / name).write_text(body, encoding="utf-8")
    return root


def test_a_good_file_loads(tmp_path: Path) -> None:
    ruleset = load_rules(_rules_dir_with(tmp_path, GOOD))
    assert [rule.id for rule in ruleset.rules] == ["sample-rule"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("severity: warning", "severity: fatal"), "severity"),
        (("category: absolutes", "category: blame"), "category"),
        (('fix: "Do this."', 'fix: "Do this."\ncolour: red'), "colour"),
        (('message: "A message."\n', ""), "message"),
        (('no_match: ["a", "b", "c"]', 'no_match: ["a"]'), "examples.no_match"),
        (('{text: "YOU ALWAYS", span: "YOU ALWAYS"}', '{text: "YOU", span: "ALWAYS"}'), "span"),
    ],
)
def test_schema_errors_name_file_and_field(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    root = _rules_dir_with(tmp_path, GOOD.replace(*change))
    with pytest.raises(RuleError) as error:
        load_rules(root)
    assert "sample-rule.yaml" in str(error.value)
    assert field in str(error.value)


def test_a_key_given_twice_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"sample-rule\.yaml.*duplicate key 'severity'"):
        load_rules(_rules_dir_with(tmp_path, GOOD + "severity: info\n"))


def test_on_and_off_stay_words(tmp_path: Path) -> None:
    body = GOOD.replace("{LOWER: always}", "{LOWER: {IN: [off, on, always]}}")
    pattern = load_rules(_rules_dir_with(tmp_path, body)).rules[0].patterns[0]
    assert isinstance(pattern, TokenPattern)
    assert pattern.tokens[1] == {"LOWER": {"IN": ["off", "on", "always"]}}


def test_id_must_match_file_name(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"other-name\.yaml: id"):
        load_rules(_rules_dir_with(tmp_path, GOOD, name="other-name.yaml"))


def test_bad_pattern_names_file_and_pattern(tmp_path: Path) -> None:
    from server.core.nlp import load_pipeline
    from server.detect.engine import Engine

    bad = GOOD.replace("{LOWER: always}", "{LOWER: always, OP: sometimes}")
    ruleset = load_rules(_rules_dir_with(tmp_path, bad))
    with pytest.raises(RuleError, match=r"sample-rule\.yaml: patterns\[0\]"):
        Engine(load_pipeline("blank"), ruleset)


def test_unknown_word_list_is_reported(tmp_path: Path) -> None:
    from server.core.nlp import load_pipeline
    from server.detect.engine import Engine

    bad = GOOD.replace("{LOWER: always}", '{LOWER: {IN: "@no-such-list"}}')
    ruleset = load_rules(_rules_dir_with(tmp_path, bad))
    with pytest.raises(RuleError, match="no-such-list"):
        Engine(load_pipeline("blank"), ruleset)


def test_yes_no_on_off_stay_words(tmp_path: Path) -> None:
    body = GOOD.replace("{LOWER: always}", "{LOWER: {IN: [on, off, yes, no]}}")
    ruleset = load_rules(_rules_dir_with(tmp_path, body))
    token = ruleset.rules[0].patterns[0].tokens[1]  # type: ignore[union-attr]
    assert token == {"LOWER": {"IN": ["on", "off", "yes", "no"]}}
