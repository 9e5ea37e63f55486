"""The coach's state: everything it knows, sent back and forth each turn (the server keeps
no session), and the prompt it shows. Pydantic models, because the state arrives from the
client and must be validated like any input; the HTTP layer wraps them, never the reverse."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints


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
Intensity = Annotated[int, Field(ge=1, le=3), BeforeValidator(_no_bool)]
Weight = Annotated[int, Field(ge=1, le=5), BeforeValidator(_no_bool)]
ConflictIndex = Annotated[int, Field(ge=0, le=9), BeforeValidator(_no_bool)]

StyleName = Literal["warm", "worried", "defensive", "critical", "distant"]
ReactionName = Literal["opens", "softens", "defends", "attacks", "withdraws"]
Line = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


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
Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Conflict(_Request):
    text: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    weight: Weight | None = Field(default=None, description="1 light to 5 very heavy.")


class RehearsalLine(_Request):
    line: Line
    reply: Line
    reaction: ReactionName


class Plan(_Request):
    time: Short | None = None
    step: Short | None = None


class CoachState(_Request):
    """Everything the coach knows, sent back and forth each turn: the server keeps nothing."""

    version: Literal[1] = 1
    step: Step = "intro"
    conflicts: list[Conflict] = Field(default_factory=list, max_length=10)
    chosen: ConflictIndex | None = None
    feelings: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=6
    )
    situation: Annotated[str, StringConstraints(max_length=500)] | None = None
    need: Short | None = None
    her_side: list[Short] = Field(
        default_factory=list, max_length=15, description="Pressures she may have been under."
    )
    myths: list[Short] = Field(
        default_factory=list, max_length=10, description="Myths about mothers to let go of."
    )
    respect: list[Short] = Field(
        default_factory=list, max_length=10, description="Qualities they respect in her."
    )
    draft: Annotated[str, StringConstraints(max_length=2000)] | None = None
    style: StyleName = "warm"
    intensity: Intensity = 1
    rehearsal: list[RehearsalLine] = Field(default_factory=list, max_length=40)
    plan: Plan = Field(default_factory=Plan)


class MythOut(_Response):
    myth: str
    truth: str


class CoachPrompt(_Response):
    kind: Literal[
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
