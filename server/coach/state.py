"""The coach's state as the coach knows it: plain frozen dataclasses, carried from turn to turn
(the server keeps no session). The HTTP layer validates the state a client sends back against
its wire model (server/http/schemas.py, with the limits of settings.COACH_LIMITS) and builds
these from it; nothing here knows about HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Step = Literal[
    "intro",
    "list",
    "weigh",
    "choose",
    "feelings",
    "situation",
    "need",
    "her_side",
    "draft",
    "rehearse",
    "plan",
    "summary",
    "declined",
]
StyleName = Literal["warm", "worried", "defensive", "critical", "distant"]
ReactionName = Literal["opens", "softens", "defends", "attacks", "withdraws"]
PromptKind = Literal[
    "start",
    "text",
    "weights",
    "choice",
    "feelings",
    "needs",
    "struggles",
    "draft",
    "rehearse",
    "plan",
    "summary",
    "none",
]


@dataclass(frozen=True)
class Conflict:
    text: str
    weight: int | None = None  # 1 light to 5 very heavy


@dataclass(frozen=True)
class RehearsalLine:
    line: str
    reply: str
    reaction: ReactionName


@dataclass(frozen=True)
class Plan:
    time: str | None = None
    step: str | None = None


@dataclass(frozen=True)
class CoachState:
    """Everything the coach knows, sent back and forth each turn."""

    step: Step = "intro"
    conflicts: tuple[Conflict, ...] = ()
    chosen: int | None = None
    feelings: tuple[str, ...] = ()
    situation: str | None = None
    need: str | None = None
    her_side: tuple[str, ...] = ()  # pressures she may have been under
    myths: tuple[str, ...] = ()  # myths about mothers to let go of
    respect: tuple[str, ...] = ()  # qualities they respect in her
    draft: str | None = None
    style: StyleName = "warm"
    intensity: int = 1
    rehearsal: tuple[RehearsalLine, ...] = ()
    plan: Plan = field(default_factory=Plan)


@dataclass(frozen=True)
class Myth:
    myth: str
    truth: str


@dataclass(frozen=True)
class Prompt:
    """What the coach asks at a step, with what a page needs to offer."""

    kind: PromptKind
    text: str
    help: str | None = None
    options: tuple[str, ...] = ()
    suggested: int | None = None
    myths: tuple[Myth, ...] = ()  # at her_side: myths about mothers, each with a truth
    qualities: tuple[str, ...] = ()  # at her_side: qualities people often respect
