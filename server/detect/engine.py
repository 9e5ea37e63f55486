"""text -> Doc -> flags: the one place that runs the pipeline.

The expensive step is the parse, so the engine only parses what some rule could match: the
draft is tokenised (cheap), cut into sentences, and a sentence is parsed only when it holds a
trigger word of an enabled rule. The parsed sentences are kept on the Analysis so that the
rewrite step reuses them instead of parsing again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from spacy.attrs import LOWER, NORM, ORTH
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span

from server.core.nlp import Pipeline, load_pipeline
from server.core.normalize import Normalized, normalize
from server.detect.detector import Detector
from server.rules.load import RuleSet, load_rules
from server.rules.schema import Capability, Profile, Rule, Severity
from server.settings import Settings

# A full stop, "!" or "?" ends a sentence; an ellipsis ("...", "…") usually doesn't in chat.
_SENTENCE_END = re.compile(r"^(?:\.|[.!?]*[!?][.!?]*)$")
# Quoted passages, where blaming words belong to someone else. A single quote only opens
# after a non-letter, and an apostrophe inside a word ("you’re") does not close it.
_QUOTED = re.compile(
    r'"[^"\n]{1,500}"'
    r"|“[^”\n]{1,500}”"
    r"|‘(?:[^’\n]|’(?=\w)){1,500}’"
    r"|(?<!\w)'(?:[^'\n]|'(?=\w)){1,500}'(?!\w)"
)


@dataclass(frozen=True)
class Flag:
    """One blaming phrase: where it is in the submitted text and which rule found it."""

    rule: Rule
    severity: Severity
    start: int
    end: int
    text: str

    @property
    def blaming(self) -> bool:
        """A warning or an error; info-level flags are tips."""
        return self.severity.rank >= Severity.warning.rank

    def fields(self) -> dict[str, str | int]:
        """What a flag says, as the API and `mend check --json` both show it."""
        rule = self.rule
        return {
            "rule": rule.id,
            "category": rule.category,
            "severity": self.severity.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": rule.message,
            "why": rule.why,
            "suggestion": rule.fix,
        }


@dataclass(frozen=True)
class Sentence:
    """A parsed sentence of the draft; `start` is its offset in the normalised text."""

    start: int
    doc: Doc


@dataclass(frozen=True)
class Analysis:
    text: str
    normalized: Normalized
    sentences: tuple[Sentence, ...]
    flags: tuple[Flag, ...]
    profile: str

    @property
    def blaming(self) -> bool:
        return any(flag.blaming for flag in self.flags)

    @property
    def blaming_flags(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.blaming]


class UnknownRuleError(ValueError):
    def __init__(self, rule_ids: Collection[str]) -> None:
        super().__init__(f"unknown rule id(s): {', '.join(sorted(rule_ids))}")
        self.rule_ids = tuple(sorted(rule_ids))


class UnknownProfileError(ValueError):
    pass


def split_sentences(doc: Doc) -> Iterator[Span]:
    """Cut at sentence-final punctuation and line breaks; cheap, needs no parser."""
    start = 0
    strings = doc.vocab.strings
    texts = [strings[orth] for orth in doc.to_array([ORTH]).tolist()]
    for index, text in enumerate(texts):
        following = texts[index + 1] if index + 1 < len(texts) else ""
        if _SENTENCE_END.match(following):
            continue  # "again??" and "what?!" end once, after the last mark
        if _SENTENCE_END.match(text) or (text.isspace() and "\n" in text):
            yield doc[start : index + 1]
            start = index + 1
    if start < len(doc):
        yield doc[start:]


def resolve_overlaps(flags: list[Flag]) -> list[Flag]:
    """Keep the most severe, then the longest, of overlapping flags; sort by position."""
    kept: list[Flag] = []
    ranked = sorted(flags, key=lambda f: (-f.severity.rank, -(f.end - f.start), f.start, f.rule.id))
    for flag in ranked:
        if all(flag.end <= other.start or other.end <= flag.start for other in kept):
            kept.append(flag)
    return sorted(kept, key=lambda f: (f.start, f.end))


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _QUOTED.finditer(text)]


class Engine:
    """Loaded once per process; analyze() is a pure function of its arguments."""

    def __init__(self, pipeline: Pipeline, ruleset: RuleSet) -> None:
        self.pipeline = pipeline
        self.ruleset = ruleset
        self.detector = Detector(pipeline.nlp, ruleset, pipeline.capabilities)
        lists = ruleset.lists
        self._known_words = frozenset(
            word for rule in ruleset.rules for group in (rule.triggers or ()) for word in group
        ) | frozenset(word for words in lists.values() for word in words)
        self._you_are = frozenset(
            word
            for name in ("label-adjectives", "intensifiers", "absolute-words")
            for word in lists.get(name, ())
        )

    @property
    def rules(self) -> dict[str, Rule]:
        return self.detector.rules

    def profile(self, name: str) -> Profile:
        try:
            return self.ruleset.profiles[name]
        except KeyError:
            raise UnknownProfileError(name) from None

    def analyze(
        self,
        text: str,
        profile: str = "strict",
        min_severity: Severity = Severity.info,
        disable: Collection[str] = (),
        *,
        full_parse: bool = True,
    ) -> Analysis:
        """Flags for one text. full_parse=False skips the parser where no rule needs it: the
        same flags, but not every sentence Doc carries a parse (enough for a check, not for
        a rewrite, which reads the parse of every sentence)."""
        return self.analyze_many([text], profile, min_severity, disable, full_parse=full_parse)[0]

    def analyze_many(
        self,
        texts: Sequence[str],
        profile: str = "strict",
        min_severity: Severity = Severity.info,
        disable: Collection[str] = (),
        *,
        full_parse: bool = True,
    ) -> list[Analysis]:
        """Analyse several texts with one pass of the pipeline (it works best in batches)."""
        chosen = self.profile(profile)
        unknown = set(disable) - {rule.id for rule in self.ruleset.rules}
        if unknown:
            raise UnknownRuleError(unknown)
        enabled = set(self.detector.rules) - set(disable)
        prepared = [self._candidates(text, enabled, exact=not full_parse) for text in texts]
        wanted = [(span, rules) for _, candidates in prepared for span, rules in candidates]
        docs = iter(self._parse(wanted, full_parse))
        return [
            self._detect(
                text, normalized, [(c, next(docs)) for c in candidates], chosen, min_severity
            )
            for text, (normalized, candidates) in zip(texts, prepared, strict=True)
        ]

    def _parse(self, wanted: list[tuple[Span, set[str]]], full_parse: bool) -> list[Doc]:
        """Run the pipeline on the candidate sentences, in batches.

        With full_parse=False the parser, a third of the pipeline's cost, runs only on the
        sentences that need it: all are tagged first, then those where a rule that reads the
        parse is wanted or a rule matched are parsed (Detector.needs_parse). The parser reads
        the tok2vec output the first pass left on each Doc (doc.tensor), so a sentence parsed
        later parses as it would in one go. (Measured: two batches, "wants the parse" and
        "tag first", cost more than this on an 80-word draft.)
        """
        nlp = self.pipeline.nlp
        # A span that is its whole Doc (a one-sentence draft) is parsed as it is: as_doc()
        # copies, and on a short draft the copy is a tenth of the parse.
        docs = [span.doc if len(span) == len(span.doc) else span.as_doc() for span, _ in wanted]
        if (
            full_parse
            or Capability.parser not in self.pipeline.capabilities
            or all(self.detector.wants_parse(rules) for _, rules in wanted)
        ):
            # One pass: no sentence can skip the parser. A lone sentence skips pipe()'s
            # batching, which costs more than it saves on one Doc.
            return [nlp(docs[0])] if len(docs) == 1 else list(nlp.pipe(docs))
        for _ in nlp.pipe(docs, disable=["parser"]):
            pass  # the pipeline annotates each Doc in place
        parser = cast(TrainablePipe, nlp.get_pipe("parser"))
        needing = (
            d
            for d, (_, rules) in zip(docs, wanted, strict=True)
            if self.detector.needs_parse(d, rules)
        )
        for _ in parser.pipe(needing):
            pass
        return docs

    def _candidates(
        self, text: str, enabled: set[str], exact: bool
    ) -> tuple[Normalized, list[tuple[Span, set[str]]]]:
        """The sentences worth parsing: those holding a trigger word of an enabled rule (with
        exact=True: the words one of its patterns requires)."""
        normalized = normalize(text, self._known_words, self._you_are)
        tokens = self.pipeline.nlp.make_doc(normalized.text)
        # Word hashes per token, read in one go: building Token objects costs more than this.
        hashes = tokens.to_array([LOWER, NORM])
        candidates: list[tuple[Span, set[str]]] = []
        for span in split_sentences(tokens):
            words = cast(set[int], set(hashes[span.start : span.end].ravel().tolist()))
            wanted = self.detector.triggered(words, enabled, exact)
            if wanted:
                candidates.append((span, wanted))
        return normalized, candidates

    def _detect(
        self,
        text: str,
        normalized: Normalized,
        parsed: list[tuple[tuple[Span, set[str]], Doc]],
        profile: Profile,
        min_severity: Severity,
    ) -> Analysis:
        quoted = quoted_ranges(text)
        sentences: list[Sentence] = []
        found: list[Flag] = []
        has_parser = Capability.parser in self.pipeline.capabilities
        for (span, wanted), doc in parsed:
            sentences.append(Sentence(span.start_char, doc))
            if has_parser and not doc.has_annotation("DEP"):
                continue  # left unparsed because nothing in it matched (see _parse)
            for match in self.detector.detect(doc, wanted):
                piece = doc[match.start : match.end]
                start, end = normalized.to_original(
                    span.start_char + piece.start_char, span.start_char + piece.end_char
                )
                if any(q_start <= start and end <= q_end for q_start, q_end in quoted):
                    continue
                rule = self.rules[match.rule_id]
                found.append(Flag(rule, profile.severity(rule), start, end, text[start:end]))
        flags = [f for f in resolve_overlaps(found) if f.severity.rank >= min_severity.rank]
        return Analysis(text, normalized, tuple(sentences), tuple(flags), profile.name)

    def sentence_docs(self, analysis: Analysis) -> list[Doc]:
        """The draft's parsed sentences, or the whole text parsed when no rule wanted a parse:
        a clean line still has a topic to answer."""
        return [s.doc for s in analysis.sentences] or [self.pipeline.nlp(analysis.text)]

    def clean_many(self, texts: Sequence[str], profile: str = "strict") -> list[bool]:
        """is_clean for several texts, in one pass of the pipeline."""
        analyses = self.analyze_many(
            texts, profile, min_severity=Severity.warning, full_parse=False
        )
        return [not analysis.flags for analysis in analyses]


def load_engine(settings: Settings, ruleset: RuleSet | None = None) -> Engine:
    """Rules first (a bad rule file should stop start-up before the slow model load)."""
    ruleset = ruleset or load_rules(settings.rules_dir)
    return Engine(load_pipeline(settings.model), ruleset)
