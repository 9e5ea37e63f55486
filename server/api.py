"""HTTP routes. They only convert between wire models and the engine's domain objects.

Handlers are plain `def`, so FastAPI runs the CPU-bound parse in its threadpool and one long
draft cannot stall the event loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request

from server.coach import CoachTexts, LineResult, Tools, advance
from server.engine import Analysis, Engine, Flag, UnknownProfileError, UnknownRuleError
from server.errors import ApiError
from server.rehearse import Partner, Reply, Style
from server.rewrite import Answers, Suggestion, compose
from server.rules import CATEGORIES, Rule, Severity
from server.safety import RiskDetector, Safety
from server.schemas import (
    AnalyzeRequest,
    AnalyzeResponse,
    CoachRequest,
    CoachResponse,
    ExampleOut,
    FeelingFamilyOut,
    FlagOut,
    HealthResponse,
    HelpResponse,
    LexiconResponse,
    NeedOut,
    Problem,
    ProfileOut,
    RehearseRequest,
    RehearseResponse,
    Replacement,
    ResourceOut,
    RewriteRequest,
    RewriteResponse,
    RuleExamples,
    RuleOut,
    RulesResponse,
    SafetyOut,
    SofterOut,
    StyleOut,
    StylesResponse,
    SuggestionOut,
    Summary,
)

ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 413, 422)
}

router = APIRouter()


def from_state(name: str) -> Callable[[Request], Any]:
    """A dependency that hands a route what the lifespan loaded into app.state."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


EngineDep = Annotated[Engine, Depends(from_state("engine"))]
SafetyDep = Annotated[RiskDetector, Depends(from_state("safety"))]
PartnerDep = Annotated[Partner, Depends(from_state("partner"))]
CoachTextsDep = Annotated[CoachTexts, Depends(from_state("coach_texts"))]


def _version() -> str:
    try:
        return version("mend")
    except PackageNotFoundError:
        return "0.0.0"


def analyze_or_422(
    engine: Engine,
    text: str,
    profile: str = "strict",
    min_severity: Severity = Severity.info,
    disable: list[str] | None = None,
) -> Analysis:
    try:
        return engine.analyze(text, profile, min_severity, disable or ())
    except UnknownProfileError:
        known = ", ".join(engine.ruleset.profiles)
        raise ApiError(422, f"Unknown profile; choose one of: {known}.") from None
    except UnknownRuleError as error:
        raise ApiError(
            422, f"Unknown rule id(s) in 'disable': {', '.join(error.rule_ids)}."
        ) from None


def safety_out(safety: Safety | None) -> SafetyOut | None:
    if safety is None:
        return None
    resources = [ResourceOut(**vars(resource)) for resource in safety.resources]
    return SafetyOut(level=safety.level, message=safety.message, resources=resources)


def flag_out(flag: Flag, suggestion: str | None = None) -> FlagOut:
    rule = flag.rule
    return FlagOut(
        rule=rule.id,
        category=rule.category,
        severity=flag.severity,
        start=flag.start,
        end=flag.end,
        text=flag.text,
        message=rule.message,
        why=rule.why,
        suggestion=suggestion or rule.fix,
    )


def headline(flags: tuple[Flag, ...]) -> str:
    blaming = sum(flag.severity.rank >= Severity.warning.rank for flag in flags)
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
        blaming=any(flag.severity.rank >= Severity.warning.rank for flag in flags),
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
    )


@router.get("/health", response_model=HealthResponse, tags=["meta"])
def health(engine: EngineDep) -> HealthResponse:
    """Whether the service is up, and what its pipeline can do."""
    pipeline = engine.pipeline
    return HealthResponse(
        status="ok" if pipeline.note is None else "degraded",
        model=pipeline.name,
        parser="parser" in {c.value for c in pipeline.capabilities},
        tagger="tagger" in {c.value for c in pipeline.capabilities},
        rules=len(engine.rules),
        skipped_rules=[rule.id for rule in engine.detector.skipped],
        note=pipeline.note,
        version=_version(),
    )


@router.get("/v1/rules", response_model=RulesResponse, tags=["rules"])
def list_rules(engine: EngineDep) -> RulesResponse:
    """Every rule with its message, why and examples; and the profiles."""
    active = engine.rules
    return RulesResponse(
        rules=[rule_out(rule, rule.id in active) for rule in engine.ruleset.rules],
        profiles=[
            ProfileOut(
                name=p.name,
                description=p.description,
                categories=dict(p.categories),
                rules=dict(p.rules),
            )
            for p in engine.ruleset.profiles.values()
        ],
    )


