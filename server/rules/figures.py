"""rules/figures.yaml: how each rule did on labelled messages, for facilitators to read.

The file is written by `tests/eval_detector.py --figures` (never by hand): one group per
collection of data sets ("tuning", and later the lead's "blind"), each with every rule's
flag count and precision and every category's recall. It is optional: without it, rules
simply carry no figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from server.core.strict_yaml import Strict, read_yaml, validate_file

FIGURES_FILE = "figures.yaml"


class RuleCount(Strict):
    flags: int = Field(ge=0, description="Flags the rule raised on the sets' messages.")
    correct: int = Field(ge=0, description="Of those, flags on blaming messages (on the span).")


class CategoryCount(Strict):
    messages: int = Field(ge=0, description="Blaming messages labelled with this category.")
    caught: int = Field(ge=0, description="Of those, messages the checker flagged.")


class FigureGroup(Strict):
    name: str = Field(min_length=1)
    sets: list[str] = Field(min_length=1)
    messages: int = Field(ge=0)
    rules: dict[str, RuleCount]
    categories: dict[str, CategoryCount]


class FiguresFile(Strict):
    groups: list[FigureGroup]


@dataclass(frozen=True)
class RuleFigures:
    """One rule's figures on one group of sets, with its category's recall there."""

    group: str
    sets: tuple[str, ...]
    flags: int
    correct: int
    category_messages: int
    category_caught: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.flags if self.flags else None

    @property
    def category_recall(self) -> float | None:
        return self.category_caught / self.category_messages if self.category_messages else None


def load_figures(path: Path, categories: Mapping[str, str]) -> dict[str, tuple[RuleFigures, ...]]:
    """Rule id -> its figures in each group of the file ({} when there is no file).

    `categories` maps each rule id to its category. Ids the file names that are not rules
    any more are skipped, and so is a rule a group does not name (added after it was
    measured): the file is a measurement, and a stale one should not stop start-up."""
    if not path.is_file():
        return {}
    spec = validate_file(FiguresFile, path, read_yaml(path))
    found: dict[str, list[RuleFigures]] = {}
    for group in spec.groups:
        for rule_id, category in categories.items():
            count = group.rules.get(rule_id)
            if count is None:
                continue
            recall = group.categories.get(category, CategoryCount(messages=0, caught=0))
            found.setdefault(rule_id, []).append(
                RuleFigures(
                    group.name,
                    tuple(group.sets),
                    count.flags,
                    count.correct,
                    recall.messages,
                    recall.caught,
                )
            )
    return {rule_id: tuple(figures) for rule_id, figures in found.items()}
