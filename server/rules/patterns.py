"""Patterns: "@name" references to word lists expanded once, at load time, and what a
pattern needs from the pipeline."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from server.core.inflect import forms_of
from server.rules.schema import (
    PARSER_ATTRS,
    TAGGER_ATTRS,
    Capability,
    DependencyPattern,
    Pattern,
    TokenPattern,
)

# ---------------------------------------------------------------------------------------------
# Patterns: "@name" references to word lists are expanded here, once, at load time.


def expand_value(value: Any, lists: Mapping[str, tuple[str, ...]]) -> Any:
    """Replace "@name" (in IN / NOT_IN) with the named list, and "@name*" with every
    inflection of its words ("forgot" for "forget": the lemmatizer misses some); recurse."""
    if isinstance(value, str) and value.startswith("@"):
        if value.endswith("*"):
            return sorted(word_forms([value[:-1]], lists))
        return list(named_list(value, lists))
    if isinstance(value, dict):
        return {key: expand_value(inner, lists) for key, inner in value.items()}
    return value


def named_list(reference: str, lists: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    name = reference[1:]
    if not reference.startswith("@") or name not in lists:
        raise KeyError(f"unknown word list {reference!r}; known: {', '.join(sorted(lists))}")
    return lists[name]


def expand_tokens(
    tokens: list[dict[str, Any] | str],
    lists: Mapping[str, tuple[str, ...]],
    split: Callable[[str], list[str]],
) -> list[list[dict[str, Any]]]:
    """Expand a token pattern into plain spaCy patterns.

    A bare "@name" item stands for any entry of the list. Entries the tokenizer splits into
    several tokens ("taken for granted", "guilt-tripped") are grouped by length, one pattern
    per length with a word set at each position: a few patterns instead of one per entry
    (each pattern costs matching time). The sets may combine words of different entries
    ("let granted"); after the words around them, such combinations do not occur in practice.
    """
    choices: list[list[list[dict[str, Any]]]] = []
    for item in tokens:
        if isinstance(item, str):
            by_length: dict[int, list[set[str]]] = {}
            for entry in named_list(item, lists):
                words = split(entry)
                slots = by_length.setdefault(len(words), [set() for _ in words])
                for slot, word in zip(slots, words, strict=True):
                    slot.add(word)
            choices.append(
                [
                    [{"LOWER": {"IN": sorted(slot)}} for slot in by_length[length]]
                    for length in sorted(by_length)
                ]
            )
        else:
            choices.append([[expand_value(item, lists)]])
    return [
        [token for part in combination for token in part]
        for combination in itertools.product(*choices)
    ]


def _attrs_in(pattern: Pattern) -> Iterator[str]:
    if isinstance(pattern, TokenPattern):
        for token in pattern.tokens:
            if isinstance(token, dict):
                yield from (key.upper() for key in token)
    elif isinstance(pattern, DependencyPattern):
        yield "DEP"
        for node in pattern.deps:
            yield from (key.upper() for key in node.get("RIGHT_ATTRS", {}))


def needs_of(patterns: tuple[Pattern, ...]) -> frozenset[Capability]:
    attrs = {attr for pattern in patterns for attr in _attrs_in(pattern)}
    needs = set()
    if attrs & TAGGER_ATTRS:
        needs.add(Capability.tagger)
    if attrs & PARSER_ATTRS:
        needs.add(Capability.parser)
    return frozenset(needs)


# ---------------------------------------------------------------------------------------------


def word_forms(words: list[str], lists: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """The words given in every inflection, with '@lists' expanded: 'ruin' -> ruins, ruined...

    Triggers are checked before the parse, on plain tokens, so they cannot rely on lemmas.
    A verb form also brings its siblings ('felt' -> feel, feels, feeling).
    """
    forms: set[str] = set()
    for word in words:
        for entry in named_list(word, lists) if word.startswith("@") else (word,):
            # A trigger is one token: a multi-word entry triggers on its last word
            # ("control freak" on "freak", "two-faced" on "faced").
            forms |= forms_of(re.split(r"[\s-]+", entry)[-1])
    return frozenset(forms)
