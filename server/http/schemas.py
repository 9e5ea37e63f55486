"""Request and response models: the wire format, and nothing else."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from server.coach.state import ReactionName, StyleName
from server.http.coach_schemas import CoachStateIn, Intensity, Line, PromptOut
from server.rules.schema import Severity

# The upper limit is MEND_MAX_CHARS (settings), checked by the service and written into the
# OpenAPI document by the app; a model fixed at import time cannot know it.
Draft = Annotated[
    str,
    Field(min_length=1, description="The draft: 1 to MEND_MAX_CHARS (default 5,000) characters."),
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
    level: Literal["checkin", "urgent"] = Field(
        description=(
            "urgent: signs of danger now (emergency numbers first); checkin: distress without "
            "signs that it is happening now (a gentle question and the help page)."
        )
    )
    kinds: list[str] = Field(description="suicide, self-harm, abuse, child, danger, eating.")
    message: str
    question: str = Field(description="A gentle question to ask the person, in a line.")
    resources: list[ResourceOut]
    found_by: list[Literal["patterns", "classifier"]] = Field(
        description="Which layers of the check found it."
    )
    rules: list[str] = Field(description="Ids of the risk rules that matched (never the words).")


class SafetyLayers(_Response):
    patterns: int = Field(description="Risk rules the loaded pipeline can run.")
    skipped_patterns: list[str]
    classifier: str | None = Field(description="The classifier's architecture; null when off.")


class AnalyzeResponse(_Response):
    flags: list[FlagOut]
    summary: Summary
    safety: SafetyOut | None = Field(
        description="Set when the text shows risk (self-harm, abuse, danger): where to get help.",
    )


Part = Literal["feeling", "situation", "need", "request"]


class RewriteRequest(_Request):
    """A draft, and optionally the person's own words for the parts of an I-statement."""

    text: Draft
    feeling: Annotated[str, StringConstraints(min_length=1, max_length=60)] | None = Field(
        default=None, description="A feeling word, e.g. 'lonely'."
    )
    situation: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = Field(
        default=None, description="What happened, e.g. 'I don't hear back for a week'."
    )
    need: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="A need id from GET /v1/lexicon, or the person's own words."
    )
    request: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = Field(
        default=None, description="What they would like, e.g. 'call me on Sundays'."
    )
    profile: ProfileName = "strict"


class Replacement(_Response):
    start: int = Field(ge=0, description="Offset into the submitted text.")
    end: int = Field(ge=0)


class SuggestionOut(_Response):
    text: str = Field(description="The I-statement, ready to send.")
    feeling: str
    situation: str
    need: str | None
    request: str | None
    guessed: list[Part] = Field(description="Parts Mend inferred; the page asks about these.")
    replaces: list[Replacement] = Field(description="The draft's sentences this would replace.")
    why: str


class RewriteResponse(_Response):
    suggestions: list[SuggestionOut] = Field(description="Best first.")
    message: str = Field(description="The whole draft with each blaming sentence rewritten.")
    safety: SafetyOut | None


class ExampleOut(_Response):
    text: str
    span: str


class RuleExamples(_Response):
    match: list[ExampleOut]
    no_match: list[str]


class RuleFiguresOut(_Response):
    """How a rule did on a group of labelled message sets (rules/figures.yaml)."""

    group: str = Field(description="Which sets: 'tuning' (ours) or another group, e.g. 'blind'.")
    sets: list[str] = Field(description="The data files the figures come from.")
    flags: int = Field(description="Flags this rule raised on those messages.")
    correct: int = Field(description="Of those flags, the ones on blaming messages.")
    precision: float | None = Field(description="correct / flags; null when it raised none.")
    category_messages: int = Field(description="Blaming messages of this rule's category.")
    category_caught: int = Field(description="Of those, the ones Mend flagged (any rule).")
    category_recall: float | None


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
    figures: list[RuleFiguresOut] = Field(
        default_factory=list, description="Measured figures, when rules/figures.yaml exists."
    )


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
    rooms: Literal["sqlite", "redis"] = Field(
        description="Where workshop rooms are kept: SQLite (default) or Redis (MEND_ROOMS_URL)."
    )
    safety: SafetyLayers = Field(description="Which layers of the risk check are active.")


class Problem(_Response):
    """RFC 9457 problem details. Never contains the submitted text."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = Field(
        default=None, description="For 422: where each problem is, and what is wrong."
    )


class FeelingFamilyOut(_Response):
    id: str
    label: str
    words: list[str]


class NeedOut(_Response):
    id: str
    label: str


class LexiconResponse(_Response):
    """Genuine feelings by family (for a feeling picker) and the needs they point to."""

    families: list[FeelingFamilyOut]
    needs: list[NeedOut]


class StyleOut(_Response):
    id: str
    label: str
    description: str


class StylesResponse(_Response):
    """The ways the practice partner can answer, for a style picker."""

    styles: list[StyleOut]


class HelpResponse(_Response):
    """Every helpline Mend knows, for an always-available "Get help" page."""

    version: str
    resources: list[ResourceOut]


# --- the partner and the coach --------------------------------------------------------------


class Turn(_Request):
    """One earlier line of a rehearsal."""

    speaker: Literal["you", "her"]
    text: Line


class RehearseRequest(_Request):
    line: Line = Field(description="What the person would say.")
    style: StyleName = Field(default="warm", description="How she tends to answer.")
    intensity: Intensity = Field(default=1, description="1 mild to 3 hardest.")
    history: list[Turn] = Field(default_factory=list, max_length=40)


class SofterOut(_Response):
    line: str = Field(description="A gentler way to say the same thing.")
    reply: str
    reaction: ReactionName


class RehearseResponse(_Response):
    reply: str = Field(description="Her scripted reply; a program, not a person.")
    reaction: ReactionName
    flags: list[FlagOut]
    softer: SofterOut | None = Field(description="What a softer line would have drawn.")
    safety: SafetyOut | None


class CoachRequest(_Request):
    state: CoachStateIn | None = Field(default=None, description="None starts a conversation.")
    answer: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None,
        description=(
            "The answer to the prompt, as text; list items go on separate lines or between "
            "commas. At her_side, an item that is one of the offered myths or qualities, or "
            "starts 'respect:', is filed as such; the rest are pressures she may have been under."
        ),
    )
    action: Literal["next", "back", "skip", "decline", "restart"] = "next"


class CoachResponse(_Response):
    state: CoachStateIn
    messages: list[str] = Field(description="What the coach says, in order.")
    prompt: PromptOut
    flags: list[FlagOut] = Field(default_factory=list, description="For the draft step.")
    reply: RehearseResponse | None = None
    summary: str | None = None
    safety: SafetyOut | None
