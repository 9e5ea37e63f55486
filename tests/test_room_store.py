"""The room-store contract, run against both stores: SQLite (the embedded default) and a
real redis-server started by the tests. Two store objects on one database stand for two
workers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest
import redis
from support import redis_server

from server.rooms.model import Room, canonical_code, digest, display_code, new_code
from server.rooms.redis_store import RedisStore
from server.rooms.sqlite_store import SQLiteStore
from server.rooms.store import Outcome, RoomStore

StoreFactory = Callable[[], RoomStore]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def stores(
    request: pytest.FixtureRequest, tmp_path: Path, redis_url: str
) -> Iterator[StoreFactory]:
    """Makes store objects that share one database, as the workers of a deployment do."""
    made: list[RoomStore] = []
    if request.param == "redis":
        redis.Redis.from_url(redis_url).flushdb()

    def make() -> RoomStore:
        store: RoomStore = (
            RedisStore(redis_url)
            if request.param == "redis"
            else SQLiteStore(tmp_path / "rooms.sqlite3")
        )
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


def room(minutes: float = 60, code: str | None = None) -> Room:
    expires = datetime.now(UTC) + timedelta(minutes=minutes)
    return Room(code or new_code(), "Tuesday group", digest("key"), expires.replace(microsecond=0))


def test_codes_are_typed_back_in_any_case_and_spacing() -> None:
    code = new_code()
    shown = display_code(code)
    assert len(code) == 8
    assert shown == f"{code[:4]}-{code[4:]}"
    assert canonical_code(shown.lower()) == code
    assert canonical_code(f" {code[:4]} {code[4:]} ") == code
    assert canonical_code("K7QM-3XH") is None  # too short
    assert canonical_code("K7QM-3XH0") is None  # 0 is not in the alphabet: it reads as O


def test_a_room_is_created_once_and_found_by_another_worker(stores: StoreFactory) -> None:
    first, second = stores(), stores()
    new = room()
    assert first.create(new)
    assert not second.create(room(code=new.code))  # a taken code is never reused
    found = second.get(new.code)
    assert found == new
    assert second.get(new_code()) is None


def test_seats_run_out_at_the_limit(stores: StoreFactory) -> None:
    store = stores()
    new = room()
    store.create(new)
    assert [store.join(new.code, 2) for _ in range(3)] == [Outcome.done, Outcome.done, Outcome.full]
    assert store.join(new_code(), 2) is Outcome.missing
    board = store.board(new.code)
    assert board is not None
    assert board.participants == 2


def test_drafts_are_counted_and_only_shared_ones_kept_newest_first(stores: StoreFactory) -> None:
    first, second = stores(), stores()
    new = room()
    first.create(new)
    assert first.add_draft(new.code, {"labels": 2}, None, 10, 2) is Outcome.done
    for number in range(3):
        shared = f'{{"text": "shared {number}", "flags": []}}'
        assert second.add_draft(new.code, {"labels": 1, "fault": 1}, shared, 10, 2) is Outcome.done
    board = first.board(new.code)
    assert board is not None
    assert board.drafts == 4
    assert board.categories == {"fault": 3, "labels": 5}
    # Only the newest max_shared (2) are kept, newest first.
    assert [doc.split('"')[3] for doc in board.shared] == ["shared 2", "shared 1"]


def test_a_room_takes_no_more_drafts_than_its_limit(stores: StoreFactory) -> None:
    store = stores()
    new = room()
    store.create(new)
    assert [store.add_draft(new.code, {}, None, 2, 5) for _ in range(3)] == [
        Outcome.done,
        Outcome.done,
        Outcome.full,
    ]
    assert store.add_draft(new_code(), {}, None, 2, 5) is Outcome.missing


def test_deleting_removes_the_room_and_all_it_held(stores: StoreFactory) -> None:
    store = stores()
    new = room()
    store.create(new)
    store.add_draft(new.code, {"labels": 1}, '{"text": "my words", "flags": []}', 10, 10)
    assert store.delete(new.code)
    assert store.get(new.code) is None
    assert store.board(new.code) is None
    assert store.add_draft(new.code, {"labels": 1}, None, 10, 10) is Outcome.missing
    assert not store.delete(new.code)
    if isinstance(store, RedisStore):
        assert redis.Redis.from_url(store.url).keys("mend:room:*") == []
    else:
        assert isinstance(store, SQLiteStore)
        assert b"my words" not in store.path.read_bytes()


def test_an_expired_room_is_gone(stores: StoreFactory) -> None:
    store = stores()
    new = room(minutes=1 / 60)  # one second
    store.create(new)
    assert store.get(new.code) is not None
    time.sleep(1.2)
    assert store.get(new.code) is None
    assert store.join(new.code, 5) in (Outcome.missing,)
    assert store.add_draft(new.code, {}, None, 5, 5) is Outcome.missing


def test_hits_count_per_bucket_and_can_be_read_without_adding(stores: StoreFactory) -> None:
    first, second = stores(), stores()
    assert first.hits("guess:a", 60, add=0) == 0
    assert [first.hits("guess:a", 60) for _ in range(3)] == [1, 2, 3]
    assert second.hits("guess:a", 60, add=0) == 3  # shared by every worker
    assert second.hits("guess:b", 60) == 1


def test_a_waiting_board_hears_of_another_workers_draft(stores: StoreFactory) -> None:
    watcher, writer = stores(), stores()
    new = room()
    watcher.create(new)
    board = watcher.board(new.code)
    assert board is not None

    async def scenario() -> tuple[float, float]:
        started = time.monotonic()
        await watcher.wait_for_change(new.code, board.version, timeout=0.5)
        idle = time.monotonic() - started
        async with anyio.create_task_group() as group:

            async def write_soon() -> None:
                await anyio.sleep(0.3)
                await anyio.to_thread.run_sync(
                    lambda: writer.add_draft(new.code, {"labels": 1}, None, 10, 10)
                )

            group.start_soon(write_soon)
            started = time.monotonic()
            await watcher.wait_for_change(new.code, board.version, timeout=10)
            woken = time.monotonic() - started
        return idle, woken

    # Its own thread: the browser tests' sync Playwright keeps an event loop on this one.
    with ThreadPoolExecutor(1) as pool:
        idle, woken = pool.submit(anyio.run, scenario).result()
    assert idle >= 0.45  # nothing changed: it waited out the timeout
    assert 0.25 <= woken < 3  # woken by the other worker's write, long before the timeout
