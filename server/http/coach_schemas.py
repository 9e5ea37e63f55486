"""The coach's wire format: the state a client sends back each turn, validated like any input,
and the prompt it is shown. Limits come from settings.COACH_LIMITS; mappers.py turns these into
the coach's own dataclasses (server/coach/state.py) and back."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from server.coach.state import PromptKind, ReactionName, Step, StyleName
from server.settings import COACH_LIMITS as LIMITS


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _no_bool(value: object) -> object:
    # JSON true and "2" are not numbers; pydantic's lax mode would read them as 1 and 2.
    if isinstance(value, bool | str):
        raise ValueError("must be a whole number")
    return value


# Whole numbers as JSON Schema means them: 2 and 2.0 pass, true and "2" do not. The bounds
# come before the validator so that they show in the schema as minimum and maximum.
Intensity = Annotated[int, Field(ge=1, le=LIMITS.intensity), BeforeValidator(_no_bool)]
Weight = Annotated[int, Field(ge=1, le=LIMITS.weight), BeforeValidator(_no_bool)]
ConflictIndex = Annotated[int, Field(ge=0, le=LIMITS.conflicts - 1), BeforeValidator(_no_bool)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=LIMITS.line)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=LIMITS.short)]


class ConflictIn(_Request):
    text: Annotated[str, StringConstraints(min_length=1, max_length=LIMITS.conflict)]
    weight: Weight | None = Field(default=None, description="1 light to 5 very heavy.")


class RehearsalLineIn(_Request):
    line: Line
    reply: Line
    reaction: ReactionName


class PlanIn(_Request):
    time: Short | None = None
    step: Short | None = None


class CoachStateIn(_Request):
    """Everything the coach knows, sent back and forth each turn: the server keeps nothing."""

    version: Literal[1] = 1
    step: Step = "intro"
    conflicts: list[ConflictIn] = Field(default_factory=list, max_length=LIMITS.conflicts)
    chosen: ConflictIndex | None = None
    feelings: list[Annotated[str, StringConstraints(max_length=LIMITS.feeling)]] = Field(
        default_factory=list, max_length=LIMITS.feelings
    )
    situation: Annotated[str, StringConstraints(max_length=LIMITS.situation)] | None = None
    need: Short | None = None
    her_side: list[Short] = Field(
        default_factory=list,
        max_length=LIMITS.her_side,
        description="Pressures she may have been under.",
    )
    myths: list[Short] = Field(
        default_factory=list,
        max_length=LIMITS.myths,
        description="Myths about mothers to let go of.",
    )
    respect: list[Short] = Field(
        default_factory=list,
        max_length=LIMITS.respect,
        description="Qualities they respect in her.",
    )
    draft: Annotated[str, StringConstraints(max_length=LIMITS.draft)] | None = None
    style: StyleName = "warm"
    intensity: Intensity = 1
    rehearsal: list[RehearsalLineIn] = Field(default_factory=list, max_length=LIMITS.rehearsal)
    plan: PlanIn = Field(default_factory=PlanIn)


class MythOut(_Response):
    myth: str
    truth: str


class PromptOut(_Response):
    kind: PromptKind
    text: str
    help: str | None = None
    options: list[str] = Field(default_factory=list)
    suggested: int | None = None
    myths: list[MythOut] = Field(
        default_factory=list, description="At her_side: myths about mothers, each with a truth."
    )
    qualities: list[str] = Field(
        default_factory=list, description="At her_side: qualities people often respect."
    )
