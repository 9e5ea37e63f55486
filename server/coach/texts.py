"""The coach's words, from rules/coach/coach.yaml: each step's prompt and help, and the myths
about mothers with their truths."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field

from server.coach.state import (
    Step,
)
from server.core.strict_yaml import RuleError, read_yaml, validate_file
from server.rules.lexicons import Lexicons

# The steps in order; "declined" is an ending, not a step.
ORDER: tuple[Step, ...] = tuple(step for step in get_args(Step) if step != "declined")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepText(Strict):
    prompt: str
    help: str | None = None
    suggest: str | None = None
    faux: str | None = None
    clean: str | None = None
    flagged: str | None = None
    invalid: str | None = None  # said when an answer cannot be read; may hold {count}


class Myth(Strict):
    myth: str
    truth: str


class CoachTexts(Strict):
    """rules/coach/coach.yaml: everything the coach says."""

    version: int
    disclaimer: str
    steps: dict[str, StepText]
    struggles: list[str] = Field(min_length=1)
    myths: list[Myth] = Field(min_length=1)
    qualities: list[str] = Field(min_length=1)
    small_steps: list[str] = Field(min_length=1)
    timing: list[str] = Field(min_length=1)
    need_examples: list[str] = Field(min_length=1)

    @classmethod
    def load(cls, path: Path, lexicons: Lexicons) -> CoachTexts:
        texts = validate_file(cls, path, read_yaml(path))
        missing = set(ORDER) - {"declined"} - set(texts.steps)
        for step in (
            *sorted(missing),
            *(s for s in ("declined", "paused") if s not in texts.steps),
        ):
            raise RuleError(f"{path}: steps.{step}: missing")
        for need in texts.need_examples:
            if need not in lexicons.needs:
                raise RuleError(f"{path}: need_examples: {need!r} is not in needs.yaml")
        return texts
