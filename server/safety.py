"""Risk language in anything a person types, answered with calm pointers to help.

Drafts to a mother can carry self-harm, suicidal thoughts, abuse, a child at risk or danger
right now. This module finds that language with a rule lexicon tuned for recall and returns
a `Safety`: a level, the kinds of risk, a short calm message and helpline resources. It never
blocks anything; callers show the pointer and let the person keep going.

Pure Python (`re`/`str`): no spaCy, no network, no logging of text. All patterns, idioms and
product text live in `rules/safety/risk.yaml`; helplines live in `rules/safety/helplines.yaml`.
Both files are validated strictly at load time and every error names the file and the field.

How a text is checked:
1. It is normalised (case, accents, quotes, contractions, punctuation, repeated letters,
   textspeak) into lower-case words separated by single spaces; see `_Normaliser`.
2. Each pattern is tried; a match is dropped when an `unless` pattern of its own, or a global
   idiom, matches text overlapping it; `concern_if` lowers an urgent match to "concern".
3. The kinds found choose the helplines (`routing` in helplines.yaml).

Speed: every regex is bounded (no nested unbounded repeats), and before a regex runs, a
prefilter checks that the text holds the literal strings every match must contain (read from
the regex itself with the standard library's parser). On a 5,000-character draft of ordinary
text `assess` takes well under a millisecond; on text dense with risk-like words, a few.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, NoReturn

import yaml

__all__ = [
    "DEFAULT_DIRECTORY",
    "KINDS",
    "LEVELS",
    "RESOURCE_KINDS",
    "Resource",
    "RiskDetector",
    "Safety",
    "SafetyDataError",
]

Level = Literal["concern", "urgent"]

KINDS: tuple[str, ...] = ("self-harm", "suicide", "abuse", "child", "danger")
"""The closed set of risk kinds, in the order they are reported."""

LEVELS: tuple[Level, ...] = ("concern", "urgent")
"""The closed set of levels, mildest first."""

RESOURCE_KINDS: tuple[str, ...] = ("crisis", "domestic-abuse", "child", "emergency", "directory")
"""The closed set of helpline kinds."""

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "rules" / "safety"
"""Where risk.yaml and helplines.yaml live in a checkout."""

RISK_FILE = "risk.yaml"
HELPLINES_FILE = "helplines.yaml"

# Invisible characters people (or keyboards) slip into words: removed before matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# Quote-like characters folded to a straight apostrophe / double quote.
_QUOTES = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4`"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033"), '"'),
}
_COMBINING = re.compile(r"[\u0300-\u036f]+")
# Contractions are expanded word by word while the apostrophe is still there ("he'll" must not
# become "hell"); any other apostrophe is dropped ("mom's" -> "moms").
_WHOLE_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "ain't": "am not",
    "shan't": "shall not",
}
_PRONOUN_IS = frozenset(["he", "she", "it", "that", "there", "what", "who", "where", "here"])
_SUFFIXES = (("n't", " not"), ("'m", " am"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"))
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_ANY_TRIPLE = re.compile(r"(.)\1\1")  # cheap first check; most texts have no triple at all
_ANY_ELONGATED = re.compile(r"([^\W\d_])\1\1")
# ASCII fast path: punctuation and underscore to space (apostrophes kept), in one C call.
_ASCII_TABLE = bytes(c if chr(c).isalnum() or chr(c) == "'" else 32 for c in range(128)) + bytes(
    range(128, 256)
)
_NON_WORD = re.compile(r"(?:[^\w']|_)+")
_TERM_REF = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_TERM_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_WORD_KEY = re.compile(r"[^\W_]+")


class SafetyDataError(ValueError):
    """A safety data file is missing, malformed or invalid; the message names file and field."""


@dataclass(frozen=True)
class Resource:
    """One helpline or directory, with where its details come from and when they were checked."""

    name: str
    contact: str
    region: str
    kind: str
    url: str | None
    hours: str | None
    source: str
    checked: str


@dataclass(frozen=True)
class Safety:
    """What to show when risk language is found: never a block, always a pointer."""

    level: Literal["concern", "urgent"]
    kinds: tuple[str, ...]
    message: str
    resources: tuple[Resource, ...]


@dataclass(frozen=True)
class _Pattern:
    id: str
    kind: str
    level: Level
    regex: re.Pattern[str]
    unless: tuple[_Guard, ...]
    concern_if: tuple[_Guard, ...]
    gate: _Gate  # literals every match contains; None = always run the regex


@dataclass(frozen=True)
class _Guard:
    """An `unless`, `concern_if` or idiom pattern, with its prefilter."""

    regex: re.Pattern[str]
    gate: _Gate

    @classmethod
    def of(cls, compiled: tuple[re.Pattern[str], _Gate]) -> _Guard:
        return cls(*compiled)


class _Normaliser:
    """Fold a text into the form the lexicon is written against.

    Lower case, no accents, no apostrophes, contractions expanded, every run of punctuation or
    whitespace a single space, textspeak replaced ("u" -> "you", "kms" -> "kill myself").
    Letters repeated three or more times are squeezed two ways ("killll" -> "kill",
    "dieeee" -> "die"), so a text can give two variants; both are checked.
    """

    def __init__(self, replace: Mapping[str, str], symbols: Mapping[str, str]) -> None:
        table: dict[str, str] = {chr(k): v or "" for k, v in {**_INVISIBLE, **_QUOTES}.items()}
        for symbol, word in symbols.items():
            table[symbol] = f" {word} "
        self._table = table
        self._special = re.compile("[" + re.escape("".join(table)) + "]")
        self._replace = dict(replace)

    def variants(self, text: str) -> Iterator[str]:
        if text.isascii():
            folded = text.lower().encode("ascii").translate(_ASCII_TABLE).decode("ascii")
        else:
            folded = self._special.sub(lambda m: self._table[m.group()], text)
            folded = unicodedata.normalize("NFKD", folded)
            folded = _NON_WORD.sub(" ", _COMBINING.sub("", folded).casefold())
        if not (_ANY_TRIPLE.search(folded) and _ANY_ELONGATED.search(folded)):
            yield self._finish(folded.split())
            return
        yield self._finish(_ELONGATED.sub(r"\1\1", folded).split())
        yield self._finish(_ELONGATED.sub(r"\1", folded).split())

    def _finish(self, words: list[str]) -> str:
        get = self._replace.get
        parts = [_uncontract(word, get) if "'" in word else get(word, word) for word in words]
        text = " ".join(parts)
        return " ".join(text.split()) if "" in parts else text


def _uncontract(word: str, get: Callable[[str, str], str]) -> str:
    """Expand one contracted word ("won't" -> "will not"); drop any other apostrophe."""
    whole = _WHOLE_CONTRACTIONS.get(word)
    if whole is not None:
        return whole
    stem, _, suffix = word.rpartition("'")
    if suffix == "s" and stem in _PRONOUN_IS:
        return f"{stem} is"
    if suffix == "d" and stem.isalpha():
        return f"{get(stem, stem)} would"
    for ending, expansion in _SUFFIXES:
        if word.endswith(ending) and len(word) > len(ending):
            stem = word[: -len(ending)].replace("'", "")
            return get(stem, stem) + expansion
    plain = word.replace("'", "")
    return get(plain, plain) if plain else ""


# ---------------------------------------------------------------------------------------------
# Prefilter: a pattern is only run when the text contains one of the literal strings every match
# of that pattern must contain ("hit", "kick", ... for a violence pattern). The strings are read
# from the compiled regex with the standard library's own parser; anything the analysis does not
# understand means "no prefilter", so the worst case is a slower check, never a missed match.

_Info = tuple[frozenset[str] | None, frozenset[str] | None]  # (exact strings, necessary strings)
# A prefilter: clauses that must all hold; a clause holds when the text contains one of its
# literals (each stored with its longest space-free piece). None = no prefilter.
_Clause = tuple[tuple[str, str], ...]
_Gate = tuple[_Clause, ...] | None

try:
    _PARSER: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - other Python versions: run every pattern
    _PARSER = None

# Words so frequent in drafts that a gate built on them would let almost every text through.
_COMMON_WORDS = """a about after again all also am an and any are as at back be been but by can come
could day did do does done down even for from get go going got had has have he her here him his
how i if in into is it its just know like make me more mom mum my no not now of off on one or
our out over really said say says see she so some than that the their them then there they
think this time to too up us very want was we well were what when where which who why will with
would you your"""
_COMMON = frozenset(_COMMON_WORDS.split())


class _Unknown(Exception):
    """The regex uses something the analysis does not model."""


class _Repeated(Exception):  # a signal between analysis steps, not an error
    """A repeat of at least one copy of known strings, handled by the enclosing sequence."""

    def __init__(self, exact: frozenset[str], needed: frozenset[str] | None) -> None:
        super().__init__()
        self.exact, self.needed = exact, needed


def _common(literal: str) -> bool:
    words = literal.split()
    return not words or all(len(w) <= 2 or w in _COMMON for w in words)


def _score(strings: frozenset[str]) -> tuple[bool, int, int]:
    # Prefer sets without very common words, then strings of 4+ characters, then fewer strings.
    shortest = min(len(x.replace(" ", "")) for x in strings)
    return (not any(_common(x) for x in strings), min(4, shortest), -len(strings))


def _minimal(strings: frozenset[str]) -> tuple[str, ...]:
    """Drop every string that contains a shorter one: finding the shorter one is enough."""
    kept: list[str] = []
    for text in sorted(strings, key=len):
        if not any(short in text for short in kept):
            kept.append(text)
    return tuple(kept)


class _Analysis:
    """What a parsed regex can match: its exact strings (when few) and necessary substrings.

    `strict` refuses zero-width assertions (used when the exact set replaces the regex);
    otherwise they are read as matching nothing, which can only widen the set of texts that
    pass a prefilter, never narrow it.
    """

    def __init__(self, limit: int, *, strict: bool) -> None:
        self.limit, self.strict = limit, strict

    def better(
        self, current: frozenset[str] | None, candidate: frozenset[str] | None
    ) -> frozenset[str] | None:
        if self.strict or candidate is None or not candidate or "" in candidate:
            return current  # strict analysis only wants exact strings
        candidate = frozenset(_minimal(candidate))
        if current is None or _score(candidate) > _score(current):
            return candidate
        return current

    def product(self, left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
        if len(left) * len(right) > self.limit:
            return None
        return frozenset(a + b for a in left for b in right)

    def sequence(
        self, items: Any, found: list[frozenset[str]] | None = None, word_start: bool = False
    ) -> _Info:
        """Analyse a concatenation; every necessary set met is also appended to `found`."""
        run: frozenset[str] = frozenset({""})
        best: frozenset[str] | None = None
        exact = True
        # Normalised text is words and single spaces, so a run that starts (or ends) at a word
        # boundary can be looked for with a space before (or after) it in space-padded text.
        starts_word = word_start

        def note(candidate: frozenset[str] | None) -> None:
            nonlocal best
            if found is not None and self.better(None, candidate) is not None:
                found.append(frozenset(_minimal(candidate or frozenset())))
            best = self.better(best, candidate)

        def marked(strings: frozenset[str], ends_word: bool) -> frozenset[str]:
            if starts_word and all(x[:1].isalnum() for x in strings):
                strings = frozenset(" " + x for x in strings)
            if ends_word and all(x[-1:].isalnum() for x in strings):
                strings = frozenset(x + " " for x in strings)
            return strings

        for item in items:
            if not self.strict and str(item[0]) == "AT" and str(item[1]) == "AT_BOUNDARY":
                if run == {""}:
                    starts_word = True
                else:
                    note(marked(run, ends_word=True))
                continue
            try:
                item_exact, item_needed = self.item(item, starts_word and run == {""})
            except _Repeated as repeated:
                note(repeated.needed)
                joined = self.product(run, repeated.exact)
                note(marked(joined, False) if joined is not None else marked(run, False))
                run, exact, starts_word = repeated.exact, False, False
                continue
            note(item_needed)
            if item_exact is None:
                note(marked(run, False))
                run, exact, starts_word = frozenset({""}), False, False
                continue
            joined = self.product(run, item_exact)
            if joined is None:
                note(marked(run, False))
                run, exact, starts_word = item_exact, False, False
            else:
                run = joined
        note(marked(run, False))
        return (run if exact else None), best

    def item(self, item: Any, word_start: bool = False) -> _Info:
        op, av = item
        name = str(op)
        if name == "LITERAL":
            return frozenset({chr(av)}), None
        if name in {"AT", "ASSERT", "ASSERT_NOT"}:
            if self.strict:
                raise _Unknown
            return frozenset({""}), None
        if name in {"ANY", "NOT_LITERAL", "CATEGORY"}:
            return None, None
        if name == "IN":
            return self.charset(av), None
        if name == "SUBPATTERN":
            _group, add_flags, _del_flags, sub = av
            if add_flags & re.IGNORECASE:
                raise _Unknown
            return self.sequence(sub, word_start=word_start)
        if name == "ATOMIC_GROUP":
            return self.sequence(av, word_start=word_start)
        if name == "BRANCH":
            return self.branch(av[1], word_start)
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            return self.repeat(*av)
        raise _Unknown

    def charset(self, items: Any) -> frozenset[str] | None:
        chars: set[str] = set()
        for op, av in items:
            if str(op) == "LITERAL":
                chars.add(chr(av))
            elif str(op) == "RANGE" and av[1] - av[0] < 16:
                chars.update(chr(c) for c in range(av[0], av[1] + 1))
            else:
                return None
        return frozenset(chars)

    def branch(self, alternatives: Any, word_start: bool) -> _Info:
        exact: frozenset[str] | None = frozenset()
        needed: frozenset[str] | None = frozenset()
        for alternative in alternatives:
            alt_exact, alt_needed = self.sequence(alternative, word_start=word_start)
            exact = None if exact is None or alt_exact is None else exact | alt_exact
            best = self.better(alt_needed, alt_exact)
            needed = None if needed is None or best is None else needed | best
        if exact is not None and len(exact) > self.limit:
            exact = None
        return exact, needed

    def repeat(self, low: int, high: int, sub: Any) -> _Info:
        sub_exact, sub_needed = self.sequence(sub)
        if high == 0:
            return frozenset({""}), None
        if low == 0:
            if high == 1 and sub_exact is not None:
                return sub_exact | {""}, None
            return None, None
        needed = self.better(sub_needed, sub_exact)
        if low == high == 1 or sub_exact is None:
            return (sub_exact if low == high == 1 else None), needed
        # x{1,}: the text before touches the first x and the text after touches the last x.
        raise _Repeated(sub_exact, needed)

    def parse(self, source: str, flags: int = 0) -> _Info:
        if _PARSER is None or flags & re.IGNORECASE:
            raise _Unknown
        try:
            return self.sequence(_PARSER.parse(source, flags))
        except (RecursionError, ValueError, TypeError, AttributeError, re.error) as exc:
            raise _Unknown from exc


_GATES = _Analysis(16, strict=False)
_MAX_CLAUSES = 3
_EXACT = _Analysis(5000, strict=True)


def _required_literals(compiled: re.Pattern[str]) -> _Gate:
    """Clauses of strings: every match contains one string of each clause; None if unknown."""
    if _PARSER is None or compiled.flags & re.IGNORECASE:
        return None
    found: list[frozenset[str]] = []
    try:
        exact, needed = _GATES.sequence(_PARSER.parse(compiled.pattern, compiled.flags), found)
    except (_Unknown, RecursionError, ValueError, TypeError, AttributeError, re.error):
        return None
    best = _GATES.better(needed, exact)
    if best is None:
        return None
    # The best clause first, then the next best ones (each is necessary on its own).
    clauses = [best]
    for candidate in sorted(set(found), key=_score, reverse=True):
        if len(clauses) == _MAX_CLAUSES:
            break
        if candidate not in clauses:
            clauses.append(candidate)
    return tuple(
        tuple((literal, _piece(literal)) for literal in _minimal(clause)) for clause in clauses
    )


def _piece(literal: str) -> str:
    """What to look for in the padded vocabulary before looking for `literal` in the text."""
    if " " not in literal.strip(" "):
        return literal  # one word, perhaps marked as starting or ending one: vocabulary only
    return max(literal.split(" "), key=len)


def _trie(strings: Sequence[str]) -> str:
    """A regex matching exactly `strings`, factored by shared prefixes (fast for `re`)."""
    if "" in strings:
        rest = [text for text in strings if text]
        return f"(?:{_trie(rest)})?" if rest else ""
    groups: dict[str, list[str]] = {}
    for text in sorted(set(strings)):
        groups.setdefault(text[0], []).append(text[1:])
    alternatives = [re.escape(first) + _trie(tails) for first, tails in groups.items()]
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def _finite(source: str) -> frozenset[str] | None:
    """Every string `source` can match, when that is a small finite set; else None."""
    try:
        exact, _needed = _EXACT.parse(source)
    except _Unknown:
        return None
    if exact is None or not exact or "" in exact:
        return None
    return exact


class _Spans:
    """Match spans of guard patterns in one normalised text, computed once and on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._spans: dict[int, list[tuple[int, int]]] = {}
        self._vocabulary: str | None = None
        self._padded = ""

    def passes(self, gate: _Gate) -> bool:
        """True when every clause of the gate has a literal in the text (always, without one)."""
        if gate is None:
            return True
        if self._vocabulary is None:
            # Each distinct word once, space-padded: a much shorter text to look for words in.
            self._vocabulary = " " + " ".join(set(self.text.split(" "))) + " "
            self._padded = " " + self.text + " "
        vocabulary, text = self._vocabulary, self._padded
        for clause in gate:
            for literal, piece in clause:
                if piece in vocabulary and (literal == piece or literal in text):
                    break
            else:
                return False
        return True

    def overlaps(self, guards: Sequence[_Guard], start: int, end: int) -> bool:
        """True when one of `guards` matches a span overlapping [start, end)."""
        for guard in guards:
            spans = self._spans.get(id(guard))
            if spans is None:
                spans = self._find(guard)
                self._spans[id(guard)] = spans
            for span_start, span_end in spans:
                if span_start >= end:
                    break
                if span_end > start:
                    return True
        return False

    def _find(self, guard: _Guard) -> list[tuple[int, int]]:
        if not self.passes(guard.gate):
            return []
        return [m.span() for m in guard.regex.finditer(self.text)]


