"""The coach: each step and transition as a pure function, and whole conversations over the API
(going back, skipping, declining, and a risk message mid-way)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.coach.answers import feelings_in, lightest, parse_weights, split_grievances
from server.coach.flow import (
    LineResult,
    Tools,
    advance,
    prompt_for,
    step_after,
    step_before,
    summary_of,
)
from server.coach.state import CoachState, Conflict, Step
from server.coach.texts import ORDER, CoachTexts
from server.detect.engine import Engine
from server.rewrite.compose import compose
from server.safety.model import Safety
from server.settings import Settings

RISK = "honestly i dont want to be alive anymore"
PAUSE = Safety(
    level="urgent",
    kinds=("suicide",),
    message="We can pause here.",
    question="Are you safe?",
    resources=(),
    found_by=("patterns",),
    rules=("wish-to-die",),
)


@pytest.fixture(scope="module")
def tools(engine: Engine) -> Tools:
    texts = CoachTexts.load(Settings().rules_dir / "coach" / "coach.yaml", engine.ruleset.lexicons)

    def rehearse(line: str, style: str, intensity: int, said: Sequence[str]) -> LineResult:
        return LineResult(f"reply to {len(said)}", "softens")

    def assess(*texts: str) -> Any:
        return PAUSE if any("alive" in t for t in texts) else None

    return Tools(
        texts=texts,
        lexicons=engine.ruleset.lexicons,
        analyze=engine.analyze,
        rewrite=lambda text, answers: compose(
            engine.analyze(text), answers, engine.ruleset.lexicons, engine.clean_many
        ),
        rehearse=rehearse,
        assess=assess,
    )


def test_split_grievances() -> None:
    text = "- You never call\n2) you criticise my cooking. You told everyone!\n\n"
    assert split_grievances(text) == [
        "You never call",
        "you criticise my cooking.",
        "You told everyone!",
    ]


def test_parse_weights() -> None:
    assert parse_weights("3, 1 and 5", 3) == [3, 1, 5]
    assert parse_weights("3 1", 3) is None
    assert parse_weights("3 1 9", 3) is None


def test_lightest_is_suggested_first() -> None:
    conflicts = [
        Conflict(text="a", weight=5),
        Conflict(text="b", weight=2),
        Conflict(text="c", weight=2),
    ]
    assert lightest(conflicts) == 1


def test_feelings_in(engine: Engine) -> None:
    lexicons = engine.ruleset.lexicons
    assert feelings_in("I feel lonely and a bit scared", lexicons) == (["lonely", "scared"], [])
    genuine, faux = feelings_in("I feel abandoned", lexicons)
    assert genuine == []
    assert faux == ["abandoned"]
    assert feelings_in("I feel like she doesn't care", lexicons)[1] == ["like"]


def test_step_order() -> None:
    assert step_after("intro") == "list"
    assert step_before("list") == "intro"
    assert step_before("intro") == "intro"
    assert step_after("summary") == "summary"
    assert ORDER.index("choose") < ORDER.index("feelings") < ORDER.index("situation")


def test_first_turn_says_it_is_a_program(tools: Tools) -> None:
    turn = advance(None, None, "next", tools)
    assert turn.state.step == "intro"
    assert "program" in turn.messages[0]
    assert "not" in turn.messages[0]


def at(step: Step, **fields: Any) -> CoachState:
    """A state at a step; lists given for its sequences are kept as the coach keeps them."""
    kept: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    return CoachState(step=step, **kept)


def test_list_splits_a_draft_into_grievances(tools: Tools) -> None:
    turn = advance(at("list"), "You never call. You criticise my cooking.", "next", tools)
    assert [c.text for c in turn.state.conflicts] == [
        "You never call.",
        "You criticise my cooking.",
    ]
    assert turn.state.step == "weigh"


def test_weights_then_a_lighter_conflict_is_suggested(tools: Tools) -> None:
    state = at("weigh", conflicts=[Conflict(text="The money"), Conflict(text="Sunday calls")])
    turn = advance(state, "5 2", "next", tools)
    assert turn.state.step == "choose"
    assert turn.prompt.suggested == 1
    assert "Sunday calls" in turn.prompt.text
    chosen = advance(turn.state, "", "next", tools)  # accept the suggestion
    assert chosen.state.chosen == 1
    override = advance(turn.state, "1", "next", tools)  # or pick another
    assert override.state.chosen == 0


def test_bad_weights_ask_again_with_a_hint(tools: Tools) -> None:
    state = at("weigh", conflicts=[Conflict(text="a"), Conflict(text="b")])
    turn = advance(state, "7 7", "next", tools)
    assert turn.state.step == "weigh"
    assert any("2 numbers" in m and '"2 4 1"' in m for m in turn.messages)
    assert advance(state, "2 4", "next", tools).messages == []


def test_faux_feelings_are_caught_gently(tools: Tools) -> None:
    turn = advance(at("feelings"), "I feel abandoned", "next", tools)
    assert turn.state.step == "feelings"
    assert "abandoned" in turn.messages[0]
    assert "lonely" in turn.messages[0]
    turn = advance(turn.state, "lonely, and hurt", "next", tools)
    assert turn.state.feelings == ("hurt", "lonely")
    assert turn.state.step == "situation"


def test_her_side_offers_struggles_myths_and_qualities_and_files_each(tools: Tools) -> None:
    state = at("her_side", conflicts=[Conflict(text="You never call")], chosen=0)
    prompt = prompt_for(state, tools)
    assert list(prompt.options) == tools.texts.struggles
    assert [m.myth for m in prompt.myths] == [m.myth for m in tools.texts.myths]
    assert all(m.truth for m in prompt.myths)
    assert list(prompt.qualities) == tools.texts.qualities
    myth = tools.texts.myths[1].myth
    answer = "\n".join(
        ["not having enough money", myth.upper(), "Patience", "respect: the way she sings", ""]
    )
    turn = advance(state, answer, "next", tools)
    assert turn.state.her_side == ("not having enough money",)
    assert turn.state.myths == (myth,)
    assert turn.state.respect == ("patience", "the way she sings")
    summary = summary_of(turn.state, tools)
    assert f"Myths I can let go of: {myth}" in summary
    assert "What I respect in her: patience, the way she sings" in summary


def test_draft_is_composed_from_the_answers_and_checked(tools: Tools) -> None:
    state = at(
        "her_side",
        conflicts=[Conflict(text="You never call me back", weight=2)],
        chosen=0,
        feelings=["lonely"],
        situation="I don't hear from you for a week",
        need="connection",
    )
    turn = advance(state, "", "skip", tools)
    assert turn.state.step == "draft"
    assert turn.state.draft is not None
    assert turn.state.draft.startswith("I feel lonely when I don't hear from you for a week")
    blaming = [f for f in turn.flags if f.severity.rank >= 1]
    assert not blaming
    edited = advance(turn.state, "You never call me. You're so selfish.", "next", tools)
    assert edited.state.step == "draft"
    assert any(f.rule.category == "labels" for f in edited.flags)
    fixed = advance(
        edited.state, "I feel lonely when a week goes by without a call.", "next", tools
    )
    assert fixed.state.step == "rehearse"


@pytest.mark.parametrize(
    ("conflict", "situation"),
    [
        ("She gets upset and I feel guilty", "when she gets upset"),
        ("You guilt-trip me", "when she gets upset"),
        ("", "she gets upset"),
    ],
)
def test_the_draft_is_said_to_her_with_one_when(
    tools: Tools, conflict: str, situation: str
) -> None:
    state = at(
        "her_side",
        conflicts=[Conflict(text=conflict, weight=2)] if conflict else [],
        chosen=0 if conflict else None,
        feelings=["guilty"],
        situation=situation,
    )
    draft = advance(state, "", "skip", tools).state.draft or ""
    assert draft.startswith("I feel guilty when you get upset"), draft
    assert "when when" not in draft
    assert " she " not in draft


def test_rehearse_keeps_going_until_done(tools: Tools) -> None:
    state = at("rehearse", draft="I feel lonely.")
    first = advance(state, "I feel lonely when we don't talk.", "next", tools)
    second = advance(first.state, "Could we talk on Sundays?", "next", tools)
    assert second.state.step == "rehearse"
    assert [turn.reply for turn in second.state.rehearsal] == ["reply to 0", "reply to 1"]
    done = advance(second.state, "", "next", tools)
    assert done.state.step == "plan"


def test_plan_then_summary(tools: Tools) -> None:
    state = at(
        "plan",
        conflicts=[Conflict(text="Sunday calls")],
        chosen=0,
        feelings=["lonely"],
        situation="a week passes without a call",
        need="connection",
        draft="I feel lonely when a week passes without a call.",
    )
    turn = advance(state, "Saturday morning\nSend a photo of the kids", "next", tools)
    assert turn.state.step == "summary"
    assert turn.summary is not None
    for part in (
        "Sunday calls",
        "lonely",
        "a week passes",
        "connection",
        "Saturday morning",
        "photo",
    ):
        assert part in turn.summary
    assert summary_of(turn.state, tools) == turn.summary


def test_back_skip_decline_restart(tools: Tools) -> None:
    state = at("situation")
    assert advance(state, None, "back", tools).state.step == "feelings"
    assert advance(state, None, "skip", tools).state.step == "need"
    declined = advance(state, None, "decline", tools)
    assert declined.state.step == "declined"
    assert declined.messages
    assert advance(state, None, "restart", tools).state == CoachState()


def test_risk_pauses_calmly_and_keeps_the_step(tools: Tools) -> None:
    state = at("situation")
    turn = advance(state, RISK, "next", tools)
    assert turn.safety is PAUSE
    assert turn.state == state  # nothing of what they wrote is stored; they can go on
    assert turn.messages
    assert advance(turn.state, "I called three times", "next", tools).state.step == "need"


# --- whole conversations over the API ----------------------------------------------------------


def talk(client: TestClient, steps: list[tuple[str | None, str]]) -> list[dict[str, Any]]:
    state = None
    bodies = []
    for answer, action in steps:
        response = client.post(
            "/v1/coach", json={"state": state, "answer": answer, "action": action}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        bodies.append(body)
        state = body["state"]
    return bodies


def test_a_whole_conversation(client: TestClient) -> None:
    bodies = talk(
        client,
        [
            (None, "next"),
            (None, "next"),
            ("You never call me back\nYou criticise my cooking in front of everyone", "next"),
            ("2 4", "next"),
            ("", "next"),
            ("lonely", "next"),
            ("I called three times last week and heard nothing back", "next"),
            ("connection", "next"),
            ("Feeling inadequate", "next"),
            ("", "next"),
            ("I feel lonely when I don't hear back for a week.", "next"),
            ("", "next"),
            ("Sunday after lunch\nAsk about her garden", "next"),
        ],
    )
    steps = [body["state"]["step"] for body in bodies]
    assert steps == [
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
        "rehearse",
        "plan",
        "summary",
    ]
    assert "program" in bodies[0]["messages"][0]
    assert bodies[3]["prompt"]["suggested"] == 0  # the lighter one
    assert bodies[8]["state"]["draft"].startswith("I felt lonely when I called three times")
    assert bodies[10]["reply"]["reaction"] in ("opens", "softens")
    assert "Ask about her garden" in bodies[12]["summary"]
    assert all(body["safety"] is None for body in bodies)


def test_declining_is_respected(client: TestClient) -> None:
    bodies = talk(client, [(None, "next"), (None, "decline")])
    assert bodies[-1]["state"]["step"] == "declined"
    assert bodies[-1]["prompt"]["kind"] == "none"
    text = " ".join(bodies[-1]["messages"]).lower()
    assert "should" not in text


def test_going_back_and_skipping(client: TestClient) -> None:
    bodies = talk(
        client,
        [(None, "next"), (None, "next"), ("The holidays", "next"), (None, "back"), (None, "skip")],
    )
    assert [b["state"]["step"] for b in bodies[2:]] == ["weigh", "list", "weigh"]


def test_risk_mid_conversation(client: TestClient) -> None:
    bodies = talk(
        client,
        [(None, "next"), (None, "next"), (RISK, "next"), ("The holidays", "next")],
    )
    paused = bodies[2]
    assert paused["safety"]["level"] == "checkin"
    assert paused["safety"]["resources"]
    assert paused["state"]["step"] == "list"
    assert paused["state"]["conflicts"] == []
    assert bodies[3]["state"]["step"] == "weigh"


def test_coach_rejects_bad_input(client: TestClient) -> None:
    assert client.post("/v1/coach", json={"action": "fly"}).status_code == 422
    assert client.post("/v1/coach", json={"state": {"step": "nowhere"}}).status_code == 422
    big = {"state": {"conflicts": [{"text": "x"}] * 11}}
    assert client.post("/v1/coach", json=big).status_code == 422
