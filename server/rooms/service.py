"""The workshop-room rules: who may open, join, send to, see and close a room.

Routes call this; it calls the Mend service for the check itself (so a draft sent to a
room is read exactly as on the main page) and the store for what is kept. A draft that is
not shared is never kept as text: only how many flags of each category it had.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.rooms.model import (
    Board,
    Room,
    canonical_code,
    digest,
    new_code,
    new_secret,
    same_secret,
)
from server.rooms.store import Outcome, RoomStore
from server.service import Checked, Mend
from server.settings import Settings

GUESS_WINDOW_SECONDS = 60


class RoomError(Exception):
    """A refusal the person can act on; the HTTP layer gives each its status."""


class RoomNotFound(RoomError):
    pass


class RoomFull(RoomError):
    pass


class RoomNoDrafts(RoomError):
    """The room has taken all the drafts it may."""


class KeyMissing(RoomError):
    pass


class KeyWrong(RoomError):
    pass


class TooManyTries(RoomError):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many tries")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Opened:
    room: Room
    key: str


class Rooms:
    def __init__(self, store: RoomStore, mend: Mend, settings: Settings) -> None:
        self.store = store
        self.mend = mend
        self.settings = settings

    def open(self, title: str) -> Opened:
        key = new_secret()
        expires = datetime.now(UTC) + timedelta(hours=self.settings.room_hours)
        while True:  # a clash among 6.6e11 codes is rare, but never reuse a live room
            room = Room(new_code(), title, digest(key), expires.replace(microsecond=0))
            if self.store.create(room):
                return Opened(room, key)

    def _limit(self, bucket: str, limit: int, add: int) -> None:
        if self.store.hits(bucket, GUESS_WINDOW_SECONDS, add) > limit:
            raise TooManyTries(GUESS_WINDOW_SECONDS)

    def find(self, typed: str, client: str) -> Room:
        """The room a participant typed the code of. Wrong codes count against the client's
        guesses, and once they run out even a right code waits (or a guesser would learn
        which of its guesses hit)."""
        guesses = f"guess:{digest(client)}"
        limit = self.settings.room_guesses_per_minute
        self._limit(guesses, limit, add=0)
        code = canonical_code(typed)
        room = self.store.get(code) if code else None
        if room is None:
            self._limit(guesses, limit, add=1)
            raise RoomNotFound()
        return room

    def join(self, typed: str, client: str) -> Room:
        self._limit(f"join:{digest(client)}", self.settings.room_joins_per_minute, add=1)
        room = self.find(typed, client)
        outcome = self.store.join(room.code, self.settings.room_max_participants)
        if outcome is Outcome.full:
            raise RoomFull()
        if outcome is Outcome.missing:
            raise RoomNotFound()
        return room

    def submit(self, typed: str, client: str, text: str, share: bool) -> Checked:
        """Check a draft as the main page does, then count it in the room (and keep its
        text only if shared). Raises the service's TooLongError for an over-long draft."""
        room = self.find(typed, client)
        checked = self.mend.check(text)
        categories = Counter(flag.rule.category for flag in checked.flags if flag.blaming)
        shared = None
        if share:
            flags = [flag.fields() for flag in checked.flags]
            shared = json.dumps({"text": text, "flags": flags}, ensure_ascii=False)
        outcome = self.store.add_draft(
            room.code,
            categories,
            shared,
            self.settings.room_max_drafts,
            self.settings.room_max_shared,
        )
        if outcome is Outcome.missing:
            raise RoomNotFound()
        if outcome is Outcome.full:
            raise RoomNoDrafts()
        return checked

    def _owned(self, typed: str, key: str | None) -> Room:
        if not key:
            raise KeyMissing()
        code = canonical_code(typed)
        room = self.store.get(code) if code else None
        if room is None:
            raise RoomNotFound()
        if not same_secret(key, room.key_digest):
            raise KeyWrong()
        return room

    def board(self, typed: str, key: str | None) -> Board:
        room = self._owned(typed, key)
        board = self.store.board(room.code)
        if board is None:
            raise RoomNotFound()
        return board

    def close(self, typed: str, key: str | None) -> None:
        room = self._owned(typed, key)
        if not self.store.delete(room.code):
            raise RoomNotFound()
