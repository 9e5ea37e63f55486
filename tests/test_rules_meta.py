"""The rule set as a whole, and the loader's strictness with bad files."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from server.core.strict_yaml import RuleError
from server.detect.engine import Engine
from server.rules.load import load_rules
from server.rules.schema import CATEGORIES, DATA_FOLDERS, RISK_KINDS, TokenPattern
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
    (root / "safety").mkdir()
    shutil.copy(RULES_DIR / "safety" / "words.yaml", root / "safety" / "words.yaml")
    (root / "learned").mkdir()
    shutil.copy(RULES_DIR / "learned" / "learned.yaml", root / "learned" / "learned.yaml")
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


@pytest.mark.parametrize(
    "token",
    [
        "{LOWER: always, OP: sometimes}",
        # spaCy's Matcher alone would drop these with at most a warning, and match anything.
        "{LOWER: {INN: [always, never]}}",
        "{LOWER: 5}",
    ],
)
def test_bad_token_pattern_stops_loading_and_names_file_and_pattern(
    tmp_path: Path, token: str
) -> None:
    bad = GOOD.replace("{LOWER: always}", token)
    with pytest.raises(RuleError, match=r"sample-rule\.yaml: patterns\[0\]"):
        load_rules(_rules_dir_with(tmp_path, bad))


def test_unknown_word_list_is_reported(tmp_path: Path) -> None:
    bad = GOOD.replace("{LOWER: always}", '{LOWER: {IN: "@no-such-list"}}')
    with pytest.raises(RuleError, match=r"patterns\[0\]: unknown word list '@no-such-list'"):
        load_rules(_rules_dir_with(tmp_path, bad))


def test_yes_no_on_off_stay_words(tmp_path: Path) -> None:
    body = GOOD.replace("{LOWER: always}", "{LOWER: {IN: [on, off, yes, no]}}")
    ruleset = load_rules(_rules_dir_with(tmp_path, body))
    token = ruleset.rules[0].patterns[0].tokens[1]  # type: ignore[union-attr]
    assert token == {"LOWER": {"IN": ["on", "off", "yes", "no"]}}


# --- rules/figures.yaml: measured figures, loaded when present --------------------------------


def test_figures_file_names_known_rules_and_categories() -> None:
    from server.core.strict_yaml import read_yaml, validate_file
    from server.rules.figures import FIGURES_FILE, FiguresFile

    path = RULES_DIR / FIGURES_FILE
    if not path.is_file():
        pytest.skip("no figures measured")
    spec = validate_file(FiguresFile, path, read_yaml(path))
    ids = {rule.id for rule in (*RULESET.rules, *RULESET.learned)}
    for group in spec.groups:
        assert set(group.rules) <= ids, group.name
        assert set(group.categories) <= set(CATEGORIES), group.name
        for count in group.rules.values():
            assert count.correct <= count.flags
        for recall in group.categories.values():
            assert recall.caught <= recall.messages


FIGURES = """\
groups:
  - name: tuning
    sets: [a.jsonl, b.jsonl]
    messages: 20
    rules: {sample-rule: {flags: 10, correct: 9}}
    categories: {absolutes: {messages: 8, caught: 6}}
  - name: blind
    sets: [blind.jsonl]
    messages: 5
    rules: {gone-rule: {flags: 1, correct: 1}}
    categories: {}
"""


def test_figures_are_attached_to_their_rules(tmp_path: Path) -> None:
    root = _rules_dir_with(tmp_path, GOOD)
    (root / "figures.yaml").write_text(FIGURES, encoding="utf-8")
    (rule,) = load_rules(root).rules
    # The blind group does not name this rule (it names a rule that is gone): no entry.
    (figures,) = rule.figures
    assert (figures.group, figures.sets, figures.flags, figures.correct) == (
        "tuning",
        ("a.jsonl", "b.jsonl"),
        10,
        9,
    )
    assert figures.precision == 0.9
    assert figures.category_recall == 0.75


def test_a_bad_figures_file_names_itself(tmp_path: Path) -> None:
    root = _rules_dir_with(tmp_path, GOOD)
    (root / "figures.yaml").write_text(FIGURES.replace("flags: 10", "flags: -1"), "utf-8")
    with pytest.raises(RuleError, match=r"figures\.yaml"):
        load_rules(root)


def test_figures_script_counts_flags_on_the_labelled_span(engine: Engine, tmp_path: Path) -> None:
    import json
    import sys

    import yaml

    sys.path.insert(0, str(Path(__file__).parent))
    from eval_detector import figure_group, write_figures

    text = "You never call me back. The weather was lovely."
    items = [
        # blind-set format: the flag on "You never" overlaps the span, so it counts
        {"id": "a", "text": text, "blaming": True, "kinds": ["absolutes"], "span": [0, 22],
         "hard": False},
        # the same flag, but the label puts the blame elsewhere: it does not count
        {"id": "b", "text": text, "blaming": True, "kinds": ["absolutes"], "span": [24, 47],
         "hard": True},
        {"id": "c", "text": "You never know with the weather.", "blaming": False, "kinds": []},
    ]  # fmt: skip
    data = tmp_path / "set.jsonl"
    data.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    group = figure_group(engine, "blind", [data])
    assert group["rules"]["you-always-never"] == {"flags": 2, "correct": 1}  # type: ignore[index]
    assert group["categories"] == {"absolutes": {"messages": 2, "caught": 2}}
    out = tmp_path / "figures.yaml"
    write_figures(out, group)
    write_figures(out, {**group, "name": "tuning"})
    assert "You never" not in out.read_text(encoding="utf-8")  # counts only, never text
    groups = yaml.safe_load(out.read_text(encoding="utf-8"))["groups"]
    assert [g["name"] for g in groups] == ["blind", "tuning"]


def test_risk_rules_are_filed_by_kind_and_explain_themselves() -> None:
    risk = RULESET.risk
    assert {rule.kind for rule in risk} == set(RISK_KINDS), "every kind of risk has a rule"
    ids = [rule.id for rule in (*RULESET.rules, *risk)]
    assert len(ids) == len(set(ids)), "one id space for blame and risk rules"
    for rule in risk:
        assert rule.path.stem == rule.id
        assert rule.path.parent.name == rule.kind
        assert rule.why.strip()[-1] in ".!?'\"", rule.id
        assert len(rule.examples.match) >= 3, rule.id
        assert len(rule.examples.no_match) >= 3, rule.id
        assert not rule.own_voice_only, "risk told about someone else still calls for help"


def test_a_risk_rule_in_a_wrong_folder_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    moved = copy / "safety" / "eating" / "purging.yaml"
    moved.rename(copy / "safety" / "abuse" / "purging.yaml")
    with pytest.raises(RuleError, match=r"purging.yaml: kind: 'eating' must equal the folder"):
        load_rules(copy)
