"""What the risk check answers with, and its closed sets: levels, kinds of risk, helplines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from server.rules.schema import RISK_KINDS, RiskLevel

KINDS: tuple[str, ...] = RISK_KINDS
"""The closed set of risk kinds, in the order they are reported."""

LEVELS: tuple[RiskLevel, ...] = ("checkin", "urgent")
"""The closed set of levels, mildest first. No risk is no answer at all (None)."""

RESOURCE_KINDS: tuple[str, ...] = (
    "crisis",
    "domestic-abuse",
    "child",
    "eating",
    "emergency",
    "directory",
)
"""The closed set of helpline kinds."""

LAYERS: tuple[str, ...] = ("patterns", "classifier")
"""The two layers of the check: the risk rules (rules/safety/<kind>/) and the classifier."""

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "rules" / "safety"
"""Where the risk rules, answers.yaml, helplines.yaml and the classifier live in a checkout."""

HELPLINES_FILE = "helplines.yaml"
ANSWERS_FILE = "answers.yaml"


@dataclass(frozen=True)
class Resource:
    """One helpline or directory, with where its details come from and when they were checked."""

    name: str
    contact: str
    region: str
    kind: str
    url: str | None
    hours: str | None
    source: str
    checked: str


@dataclass(frozen=True)
class Safety:
    """What to show when risk language is found: never a block, always a pointer.

    `found_by` names the layers that found it; `rules` the risk rules that matched (ids, never
    the words), so a facilitator can see why."""

    level: RiskLevel
    kinds: tuple[str, ...]
    message: str
    question: str
    resources: tuple[Resource, ...]
    found_by: tuple[str, ...]
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    message: str
    question: str


@dataclass(frozen=True)
class Routing:
    """Which kinds of resource to show: per risk kind, per level, and always."""

    by_kind: dict[str, tuple[str, ...]]
    by_level: dict[str, tuple[str, ...]]
    always: tuple[str, ...]
