"""Rooms in one SQLite file: the embedded default.

One connection per store, guarded by a lock (the routes run in a thread pool); WAL mode so
the workers of one host can read while another writes; secure_delete so a closed room's
drafts are overwritten in the file, not just unlinked.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from server.rooms.model import Board, Room
from server.rooms.store import Outcome

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    key_digest TEXT NOT NULL,
    expires_at REAL NOT NULL,
    drafts INTEGER NOT NULL DEFAULT 0,
    participants INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS categories (
    code TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
    category TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (code, category)
);
CREATE TABLE IF NOT EXISTS shared (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS shared_by_room ON shared(code, id);
CREATE TABLE IF NOT EXISTS hits (
    bucket TEXT NOT NULL,
    window INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, window)
);
"""
POLL_SECONDS = 0.25  # how soon a board hears of a draft another worker stored


class SQLiteStore:
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        for pragma in ("busy_timeout=5000", "foreign_keys=ON", "secure_delete=ON"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(SCHEMA)
        self._purge()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _purge(self) -> None:
        """Expired rooms go (with their drafts, by cascade), and old rate-limit windows."""
        now = time.time()
        with self._transaction() as db:
            expired = db.execute("DELETE FROM rooms WHERE expires_at <= ?", (now,)).rowcount
            db.execute("DELETE FROM hits WHERE window < ?", (int(now) - 3600,))
        if expired:
            self._forget()

    def create(self, room: Room) -> bool:
        self._purge()
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO rooms (code, title, key_digest, expires_at) VALUES (?, ?, ?, ?)",
                    (room.code, room.title, room.key_digest, room.expires_at.timestamp()),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def _live(self, db: sqlite3.Connection, code: str) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = db.execute(
            "SELECT code, title, key_digest, expires_at, drafts, participants, version"
            " FROM rooms WHERE code = ? AND expires_at > ?",
            (code, time.time()),
        ).fetchone()
        return row

    def get(self, code: str) -> Room | None:
        with self._lock:
            row = self._live(self._db, code)
        return _room(row) if row else None

    def join(self, code: str, max_participants: int) -> Outcome:
        with self._transaction() as db:
            row = self._live(db, code)
            if row is None:
                return Outcome.missing
            if int(row[5]) >= max_participants:
                return Outcome.full
            db.execute(
                "UPDATE rooms SET participants = participants + 1, version = version + 1"
                " WHERE code = ?",
                (code,),
            )
        return Outcome.done

    def add_draft(
        self,
        code: str,
        categories: Mapping[str, int],
        shared: str | None,
        max_drafts: int,
        max_shared: int,
    ) -> Outcome:
        with self._transaction() as db:
            row = self._live(db, code)
            if row is None:
                return Outcome.missing
            if int(row[4]) >= max_drafts:
                return Outcome.full
            db.execute(
                "UPDATE rooms SET drafts = drafts + 1, version = version + 1 WHERE code = ?",
                (code,),
            )
            db.executemany(
                "INSERT INTO categories (code, category, count) VALUES (?, ?, ?)"
                " ON CONFLICT (code, category) DO UPDATE SET count = count + excluded.count",
                [(code, category, count) for category, count in categories.items()],
            )
            if shared is not None:
                db.execute("INSERT INTO shared (code, body) VALUES (?, ?)", (code, shared))
                db.execute(
                    "DELETE FROM shared WHERE code = ? AND id NOT IN"
                    " (SELECT id FROM shared WHERE code = ? ORDER BY id DESC LIMIT ?)",
                    (code, code, max_shared),
                )
        return Outcome.done

    def board(self, code: str) -> Board | None:
        with self._lock:
            row = self._live(self._db, code)
            if row is None:
                return None
            categories = self._db.execute(
                "SELECT category, count FROM categories WHERE code = ? ORDER BY category", (code,)
            ).fetchall()
            shared = self._db.execute(
                "SELECT body FROM shared WHERE code = ? ORDER BY id DESC", (code,)
            ).fetchall()
        return Board(
            room=_room(row),
            drafts=int(row[4]),
            participants=int(row[5]),
            categories={str(name): int(count) for name, count in categories},
            shared=tuple(str(body) for (body,) in shared),
            version=int(row[6]),
        )

    def delete(self, code: str) -> bool:
        with self._transaction() as db:
            gone = db.execute("DELETE FROM rooms WHERE code = ?", (code,)).rowcount
        self._forget()
        return gone > 0

    def _forget(self) -> None:
        """Copy the write-ahead log into the file and empty it: secure_delete has zeroed the
        deleted rows in the file, but the log still holds the pages as they were."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def hits(self, bucket: str, window_seconds: int, add: int = 1) -> int:
        window = int(time.time()) // window_seconds * window_seconds
        if add == 0:  # every lookup only reads: no write lock for it
            with self._lock:
                row = self._db.execute(
                    "SELECT count FROM hits WHERE bucket = ? AND window = ?", (bucket, window)
                ).fetchone()
            return int(row[0]) if row else 0
        with self._transaction() as db:
            (count,) = db.execute(
                "INSERT INTO hits (bucket, window, count) VALUES (?, ?, ?)"
                " ON CONFLICT (bucket, window) DO UPDATE SET count = count + excluded.count"
                " RETURNING count",
                (bucket, window, add),
            ).fetchone()
        return int(count)

    def _version(self, code: str) -> int | None:
        with self._lock:
            row = self._live(self._db, code)
        return int(row[6]) if row else None

    async def wait_for_change(self, code: str, version: int, timeout: float) -> None:
        # Polling: another worker's write reaches this one only through the file.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            await anyio.sleep(POLL_SECONDS)
            if self._version(code) != version:
                return

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _room(row: tuple[Any, ...]) -> Room:
    code, title, key_digest, expires_at = row[:4]
    return Room(
        code=str(code),
        title=str(title),
        key_digest=str(key_digest),
        expires_at=datetime.fromtimestamp(float(expires_at), UTC),
    )
