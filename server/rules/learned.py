"""What the blame classifier's flags say: rules/learned/learned.yaml, one entry per kind of
blame (message, why, fix), read into one Rule per kind (id classifier-<kind>). The classifier
itself is server/detect/learned.py."""

from __future__ import annotations

import datetime
from pathlib import Path

from pydantic import Field, model_validator

from server.core.strict_yaml import Strict, read_yaml, validate_file
from server.rules.schema import CATEGORIES, Examples, Rule, Severity

LEARNED_FILE = "learned.yaml"
PREFIX = "classifier-"  # a learned flag's rule id: classifier-<category>


class KindFile(Strict):
    message: str = Field(min_length=1, max_length=140)
    why: str = Field(min_length=1, max_length=400)
    fix: str = Field(min_length=1, max_length=200)


class LearnedFile(Strict):
    version: int = Field(ge=1)
    updated: datetime.date
    kinds: dict[str, KindFile]
    examples: Examples

    @model_validator(mode="after")
    def _every_category(self) -> LearnedFile:
        if set(self.kinds) != set(CATEGORIES):
            raise ValueError(f"kinds must name exactly: {', '.join(CATEGORIES)}")
        return self


def load_learned_rules(folder: Path) -> tuple[Rule, ...]:
    """One rule per kind of blame, for the flags this layer raises."""
    path = folder / LEARNED_FILE
    spec = validate_file(LearnedFile, path, read_yaml(path))
    return tuple(
        Rule(
            id=PREFIX + category,
            triggers=None,
            patterns=(),
            unless=(),
            unless_sentence_has=frozenset(),
            examples=spec.examples,
            needs=frozenset(),
            path=path,
            category=category,
            severity=Severity.warning,
            message=kind.message,
            why=kind.why,
            fix=kind.fix,
        )
        for category, kind in ((c, spec.kinds[c]) for c in CATEGORIES)
    )
