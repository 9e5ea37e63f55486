"""Load every rule under rules/<category>/<id>.yaml, with the lexicons and profiles.

The loader rejects unknown keys, values outside the closed sets, and patterns spaCy cannot
compile; every error names the file and the field, so a facilitator editing a rule knows
exactly what to fix."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spacy.schemas import validate_token_pattern

from server.core.strict_yaml import RuleError, read_yaml, validate_file
from server.rules.figures import FIGURES_FILE, load_figures
from server.rules.learned import load_learned_rules
from server.rules.lexicons import Lexicons, load_lexicons, load_word_lists
from server.rules.patterns import expand_value, needs_of, word_forms
from server.rules.schema import (
    CATEGORIES,
    DATA_FOLDERS,
    RISK_KINDS,
    PatternFields,
    Profile,
    ProfileFile,
    RiskRule,
    RiskRuleFile,
    Rule,
    RuleFile,
    TokenPattern,
)

RISK_WORDS_FILE = "words.yaml"
# Folders under rules/safety/ that hold data other than risk rules.
SAFETY_DATA_FOLDERS = frozenset({"classifier", "training"})


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    profiles: Mapping[str, Profile]
    lists: Mapping[str, tuple[str, ...]]
    lexicons: Lexicons
    risk: tuple[RiskRule, ...] = ()
    learned: tuple[Rule, ...] = ()  # the blame classifier's flags, one rule per kind


def load_rule(path: Path, lists: Mapping[str, tuple[str, ...]]) -> Rule:
    spec = validate_file(RuleFile, path, read_yaml(path))
    if spec.category != path.parent.name:
        raise RuleError(
            f"{path}: category: {spec.category!r} must equal the folder {path.parent.name!r}"
        )
    return Rule(
        **pattern_fields(spec, path, lists),
        category=spec.category,
        severity=spec.severity,
        message=spec.message,
        why=spec.why,
        fix=spec.fix,
    )


def load_risk_rule(path: Path, lists: Mapping[str, tuple[str, ...]]) -> RiskRule:
    spec = validate_file(RiskRuleFile, path, read_yaml(path))
    if spec.kind != path.parent.name:
        raise RuleError(f"{path}: kind: {spec.kind!r} must equal the folder {path.parent.name!r}")
    return RiskRule(
        **pattern_fields(spec, path, lists),
        kind=spec.kind,
        level=spec.level,
        why=spec.why,
        urgent_if=_words_or_error(path, "urgent_if", spec.urgent_if, lists),
    )


def load_risk_rules(folder: Path, lists: Mapping[str, tuple[str, ...]]) -> list[RiskRule]:
    """Every risk rule under folder/<kind>/<id>.yaml (rules/safety/)."""
    files = rule_files(folder, SAFETY_DATA_FOLDERS, RISK_KINDS, "risk kind")
    return [load_risk_rule(path, lists) for path in files]


def rule_files(
    root: Path, data: Collection[str], allowed: Collection[str], what: str
) -> Iterator[Path]:
    """The YAML files in root's folders, each folder a name in `allowed` (or data to skip)."""
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name in data:
            continue
        if folder.name not in allowed:
            raise RuleError(f"{folder}: unknown {what} folder; allowed: {', '.join(allowed)}")
        yield from sorted(folder.glob("*.y*ml"))


def pattern_fields(
    spec: PatternFields, path: Path, lists: Mapping[str, tuple[str, ...]]
) -> dict[str, Any]:
    """What the detector needs of any rule file, blame or risk, with its word lists expanded."""
    if spec.id != path.stem:
        raise RuleError(f"{path}: id: {spec.id!r} must equal the file name {path.stem!r}")
    patterns, unless = tuple(spec.patterns), tuple(spec.unless)
    unless_sentence = tuple(spec.unless_sentence)
    for field, group in (
        ("patterns", patterns),
        ("unless", unless),
        ("unless_sentence", unless_sentence),
    ):
        for index, pattern in enumerate(group):
            if isinstance(pattern, TokenPattern):
                _check_tokens(path, f"{field}[{index}]", pattern, lists)
    return {
        "id": spec.id,
        "triggers": _trigger_groups(path, spec.triggers, lists),
        "patterns": patterns,
        "unless": unless,
        "unless_sentence_has": _words_or_error(
            path, "unless_sentence_has", spec.unless_sentence_has, lists
        ),
        "unless_sentence": unless_sentence,
        "unless_reading": frozenset(spec.unless_reading),
        "examples": spec.examples,
        # Readings, like the reported-speech check, apply where a parse exists; without a
        # parser the rule still runs, as its patterns allow.
        "needs": needs_of(patterns + unless + unless_sentence),
        "path": path,
    }


