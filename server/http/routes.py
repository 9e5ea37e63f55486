"""HTTP routes. Each converts a request to a call on the Mend service and the result to a
wire model; the work itself lives in the service.

Handlers are plain `def`, so FastAPI runs the CPU-bound parse in its threadpool and one long
draft cannot stall the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from server.detect.engine import UnknownProfileError, UnknownRuleError
from server.http.errors import ApiError
from server.http.mappers import (
    checked_out,
    coach_state_in,
    coach_state_out,
    flag_out,
    practice_out,
    prompt_out,
    rule_out,
    safety_out,
    suggestion_out,
)
from server.http.schemas import (
    AnalyzeRequest,
    AnalyzeResponse,
    CoachRequest,
    CoachResponse,
    FeelingFamilyOut,
    HealthResponse,
    HelpResponse,
    LexiconResponse,
    NeedOut,
    Problem,
    ProfileOut,
    RehearseRequest,
    RehearseResponse,
    ResourceOut,
    RewriteRequest,
    RewriteResponse,
    RulesResponse,
    SafetyLayers,
    StyleOut,
    StylesResponse,
)
from server.rewrite.model import Answers
from server.service import Mend, Practice, TooLongError

ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 413, 422)
}

router = APIRouter()


async def _mend(request: Request) -> Mend:
    """The service the lifespan loaded, handed to each route. (async: a plain `def` dependency
    costs each request a trip through the thread pool.)"""
    mend: Mend = request.app.state.mend
    return mend


MendDep = Annotated[Mend, Depends(_mend)]


def _version() -> str:
    try:
        return version("mend")
    except PackageNotFoundError:
        return "0.0.0"


def as_json(model: BaseModel) -> Response:
    """The model as JSON, serialised once. FastAPI would validate a returned model against
    the route's response_model again before serialising it (measured: 0.38 ms, against 0.003
    ms for this); the response_model stays on each route for the OpenAPI document."""
    return Response(model.model_dump_json(), media_type="application/json")


@contextmanager
def domain_errors(mend: Mend) -> Iterator[None]:
    """The service's refusals, as 422 problems that name what to change."""
    try:
        yield
    except TooLongError as error:
        detail = f"Your message is over {error.limit:,} characters."
        raise ApiError(422, detail, [{"field": "body.text", "problem": detail}]) from None
    except UnknownProfileError:
        known = ", ".join(mend.engine.ruleset.profiles)
        raise ApiError(422, f"Unknown profile; choose one of: {known}.") from None
    except UnknownRuleError as error:
        raise ApiError(
            422, f"Unknown rule id(s) in 'disable': {', '.join(error.rule_ids)}."
        ) from None


@router.get("/health", response_model=HealthResponse, tags=["meta"])
def health(mend: MendDep, request: Request) -> Response:
    """Whether the service is up, and what its pipeline can do."""
    engine = mend.engine
    pipeline = engine.pipeline
    return as_json(
        HealthResponse(
            status="ok" if pipeline.note is None else "degraded",
            model=pipeline.name,
            parser="parser" in {c.value for c in pipeline.capabilities},
            tagger="tagger" in {c.value for c in pipeline.capabilities},
            rules=len(engine.rules),
            skipped_rules=[rule.id for rule in engine.detector.skipped],
            note=pipeline.note,
            version=_version(),
            rooms=request.app.state.rooms.store.name,
            safety=SafetyLayers(
                patterns=len(engine.risk_detector.rules),
                skipped_patterns=[rule.id for rule in engine.risk_detector.skipped],
                classifier=None if mend.risk.classifier is None else mend.risk.classifier.name,
            ),
        )
    )


@router.get("/v1/rules", response_model=RulesResponse, tags=["rules"])
def list_rules(mend: MendDep) -> Response:
    """Every rule with its message, why and examples; and the profiles."""
    ruleset = mend.engine.ruleset
    active = mend.engine.rules
    return as_json(
        RulesResponse(
            rules=[
                rule_out(rule, rule.id in active) for rule in (*ruleset.rules, *ruleset.learned)
            ],
            profiles=[
                ProfileOut(
                    name=p.name,
                    description=p.description,
                    categories=dict(p.categories),
                    rules=dict(p.rules),
                )
                for p in ruleset.profiles.values()
            ],
        )
    )


