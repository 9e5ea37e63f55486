"""Domain objects -> wire models. One function per shape; no logic beyond the mapping."""

from __future__ import annotations

from collections import Counter

from server.coach.state import CoachState, Conflict, Plan, Prompt, RehearsalLine
from server.detect.engine import Analysis, Flag
from server.http.coach_schemas import CoachStateIn, MythOut, PromptOut
from server.http.schemas import (
    AnalyzeResponse,
    ExampleOut,
    FlagOut,
    RehearseResponse,
    Replacement,
    ResourceOut,
    RuleExamples,
    RuleFiguresOut,
    RuleOut,
    SafetyOut,
    SofterOut,
    SuggestionOut,
    Summary,
)
from server.rewrite.model import Suggestion
from server.rules.schema import CATEGORIES, Rule, Severity
from server.safety.model import Safety
from server.service import Checked, Practice


def safety_out(safety: Safety | None) -> SafetyOut | None:
    if safety is None:
        return None
    resources = [ResourceOut(**vars(resource)) for resource in safety.resources]
    return SafetyOut(
        level=safety.level,
        kinds=list(safety.kinds),
        message=safety.message,
        question=safety.question,
        resources=resources,
        found_by=list(safety.found_by),
        rules=list(safety.rules),
    )


def flag_out(flag: Flag) -> FlagOut:
    return FlagOut.model_validate(flag.fields())


def headline(flags: tuple[Flag, ...]) -> str:
    blaming = sum(flag.blaming for flag in flags)
    tips = len(flags) - blaming
    if blaming:
        noun = "phrase" if blaming == 1 else "phrases"
        return f"{blaming} {noun} may sound blaming"
    if tips:
        return f"Nothing blaming found; {tips} {'tip' if tips == 1 else 'tips'} to consider"
    return "Nothing blaming found"


def summarize(analysis: Analysis) -> Summary:
    flags = analysis.flags
    return Summary(
        total=len(flags),
        blaming=analysis.blaming,
        by_severity={level: sum(f.severity == level for f in flags) for level in Severity},
        by_category=dict(Counter(flag.rule.category for flag in flags)),
        headline=headline(flags),
        profile=analysis.profile,
    )


def rule_out(rule: Rule, active: bool) -> RuleOut:
    return RuleOut(
        id=rule.id,
        category=rule.category,
        category_label=CATEGORIES[rule.category],
        severity=rule.severity,
        message=rule.message,
        why=rule.why,
        fix=rule.fix,
        requires=sorted(capability.value for capability in rule.needs),
        active=active,
        examples=RuleExamples(
            match=[ExampleOut(text=e.text, span=e.span) for e in rule.examples.match],
            no_match=list(rule.examples.no_match),
        ),
        figures=[
            RuleFiguresOut(
                group=f.group,
                sets=list(f.sets),
                flags=f.flags,
                correct=f.correct,
                precision=f.precision,
                category_messages=f.category_messages,
                category_caught=f.category_caught,
                category_recall=f.category_recall,
            )
            for f in rule.figures
        ],
    )


def suggestion_out(suggestion: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        text=suggestion.text,
        feeling=suggestion.feeling,
        situation=suggestion.situation,
        need=suggestion.need,
        request=suggestion.request,
        guessed=list(suggestion.guessed),
        replaces=[Replacement(start=start, end=end) for start, end in suggestion.replaces],
        why=suggestion.why,
    )


def practice_out(practice: Practice, safety: Safety | None = None) -> RehearseResponse:
    softer = practice.softer
    return RehearseResponse(
        reply=practice.reply.text,
        reaction=practice.reply.reaction,
        flags=[flag_out(flag) for flag in practice.flags],
        softer=None
        if softer is None
        else SofterOut(line=softer.line, reply=softer.reply.text, reaction=softer.reply.reaction),
        safety=safety_out(safety),
    )


def checked_out(checked: Checked) -> AnalyzeResponse:
    """A checked draft as /v1/analyze (and a workshop room) answers it."""
    return AnalyzeResponse(
        flags=[flag_out(flag) for flag in checked.flags],
        summary=summarize(checked.analysis),
        safety=safety_out(checked.safety),
    )


# --- the coach: its dataclasses to and from the wire -----------------------------------------


def coach_state_in(model: CoachStateIn) -> CoachState:
    """The state a client sent back (already validated) as the coach's own."""
    return CoachState(
        step=model.step,
        conflicts=tuple(Conflict(c.text, c.weight) for c in model.conflicts),
        chosen=model.chosen,
        feelings=tuple(model.feelings),
        situation=model.situation,
        need=model.need,
        her_side=tuple(model.her_side),
        myths=tuple(model.myths),
        respect=tuple(model.respect),
        draft=model.draft,
        style=model.style,
        intensity=model.intensity,
        rehearsal=tuple(RehearsalLine(r.line, r.reply, r.reaction) for r in model.rehearsal),
        plan=Plan(model.plan.time, model.plan.step),
    )


def coach_state_out(state: CoachState) -> CoachStateIn:
    # The wire model reads the dataclasses field by field (tuples become lists).
    return CoachStateIn.model_validate(state, from_attributes=True)


def prompt_out(prompt: Prompt) -> PromptOut:
    return PromptOut(
        kind=prompt.kind,
        text=prompt.text,
        help=prompt.help,
        options=list(prompt.options),
        suggested=prompt.suggested,
        myths=[MythOut(myth=m.myth, truth=m.truth) for m in prompt.myths],
        qualities=list(prompt.qualities),
    )
