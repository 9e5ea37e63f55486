"""What a room is, how its code and key are made, and what its board holds.

A room keeps counts, not people: no draft is tied to the device that sent it, and a draft
that was not shared is kept only as the number of flags it had in each category.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Crockford-style: no 0/O, 1/I/L or U, so a code read off a projector types back right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8  # 30**8 = 6.6e11 codes; with the per-client guess limit, not guessable
_SEPARATORS = re.compile(r"[\s\-]+")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def canonical_code(typed: str) -> str | None:
    """The stored form of a code as typed ("k7qm-3xhd", "K7QM 3XHD"), or None if it can't
    be one (so a malformed code costs no lookup)."""
    code = _SEPARATORS.sub("", typed).upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def display_code(code: str) -> str:
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    """Keys and seat tokens are stored as digests: a copy of the store can't open a board."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


@dataclass(frozen=True)
class Room:
    code: str
    title: str
    key_digest: str
    expires_at: datetime

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires_at


@dataclass(frozen=True)
class Board:
    """What the facilitator sees. `shared` holds JSON documents ({"text", "flags"}), newest
    first, exactly as they were stored; `version` changes whenever anything here does."""

    room: Room
    drafts: int
    participants: int
    categories: dict[str, int] = field(default_factory=dict)
    shared: tuple[str, ...] = ()
    version: int = 0
