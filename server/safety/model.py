"""What the risk check answers with, and its closed sets: levels, kinds of risk, helplines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Level = Literal["concern", "urgent"]

KINDS: tuple[str, ...] = ("self-harm", "suicide", "abuse", "child", "danger")
"""The closed set of risk kinds, in the order they are reported."""

LEVELS: tuple[Level, ...] = ("concern", "urgent")
"""The closed set of levels, mildest first."""

RESOURCE_KINDS: tuple[str, ...] = ("crisis", "domestic-abuse", "child", "emergency", "directory")
"""The closed set of helpline kinds."""

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "rules" / "safety"
"""Where risk.yaml and helplines.yaml live in a checkout."""

RISK_FILE = "risk.yaml"
HELPLINES_FILE = "helplines.yaml"


class SafetyDataError(ValueError):
    """A safety data file is missing, malformed or invalid; the message names file and field."""


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
    """What to show when risk language is found: never a block, always a pointer."""

    level: Literal["concern", "urgent"]
    kinds: tuple[str, ...]
    message: str
    resources: tuple[Resource, ...]


def as_level(value: str) -> Level:
    return "urgent" if value == "urgent" else "concern"


@dataclass(frozen=True)
class Routing:
    """Which kinds of resource to show: per risk kind, per level, and always."""

    by_kind: dict[str, tuple[str, ...]]
    by_level: dict[str, tuple[str, ...]]
    always: tuple[str, ...]
