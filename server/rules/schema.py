"""The rule schema: what a rule file may say, and the validated Rule, Profile and RuleSet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from server.core.strict_yaml import Strict
from server.rules.figures import RuleFigures

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
DATA_FOLDERS = frozenset({"lexicons", "safety", "coach", "learned"})


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


class MatchExample(Strict):
    text: str = Field(min_length=1)
    span: str = Field(min_length=1, description="The exact text the flag must cover.")

    @model_validator(mode="after")
    def _span_in_text(self) -> MatchExample:
        if self.span not in self.text:
            raise ValueError(f"span {self.span!r} does not occur in text {self.text!r}")
        return self


class RewriteExample(Strict):
    """What the first suggested rewrite of a draft must say, so a facilitator can read why a
    rewrite takes its shape (run by tests/test_rewrite_examples.py)."""

    text: str = Field(min_length=1, description="A draft this rule flags.")
    says: list[str] = Field(
        default_factory=list, description="Acceptable wordings: the rewrite holds one of them."
    )
    keeps: list[str] = Field(default_factory=list, description="Words the rewrite must hold.")
    avoids: list[str] = Field(default_factory=list, description="Words it must not hold.")
    why: str = Field(min_length=1, max_length=300, description="Why the rewrite says it so.")

    @model_validator(mode="after")
    def _says_something(self) -> RewriteExample:
        if not (self.says or self.keeps or self.avoids):
            raise ValueError("give at least one of says, keeps or avoids")
        return self


class Examples(Strict):
    match: list[MatchExample] = Field(min_length=3)
    no_match: list[str] = Field(min_length=3)


class TokenPattern(Strict):
    """A spaCy Matcher pattern: a list of token descriptions."""

    tokens: list[dict[str, Any] | str] = Field(min_length=1)


class DependencyPattern(Strict):
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


class PhrasePattern(Strict):
    """Exact phrases, compared case-insensitively token by token."""

    phrases: list[str] | str = Field(min_length=1)


Pattern = TokenPattern | DependencyPattern | PhrasePattern


def one_word_each(value: list[Any] | None) -> list[Any] | None:
    """Words (or lists of words) for a check before the parse: each one lowercase token."""
    for item in value or []:
        for word in item if isinstance(item, list) else [item]:
            if word != word.lower() or " " in word:
                raise ValueError(f"{word!r} must be one lowercase word or an '@list'")
    return value


class PatternFields(Strict):
    """What every rule file says about where it matches, blame rule or risk rule alike: one
    schema, compiled by one detector and tested by one example runner."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
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
    unless_sentence: list[Pattern] = Field(
        default_factory=list,
        description="Patterns: a sentence where one of them matches is left alone by this rule.",
    )
    unless_reading: list[Literal["generic-you", "information-question"]] = Field(
        default_factory=list,
        description="Readings of the parse that cancel a match (see server/detect/readings.py).",
    )
    examples: Examples

    @field_validator("triggers", "unless_sentence_has")
    @classmethod
    def _lowercase_words(cls, value: list[Any] | None) -> list[Any] | None:
        return one_word_each(value)


class RuleFile(PatternFields):
    """A blame rule: a flag with a message, a reason and a fix."""

    category: str
    severity: Severity
    message: str = Field(min_length=1, max_length=140)
    why: str = Field(min_length=1, max_length=400)
    fix: str = Field(min_length=1, max_length=200, description="What to write instead, in a line.")
    rewrites: list[RewriteExample] = Field(default_factory=list)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; allowed: {', '.join(CATEGORIES)}")
        return value


RISK_KINDS: tuple[str, ...] = ("suicide", "self-harm", "abuse", "child", "danger", "eating")
"""The closed set of risk kinds (folders under rules/safety/), in the order they are reported."""

RiskLevel = Literal["checkin", "urgent"]


class RiskMatchExample(MatchExample):
    level: RiskLevel | None = Field(
        default=None, description="The level this sentence alone must get, when it matters."
    )


class RiskExamples(Examples):
    match: list[RiskMatchExample] = Field(min_length=3)  # type: ignore[assignment]


class RiskRuleFile(PatternFields):
    """A risk rule: words that mean someone may be unsafe. A match gets the person a calm
    pointer to help, never a block."""

    kind: str
    level: RiskLevel = Field(
        description="urgent: danger now; checkin: distress without signs that it is happening now."
    )
    why: str = Field(min_length=1, max_length=400, description="What the rule is for, for editors.")
    urgent_if: list[str] = Field(
        default_factory=list,
        description="Words or '@lists': a checkin match is urgent when the draft holds one.",
    )
    examples: RiskExamples

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in RISK_KINDS:
            raise ValueError(f"unknown kind {value!r}; allowed: {', '.join(RISK_KINDS)}")
        return value

    @field_validator("urgent_if")
    @classmethod
    def _lowercase_urgent_words(cls, value: list[str]) -> list[str]:
        return one_word_each(value) or []


@dataclass(frozen=True, kw_only=True)
class PatternRule:
    """A validated rule as the detector compiles it, with what it needs from the pipeline
    worked out from its patterns."""

    id: str
    triggers: tuple[frozenset[str], ...] | None  # one word from each set must occur
    patterns: tuple[Pattern, ...]
    unless: tuple[Pattern, ...]
    unless_sentence_has: frozenset[str]
    unless_sentence: tuple[Pattern, ...] = ()
    unless_reading: frozenset[str] = frozenset()
    examples: Examples
    needs: frozenset[Capability]
    path: Path
    # Blame inside someone else's reported speech ("Dad says you never call") is theirs, not
    # the writer's; risk told about someone else still calls for help.
    own_voice_only: bool = True


@dataclass(frozen=True, kw_only=True)
class Rule(PatternRule):
    """A validated blame rule."""

    category: str
    severity: Severity
    message: str
    why: str
    fix: str
    # How the rule did on labelled messages (rules/figures.yaml), one entry per group of sets.
    figures: tuple[RuleFigures, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RiskRule(PatternRule):
    """A validated risk rule."""

    kind: str
    level: RiskLevel
    why: str
    urgent_if: frozenset[str]  # every form of the words that make a checkin match urgent
    examples: RiskExamples
    own_voice_only: bool = False


class ProfileFile(Strict):
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