class RiskDetector:
    """The risk lexicon and the helplines, loaded once and shared (it is immutable)."""

    def __init__(
        self,
        *,
        patterns: Sequence[_Pattern],
        idioms: Sequence[_Guard],
        normaliser: _Normaliser,
        messages: Mapping[str, str],
        resources: Sequence[Resource],
        routing: _Routing,
        version: str,
        examples: Sequence[tuple[str, str, bool]] = (),
    ) -> None:
        self._patterns = tuple(patterns)
        self._idioms = tuple(idioms)
        self._normaliser = normaliser
        self._messages = dict(messages)
        self._resources = tuple(resources)
        self._routing = routing
        self.version = version
        self._examples = tuple(examples)

    @classmethod
    def load(cls, directory: Path) -> RiskDetector:
        """Read risk.yaml and helplines.yaml from `directory`; raise SafetyDataError if invalid."""
        directory = Path(directory)
        risk_path, help_path = directory / RISK_FILE, directory / HELPLINES_FILE
        risk = _Checker(str(risk_path), _read_yaml(risk_path))
        helplines = _Checker(str(help_path), _read_yaml(help_path))
        return cls._build(risk, helplines)

    @property
    def resources(self) -> tuple[Resource, ...]:
        """Every resource in helplines.yaml, in file order (for an always-visible help page)."""
        return self._resources

    @property
    def pattern_ids(self) -> tuple[str, ...]:
        """Ids of every pattern in risk.yaml, in file order."""
        return tuple(p.id for p in self._patterns)

    @property
    def examples(self) -> tuple[tuple[str, str, bool], ...]:
        """(pattern id, text, should match) for every example in risk.yaml."""
        return self._examples

    def assess(self, *texts: str) -> Safety | None:
        """Check every text (e.g. every field of a request); None when no risk language."""
        found: dict[str, Level] = {}
        pending = list(self._patterns)
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"assess() takes str, not {type(text).__name__}")
            if not text or not pending:
                continue
            for variant in self._normaliser.variants(text):
                spans = _Spans(variant)
                still: list[_Pattern] = []
                for pattern in pending:
                    fired = self._fires(pattern, spans)
                    if fired is not None and found.get(pattern.kind) != "urgent":
                        found[pattern.kind] = fired
                    if fired != pattern.level:
                        still.append(pattern)  # not found yet, or only at "concern" so far
                pending = still
        if not found:
            return None
        level: Level = "urgent" if "urgent" in found.values() else "concern"
        kinds = tuple(kind for kind in KINDS if kind in found)
        return Safety(level, kinds, self._messages[level], self._select(kinds, level))

    def matches(self, text: str) -> tuple[str, ...]:
        """Ids of the patterns that fire on `text` (for tests and the workshop view)."""
        ids: list[str] = []
        variants = [_Spans(v) for v in self._normaliser.variants(text)]
        for pattern in self._patterns:
            for spans in variants:
                if self._fires(pattern, spans) is not None:
                    ids.append(pattern.id)
                    break
        return tuple(ids)

    def _fires(self, pattern: _Pattern, spans: _Spans) -> Level | None:
        """The level at which `pattern` fires on the normalised text, or None."""
        best: Level | None
        if not spans.passes(pattern.gate):
            return None
        text = spans.text
        pos, best = 0, None  # best: "concern" when only a softened match was seen
        while pos <= len(text):
            match = pattern.regex.search(text, pos)
            if match is None:
                break
            start, end = match.span()
            if not (
                spans.overlaps(pattern.unless, start, end)
                or spans.overlaps(self._idioms, start, end)
            ):
                if pattern.level == "concern" or not spans.overlaps(pattern.concern_if, start, end):
                    return pattern.level
                best = "concern"
            pos = start + 1
        return best

    def _select(self, kinds: Sequence[str], level: Level) -> tuple[Resource, ...]:
        """Resources for the kinds found, then for the level, then the always-shown ones."""
        wanted: list[str] = []
        for kind in kinds:
            wanted.extend(self._routing.by_kind[kind])
        wanted.extend(self._routing.by_level[level])
        wanted.extend(self._routing.always)
        chosen: list[Resource] = []
        for resource_kind in dict.fromkeys(wanted):
            chosen.extend(r for r in self._resources if r.kind == resource_kind)
        return tuple(chosen)

    @classmethod
    def _build(cls, risk: _Checker, helplines: _Checker) -> RiskDetector:
        top = risk.mapping(
            risk.data,
            "(top level)",
            required={"version", "updated", "messages", "normalise", "terms", "patterns"},
            optional={"idioms"},
        )
        version = f"{risk.version(top['version'], 'version')}"
        risk.date(top["updated"], "updated")

        messages_raw = risk.mapping(top["messages"], "messages", required=set(LEVELS))
        messages: dict[str, str] = {
            lvl: risk.text(messages_raw[lvl], f"messages.{lvl}") for lvl in LEVELS
        }

        norm = risk.mapping(top["normalise"], "normalise", required={"replace", "symbols"})
        replace = risk.string_map(norm["replace"], "normalise.replace", key=_WORD_KEY)
        symbols = risk.string_map(norm["symbols"], "normalise.symbols", key=None)
        for symbol in symbols:
            if len(symbol) != 1:
                risk.fail(f"normalise.symbols.{symbol}", "a key must be a single character")
        normaliser = _Normaliser(replace, symbols)

        terms = risk.terms(top["terms"])
        idioms = tuple(
            _Guard.of(risk.regex(item, f"idioms[{i}]", terms))
            for i, item in enumerate(risk.sequence(top.get("idioms", []), "idioms"))
        )

        patterns: list[_Pattern] = []
        examples: list[tuple[str, str, bool]] = []
        seen: set[str] = set()
        for i, item in enumerate(risk.sequence(top["patterns"], "patterns", non_empty=True)):
            where = f"patterns[{i}]"
            raw = risk.mapping(
                item,
                where,
                required={"id", "kind", "level", "regex"},
                optional={"unless", "concern_if", "examples"},
            )
            pid = risk.text(raw["id"], f"{where}.id")
            if not _ID.fullmatch(pid):
                risk.fail(f"{where}.id", f"{pid!r} must be lower-case letters, digits and '-'")
            if pid in seen:
                risk.fail(f"{where}.id", f"duplicate id {pid!r}")
            seen.add(pid)
            regex, gate = risk.regex(raw["regex"], f"{where}.regex", terms)
            patterns.append(
                _Pattern(
                    id=pid,
                    kind=risk.choice(raw["kind"], f"{where}.kind", KINDS),
                    level=_level(risk.choice(raw["level"], f"{where}.level", LEVELS)),
                    regex=regex,
                    gate=gate,
                    unless=tuple(
                        _Guard.of(risk.regex(u, f"{where}.unless[{j}]", terms))
                        for j, u in enumerate(
                            risk.sequence(raw.get("unless", []), f"{where}.unless")
                        )
                    ),
                    concern_if=tuple(
                        _Guard.of(risk.regex(u, f"{where}.concern_if[{j}]", terms))
                        for j, u in enumerate(
                            risk.sequence(raw.get("concern_if", []), f"{where}.concern_if")
                        )
                    ),
                )
            )
            if "examples" in raw:
                examples.extend(
                    (pid, text, hit)
                    for text, hit in risk.examples(raw["examples"], f"{where}.examples")
                )
        for kind in KINDS:
            if not any(p.kind == kind for p in patterns):
                risk.fail("patterns", f"no pattern for kind {kind!r}")

        resources, routing, help_version = _build_helplines(helplines)
        return cls(
            patterns=patterns,
            idioms=idioms,
            normaliser=normaliser,
            messages=messages,
            resources=resources,
            routing=routing,
            version=f"risk {version}, helplines {help_version}",
            examples=examples,
        )


