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
2. A pattern whose `words` (trigger stems listed in the YAML) are all absent is skipped;
   otherwise its regex runs. A match is dropped when an `unless` pattern of its own, or a
   global idiom, matches text overlapping it; `concern_if` lowers an urgent match to "concern".
3. The kinds found choose the helplines (`routing` in helplines.yaml).

Speed: the word check is plain substring search, and the regexes are bounded (a test forbids
unbounded repeats across words), so there is nothing clever to go wrong. A 300-character
message takes about 1 ms; 5,000 characters of real drafts about 20-25 ms on a small machine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, NoReturn

from server.rules import RuleError, read_yaml

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
_STEM = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_WORD_KEY = re.compile(r"[^\W_]+")


SHORT_TEXT = 300  # characters of distinct words; see _Spans.has_any


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
    unless: tuple[re.Pattern[str], ...]
    concern_if: tuple[re.Pattern[str], ...]
    words: tuple[str, ...]  # the regex is only run on text containing one of these
    # The words as two alternations, the single words (searched in each distinct word of the
    # text once) and the phrases (searched in the text): one search each instead of a test
    # per word, which cost more than the regexes themselves on a short draft.
    single: re.Pattern[str] | None
    phrases: re.Pattern[str] | None

    @staticmethod
    def any_of(words: Sequence[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(map(re.escape, words))) if words else None


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


class _Spans:
    """Where guard patterns match in one normalised text, found once each and only if asked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.vocabulary = " ".join(set(text.split(" ")))  # each word once: quicker to search
        self._spans: dict[re.Pattern[str], list[tuple[int, int]]] = {}

    def has_any(self, pattern: _Pattern) -> bool:
        """True when one of the pattern's words (a stem, or a phrase) occurs in the text.

        Measured: on a short text one alternation search beats a substring test per word;
        past a few hundred characters the substring tests win."""
        text, vocabulary = self.text, self.vocabulary
        if len(vocabulary) > SHORT_TEXT:
            return any(word in (text if " " in word else vocabulary) for word in pattern.words)
        return bool(
            (pattern.single and pattern.single.search(vocabulary))
            or (pattern.phrases and pattern.phrases.search(text))
        )

    def overlaps(self, guards: Sequence[re.Pattern[str]], start: int, end: int) -> bool:
        """True when one of `guards` matches a span overlapping [start, end)."""
        for guard in guards:
            spans = self._spans.get(guard)
            if spans is None:
                spans = self._spans[guard] = [m.span() for m in guard.finditer(self.text)]
            for span_start, span_end in spans:
                if span_start >= end:
                    break
                if span_end > start:
                    return True
        return False


class RiskDetector:
    """The risk lexicon and the helplines, loaded once and shared (it is immutable)."""

    def __init__(
        self,
        *,
        patterns: Sequence[_Pattern],
        idioms: Sequence[re.Pattern[str]],
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
                    if found.get(pattern.kind) in ("urgent", pattern.level):
                        continue  # this pattern can no longer change the result
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
        text = spans.text
        if not spans.has_any(pattern):
            return None
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
            optional={"idioms", "stems"},
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
        stems = risk.stems(top.get("stems", {}))
        idioms = tuple(
            risk.regex(item, f"idioms[{i}]", terms)
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
                required={"id", "kind", "level", "words", "regex"},
                optional={"unless", "concern_if", "examples"},
            )
            pid = risk.text(raw["id"], f"{where}.id")
            if not _ID.fullmatch(pid):
                risk.fail(f"{where}.id", f"{pid!r} must be lower-case letters, digits and '-'")
            if pid in seen:
                risk.fail(f"{where}.id", f"duplicate id {pid!r}")
            seen.add(pid)
            regex = risk.regex(raw["regex"], f"{where}.regex", terms)
            words = risk.words(raw["words"], f"{where}.words", stems)
            patterns.append(
                _Pattern(
                    id=pid,
                    kind=risk.choice(raw["kind"], f"{where}.kind", KINDS),
                    level=_level(risk.choice(raw["level"], f"{where}.level", LEVELS)),
                    regex=regex,
                    words=words,
                    single=_Pattern.any_of([w for w in words if " " not in w]),
                    phrases=_Pattern.any_of([w for w in words if " " in w]),
                    unless=tuple(
                        risk.regex(u, f"{where}.unless[{j}]", terms)
                        for j, u in enumerate(
                            risk.sequence(raw.get("unless", []), f"{where}.unless")
                        )
                    ),
                    concern_if=tuple(
                        risk.regex(u, f"{where}.concern_if[{j}]", terms)
                        for j, u in enumerate(
                            risk.sequence(raw.get("concern_if", []), f"{where}.concern_if")
                        )
                    ),
                )
            )
            if "examples" in raw:
                for text, hit in risk.examples(raw["examples"], f"{where}.examples"):
                    variants = list(normaliser.variants(text))
                    if hit and not any(w in v for w in words for v in variants):
                        risk.fail(f"{where}.words", f"none is in the example {text!r}")
                    examples.append((pid, text, hit))
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


def _read_yaml(path: Path) -> Any:
    try:
        return read_yaml(path)  # the rules' reader: YAML 1.2 booleans, duplicate keys rejected
    except RuleError as error:
        raise SafetyDataError(str(error)) from error


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

    def terms(self, value: Any) -> dict[str, str]:
        """Expand `terms` in file order: each becomes one group; a term may use earlier ones."""
        if not isinstance(value, dict):
            self.fail("terms", f"expected a mapping, got {_type(value)}")
        terms: dict[str, str] = {}
        for name, body in value.items():
            where = f"terms.{name}"
            if not isinstance(name, str) or not _TERM_NAME.fullmatch(name):
                self.fail(where, "a term name must be lower-case letters, digits and '_'")
            parts = [body] if isinstance(body, str) else self.sequence(body, where, non_empty=True)
            sources = []
            for j, part in enumerate(parts):
                source = self._expand(self.text(part, f"{where}[{j}]"), where, terms)
                self._compile(source, f"{where}[{j}]")
                sources.append(source)
            terms[name] = "(?:" + "|".join(sources) + ")"
        return terms

    def stems(self, value: Any) -> dict[str, tuple[str, ...]]:
        """Named lists of word stems, for `{name}` in a pattern's `words`."""
        if not isinstance(value, dict):
            self.fail("stems", f"expected a mapping, got {_type(value)}")
        out: dict[str, tuple[str, ...]] = {}
        for name, items in value.items():
            where = f"stems.{name}"
            if not isinstance(name, str) or not _TERM_NAME.fullmatch(name):
                self.fail(where, "a name must be lower-case letters, digits and '_'")
            out[name] = self.words(items, where, {})
        return out

    def words(
        self, value: Any, where: str, stems: Mapping[str, tuple[str, ...]]
    ) -> tuple[str, ...]:
        """Lower-case words or phrases as they appear in normalised text, or {name} of stems."""
        out: list[str] = []
        for j, item in enumerate(self.sequence(value, where, non_empty=True)):
            text = self.text(str(item) if isinstance(item, int) else item, f"{where}[{j}]")
            name = _TERM_REF.fullmatch(text)
            if name is not None and name.group(1) in stems:
                out.extend(stems[name.group(1)])
            elif name is not None:
                self.fail(f"{where}[{j}]", f"unknown stems {text} (define it under 'stems')")
            elif _STEM.fullmatch(text):
                out.append(text)
            else:
                self.fail(
                    f"{where}[{j}]", f"{text!r}: use lower-case letters, digits, single spaces"
                )
        return tuple(dict.fromkeys(out))

    def regex(self, value: Any, where: str, terms: Mapping[str, str]) -> re.Pattern[str]:
        """Compile a pattern after inserting its {terms}; it must not match empty text."""
        compiled = self._compile(self._expand(self.text(value, where), where, terms), where)
        if compiled.search("") is not None:
            self.fail(where, "the pattern matches empty text")
        return compiled

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
