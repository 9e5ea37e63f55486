"""The rule schema and a strict loader.

A rule is one YAML file under rules/<category>/<id>.yaml. The loader rejects unknown keys,
values outside the closed sets, and patterns spaCy cannot compile; every error names the file
and the field, so a facilitator editing a rule knows exactly what to fix.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from lemminflect import getAllInflections, getAllInflectionsOOV, getAllLemmas
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CATEGORIES: dict[str, str] = {
    "absolutes": "Absolutes",
    "accusations": "Accusations",
    "labels": "Labels",
    "make-me-feel": "You make me feel",
    "mind-reading": "Mind-reading",
    "demands": "Demands",
    "rhetorical-questions": "Rhetorical questions",
    "fault": "Fault",
    "problem-is-you": "The problem is you",
    "pseudo-i": "Pseudo-I-statements",
    "faux-feelings": "Faux feelings",
    "comparisons": "Comparisons",
    "sarcasm": "Sarcasm and contempt",
    "threats": "Threats and ultimatums",
    "generalising": "Generalising the person",
}
"""The closed set of categories (folder names) and their display names."""

# Folders under rules/ that hold data other than rules.
DATA_FOLDERS = frozenset({"lexicons", "safety", "coach"})


class Severity(StrEnum):
    info = "info"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Capability(StrEnum):
    """What a rule needs from the pipeline beyond the tokenizer."""

    tagger = "tagger"  # TAG, POS, LEMMA, MORPH
    parser = "parser"  # DEP, dependency patterns, sentence starts


TAGGER_ATTRS = frozenset({"TAG", "POS", "LEMMA", "MORPH"})
PARSER_ATTRS = frozenset({"DEP", "SENT_START", "IS_SENT_START"})


M = TypeVar("M", bound=BaseModel)


class RuleError(ValueError):
    """A rule or lexicon file is invalid. The message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchExample(_Strict):
    text: str = Field(min_length=1)
    span: str = Field(min_length=1, description="The exact text the flag must cover.")

    @model_validator(mode="after")
    def _span_in_text(self) -> MatchExample:
        if self.span not in self.text:
            raise ValueError(f"span {self.span!r} does not occur in text {self.text!r}")
        return self


class Examples(_Strict):
    match: list[MatchExample] = Field(min_length=3)
    no_match: list[str] = Field(min_length=3)


class TokenPattern(_Strict):
    """A spaCy Matcher pattern: a list of token descriptions."""

    tokens: list[dict[str, Any] | str] = Field(min_length=1)


class DependencyPattern(_Strict):
    """A spaCy DependencyMatcher pattern. The flag covers the nodes named in `span`."""

    deps: list[dict[str, Any]] = Field(min_length=1)
    span: list[str] | None = Field(
        default=None, description="RIGHT_IDs the flag covers; all if omitted."
    )

    @model_validator(mode="after")
    def _span_names_nodes(self) -> DependencyPattern:
        names = {node.get("RIGHT_ID") for node in self.deps}
        for name in self.span or []:
            if name not in names:
                raise ValueError(f"span names {name!r}, which is not a RIGHT_ID of this pattern")
        return self


class PhrasePattern(_Strict):
    """Exact phrases, compared case-insensitively token by token."""

    phrases: list[str] | str = Field(min_length=1)


Pattern = TokenPattern | DependencyPattern | PhrasePattern