def _level(value: str) -> Level:
    return "urgent" if value == "urgent" else "concern"


@dataclass(frozen=True)
class _Routing:
    """Which kinds of resource to show: per risk kind, per level, and always."""

    by_kind: dict[str, tuple[str, ...]]
    by_level: dict[str, tuple[str, ...]]
    always: tuple[str, ...]


def _build_helplines(checker: _Checker) -> tuple[list[Resource], _Routing, str]:
    top = checker.mapping(
        checker.data, "(top level)", required={"version", "updated", "routing", "resources"}
    )
    version = f"{checker.version(top['version'], 'version')}"
    checker.date(top["updated"], "updated")

    resources: list[Resource] = []
    fields = {"name", "contact", "region", "kind", "url", "hours", "source", "checked"}
    for i, item in enumerate(checker.sequence(top["resources"], "resources", non_empty=True)):
        where = f"resources[{i}]"
        raw = checker.mapping(item, where, required=fields)
        url = None if raw["url"] is None else checker.url(raw["url"], f"{where}.url")
        hours = None if raw["hours"] is None else checker.text(raw["hours"], f"{where}.hours")
        resources.append(
            Resource(
                name=checker.text(raw["name"], f"{where}.name"),
                contact=checker.text(raw["contact"], f"{where}.contact"),
                region=checker.text(raw["region"], f"{where}.region"),
                kind=checker.choice(raw["kind"], f"{where}.kind", RESOURCE_KINDS),
                url=url,
                hours=hours,
                source=checker.url(raw["source"], f"{where}.source"),
                checked=checker.date(raw["checked"], f"{where}.checked"),
            )
        )
    names = [r.name + "|" + r.region for r in resources]
    for i, name in enumerate(names):
        if name in names[:i]:
            checker.fail(f"resources[{i}].name", f"duplicate entry {name!r}")

    raw_routing = checker.mapping(
        top["routing"], "routing", required={"by_kind", "by_level", "always"}
    )
    by_kind = checker.mapping(raw_routing["by_kind"], "routing.by_kind", required=set(KINDS))
    by_level = checker.mapping(raw_routing["by_level"], "routing.by_level", required=set(LEVELS))
    available = {r.kind for r in resources}

    def kinds_list(value: Any, where: str, non_empty: bool) -> tuple[str, ...]:
        items = checker.sequence(value, where, non_empty=non_empty)
        out = tuple(checker.choice(v, f"{where}[{j}]", RESOURCE_KINDS) for j, v in enumerate(items))
        for j, kind in enumerate(out):
            if kind not in available:
                checker.fail(f"{where}[{j}]", f"no resource of kind {kind!r} in resources")
        return out

    routing = _Routing(
        by_kind={k: kinds_list(by_kind[k], f"routing.by_kind.{k}", True) for k in KINDS},
        by_level={v: kinds_list(by_level[v], f"routing.by_level.{v}", False) for v in LEVELS},
        always=kinds_list(raw_routing["always"], "routing.always", True),
    )
    if "directory" not in routing.always:
        checker.fail("routing.always", "must include 'directory'")
    return resources, routing, version


