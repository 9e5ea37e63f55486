"""Word forms, lemmas and inflections, from lemminflect's tables held compactly.

lemminflect parses each of its two tables (lemma -> inflections, word -> lemmas) into nested
dicts of tuples on first use: 51 MiB and half a second per process, for the few hundred
lookups a rule set and a rewrite need. Here each table stays as its sorted text lines, read
once (3 MiB), and only the lines of a word that is looked up are parsed, with
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
import numpy as np
from lemminflect import config
from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec
from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
from lemminflect.core.Inflections import Inflections
from lemminflect.core.Lemmatizer import Lemmatizer
from lemminflect.core.LexicalUtils import categoryToUPos

Forms = dict[str, tuple[str, ...]]


class _SortedLines:
    """The sorted lines of a table as one block of UTF-8 bytes and the offset of each line:
    3 MiB for both tables, where a list of 120,000 strings took 10 MiB of every worker."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
        starts = np.concatenate(([0], newlines + 1))
        self._starts = starts[starts < len(data)].astype(np.int32)

    def __len__(self) -> int:
        return len(self._starts)

    def word(self, index: int) -> bytes:
        start = int(self._starts[index])
        return self._data[start : self._data.index(b",", start)]

    def line(self, index: int) -> str:
        start = int(self._starts[index])
        end = self._data.find(b"\n", start)
        return self._data[start : end if end >= 0 else None].decode("utf-8")

    def lines_of(self, word: str) -> list[str]:
        """The lines whose first field is `word` (UTF-8 keeps the order of code points, so
        the bytes sort as the text does)."""
        key = word.encode("utf-8")
        index = bisect_left(range(len(self)), key, key=self.word)
        found = []
        while index < len(self) and self.word(index) == key:
            found.append(self.line(index))
            index += 1
        return found


class _Table:
    """A read-only `word -> forms` mapping over the sorted lines of one lemminflect table.

    lemminflect only ever calls `.get(word, default)` on its tables."""

    def __init__(self, path: str | Path, parse: Callable[[list[str]], Forms]) -> None:
        self._path = path
        self._parse = parse
        self._lines: _SortedLines | None = None
        self.extra: dict[str, Forms] = {}  # whole entries that replace the table's
        # lemminflect copies what it is given, so a parsed entry can be handed out again.
        self._parsed = lru_cache(maxsize=4096)(self._lookup)

    def _read(self) -> _SortedLines:
        if self._lines is None:
            with gzip.open(self._path, "rb") as handle:
                self._lines = _SortedLines(handle.read())
        return self._lines

    def get(self, word: str, default: Any = None) -> Any:
        if word in self.extra:
            return self.extra[word]
        found = self._parsed(word)
        return default if found is None else found

    def _lookup(self, word: str) -> Forms | None:
        found = self._read().lines_of(word)
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
