"""Workshop rooms shared through Redis: two `mend serve` processes (as on two hosts) and a
real redis-server, all started and stopped here. No fake stands in for any of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from support import mend_server, redis_server
from test_rooms import SHARED, UNSHARED, blaming_counts, events


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="module")
def hosts(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Two app processes, each with its own (unused) data folder: Redis is all they share."""
    env = {"MEND_ROOMS_URL": redis_url, "MEND_ROOM_HOURS": "2"}
    first_dir, second_dir = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    with (
        mend_server({**env, "MEND_DATA_DIR": str(first_dir)}) as first,
        mend_server({**env, "MEND_DATA_DIR": str(second_dir)}) as second,
    ):
        yield first, second
    assert not list(Path(first_dir).iterdir()), "with Redis set, nothing is written to disk"


def stored_text(url: str) -> str:
    """Every value Redis holds, as one string."""
    client = redis.Redis.from_url(url, decode_responses=True)
    parts: list[str] = []
    for key in client.scan_iter("*"):
        kind = client.type(key)
        if kind == "hash":
            parts += [f"{k!s}={v!s}" for k, v in client.hgetall(key).items()]
        elif kind == "list":
            parts += [str(item) for item in client.lrange(key, 0, -1)]
        elif kind == "string":
            parts.append(str(client.get(key)))
    return "\n".join(parts)


def test_two_processes_share_one_room(hosts: tuple[str, str], redis_url: str) -> None:
    first, second = (httpx.Client(base_url=url, timeout=20) for url in hosts)
    assert [host.get("/health").json()["rooms"] for host in (first, second)] == ["redis"] * 2
    created = first.post("/v1/rooms", json={"title": "Shared across hosts"}).json()
    code = created["code"]
    key = {"Authorization": f"Bearer {created['facilitator_key']}"}

    assert second.get(f"/v1/rooms/{code}").json()["title"] == "Shared across hosts"
    assert second.post(f"/v1/rooms/{code}/join").status_code == 201
    assert first.post(f"/v1/rooms/{code}/join").status_code == 201
    unshared = first.post(f"/v1/rooms/{code}/drafts", json={"text": UNSHARED, "share": False})
    shared = second.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED, "share": True})
    assert unshared.status_code == shared.status_code == 201

    boards = [host.get(f"/v1/rooms/{code}/board", headers=key).json() for host in (first, second)]
    assert boards[0] == boards[1]
    board = boards[0]
    assert board["drafts"] == 2
    assert board["participants"] == 2
    assert board["categories"] == blaming_counts(unshared.json(), shared.json())
    assert [draft["text"] for draft in board["shared"]] == [SHARED]

    held = stored_text(redis_url)
    assert SHARED in held
    assert UNSHARED not in held
    assert created["facilitator_key"] not in held  # only its digest
    ttl = redis.Redis.from_url(redis_url).ttl(f"mend:room:{code.replace('-', '')}")
    assert 0 < ttl <= 2 * 3600

    assert_status = second.get(f"/v1/rooms/{code}/board", headers={"Authorization": "Bearer x"})
    assert assert_status.status_code == 403
    assert second.delete(f"/v1/rooms/{code}", headers=key).status_code == 204
    assert first.get(f"/v1/rooms/{code}/board", headers=key).status_code == 404
    assert first.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED}).status_code == 404
    assert SHARED not in stored_text(redis_url)


def test_the_live_board_on_one_host_hears_drafts_sent_to_the_other(
    hosts: tuple[str, str],
) -> None:
    first, second = hosts
    with (
        httpx.Client(base_url=first, timeout=20) as watcher,
        httpx.Client(base_url=second, timeout=20) as writer,
    ):
        created = watcher.post("/v1/rooms", json={"title": "Live"}).json()
        code = created["code"]
        key = {"Authorization": f"Bearer {created['facilitator_key']}"}
        seen: list[tuple[str, dict[str, Any]]] = []
        with watcher.stream("GET", f"/v1/rooms/{code}/events", headers=key) as stream:
            for event, data in events(stream):
                seen.append((event, json.loads(data)))
                drafts = seen[-1][1].get("drafts")
                if event == "board" and drafts == 0:
                    writer.post(f"/v1/rooms/{code}/drafts", json={"text": SHARED, "share": True})
                elif event == "board" and drafts == 1:
                    assert writer.delete(f"/v1/rooms/{code}", headers=key).status_code == 204
        assert [event for event, _ in seen] == ["board", "board", "closed"]
        assert seen[1][1]["shared"][0]["text"] == SHARED