@dataclass(frozen=True)
class _Terms:
    plain: dict[str, str]
    fast: dict[str, str]


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SafetyDataError(f"{path}: cannot read the file ({exc.__class__.__name__})") from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise SafetyDataError(f"{path}: (document): invalid YAML: {exc}") from exc


class _Checker:
    """Typed accessors over one parsed YAML file; every failure names the file and the field."""

    def __init__(self, file: str, data: Any) -> None:
        self.file = file
        self.data = data

    def fail(self, field: str, problem: str) -> NoReturn:
        raise SafetyDataError(f"{self.file}: {field}: {problem}")

    def mapping(
        self,
        value: Any,
        where: str,
        *,
        required: set[str],
        optional: set[str] | None = None,
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {_type(value)}")
        allowed = required | (optional or set())
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                self.fail(f"{where}.{key}", f"unknown key; allowed: {', '.join(sorted(allowed))}")
        for key in sorted(required):
            if key not in value:
                self.fail(f"{where}.{key}", "missing required key")
        return value

    def sequence(self, value: Any, where: str, *, non_empty: bool = False) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_type(value)}")
        if non_empty and not value:
            self.fail(where, "must not be empty")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"expected non-empty text, got {_type(value)}")
        return value.strip()

    def choice(self, value: Any, where: str, allowed: Sequence[str]) -> str:
        if value not in allowed:
            self.fail(where, f"{value!r} is not one of: {', '.join(allowed)}")
        return str(value)

    def version(self, value: Any, where: str) -> int | str:
        if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
            self.fail(where, f"expected a version number or string, got {_type(value)}")
        return value

    def date(self, value: Any, where: str) -> str:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.fail(where, f"expected an ISO date (YYYY-MM-DD), got {value!r}")

    def url(self, value: Any, where: str) -> str:
        text = self.text(value, where)
        if not re.fullmatch(r"https://[^\s/]+\.[^\s/]+(?:/\S*)?", text):
            self.fail(where, f"expected an https:// address, got {text!r}")
        return text

    def string_map(self, value: Any, where: str, *, key: re.Pattern[str] | None) -> dict[str, str]:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {_type(value)}")
        out: dict[str, str] = {}
        for k, v in value.items():
            if not isinstance(k, str) or not k or (key is not None and not key.fullmatch(k)):
                self.fail(f"{where}.{k}", "a key must be one lower-case word")
            if key is not None and k != k.casefold():
                self.fail(f"{where}.{k}", "a key must be lower case")
            out[k] = self.text(v, f"{where}.{k}").casefold()
        return out

    def terms(self, value: Any) -> _Terms:
        """Expand `terms`: a readable form (for analysis) and a fast form (tries, for matching)."""
        if not isinstance(value, dict):
            self.fail("terms", f"expected a mapping, got {_type(value)}")
        plain: dict[str, str] = {}
        fast: dict[str, str] = {}
        for name, body in value.items():
            where = f"terms.{name}"
            if not isinstance(name, str) or not _TERM_NAME.fullmatch(name):
                self.fail(where, "a term name must be lower-case letters, digits and '_'")
            parts = [body] if isinstance(body, str) else self.sequence(body, where, non_empty=True)
            finite: set[str] = set()
            plain_parts: list[str] = []
            others: list[str] = []
            for j, part in enumerate(parts):
                text = self.text(part, f"{where}[{j}]")
                source = self._expand(text, where, plain)
                self._compile(source, f"{where}[{j}]")
                plain_parts.append(source)
                strings = _finite(source)
                if strings is None:
                    others.append(self._expand(text, where, fast))
                else:
                    finite |= strings
            alternatives = ([_trie(sorted(finite))] if finite else []) + others
            plain[name] = "(?:" + "|".join(plain_parts) + ")"
            fast[name] = "(?:" + "|".join(alternatives) + ")"
        return _Terms(plain, fast)

    def regex(self, value: Any, where: str, terms: _Terms) -> tuple[re.Pattern[str], _Gate]:
        """Compile a pattern (fast form) and read its prefilter from the readable form."""
        text = self.text(value, where)
        readable = self._compile(self._expand(text, where, terms.plain), where)
        if readable.search("") is not None:
            self.fail(where, "the pattern matches empty text")
        return self._compile(self._expand(text, where, terms.fast), where), _required_literals(
            readable
        )

    def examples(self, value: Any, where: str) -> list[tuple[str, bool]]:
        raw = self.mapping(value, where, required={"match"}, optional={"no_match"})
        self.sequence(raw["match"], f"{where}.match", non_empty=True)
        out: list[tuple[str, bool]] = []
        for key in ("match", "no_match"):
            for j, text in enumerate(self.sequence(raw.get(key, []), f"{where}.{key}")):
                out.append((self.text(text, f"{where}.{key}[{j}]"), key == "match"))
        return out

    def _expand(self, source: str, where: str, terms: Mapping[str, str]) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in terms:
                self.fail(where, f"unknown term {{{name}}} (define it under 'terms' first)")
            return terms[name]

        return _TERM_REF.sub(substitute, source)

    def _compile(self, source: str, where: str) -> re.Pattern[str]:
        try:
            return re.compile(source)
        except re.error as exc:
            self.fail(where, f"invalid regular expression: {exc}")


def _type(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__