class RuleFile(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    category: str
    severity: Severity
    message: str = Field(min_length=1, max_length=140)
    why: str = Field(min_length=1, max_length=400)
    fix: str = Field(min_length=1, max_length=200, description="What to write instead, in a line.")
    triggers: list[str] | list[list[str]] | None = Field(
        default=None,
        description=(
            "Words (any inflection) or '@lists'. A flat list: the sentence must hold one of them. "
            "A list of lists: it must hold one word from each. Omit to look at every sentence."
        ),
    )
    patterns: list[Pattern] = Field(min_length=1)
    unless: list[Pattern] = Field(default_factory=list)
    unless_sentence_has: list[str] = Field(
        default_factory=list,
        description="Words or '@lists': a sentence holding any of them is left alone by this rule.",
    )
    examples: Examples

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; allowed: {', '.join(CATEGORIES)}")
        return value

    @field_validator("triggers", "unless_sentence_has")
    @classmethod
    def _lowercase_words(cls, value: list[Any] | None) -> list[Any] | None:
        for item in value or []:
            for word in item if isinstance(item, list) else [item]:
                if word != word.lower() or " " in word:
                    raise ValueError(f"{word!r} must be one lowercase word or an '@list'")
        return value


@dataclass(frozen=True)
class Rule:
    """A validated rule, with what it needs from the pipeline worked out from its patterns."""

    id: str
    category: str
    severity: Severity
    message: str
    why: str
    fix: str
    triggers: tuple[frozenset[str], ...] | None  # one word from each set must occur
    patterns: tuple[Pattern, ...]
    unless: tuple[Pattern, ...]
    unless_sentence_has: frozenset[str]
    examples: Examples
    needs: frozenset[Capability]
    path: Path


class ProfileFile(_Strict):
    description: str
    categories: dict[str, Severity] = Field(default_factory=dict)
    rules: dict[str, Severity] = Field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    categories: Mapping[str, Severity]
    rules: Mapping[str, Severity]

    def severity(self, rule: Rule) -> Severity:
        return self.rules.get(rule.id) or self.categories.get(rule.category) or rule.severity


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    profiles: Mapping[str, Profile]
    lists: Mapping[str, tuple[str, ...]]
    lexicons: Lexicons


# ---------------------------------------------------------------------------------------------
# Lexicons: feelings, needs, faux feelings, and named word lists the patterns refer to as "@name"


class FeelingFamily(_Strict):
    id: str
    label: str
    words: list[str] = Field(min_length=1)


class FeelingsFile(_Strict):
    families: list[FeelingFamily] = Field(min_length=1)


class Need(_Strict):
    id: str
    label: str
    clause: str
    request: str


class NeedsFile(_Strict):
    needs: list[Need] = Field(min_length=1)


class FauxFeeling(_Strict):
    word: str
    thought: str
    feelings: list[str] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)


class FauxFile(_Strict):
    faux: list[FauxFeeling] = Field(min_length=1)


class WordListsFile(_Strict):
    lists: dict[str, list[str]]


class FeelingsAndNeeds(_Strict):
    feelings: list[str] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)


class Topic(_Strict):
    id: str
    words: list[str] = Field(min_length=1)
    feelings: list[str] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)
    done: FeelingsAndNeeds | None = None


class Observation(_Strict):
    present: str
    past: str
    # Said instead when the object is another person: "you ignored Sam" -> "Sam got left out".
    others_present: str | None = None
    others_past: str | None = None


class LabelSituation(_Strict):
    situation: str
    feelings: list[str] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)


class RewriteFile(_Strict):
    """rules/lexicons/rewrite.yaml: the composer's tables (see the file's header)."""

    topics: list[Topic]
    categories: dict[str, FeelingsAndNeeds]
    observations: dict[str, Observation]
    contact_verbs: list[str]
    done_requests: dict[str, str]
    request_tails: dict[str, str]
    labels: dict[str, LabelSituation]


@dataclass(frozen=True)
class Lexicons:
    families: tuple[FeelingFamily, ...]
    needs: Mapping[str, Need]
    faux: Mapping[str, FauxFeeling]
    rewrite: RewriteFile
    relatives: tuple[str, ...]  # words people call each other by: "mom", "dad", "sis"

    def feeling_words(self) -> tuple[str, ...]:
        return tuple(word for family in self.families for word in family.words)


