"""Workshop rooms over HTTP, on the embedded default (SQLite): the contract end to end,
privacy (an unshared draft's text is never stored), restart, keys, closing, bad input."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from support import served

from server.http.app import create_app
from server.settings import Settings

UNSHARED = "You never call me back and you are so selfish."
SHARED = "Why do you always criticise my cooking?"


def app_client(data_dir: Path, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(data_dir=data_dir, **settings)))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rooms")


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    with app_client(data_dir, room_max_participants=3) as test_client:
        yield test_client


def open_room(client: TestClient, title: str = "Tuesday group") -> tuple[str, dict[str, str]]:
    response = client.post("/v1/rooms", json={"title": title})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"code", "facilitator_key", "expires_at"}
    return body["code"], {"Authorization": f"Bearer {body['facilitator_key']}"}


def blaming_counts(*analyses: dict[str, Any]) -> dict[str, int]:
    """What a board should count for these /v1/analyze answers: blaming flags by category
    (info-level tips are not blame)."""
    counts: dict[str, int] = {}
    for analysis in analyses:
        for flag in analysis["flags"]:
            if flag["severity"] != "info":
                counts[flag["category"]] = counts.get(flag["category"], 0) + 1
    return counts


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


def test_a_room_from_opening_to_closing(client: TestClient, data_dir: Path) -> None:
    code, key = open_room(client)
    assert len(code.replace("-", "")) == 8
    found = client.get(f"/v1/rooms/{code.lower().replace('-', ' ')}")
    assert found.status_code == 200
    assert found.json()["title"] == "Tuesday group"
    assert client.post(f"/v1/rooms/{code}/join").status_code == 201

    unshared = client.post(f"/v1/rooms/{code}/drafts", json={"text": UNSHARED, "share": False})
    shared = client.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED, "share": True})
    assert unshared.status_code == shared.status_code == 201
    # The same analysis as the main page's.
    assert unshared.json() == client.post("/v1/analyze", json={"text": UNSHARED}).json()
    board = client.get(f"/v1/rooms/{code}/board", headers=key)
    assert board.status_code == 200
    body = board.json()
    assert body["title"] == "Tuesday group"
    assert body["drafts"] == 2
    assert body["participants"] == 1
    assert body["categories"] == blaming_counts(unshared.json(), shared.json())
    assert body["shared"] == [{"text": SHARED, "flags": shared.json()["flags"]}]
    assert UNSHARED not in board.text
    # Nor anywhere on disk: only counts were kept.
    stored = b"".join(path.read_bytes() for path in data_dir.iterdir())
    assert UNSHARED.encode() not in stored
    assert SHARED.encode() in stored

    assert client.delete(f"/v1/rooms/{code}", headers=key).status_code == 204
    assert_problem(client.get(f"/v1/rooms/{code}/board", headers=key), 404)
    assert_problem(client.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED}), 404)
    assert_problem(client.get(f"/v1/rooms/{code}"), 404)
    stored = b"".join(path.read_bytes() for path in data_dir.iterdir())
    assert SHARED.encode() not in stored  # secure_delete: overwritten, not just unlinked


def test_the_board_needs_the_rooms_own_key(client: TestClient) -> None:
    code, key = open_room(client)
    _, other_key = open_room(client, "Another group")
    missing = assert_problem(client.get(f"/v1/rooms/{code}/board"), 401)
    assert "key" in missing["detail"]
    assert client.get(f"/v1/rooms/{code}/board").headers["www-authenticate"] == "Bearer"
    assert_problem(client.get(f"/v1/rooms/{code}/board", headers=other_key), 403)
    assert_problem(client.get(f"/v1/rooms/{code}/events", headers=other_key), 403)
    assert_problem(client.delete(f"/v1/rooms/{code}", headers=other_key), 403)
    assert_problem(client.delete(f"/v1/rooms/{code}"), 401)
    assert client.get(f"/v1/rooms/{code}/board", headers=key).status_code == 200


def test_a_room_survives_a_restart(tmp_path: Path) -> None:
    with app_client(tmp_path) as first:
        code, key = open_room(first)
        first.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED, "share": True})
        before = first.get(f"/v1/rooms/{code}/board", headers=key).json()
    with app_client(tmp_path) as second:
        after = second.get(f"/v1/rooms/{code}/board", headers=key)
        assert after.status_code == 200
        assert after.json() == before
        assert after.json()["drafts"] == 1


def test_a_room_expires(tmp_path: Path) -> None:
    with app_client(tmp_path, room_hours=1.5 / 3600) as client:  # 1.5 seconds
        code, key = open_room(client)
        assert client.get(f"/v1/rooms/{code}").status_code == 200
        time.sleep(1.8)
        assert_problem(client.get(f"/v1/rooms/{code}"), 404)
        assert_problem(client.get(f"/v1/rooms/{code}/board", headers=key), 404)


def test_a_full_room_says_so(client: TestClient) -> None:
    code, _ = open_room(client)
    for _ in range(3):  # room_max_participants=3
        assert client.post(f"/v1/rooms/{code}/join").status_code == 201
    body = assert_problem(client.post(f"/v1/rooms/{code}/join"), 409)
    assert "full" in body["detail"]


def test_a_room_stops_taking_drafts_at_its_limit(tmp_path: Path) -> None:
    with app_client(tmp_path, room_max_drafts=2) as client:
        code, _ = open_room(client)
        for _ in range(2):
            assert client.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED}).status_code == 201
        assert_problem(client.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED}), 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "body.text"),
        ({"text": "x" * 5001}, "body.text"),
        ({"share": True}, "body.text"),
        ({"text": "hi", "share": "maybe"}, "body.share"),
        ({"text": "hi", "extra": 1}, "body.extra"),
    ],
)
def test_bad_drafts_get_a_clear_problem(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    code, _ = open_room(client)
    problem = assert_problem(client.post(f"/v1/rooms/{code}/drafts", json=body), 422)
    assert problem["errors"][0]["field"] == field
    if body.get("text") == "x" * 5001:
        assert "5,000" in problem["detail"]
        assert "xxxx" not in json.dumps(problem)  # the input is never echoed


@pytest.mark.parametrize("title", ["", "   ", "t" * 121])
def test_a_room_needs_a_title_of_sensible_length(client: TestClient, title: str) -> None:
    assert_problem(client.post("/v1/rooms", json={"title": title}), 422)


@pytest.mark.parametrize("code", ["ABCD-EFGH", "abc", "0000-0000", "%20", "K7QM-3XHD-1"])
def test_unknown_and_malformed_codes_are_404(tmp_path: Path, code: str) -> None:
    with app_client(tmp_path) as client:
        assert_problem(client.get(f"/v1/rooms/{code}"), 404)
        assert_problem(client.post(f"/v1/rooms/{code}/join"), 404)
        assert_problem(client.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED}), 404)


def test_guessing_codes_is_rate_limited_and_right_codes_wait_too(tmp_path: Path) -> None:
    with app_client(tmp_path, room_guesses_per_minute=5) as client:
        code, _ = open_room(client)
        statuses = [client.get("/v1/rooms/ABCD-EFGH").status_code for _ in range(7)]
        assert statuses[:5] == [404] * 5
        assert statuses[5:] == [429, 429]
        limited = assert_problem(client.get(f"/v1/rooms/{code}"), 429)  # no oracle
        assert "Wait" in limited["detail"]
        assert int(client.get(f"/v1/rooms/{code}").headers["retry-after"]) > 0


def test_joins_are_rate_limited(tmp_path: Path) -> None:
    with app_client(tmp_path, room_joins_per_minute=2, room_max_participants=10) as client:
        code, _ = open_room(client)
        statuses = [client.post(f"/v1/rooms/{code}/join").status_code for _ in range(3)]
        assert statuses == [201, 201, 429]


def test_the_quiz_is_built_from_rule_examples_the_engine_agrees_with(client: TestClient) -> None:
    quiz = client.get("/v1/quiz", params={"questions": 4, "seed": 7})
    assert quiz.status_code == 200
    questions = quiz.json()["questions"]
    assert len(questions) == 4
    assert len({q["rule"]["id"] for q in questions}) == 4  # one question per rule
    rules = {rule["id"]: rule for rule in client.get("/v1/rules").json()["rules"]}
    for question in questions:
        assert len(question["options"]) == 3
        blaming = question["options"][question["answer"]]
        rule = rules[question["rule"]["id"]]
        assert blaming in [example["text"] for example in rule["examples"]["match"]]
        assert question["why"] == rule["why"]
        for index, option in enumerate(question["options"]):
            verdict = client.post("/v1/analyze", json={"text": option}).json()["summary"]
            assert verdict["blaming"] is (index == question["answer"]), option
    again = client.get("/v1/quiz", params={"questions": 4, "seed": 7}).json()
    assert again["questions"] == questions
    assert_problem(client.get("/v1/quiz", params={"questions": 0}), 422)
    assert_problem(client.get("/v1/quiz", params={"questions": 21}), 422)


@pytest.fixture(scope="module")
def live_url(data_dir: Path) -> Iterator[str]:
    """A real server: the live view is a stream, read as a browser does."""
    with served(create_app(Settings(data_dir=data_dir))) as url:
        yield url


def events(response: httpx.Response, seconds: float = 30) -> Iterator[tuple[str, str]]:
    """(event, data) pairs from a text/event-stream, for at most `seconds` (keep-alive
    comments arrive every 15 s, so a stream that stops sending events still ends)."""
    deadline = time.monotonic() + seconds
    event, data = "message", ""
    for line in response.iter_lines():
        assert time.monotonic() < deadline, "the stream sent no awaited event in time"
        if line.startswith(":"):
            continue
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data = line.removeprefix("data:").strip()
        elif line == "":
            yield event, data
            event, data = "message", ""


def test_the_live_board_updates_and_ends_when_the_room_closes(live_url: str) -> None:
    with httpx.Client(base_url=live_url, timeout=10) as http:
        created = http.post("/v1/rooms", json={"title": "Live"}).json()
        code = created["code"]
        key = {"Authorization": f"Bearer {created['facilitator_key']}"}
        seen: list[tuple[str, dict[str, Any]]] = []
        with http.stream("GET", f"/v1/rooms/{code}/events", headers=key) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for event, data in events(stream):
                seen.append((event, json.loads(data)))
                if event == "board" and seen[-1][1]["drafts"] == 0:
                    http.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED, "share": True})
                elif event == "board" and seen[-1][1]["drafts"] == 1:
                    assert http.delete(f"/v1/rooms/{code}", headers=key).status_code == 204
        assert [event for event, _ in seen] == ["board", "board", "closed"]
        assert seen[1][1]["shared"][0]["text"] == SHARED
