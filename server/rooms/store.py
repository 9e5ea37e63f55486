"""The one small interface every room store has, and the choice between them.

SQLite (a file under MEND_DATA_DIR) is the default: rooms survive a restart and no other
service is needed, and the workers of one host share the file. With MEND_ROOMS_URL=redis://…
rooms live in Redis, so workers on several hosts share them and the live board hears of a
change through pub/sub.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Protocol

from server.rooms.model import Board, Room
from server.settings import Settings


class Outcome(Enum):
    done = "done"
    missing = "missing"  # no such room, or it closed or expired
    full = "full"


class RoomStore(Protocol):
    name: str

    def create(self, room: Room) -> bool:
        """Store a new room; False if its code is taken (the caller draws another)."""

    def get(self, code: str) -> Room | None:
        """The room, or None if there is none or it has expired."""

    def join(self, code: str, max_participants: int) -> Outcome:
        """Take a seat in the room, if one is free."""

    def add_draft(
        self,
        code: str,
        categories: Mapping[str, int],
        shared: str | None,
        max_drafts: int,
        max_shared: int,
    ) -> Outcome:
        """Count a draft: its flags per category and, if shared, its JSON document."""

    def board(self, code: str) -> Board | None:
        """Everything the facilitator sees, read at one moment."""

    def delete(self, code: str) -> bool:
        """Remove the room and everything in it; False if it was not there."""

    def hits(self, bucket: str, window_seconds: int, add: int = 1) -> int:
        """Add `add` hits (0 only reads) to this bucket's current window; return its count."""

    async def wait_for_change(self, code: str, version: int, timeout: float) -> None:
        """Return when the room's version moves past `version`, it goes, or after timeout."""

    def close(self) -> None: ...


def open_store(settings: Settings) -> RoomStore:
    if settings.rooms_url:
        from server.rooms.redis_store import RedisStore

        return RedisStore(settings.rooms_url)
    from server.rooms.sqlite_store import SQLiteStore

    return SQLiteStore(settings.data_dir / "rooms.sqlite3")
