"""Request and response models: the wire format, and nothing else."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from server.rules import Severity

MAX_CHARS = 5000

Draft = Annotated[
    str,
    Field(min_length=1, max_length=MAX_CHARS, description="The draft, 1 to 5,000 characters."),
]
RuleId = Annotated[str, StringConstraints(min_length=1, max_length=80)]
ProfileName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="A profile from GET /v1/rules: 'strict' (default) or 'gentle'.",
    ),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnalyzeRequest(_Request):
    text: Draft
    profile: ProfileName = "strict"
    min_severity: Severity = Field(default=Severity.info, description="Drop flags below this.")
    disable: list[RuleId] = Field(
        default_factory=list, max_length=100, description="Rule ids to leave out."
    )


class FlagOut(_Response):
    rule: str = Field(description="The rule's id; its file is rules/<category>/<rule>.yaml.")
    category: str
    severity: Severity
    start: int = Field(ge=0, description="Offset into the submitted text (Python str index).")
    end: int = Field(ge=0, description="End offset, exclusive; text == submitted[start:end].")
    text: str
    message: str
    why: str
    suggestion: str = Field(description="What to write instead.")


class Summary(_Response):
    total: int
    blaming: bool = Field(description="True when any flag is a warning or an error.")
    by_severity: dict[Severity, int]
    by_category: dict[str, int]
    headline: str = Field(description="One line for people, e.g. '2 phrases may sound blaming'.")
    profile: str


class ResourceOut(_Response):
    name: str
    contact: str
    region: str
    kind: str
    url: str | None
    hours: str | None
    source: str
    checked: str


class SafetyOut(_Response):
    level: Literal["concern", "urgent"]
    message: str
    resources: list[ResourceOut]


class AnalyzeResponse(_Response):
    flags: list[FlagOut]
    summary: Summary
    safety: SafetyOut | None = Field(
        description="Set when the text shows risk (self-harm, abuse, danger): where to get help.",
    )


class ExampleOut(_Response):
    text: str
    span: str


class RuleExamples(_Response):
    match: list[ExampleOut]
    no_match: list[str]


class RuleOut(_Response):
    id: str
    category: str
    category_label: str
    severity: Severity
    message: str
    why: str
    fix: str
    requires: list[Literal["tagger", "parser"]]
    active: bool = Field(description="False when the loaded pipeline cannot run this rule.")
    examples: RuleExamples


class ProfileOut(_Response):
    name: str
    description: str
    categories: dict[str, Severity]
    rules: dict[str, Severity]


class RulesResponse(_Response):
    rules: list[RuleOut]
    profiles: list[ProfileOut]


class HealthResponse(_Response):
    status: Literal["ok", "degraded"] = Field(description="'degraded' on a blank pipeline.")
    model: str
    parser: bool
    tagger: bool
    rules: int = Field(description="Rules the loaded pipeline can run.")
    skipped_rules: list[str]
    note: str | None
    version: str


class Problem(_Response):
    """RFC 9457 problem details. Never contains the submitted text."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = Field(
        default=None, description="For 422: where each problem is, and what is wrong."
    )
