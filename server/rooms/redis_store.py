"""Rooms in Redis, shared by every worker on every host that points MEND_ROOMS_URL at it.

Each room is three keys that expire with it: a hash (title, key digest, expiry, counters),
a hash of flag counts by category, and a list of shared drafts, newest first. Writes that
must see the room first (join, add a draft) are Lua scripts, so a room closed by one worker
cannot be half-recreated by another; each change is published, and a live board waits on
that channel instead of polling.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import redis
import redis.asyncio

from server.rooms.model import Board, Room
from server.rooms.store import Outcome

PREFIX = "mend:room:"

# KEYS: room, categories, shared, channel. ARGV: max drafts, max shared, shared body ('' if
# none), then category, count pairs. Returns the new version, -1 missing, -2 full.
ADD_DRAFT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if tonumber(redis.call('HGET', KEYS[1], 'drafts')) >= tonumber(ARGV[1]) then return -2 end
local expires = tonumber(redis.call('HGET', KEYS[1], 'expires'))
redis.call('HINCRBY', KEYS[1], 'drafts', 1)
for i = 4, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], tonumber(ARGV[i + 1])) end
if #ARGV >= 4 then redis.call('EXPIREAT', KEYS[2], expires) end
if ARGV[3] ~= '' then
  redis.call('LPUSH', KEYS[3], ARGV[3])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[2]) - 1)
  redis.call('EXPIREAT', KEYS[3], expires)
end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('PUBLISH', KEYS[4], version)
return version
"""

# KEYS: room, channel. ARGV: max participants. Returns the new version, -1 missing, -2 full.
JOIN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if tonumber(redis.call('HGET', KEYS[1], 'participants')) >= tonumber(ARGV[1]) then return -2 end
redis.call('HINCRBY', KEYS[1], 'participants', 1)
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('PUBLISH', KEYS[2], version)
return version
"""


def _keys(code: str) -> tuple[str, str, str, str]:
    base = PREFIX + code
    return base, base + ":categories", base + ":shared", base + ":changed"


def _outcome(result: int) -> Outcome:
    return {-1: Outcome.missing, -2: Outcome.full}.get(result, Outcome.done)


class RedisStore:
    name = "redis"

    def __init__(self, url: str) -> None:
        self.url = url
        self._redis: redis.Redis = redis.Redis.from_url(url, decode_responses=True)
        self._redis.ping()  # a wrong URL stops start-up, not the first request
        self._add_draft = self._redis.register_script(ADD_DRAFT)
        self._join = self._redis.register_script(JOIN)
        self._async: redis.asyncio.Redis | None = None

    def create(self, room: Room) -> bool:
        key = _keys(room.code)[0]
        expires = int(room.expires_at.timestamp())
        fields: dict[Any, Any] = {  # redis-py types keys invariantly
            "title": room.title,
            "key": room.key_digest,
            "expires": expires,
            "drafts": 0,
            "participants": 0,
            "version": 0,
        }
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.watch(key)  # type: ignore[no-untyped-call]
            if pipe.exists(key):
                return False
            pipe.multi()
            pipe.hset(key, mapping=fields)
            pipe.expireat(key, expires)
            try:
                pipe.execute()
            except redis.WatchError:
                return False
        return True

    def _room(self, code: str, fields: Mapping[str, str]) -> Room | None:
        if not fields:
            return None
        room = Room(
            code=code,
            title=fields["title"],
            key_digest=fields["key"],
            expires_at=datetime.fromtimestamp(int(fields["expires"]), UTC),
        )
        return None if room.expired() else room

    def get(self, code: str) -> Room | None:
        fields: dict[str, str] = self._redis.hgetall(_keys(code)[0])  # type: ignore[assignment]
        return self._room(code, fields)

    def join(self, code: str, max_participants: int) -> Outcome:
        room, _, _, channel = _keys(code)
        return _outcome(int(self._join(keys=[room, channel], args=[max_participants])))

    def add_draft(
        self,
        code: str,
        categories: Mapping[str, int],
        shared: str | None,
        max_drafts: int,
        max_shared: int,
    ) -> Outcome:
        pairs: list[Any] = [item for pair in categories.items() for item in pair]
        result = self._add_draft(
            keys=list(_keys(code)), args=[max_drafts, max_shared, shared or "", *pairs]
        )
        return _outcome(int(result))

    def board(self, code: str) -> Board | None:
        room_key, categories_key, shared_key, _ = _keys(code)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(room_key)
            pipe.hgetall(categories_key)
            pipe.lrange(shared_key, 0, -1)
            fields, categories, shared = pipe.execute()
        room = self._room(code, fields)
        if room is None:
            return None
        return Board(
            room=room,
            drafts=int(fields["drafts"]),
            participants=int(fields["participants"]),
            categories={name: int(count) for name, count in sorted(categories.items())},
            shared=tuple(shared),
            version=int(fields["version"]),
        )

    def delete(self, code: str) -> bool:
        room_key, categories_key, shared_key, channel = _keys(code)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(room_key, categories_key, shared_key)
            pipe.publish(channel, "closed")
            removed, _ = pipe.execute()
        return int(removed) > 0

    def hits(self, bucket: str, window_seconds: int, add: int = 1) -> int:
        window = int(time.time()) // window_seconds
        key = f"mend:hits:{bucket}:{window}"
        if add == 0:  # every lookup only reads
            return int(self._redis.get(key) or 0)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, add)
            pipe.expire(key, window_seconds * 2)
            count, _ = pipe.execute()
        return int(count)

    async def wait_for_change(self, code: str, version: int, timeout: float) -> None:
        if self._async is None:
            self._async = redis.asyncio.Redis.from_url(self.url, decode_responses=True)
        room_key, _, _, channel = _keys(code)
        async with self._async.pubsub() as pubsub:
            await pubsub.subscribe(channel)
            # Subscribed first, then read: a change between the two is not missed.
            now = await self._async.hget(room_key, "version")
            if now is None or int(now) != version:
                return
            deadline = time.monotonic() + timeout
            while (left := deadline - time.monotonic()) > 0:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
                if message is not None:
                    return

    def close(self) -> None:
        self._redis.close()
        # The async client belongs to the event loop that made it; the process is ending.