def _check_tokens(
    path: Path, where: str, pattern: TokenPattern, lists: Mapping[str, tuple[str, ...]]
) -> None:
    """spaCy's own check of a token pattern, run here, at load time, whose result is cached
    (server/rules/cache.py), rather than by every Matcher at every start-up. Without it a
    Matcher drops what it does not know ({IN: "a"}, {INN: [...]}) with at most a warning."""
    try:
        tokens = [expand_value(item, lists) for item in pattern.tokens if isinstance(item, dict)]
    except KeyError as error:
        raise RuleError(f"{path}: {where}: {error.args[0]}") from None
    errors = validate_token_pattern(tokens)
    if errors:
        raise RuleError(f"{path}: {where}: {'; '.join(errors)}")


def _words_or_error(
    path: Path, field: str, words: list[str], lists: Mapping[str, tuple[str, ...]]
) -> frozenset[str]:
    try:
        return word_forms(words, lists)
    except KeyError as error:
        raise RuleError(f"{path}: {field}: {error.args[0]}") from None


def _trigger_groups(
    path: Path, triggers: list[str] | list[list[str]] | None, lists: Mapping[str, tuple[str, ...]]
) -> tuple[frozenset[str], ...] | None:
    if triggers is None:
        return None
    # A flat list is one group; the schema allows no mixing of words and lists.
    groups = triggers if isinstance(triggers[0], list) else [triggers]
    return tuple(_words_or_error(path, "triggers", list(group), lists) for group in groups)


def load_profiles(path: Path, rules: tuple[Rule, ...]) -> dict[str, Profile]:
    data = read_yaml(path)
    if not isinstance(data, dict) or "strict" not in data:
        raise RuleError(
            f"{path}: (top level): a mapping of profiles including 'strict' is required"
        )
    rule_ids = {rule.id for rule in rules}
    profiles = {}
    for name, body in data.items():
        spec = validate_file(ProfileFile, path, body)
        for category in spec.categories:
            if category not in CATEGORIES:
                raise RuleError(f"{path}: {name}.categories: unknown category {category!r}")
        for rule_id in spec.rules:
            if rule_id not in rule_ids:
                raise RuleError(f"{path}: {name}.rules: unknown rule {rule_id!r}")
        profiles[name] = Profile(name, spec.description, spec.categories, spec.rules)
    return profiles


def load_rules(root: Path) -> RuleSet:
    """Load every rule under root; raise RuleError on the first bad file."""
    if not root.is_dir():
        raise RuleError(f"{root}: rules folder not found")
    lexicons, lists = load_lexicons(root / "lexicons")
    lists = {**lists, **load_word_lists(root / "safety" / RISK_WORDS_FILE, taken=lists)}
    rules = [
        load_rule(path, lists) for path in rule_files(root, DATA_FOLDERS, CATEGORIES, "category")
    ]
    risk = load_risk_rules(root / "safety", lists)
    seen: dict[str, Path] = {}
    for rule in (*rules, *risk):
        if rule.id in seen:
            raise RuleError(f"{rule.path}: id: {rule.id!r} is already used by {seen[rule.id]}")
        seen[rule.id] = rule.path
    if not rules:
        raise RuleError(f"{root}: no rules found")
    profiles = load_profiles(root / "profiles.yaml", tuple(rules))
    learned = load_learned_rules(root / "learned")
    categories = {rule.id: rule.category for rule in (*rules, *learned)}
    figures = load_figures(root / FIGURES_FILE, categories)
    rules = [replace(rule, figures=figures.get(rule.id, ())) for rule in rules]
    learned = tuple(replace(rule, figures=figures.get(rule.id, ())) for rule in learned)
    return RuleSet(tuple(rules), profiles, lists, lexicons, tuple(risk), learned)
