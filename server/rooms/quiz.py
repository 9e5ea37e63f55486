"""A quiz from the rules' own examples: which of three lines sounds like blame, and why.

Each question takes one line a rule must flag and two lines that rules must leave alone
(often near misses, such as "you always make the best soup"). Every line is checked once
by the engine first: a must-not-match line of one rule can still be blame by another, and
a quiz must not mark a blaming line clean.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

from server.detect.engine import Engine
from server.rules.schema import Rule

OPTIONS = 3


@dataclass(frozen=True)
class Question:
    options: tuple[str, ...]
    answer: int
    rule: Rule


class Quiz:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @cached_property
    def _pool(self) -> tuple[tuple[tuple[str, Rule], ...], tuple[str, ...]]:
        """(blaming line, its rule) pairs and clean lines, each confirmed by the engine.
        Worked out on the first quiz, not at start-up: most workers never run one."""
        rules = list(self.engine.rules.values())
        blaming = [(example.text, rule) for rule in rules for example in rule.examples.match]
        clean = sorted({line for rule in rules for line in rule.examples.no_match})
        analyses = self.engine.analyze_many([text for text, _ in blaming] + clean)
        flagged = [analysis.blaming for analysis in analyses]
        return (
            tuple(pair for pair, hit in zip(blaming, flagged[: len(blaming)], strict=True) if hit),
            tuple(
                line for line, hit in zip(clean, flagged[len(blaming) :], strict=True) if not hit
            ),
        )

    def questions(self, count: int, seed: int | None = None) -> list[Question]:
        blaming, clean = self._pool
        if not blaming or len(clean) < OPTIONS - 1:
            return []
        chance = random.Random(seed)
        # One question per rule at most, so a short quiz covers several kinds of blame.
        by_rule: dict[str, list[tuple[str, Rule]]] = {}
        for text, rule in blaming:
            by_rule.setdefault(rule.id, []).append((text, rule))
        rule_ids = chance.sample(sorted(by_rule), min(count, len(by_rule)))
        questions = []
        for rule_id in rule_ids:
            text, rule = chance.choice(by_rule[rule_id])
            options = [text, *chance.sample(clean, OPTIONS - 1)]
            chance.shuffle(options)
            questions.append(Question(tuple(options), options.index(text), rule))
        return questions