@router.post("/v1/analyze", response_model=AnalyzeResponse, responses=ERRORS, tags=["analyze"])
def analyze(body: AnalyzeRequest, mend: MendDep) -> Response:
    """Find the phrases in a draft that may sound blaming, each with why and what instead.

    Each flag carries its rule's one-line fix; the I-statements come from /v1/rewrite, which
    the page asks for next (composing them here, each re-checked, cost 1.5-2.7x the parse).
    """
    with domain_errors(mend):
        checked = mend.check(body.text, body.profile, body.min_severity, body.disable)
    return as_json(checked_out(checked))


@router.post("/v1/rewrite", response_model=RewriteResponse, responses=ERRORS, tags=["rewrite"])
def rewrite(body: RewriteRequest, mend: MendDep) -> Response:
    """I-statements to say instead, best first, and the whole draft with them in place.

    The person's own words (feeling, situation, need, request) are used as given.
    """
    answers = Answers(body.feeling, body.situation, body.need, body.request)
    with domain_errors(mend):
        result, safety = mend.rewrite(body.text, answers, body.profile)
    return as_json(
        RewriteResponse(
            suggestions=[suggestion_out(s) for s in result.suggestions],
            message=result.message,
            safety=safety_out(safety),
        )
    )


@router.get("/v1/lexicon", response_model=LexiconResponse, tags=["rules"])
def lexicon(mend: MendDep) -> Response:
    """Genuine feeling words grouped by family, and needs: for pickers on the page."""
    lexicons = mend.engine.ruleset.lexicons
    return as_json(
        LexiconResponse(
            families=[
                FeelingFamilyOut(id=f.id, label=f.label, words=list(f.words))
                for f in lexicons.families
            ],
            needs=[NeedOut(id=n.id, label=n.label) for n in lexicons.needs.values()],
        )
    )


@router.get("/v1/help", response_model=HelpResponse, tags=["safety"])
def help_resources(mend: MendDep) -> Response:
    """Crisis and support lines, with where each entry comes from and when it was checked."""
    return as_json(
        HelpResponse(
            version=str(mend.risk.version),
            resources=[ResourceOut(**vars(resource)) for resource in mend.risk.resources],
        )
    )


@router.get("/v1/rehearse/styles", response_model=StylesResponse, tags=["coach"])
def rehearse_styles(mend: MendDep) -> Response:
    """How the practice partner can answer: warm, worried, defensive and so on."""
    return as_json(
        StylesResponse(
            styles=[
                StyleOut(id=name, label=info.label, description=info.description)
                for name, info in mend.partner.replies.styles.items()
            ]
        )
    )


@router.post("/v1/rehearse", response_model=RehearseResponse, responses=ERRORS, tags=["coach"])
def rehearse(body: RehearseRequest, mend: MendDep) -> Response:
    """Practise a line: her scripted reply, chosen by rules from how the line is phrased."""
    said_before = [turn.text for turn in body.history if turn.speaker == "her"]
    typed = [turn.text for turn in body.history if turn.speaker == "you"]
    with domain_errors(mend):
        practice = mend.practise(body.line, body.style, body.intensity, said_before)
    return as_json(practice_out(practice, mend.assess(body.line, *typed)))


@router.post("/v1/coach", response_model=CoachResponse, responses=ERRORS, tags=["coach"])
def coach(body: CoachRequest, mend: MendDep) -> Response:
    """One turn of the guided conversation. Send the state you were given and your answer."""
    practised: list[Practice] = []
    with domain_errors(mend):
        state = coach_state_in(body.state) if body.state is not None else None
        turn = mend.coach(state, body.answer, body.action, practised)
    return as_json(
        CoachResponse(
            state=coach_state_out(turn.state),
            messages=[m for m in turn.messages if m],
            prompt=prompt_out(turn.prompt),
            flags=[flag_out(flag) for flag in turn.flags],
            reply=practice_out(practised[-1]) if practised else None,
            summary=turn.summary,
            safety=safety_out(turn.safety),
        )
    )
