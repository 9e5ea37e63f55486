"""Reading the person's answers: a list of grievances, weights like "2 4 1", feeling words."""

from __future__ import annotations

import re
from collections.abc import Sequence

from server.coach.state import (
    Conflict,
)
from server.rules.lexicons import Lexicons

# --- small pure helpers -----------------------------------------------------------------------


def split_grievances(text: str) -> list[str]:
    """One grievance per line or sentence; list marks and blanks dropped."""
    parts = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip()
        parts += [p.strip() for p in re.split(r"(?<=[.!?;])\s+", line) if p.strip()]
    return [p for p in parts if re.search(r"\w", p)][:10]


def parse_weights(text: str, count: int) -> list[int] | None:
    numbers = [int(n) for n in re.findall(r"\d", text)]
    if len(numbers) != count or not all(1 <= n <= 5 for n in numbers):
        return None
    return numbers


def lightest(conflicts: Sequence[Conflict]) -> int:
    """The lightest conflict to start with: one both can handle, not the most serious."""
    weights = [c.weight if c.weight is not None else 3 for c in conflicts]
    return min(range(len(conflicts)), key=lambda i: (weights[i], i))


def feelings_in(text: str, lexicons: Lexicons) -> tuple[list[str], list[str]]:
    """(genuine feelings, faux feelings) named in the person's words."""
    lowered = " " + re.sub(r"[^a-z' -]", " ", text.lower()) + " "
    genuine = [w for w in lexicons.feeling_words() if f" {w} " in lowered]
    faux = [w for w in lexicons.faux if f" {w} " in lowered]
    if re.search(r"\bfeel(?:s|ing)? (?:like|that|as if) (?:you|she|he|they|my)\b", lowered):
        faux.append("like")
    return genuine, faux
