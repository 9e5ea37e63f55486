"""The coach: a guided rehearsal as a table of steps. advance(state, answer) -> turn, pure.

Choose one conflict (a lighter one both can handle), identify the feelings, determine the
sources, draft the I-statement, rehearse it, plan a small next step. The server keeps nothing:
the state travels with every turn. Declining is a valid ending, never argued with. When risk
language appears the coach pauses, answers calmly with resources, and lets the person go on."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from server.coach.answers import feelings_in, lightest, parse_weights, split_grievances
from server.coach.state import (
    CoachState,
    Conflict,
    Myth,
    Plan,
    Prompt,
    PromptKind,
    RehearsalLine,
    Step,
)
from server.coach.texts import ORDER, CoachTexts
from server.detect.engine import Analysis, Flag
from server.rewrite.model import Answers, Rewrite
from server.rewrite.words import mid_sentence, to_listener, when_clause
from server.rules.lexicons import Lexicons
from server.safety.model import Safety
from server.settings import COACH_LIMITS as LIMITS


@dataclass(frozen=True)
class LineResult:
    """What the partner said to one line (see server.coach.partner)."""

    reply: str
    reaction: str


@dataclass(frozen=True)
class Tools:
    """What the coach may call: the engine and the partner, passed in so the coach stays pure."""

    texts: CoachTexts
    lexicons: Lexicons
    analyze: Callable[[str], Analysis]
    rewrite: Callable[[str, Answers], Rewrite]
    rehearse: Callable[[str, str, int, Sequence[str]], LineResult]
    assess: Callable[..., Safety | None]


@dataclass(frozen=True)
class CoachTurn:
    state: CoachState
    messages: list[str]
    prompt: Prompt
    flags: tuple[Flag, ...] = ()
    reply: LineResult | None = None
    line: str | None = None
    summary: str | None = None
    safety: Safety | None = None
    extra: dict[str, str] = field(default_factory=dict)


def step_after(step: Step) -> Step:
    return ORDER[min(ORDER.index(step) + 1, len(ORDER) - 1)] if step in ORDER else "intro"


def step_before(step: Step) -> Step:
    return ORDER[max(ORDER.index(step) - 1, 0)] if step in ORDER else "intro"


# --- the conversation -------------------------------------------------------------------------


def start(tools: Tools) -> CoachTurn:
    state = CoachState()
    return CoachTurn(state, [tools.texts.disclaimer], prompt_for(state, tools))


def advance(state: CoachState | None, answer: str | None, action: str, tools: Tools) -> CoachTurn:
    """One turn: take the answer (or action) for the current step and move on."""
    if state is None or action == "restart":
        return start(tools)
    text = (answer or "").strip()
    safety = tools.assess(text) if text else None
    if safety is not None:
        # Pause calmly; keep the step so they can go on whenever they like. Nothing of what
        # they wrote is stored.
        paused = tools.texts.steps["paused"].prompt
        return CoachTurn(state, [paused], prompt_for(state, tools), safety=safety)
    if action == "decline":
        declined = replace(state, step="declined")
        return CoachTurn(declined, [tools.texts.steps["declined"].prompt], _prompt("none", ""))
    if action == "back":
        earlier = replace(state, step=step_before(state.step))
        return CoachTurn(earlier, [], prompt_for(earlier, tools))
    if state.step == "declined":
        return start(tools)
    if action == "skip":
        return _enter(replace(state, step=step_after(state.step)), tools, [])
    handler = HANDLERS.get(state.step)
    if handler is None:
        return _enter(state, tools, [])
    return handler(state, text, tools)


def _enter(state: CoachState, tools: Tools, messages: list[str]) -> CoachTurn:
    """Arrive at state.step: some steps do their work on arrival (draft, summary)."""
    if state.step == "draft":
        return _draft_arrive(state, tools, messages)
    if state.step == "summary":
        summary = summary_of(state, tools)
        return CoachTurn(state, messages, prompt_for(state, tools), summary=summary)
    return CoachTurn(state, messages, prompt_for(state, tools))


def _next(state: CoachState, tools: Tools, messages: list[str], **changes: object) -> CoachTurn:
    moved = replace(state, **changes, step=step_after(state.step))  # type: ignore[arg-type]
    return _enter(moved, tools, messages)


def _stay(state: CoachState, tools: Tools, messages: list[str]) -> CoachTurn:
    return CoachTurn(state, messages, prompt_for(state, tools))


def _intro(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    return _next(state, tools, [])


def _list(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    grievances = split_grievances(text)
    if not grievances:
        return _stay(state, tools, [])
    conflicts = tuple(Conflict(g[: LIMITS.conflict]) for g in grievances[: LIMITS.conflicts])
    return _next(state, tools, [], conflicts=conflicts, chosen=None)


def _weigh(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    weights = parse_weights(text, len(state.conflicts))
    if weights is None:
        hint = tools.texts.steps["weigh"].invalid
        return _stay(state, tools, [hint.format(count=len(state.conflicts))] if hint else [])
    conflicts = tuple(replace(c, weight=w) for c, w in zip(state.conflicts, weights, strict=True))
    return _next(state, tools, [], conflicts=conflicts)


def _choose(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    if not state.conflicts:
        return _enter(replace(state, step="list"), tools, [])
    picked = re.findall(r"\d+", text)
    index = int(picked[0]) - 1 if picked else lightest(state.conflicts)
    if not 0 <= index < len(state.conflicts):
        return _stay(state, tools, [])
    return _next(state, tools, [], chosen=index)


def _feelings(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    genuine, faux = feelings_in(text, tools.lexicons)
    if faux and not genuine:
        # A thought dressed as a feeling: name it gently and offer the feelings beneath.
        word = next((w for w in faux if w != "like"), "like")
        offered = (
            tools.lexicons.faux[word].feelings
            if word in tools.lexicons.faux
            else ["hurt", "lonely", "sad"]
        )
        said = word if word != "like" else "feel like"
        message = (tools.texts.steps["feelings"].faux or "").format(
            word=said, feelings=", ".join(offered)
        )
        return _stay(state, tools, [message])
    if not genuine:
        return _stay(state, tools, [])
    return _next(state, tools, [], feelings=tuple(genuine[: LIMITS.feelings]))


def _situation(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    if not text:
        return _stay(state, tools, [])
    return _next(state, tools, [], situation=text[: LIMITS.situation])


def _need(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    if not text:
        return _stay(state, tools, [])
    lowered = text.lower().strip()
    need = next(
        (n.id for n in tools.lexicons.needs.values() if lowered in (n.id, n.label)),
        text[: LIMITS.short],
    )
    return _next(state, tools, [], need=need)


def _her_side(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    """File each picked line as a myth, a quality they respect, or a pressure she was under."""
    myths = {m.myth.lower(): m.myth for m in tools.texts.myths}
    qualities = {q.lower(): q for q in tools.texts.qualities}
    filed: dict[str, list[str]] = {"her_side": [], "myths": [], "respect": []}
    for line in re.split(r"[\n;,]", text):
        item = line.strip()
        key = item.lower()
        if key in myths:
            filed["myths"].append(myths[key])
        elif key.startswith("respect:") and item[8:].strip():
            filed["respect"].append(item[8:].strip()[: LIMITS.short])
        elif key in qualities:
            filed["respect"].append(qualities[key])
        elif item:
            filed["her_side"].append(item[: LIMITS.short])
    return _next(
        state,
        tools,
        [],
        her_side=tuple(filed["her_side"][: LIMITS.her_side]),
        myths=tuple(filed["myths"][: LIMITS.myths]),
        respect=tuple(filed["respect"][: LIMITS.respect]),
    )


def _draft_arrive(state: CoachState, tools: Tools, messages: list[str]) -> CoachTurn:
    """Compose the I-statement from their answers, and show what the detector says of it."""
    if state.draft is None:
        conflict = _chosen_text(state)
        answers = Answers(
            feeling=state.feelings[0] if state.feelings else None,
            situation=state.situation,
            need=state.need,
        )
        result = tools.rewrite(conflict, answers) if conflict else None
        draft = result.suggestions[0].text if result and result.suggestions else None
        if draft is None:
            feeling = state.feelings[0] if state.feelings else "hurt"
            when = when_clause(to_listener(mid_sentence(state.situation or "we talk about this")))
            draft = f"I feel {feeling} {when}."
        state = replace(state, draft=draft[: LIMITS.draft])
    return _draft_verdict(state, tools, messages)


def _draft_verdict(state: CoachState, tools: Tools, messages: list[str]) -> CoachTurn:
    analysis = tools.analyze(state.draft or "")
    blaming = analysis.blaming_flags
    texts = tools.texts.steps["draft"]
    note = texts.flagged if blaming else texts.clean
    return CoachTurn(
        state, [*messages, note or ""], prompt_for(state, tools), flags=tuple(analysis.flags)
    )


def _draft(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    if text:  # an edit: check it again
        edited = replace(state, draft=text[: LIMITS.draft])
        analysis = tools.analyze(edited.draft or "")
        if analysis.blaming:
            return _draft_verdict(edited, tools, [])
        return _next(edited, tools, [])
    return _next(state, tools, [])


DONE = frozenset({"", "done", "done practising", "done practicing", "finished", "i'm done"})


def _rehearse(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    if text.lower().strip(" .!") in DONE:  # finished practising: move on
        return _next(state, tools, [])
    said_before = [turn.reply for turn in state.rehearsal]
    said = text[: LIMITS.line]
    result = tools.rehearse(said, state.style, state.intensity, said_before)
    line = RehearsalLine(said, result.reply[: LIMITS.line], result.reaction)  # type: ignore[arg-type]
    updated = replace(state, rehearsal=(*state.rehearsal, line)[-LIMITS.rehearsal :])
    return CoachTurn(updated, [], prompt_for(updated, tools), reply=result, line=said)


def _plan(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    when, _, small = text.partition("\n")
    plan = Plan(when.strip()[: LIMITS.short] or None, small.strip()[: LIMITS.short] or None)
    return _next(state, tools, [], plan=plan)


def _summary(state: CoachState, text: str, tools: Tools) -> CoachTurn:
    return _enter(state, tools, [])


HANDLERS: dict[str, Callable[[CoachState, str, Tools], CoachTurn]] = {
    "intro": _intro,
    "list": _list,
    "weigh": _weigh,
    "choose": _choose,
    "feelings": _feelings,
    "situation": _situation,
    "need": _need,
    "her_side": _her_side,
    "draft": _draft,
    "rehearse": _rehearse,
    "plan": _plan,
    "summary": _summary,
}


def _chosen_text(state: CoachState) -> str:
    if state.chosen is not None and state.chosen < len(state.conflicts):
        return state.conflicts[state.chosen].text
    return state.conflicts[0].text if state.conflicts else ""


def _prompt(kind: PromptKind, text: str, **fields: object) -> Prompt:
    return Prompt(kind, text, **fields)  # type: ignore[arg-type]


def prompt_for(state: CoachState, tools: Tools) -> Prompt:
    """What to ask at the current step, with the options a page needs to offer."""
    texts = tools.texts
    step = state.step
    if step == "declined":
        return _prompt("none", texts.steps["declined"].prompt)
    words = texts.steps[step]
    kinds: dict[str, PromptKind] = {
        "intro": "start",
        "list": "text",
        "weigh": "weights",
        "choose": "choice",
        "feelings": "feelings",
        "situation": "text",
        "need": "needs",
        "her_side": "struggles",
        "draft": "draft",
        "rehearse": "rehearse",
        "plan": "plan",
        "summary": "summary",
    }
    options: tuple[str, ...] = ()
    extra: dict[str, object] = {}
    suggested = None
    text = words.prompt
    if step in ("weigh", "choose"):
        options = tuple(c.text for c in state.conflicts)
    if step == "choose" and state.conflicts:
        suggested = lightest(state.conflicts)
        if words.suggest:
            text = f"{text} {words.suggest.format(item=state.conflicts[suggested].text)}"
    elif step == "feelings":
        options = tuple(family.label for family in tools.lexicons.families)
    elif step == "need":
        options = tuple(texts.need_examples)
    elif step == "her_side":
        options = tuple(texts.struggles)
        extra = {
            "myths": tuple(Myth(m.myth, m.truth) for m in texts.myths),
            "qualities": tuple(texts.qualities),
        }
    elif step == "draft" and state.draft:
        options = (state.draft,)
    elif step == "plan":
        options = tuple(texts.small_steps)
    return _prompt(
        kinds[step], text, help=words.help, options=options, suggested=suggested, **extra
    )


def summary_of(state: CoachState, tools: Tools) -> str:
    """Plain text to print or copy: conflict, feelings, sources, message and plan."""
    lines = ["Your conversation plan", ""]
    lines.append(f"The conflict: {_chosen_text(state) or '(not chosen)'}")
    lines.append(f"How I feel: {', '.join(state.feelings) or '(not named)'}")
    need = tools.lexicons.needs.get(state.need or "")
    sources = [f"What happened: {state.situation}" if state.situation else ""]
    sources.append(f"What I need: {need.label if need else state.need}" if state.need else "")
    if state.her_side:
        sources.append(f"What she may be carrying: {'; '.join(state.her_side)}")
    if state.myths:
        sources.append(f"Myths I can let go of: {'; '.join(state.myths)}")
    if state.respect:
        sources.append(f"What I respect in her: {', '.join(state.respect)}")
    lines += [s for s in sources if s]
    lines.append(f"What I'll say: {state.draft or '(no message yet)'}")
    if state.plan.time:
        lines.append(f"When: {state.plan.time}")
    if state.plan.step:
        lines.append(f"A small step: {state.plan.step}")
    lines += ["", "Tips for timing:", *(f"- {tip}" for tip in tools.texts.timing[:3])]
    return "\n".join(lines)
