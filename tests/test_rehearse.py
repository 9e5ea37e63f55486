"""The partner: reactions by style and intensity, her replies on the person's topic, and the
paired lines (a blaming line and an I-statement about the same matter)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.coach.partner import STYLES, Partner, classify, topic_of
from server.detect.engine import Engine
from server.settings import Settings

PAIRS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data/rehearse_pairs.jsonl").read_text().splitlines()
]
PARTNER = Partner.load(Settings().rules_dir / "coach")


def reply(engine: Engine, line: str, style: str, intensity: int, said: list[str] | None = None):  # type: ignore[no-untyped-def]
    analysis = engine.analyze(line)
    docs = engine.sentence_docs(analysis)
    return PARTNER.reply(analysis, docs, style, intensity, engine.ruleset.lexicons, said or [])  # type: ignore[arg-type]


def test_the_pairs_cover_every_style_and_intensity() -> None:
    assert len(PAIRS) >= 40
    assert {p["style"] for p in PAIRS} == set(STYLES)
    assert {p["intensity"] for p in PAIRS} == {1, 2, 3}


@pytest.mark.parametrize("pair", PAIRS, ids=[p["id"] for p in PAIRS])
def test_blame_draws_defence_and_an_i_statement_draws_an_opening(
    engine: Engine, pair: dict[str, object]
) -> None:
    style, intensity = str(pair["style"]), int(pair["intensity"])  # type: ignore[call-overload]
    blamed = reply(engine, str(pair["blaming"]), style, intensity)
    opened = reply(engine, str(pair["i_statement"]), style, intensity)
    assert blamed.reaction in ("defends", "attacks", "withdraws"), pair["blaming"]
    assert opened.reaction in ("opens", "softens"), pair["i_statement"]


def test_never_harsher_than_the_intensity(engine: Engine) -> None:
    for style in STYLES:
        for kind in ("blame", "i_statement", "neutral"):
            assert PARTNER.reaction(style, kind, 1) != "attacks"


def test_her_reply_names_the_topic_from_her_side(engine: Engine) -> None:
    said = reply(engine, "You never call me back.", "warm", 2)
    assert said.topic == "the calls"
    assert "the calls" in said.text
    weight = reply(engine, "Why do you always criticise my weight?", "critical", 2)
    assert "your weight" in weight.text
    # the matter, not the accusation: "getting upset" is not what the line is about
    upset = reply(engine, "You always get upset when I don't call you every day.", "warm", 1)
    assert upset.topic == "the calls"


@pytest.mark.parametrize(
    ("blaming", "calm", "topic"),
    [
        (
            "You never call me back.",
            "I feel lonely when I don't hear back from you for a week.",
            "the calls",
        ),
        ("You're always judging my wife.", "I feel hurt when my wife gets left out.", "your wife"),
        (
            "You never help with Dad's appointments.",
            "I feel tired when I take Dad to every appointment on my own.",
            "the appointment",
        ),
    ],
)
def test_blame_and_feeling_on_one_matter_draw_one_topic(
    engine: Engine, blaming: str, calm: str, topic: str
) -> None:
    assert reply(engine, blaming, "warm", 1).topic.startswith(topic)
    assert reply(engine, calm, "warm", 1).topic.startswith(topic)


@pytest.mark.parametrize(
    ("line", "topic"),
    [
        # the act the rewrite reads, not the word "say": what is said, from her side
        ("Why is it so hard for you to just say you're proud of me?", "saying I'm proud of you"),
        # "stop texting my boss" is about texting, as the rewrite reads it
        ("Stop texting my boss.", "the calls"),
        # her own act in the "when" clause of an I-statement
        ("I feel guilty when she gets upset.", "getting upset"),
    ],
)
def test_she_answers_about_what_the_rewrite_reads(engine: Engine, line: str, topic: str) -> None:
    assert reply(engine, line, "warm", 1).topic == topic


def test_without_the_topic_lexicon_she_names_the_act(engine: Engine) -> None:
    docs = [engine.pipeline.nlp("You never call me back.")]
    assert topic_of(docs) == "calling you back"


def test_replies_vary(engine: Engine) -> None:
    texts = {
        reply(engine, str(p["blaming"]), str(p["style"]), int(p["intensity"])).text for p in PAIRS
    }
    texts |= {
        reply(engine, str(p["i_statement"]), str(p["style"]), int(p["intensity"])).text
        for p in PAIRS
    }
    assert len(texts) / (2 * len(PAIRS)) > 0.8


def test_she_does_not_repeat_herself(engine: Engine) -> None:
    first = reply(engine, "You never listen to me.", "defensive", 2)
    again = reply(engine, "You never listen to me.", "defensive", 2, said=[first.text])
    assert again.text != first.text


def test_classify(engine: Engine) -> None:
    lexicons = engine.ruleset.lexicons
    assert classify(engine.analyze("You're so selfish."), lexicons) == "blame"
    assert (
        classify(engine.analyze("I feel worried when you drive at night."), lexicons)
        == "i_statement"
    )
    assert classify(engine.analyze("Can we talk on Sunday?"), lexicons) == "neutral"
    assert topic_of([engine.pipeline.nlp("Can we talk on Sunday?")]) == "Sunday"


def test_rehearse_endpoint(client: TestClient) -> None:
    body = client.post(
        "/v1/rehearse",
        json={"line": "You never call me back.", "style": "defensive", "intensity": 2},
    ).json()
    assert body["reaction"] in ("defends", "attacks", "withdraws")
    assert body["flags"]
    assert body["softer"]["reaction"] in ("opens", "softens")
    assert body["softer"]["line"].startswith("I feel")
    calm = client.post(
        "/v1/rehearse",
        json={"line": "I feel lonely when I don't hear back for a week.", "style": "warm"},
    ).json()
    assert calm["reaction"] in ("opens", "softens")
    assert calm["softer"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"line": "hi", "style": "furious"},
        {"line": "hi", "intensity": 4},
        {"line": ""},
        {"line": "hi", "history": [{"speaker": "me", "text": "x"}]},
        {"line": "hi", "history": [{"speaker": "you", "text": "x"}] * 41},
    ],
)
def test_rehearse_rejects_bad_input(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/v1/rehearse", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_rehearse_points_to_help(client: TestClient) -> None:
    body = client.post(
        "/v1/rehearse", json={"line": "I don't want to be alive anymore", "style": "warm"}
    ).json()
    assert body["safety"]["level"] == "checkin"