# libyaml's parser when PyYAML was built with it (its wheels are): the pure-Python parser
# spent a second of every start-up reading the rules. Resolving and constructing stay in
# Python either way, so the rules below apply to both.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Yaml12Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """YAML as facilitators expect: only true/false are booleans, so "on", "off", "yes" and
    "no" in a word list stay words (PyYAML follows YAML 1.1, where they are booleans); and a
    key given twice is an error, not a silent overwrite of the first."""


def _unique_keys(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Yaml12Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_keys)

_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RuleError(f"{path}: cannot read YAML: {error}") from error


def validate_file(model: type[M], path: Path, data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise RuleError(f"{path}: {field}: {first['msg']}") from None


def _check_rewrite_refs(
    path: Path, rewrite: RewriteFile, feelings: set[str], needs: set[str]
) -> None:
    """Every feeling the composer may suggest is genuine; every need exists."""
    groups: list[tuple[str, list[str], list[str]]] = [
        (f"topics[{i}]", t.feelings, t.needs) for i, t in enumerate(rewrite.topics)
    ]
    groups += [
        (f"topics[{i}].done", t.done.feelings, t.done.needs)
        for i, t in enumerate(rewrite.topics)
        if t.done is not None
    ]
    groups += [(f"categories.{k}", v.feelings, v.needs) for k, v in rewrite.categories.items()]
    groups += [(f"labels.{k}", v.feelings, v.needs) for k, v in rewrite.labels.items()]
    for where, group_feelings, group_needs in groups:
        for feeling in group_feelings:
            if feeling not in feelings:
                raise RuleError(f"{path}: {where}.feelings: {feeling!r} is not in feelings.yaml")
        for need in group_needs:
            if need not in needs:
                raise RuleError(f"{path}: {where}.needs: {need!r} is not in needs.yaml")
    for category in rewrite.categories:
        if category not in CATEGORIES:
            raise RuleError(f"{path}: categories.{category}: unknown category")
    if "default" not in rewrite.labels:
        raise RuleError(f"{path}: labels.default: a default situation is required")


def load_lexicons(folder: Path) -> tuple[Lexicons, dict[str, tuple[str, ...]]]:
    """Read rules/lexicons/ and check its cross-references."""
    feelings = validate_file(
        FeelingsFile, folder / "feelings.yaml", read_yaml(folder / "feelings.yaml")
    )
    needs = validate_file(NeedsFile, folder / "needs.yaml", read_yaml(folder / "needs.yaml"))
    faux = validate_file(
        FauxFile, folder / "faux_feelings.yaml", read_yaml(folder / "faux_feelings.yaml")
    )
    words_path = folder / "words.yaml"
    word_lists = validate_file(WordListsFile, words_path, read_yaml(words_path))

    feeling_words = {word for family in feelings.families for word in family.words}
    need_ids = {need.id for need in needs.needs}
    for index, entry in enumerate(faux.faux):
        where = f"{folder / 'faux_feelings.yaml'}: faux[{index}]"
        if entry.word in feeling_words:
            raise RuleError(f"{where}.word: {entry.word!r} is also listed as a genuine feeling")
        for feeling in entry.feelings:
            if feeling not in feeling_words:
                raise RuleError(f"{where}.feelings: {feeling!r} is not in feelings.yaml")
        for need in entry.needs:
            if need not in need_ids:
                raise RuleError(f"{where}.needs: {need!r} is not in needs.yaml")

    rewrite_path = folder / "rewrite.yaml"
    rewrite = validate_file(RewriteFile, rewrite_path, read_yaml(rewrite_path))
    _check_rewrite_refs(rewrite_path, rewrite, feeling_words, need_ids)
    lexicons = Lexicons(
        families=tuple(feelings.families),
        needs={need.id: need for need in needs.needs},
        faux={entry.word: entry for entry in faux.faux},
        rewrite=rewrite,
        relatives=tuple(word_lists.lists.get("relatives", ())),
    )
    lists = {name: tuple(words) for name, words in word_lists.lists.items()}
    for derived in ("feelings", "faux"):
        if derived in lists:
            raise RuleError(f"{words_path}: lists.{derived}: this name is taken by the lexicon")
    lists["feelings"] = tuple(sorted(feeling_words))
    lists["faux"] = tuple(entry.word for entry in faux.faux)
    return lexicons, lists


# ---------------------------------------------------------------------------------------------
# Patterns: "@name" references to word lists are expanded here, once, at load time.


def expand_value(value: Any, lists: Mapping[str, tuple[str, ...]]) -> Any:
    """Replace "@name" (in IN / NOT_IN) with the named list, and "@name*" with every
    inflection of its words ("forgot" for "forget": the lemmatizer misses some); recurse."""
    if isinstance(value, str) and value.startswith("@"):
        if value.endswith("*"):
            return sorted(word_forms([value[:-1]], lists))
        return list(named_list(value, lists))
    if isinstance(value, dict):
        return {key: expand_value(inner, lists) for key, inner in value.items()}
    return value


def named_list(reference: str, lists: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    name = reference[1:]
    if not reference.startswith("@") or name not in lists:
        raise KeyError(f"unknown word list {reference!r}; known: {', '.join(sorted(lists))}")
    return lists[name]


def expand_tokens(
    tokens: list[dict[str, Any] | str],
    lists: Mapping[str, tuple[str, ...]],
    split: Callable[[str], list[str]],
) -> list[list[dict[str, Any]]]:
    """Expand a token pattern into plain spaCy patterns.

    A bare "@name" item stands for any entry of the list. Entries the tokenizer splits into
    several tokens ("taken for granted", "guilt-tripped") are grouped by length, one pattern
    per length with a word set at each position: a few patterns instead of one per entry
    (each pattern costs matching time). The sets may combine words of different entries
    ("let granted"); after the words around them, such combinations do not occur in practice.
    """
    choices: list[list[list[dict[str, Any]]]] = []
    for item in tokens:
        if isinstance(item, str):
            by_length: dict[int, list[set[str]]] = {}
            for entry in named_list(item, lists):
                words = split(entry)
                slots = by_length.setdefault(len(words), [set() for _ in words])
                for slot, word in zip(slots, words, strict=True):
                    slot.add(word)
            choices.append(
                [
                    [{"LOWER": {"IN": sorted(slot)}} for slot in by_length[length]]
                    for length in sorted(by_length)
                ]
            )
        else:
            choices.append([[expand_value(item, lists)]])
    return [
        [token for part in combination for token in part]
        for combination in itertools.product(*choices)
    ]


def _attrs_in(pattern: Pattern) -> Iterator[str]:
    if isinstance(pattern, TokenPattern):
        for token in pattern.tokens:
            if isinstance(token, dict):
                yield from (key.upper() for key in token)
    elif isinstance(pattern, DependencyPattern):
        yield "DEP"
        for node in pattern.deps:
            yield from (key.upper() for key in node.get("RIGHT_ATTRS", {}))


def needs_of(patterns: tuple[Pattern, ...]) -> frozenset[Capability]:
    attrs = {attr for pattern in patterns for attr in _attrs_in(pattern)}
    needs = set()
    if attrs & TAGGER_ATTRS:
        needs.add(Capability.tagger)
    if attrs & PARSER_ATTRS:
        needs.add(Capability.parser)
    return frozenset(needs)


# ---------------------------------------------------------------------------------------------


def word_forms(words: list[str], lists: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """The words given in every inflection, with '@lists' expanded: 'ruin' -> ruins, ruined...

    Triggers are checked before the parse, on plain tokens, so they cannot rely on lemmas.
    A verb form also brings its siblings ('felt' -> feel, feels, feeling).
    """
    forms: set[str] = set()
    for word in words:
        for entry in named_list(word, lists) if word.startswith("@") else (word,):
            # A trigger is one token: a multi-word entry triggers on its last word
            # ("control freak" on "freak", "two-faced" on "faced").
            entry = re.split(r"[\s-]+", entry)[-1]
            verbs = getAllLemmas(entry, upos="VERB").get("VERB", ())
            for lemma in {entry, *verbs}:
                forms.add(lemma)
                # Words the dictionary doesn't know ("steamroll") get rule-made forms.
                inflections = getAllInflections(lemma) or getAllInflectionsOOV(lemma, upos="VERB")
                forms.update(form for found in inflections.values() for form in found)
    return frozenset(forms)


def load_rule(path: Path, lists: Mapping[str, tuple[str, ...]]) -> Rule:
    data = read_yaml(path)
    spec = validate_file(RuleFile, path, data)
    if spec.id != path.stem:
        raise RuleError(f"{path}: id: {spec.id!r} must equal the file name {path.stem!r}")
    if spec.category != path.parent.name:
        raise RuleError(
            f"{path}: category: {spec.category!r} must equal the folder {path.parent.name!r}"
        )
    patterns, unless = tuple(spec.patterns), tuple(spec.unless)
    return Rule(
        id=spec.id,
        category=spec.category,
        severity=spec.severity,
        message=spec.message,
        why=spec.why,
        fix=spec.fix,
        triggers=_trigger_groups(path, spec.triggers, lists),
        patterns=patterns,
        unless=unless,
        unless_sentence_has=_words_or_error(
            path, "unless_sentence_has", spec.unless_sentence_has, lists
        ),
        examples=spec.examples,
        needs=needs_of(patterns + unless),
        path=path,
    )


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
    rules: list[Rule] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name in DATA_FOLDERS:
            continue
        if folder.name not in CATEGORIES:
            raise RuleError(f"{folder}: unknown category folder; allowed: {', '.join(CATEGORIES)}")
        rules.extend(load_rule(path, lists) for path in sorted(folder.glob("*.y*ml")))
    seen: dict[str, Path] = {}
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"{rule.path}: id: {rule.id!r} is already used by {seen[rule.id]}")
        seen[rule.id] = rule.path
    if not rules:
        raise RuleError(f"{root}: no rules found")
    profiles = load_profiles(root / "profiles.yaml", tuple(rules))
    return RuleSet(tuple(rules), profiles, lists, lexicons)