@router.post("/v1/analyze", response_model=AnalyzeResponse, responses=ERRORS, tags=["analyze"])
def analyze(body: AnalyzeRequest, engine: EngineDep, safety: SafetyDep) -> AnalyzeResponse:
    """Find the phrases in a draft that may sound blaming, each with why and what instead."""
    analysis = analyze_or_422(engine, body.text, body.profile, body.min_severity, body.disable)
    short = compose(
        analysis, Answers(), engine.ruleset.lexicons, engine.clean_many, short=True
    ).best_by_flag
    return AnalyzeResponse(
        flags=[flag_out(flag, short.get(flag.start)) for flag in analysis.flags],
        summary=summarize(analysis),
        safety=safety_out(safety.assess(body.text)),
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


@router.post("/v1/rewrite", response_model=RewriteResponse, responses=ERRORS, tags=["rewrite"])
def rewrite(body: RewriteRequest, engine: EngineDep, safety: SafetyDep) -> RewriteResponse:
    """I-statements to say instead, best first, and the whole draft with them in place.

    The person's own words (feeling, situation, need, request) are used as given.
    """
    analysis = analyze_or_422(engine, body.text, body.profile)
    answers = Answers(body.feeling, body.situation, body.need, body.request)
    result = compose(analysis, answers, engine.ruleset.lexicons, engine.clean_many)
    typed = [x for x in (body.feeling, body.situation, body.need, body.request) if x]
    return RewriteResponse(
        suggestions=[suggestion_out(s) for s in result.suggestions],
        message=result.message,
        safety=safety_out(safety.assess(body.text, *typed)),
    )


@router.get("/v1/lexicon", response_model=LexiconResponse, tags=["rules"])
def lexicon(engine: EngineDep) -> LexiconResponse:
    """Genuine feeling words grouped by family, and needs: for pickers on the page."""
    lexicons = engine.ruleset.lexicons
    return LexiconResponse(
        families=[
            FeelingFamilyOut(id=f.id, label=f.label, words=list(f.words)) for f in lexicons.families
        ],
        needs=[NeedOut(id=n.id, label=n.label) for n in lexicons.needs.values()],
    )


@router.get("/v1/help", response_model=HelpResponse, tags=["safety"])
def help_resources(safety: SafetyDep) -> HelpResponse:
    """Crisis and support lines, with where each entry comes from and when it was checked."""
    return HelpResponse(
        version=safety.version,
        resources=[ResourceOut(**vars(resource)) for resource in safety.resources],
    )


def rehearse_line(
    engine: Engine,
    partner: Partner,
    line: str,
    style: Style,
    intensity: int,
    said_before: list[str],
) -> tuple[RehearseResponse, LineResult]:
    """Her reply to a line, the flags in the line, and what a softer line would have drawn."""
    lexicons = engine.ruleset.lexicons

    def her_reply(text: str) -> tuple[Analysis, Reply]:
        analysis = engine.analyze(text)
        docs = engine.sentence_docs(analysis)
        return analysis, partner.reply(analysis, docs, style, intensity, lexicons, said_before)

    analysis, reply = her_reply(line)
    softer = None
    if reply.kind == "blame":
        rewritten = compose(analysis, Answers(), lexicons, engine.clean_many, short=True)
        if rewritten.suggestions:
            gentle = rewritten.suggestions[0].text
            _, drawn = her_reply(gentle)
            softer = SofterOut(line=gentle, reply=drawn.text, reaction=drawn.reaction)
    response = RehearseResponse(
        reply=reply.text,
        reaction=reply.reaction,
        flags=[flag_out(flag) for flag in analysis.flags],
        softer=softer,
        safety=None,
    )
    return response, LineResult(reply.text, reply.reaction)


@router.get("/v1/rehearse/styles", response_model=StylesResponse, tags=["coach"])
def rehearse_styles(partner: PartnerDep) -> StylesResponse:
    """How the practice partner can answer: warm, worried, defensive and so on."""
    return StylesResponse(
        styles=[
            StyleOut(id=name, label=info.label, description=info.description)
            for name, info in partner.replies.styles.items()
        ]
    )


@router.post("/v1/rehearse", response_model=RehearseResponse, responses=ERRORS, tags=["coach"])
def rehearse(
    body: RehearseRequest, engine: EngineDep, partner: PartnerDep, safety: SafetyDep
) -> RehearseResponse:
    """Practise a line: her scripted reply, chosen by rules from how the line is phrased."""
    said_before = [turn.text for turn in body.history if turn.speaker == "her"]
    response, _ = rehearse_line(engine, partner, body.line, body.style, body.intensity, said_before)
    typed = [turn.text for turn in body.history if turn.speaker == "you"]
    return response.model_copy(update={"safety": safety_out(safety.assess(body.line, *typed))})


@router.post("/v1/coach", response_model=CoachResponse, responses=ERRORS, tags=["coach"])
def coach(
    body: CoachRequest,
    engine: EngineDep,
    partner: PartnerDep,
    safety: SafetyDep,
    texts: CoachTextsDep,
) -> CoachResponse:
    """One turn of the guided conversation. Send the state you were given and your answer."""
    replies: dict[str, RehearseResponse] = {}

    def rehearse_tool(line: str, style: str, intensity: int, said: Sequence[str]) -> LineResult:
        chosen = cast(Style, style)  # the state's model allows only the five styles
        response, result = rehearse_line(engine, partner, line, chosen, intensity, list(said))
        replies["last"] = response
        return result

    tools = Tools(
        texts=texts,
        lexicons=engine.ruleset.lexicons,
        analyze=engine.analyze,
        rewrite=lambda text, answers: compose(
            engine.analyze(text), answers, engine.ruleset.lexicons, engine.clean_many
        ),
        rehearse=rehearse_tool,
        assess=safety.assess,
    )
    turn = advance(body.state, body.answer, body.action, tools)
    return CoachResponse(
        state=turn.state,
        messages=[m for m in turn.messages if m],
        prompt=turn.prompt,
        flags=[flag_out(flag) for flag in turn.flags],
        reply=replies.get("last"),
        summary=turn.summary,
        safety=safety_out(turn.safety),
    )
