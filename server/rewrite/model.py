"""What a rewrite is made of and returns: the person's answers, suggestions, the
rewrite of a whole message, and a block of adjacent blaming sentences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Doc

from server.detect.engine import Flag

if TYPE_CHECKING:
    from server.rewrite.behaviour import Behaviour

Check = Callable[[Sequence[str]], list[bool]]
"""For each text, whether it has no warning or error flag (checked as a batch: one pipeline
pass is cheaper than many)."""


@dataclass(frozen=True)
class Answers:
    """The person's own words for the parts of the statement; used as given."""

    feeling: str | None = None
    situation: str | None = None
    need: str | None = None
    request: str | None = None


@dataclass(frozen=True)
class Suggestion:
    text: str
    feeling: str
    situation: str
    need: str | None
    request: str | None
    guessed: tuple[str, ...]
    replaces: tuple[tuple[int, int], ...]
    why: str


@dataclass(frozen=True)
class Rewrite:
    suggestions: tuple[Suggestion, ...]
    message: str


@dataclass(frozen=True)
class Block:
    """Adjacent blaming sentences, rewritten as one."""

    docs: tuple[Doc, ...]
    spans: tuple[tuple[int, int], ...]  # in the original text, without trailing space
    flags: tuple[Flag, ...]
    greeting: str
    context: tuple[Doc, ...]  # every parsed sentence of the draft, for its topic
    lead: str = ""  # words before "but", kept as written: "Mom I love you"
    opening: str = ""  # warm sentences just before, kept as written: "Thanks for the flowers."
    evidence: tuple[Doc, ...] = ()  # the plain fact a bare verdict is about, said after it


@dataclass(frozen=True)
class Situation:
    """A "when" clause: what happened, from the writer's side."""

    text: str
    guessed: bool
    past: bool
    behaviour: Behaviour | None = None
