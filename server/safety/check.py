"""Risk language in anything a person types, answered with calm pointers to help.

Drafts to a mother can carry self-harm, suicidal thoughts, abuse, a child at risk or danger
right now. RiskDetector finds that language with a rule lexicon tuned for recall and returns
a `Safety`: a level, the kinds of risk, a short calm message and helpline resources. It never
blocks anything; callers show the pointer and let the person keep going. No spaCy, no
network, no logging of text.

How a text is checked:
1. It is normalised (case, accents, quotes, contractions, punctuation, repeated letters,
   textspeak) into lower-case words separated by single spaces; see `Normaliser`.
2. A pattern whose `words` (trigger stems listed in the YAML) are all absent is skipped;
   otherwise its regex runs. A match is dropped when an `unless` pattern of its own, or a
   global idiom, matches text overlapping it; `concern_if` lowers an urgent match to "concern".
3. The kinds found choose the helplines (`routing` in helplines.yaml)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from server.safety.model import KINDS, Level, Resource, Routing, Safety
from server.safety.normalise import Normaliser

SHORT_TEXT = 300  # characters of distinct words; see Spans.has_any


@dataclass(frozen=True)
class Pattern:
    id: str
    kind: str
    level: Level
    regex: re.Pattern[str]
    unless: tuple[re.Pattern[str], ...]
    concern_if: tuple[re.Pattern[str], ...]
    words: tuple[str, ...]  # the regex is only run on text containing one of these

    @cached_property
    def stems(self) -> frozenset[str]:
        """The words without a space: each is found inside one text word."""
        return frozenset(word for word in self.words if " " not in word)

    @cached_property
    def phrases(self) -> tuple[str, ...]:
        return tuple(word for word in self.words if " " in word)


class Spans:
    """Where guard patterns match in one normalised text, found once each and only if asked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.vocabulary = " ".join(set(text.split(" ")))  # each word once: quicker to search
        self._pieces: set[str] | None = None
        self._spans: dict[re.Pattern[str], list[tuple[int, int]]] = {}

    def has_any(self, pattern: Pattern) -> bool:
        """True when one of the pattern's words (a stem, or a phrase) occurs in the text.

        A stem holds no space, so it occurs exactly when it is a piece of one text word. On a
        short text every piece of every word, made once, answers all 81 patterns with one set
        operation each; past a few hundred characters a substring test per word costs less
        (measured: a test per word, in Python, cost more than the regexes on a short draft)."""
        text, vocabulary = self.text, self.vocabulary
        if any(phrase in text for phrase in pattern.phrases):
            return True
        if len(vocabulary) > SHORT_TEXT:
            return any(stem in vocabulary for stem in pattern.stems)
        if self._pieces is None:
            self._pieces = {
                word[i:j]
                for word in vocabulary.split(" ")
                for i in range(len(word))
                for j in range(i + 1, len(word) + 1)
            }
        return not pattern.stems.isdisjoint(self._pieces)

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
        patterns: Sequence[Pattern],
        idioms: Sequence[re.Pattern[str]],
        normaliser: Normaliser,
        messages: Mapping[str, str],
        resources: Sequence[Resource],
        routing: Routing,
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
                spans = Spans(variant)
                still: list[Pattern] = []
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
        variants = [Spans(v) for v in self._normaliser.variants(text)]
        for pattern in self._patterns:
            for spans in variants:
                if self._fires(pattern, spans) is not None:
                    ids.append(pattern.id)
                    break
        return tuple(ids)

    def _fires(self, pattern: Pattern, spans: Spans) -> Level | None:
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
