"""Word forms, lemmas and inflections, from lemminflect's tables held compactly.

lemminflect parses each of its two tables (lemma -> inflections, word -> lemmas) into nested
dicts of tuples on first use: 51 MiB and half a second per process, for the few hundred
lookups a rule set and a rewrite need. Here each table stays as its sorted text lines, read
once (about 9 MiB), and only the lines of a word that is looked up are parsed, with
lemminflect's own codecs. Its rules for unknown words, its overrides and its hand-written forms
of "be" and the modals are unchanged. Every caller reaches lemminflect through this module, so
the compact tables are in place before the first lookup.
"""

from __future__ import annotations

import gzip
from bisect import bisect_left
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import lemminflect
from lemminflect import config
from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec
from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
from lemminflect.core.Inflections import Inflections
from lemminflect.core.Lemmatizer import Lemmatizer
from lemminflect.core.LexicalUtils import categoryToUPos

Forms = dict[str, tuple[str, ...]]


def _word(line: str) -> str:
    return line[: line.index(",")]


class _Table:
    """A read-only `word -> forms` mapping over the sorted lines of one lemminflect table.

    lemminflect only ever calls `.get(word, default)` on its tables."""

    def __init__(self, path: str | Path, parse: Callable[[list[str]], Forms]) -> None:
        self._path = path
        self._parse = parse
        self._lines: list[str] | None = None
        self.extra: dict[str, Forms] = {}  # whole entries that replace the table's
        # lemminflect copies what it is given, so a parsed entry can be handed out again.
        self._parsed = lru_cache(maxsize=4096)(self._lookup)

    def _read(self) -> list[str]:
        if self._lines is None:
            with gzip.open(self._path, "rt", encoding="utf-8") as handle:
                self._lines = handle.read().splitlines()
        return self._lines

    def get(self, word: str, default: Any = None) -> Any:
        if word in self.extra:
            return self.extra[word]
        found = self._parsed(word)
        return default if found is None else found

    def _lookup(self, word: str) -> Forms | None:
        lines = self._read()
        index = bisect_left(lines, word, key=_word)
        found = []
        while index < len(lines) and _word(lines[index]) == word:
            found.append(lines[index])
            index += 1
        return self._parse(found) if found else None


def _inflections(lines: list[str]) -> Forms:
    forms: Forms = {}
    for line in lines:
        forms.update(InflectionLUCodec.fromString(line)[2])
    return forms


def _lemmas(lines: list[str]) -> Forms:
    forms: Forms = {}
    for line in lines:
        _, category, spellings = LemmaLUCodec.fromString(line)
        forms[categoryToUPos(category)] = spellings
    return forms


def _install() -> None:
    inflections = _Table(config.inflection_lu_fn, _inflections)
    # The forms lemminflect writes over the table after loading it (be, can, may, will, ...).
    inflections.extra = InflectionLUCodec.updateForAuxMod({})
    Inflections().infl_dict = inflections
    Lemmatizer().lemma_dict = _Table(config.lemma_lu_fn, _lemmas)


_install()

getInflection = lemminflect.getInflection
getAllInflections = lemminflect.getAllInflections
getAllInflectionsOOV = lemminflect.getAllInflectionsOOV
getLemma = lemminflect.getLemma
getAllLemmas = lemminflect.getAllLemmas


@cache
def forms_of(entry: str) -> frozenset[str]:
    """One word in every inflection, its verb siblings included. Cached: the same words turn
    up in many rules and lists (measured: 0.6 s of every start-up without it)."""
    forms: set[str] = set()
    verbs = getAllLemmas(entry, upos="VERB").get("VERB", ())
    for lemma in {entry, *verbs}:
        forms.add(lemma)
        # Words the dictionary doesn't know ("steamroll") get rule-made forms.
        inflections = getAllInflections(lemma) or getAllInflectionsOOV(lemma, upos="VERB")
        forms.update(form for found in inflections.values() for form in found)
    return frozenset(forms)


__all__ = [
    "forms_of",
    "getAllInflections",
    "getAllInflectionsOOV",
    "getAllLemmas",
    "getInflection",
    "getLemma",
]
