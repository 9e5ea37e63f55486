"""A draft read once: normalised, cut into sentences, and parsed where some rule needs it.

The expensive step is the parse, so only the sentences that some rule could match are run
through the pipeline: the draft is tokenised (cheap), cut into sentences, and a sentence goes
on when it holds the trigger words of a blame rule or a risk rule. Every later step (flags,
the risk check, the rewrite) reads this one Reading; nothing parses the draft again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import cast

from spacy.attrs import LOWER, NORM, ORTH
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span

from server.core.nlp import Pipeline
from server.core.normalize import Normalized, normalize
from server.detect.detector import Detector, sentence_words
from server.rules.schema import Capability, RiskRule, Rule

# A full stop, "!" or "?" ends a sentence; an ellipsis ("...", "…") usually doesn't in chat.
_SENTENCE_END = re.compile(r"^(?:\.|[.!?]*[!?][.!?]*)$")
# A run-on "sentence" (texting without full stops) is cut into pieces of at most this many
# tokens, at a comma or a joining word where there is one: a rule reads one clause at a time,
# and a dependency pattern on a 1,500-token run-on took seconds (measured: 20 s).
LONGEST_SENTENCE = 60
_JOINS = frozenset({",", ";", "and", "but", "so", "then", "because", "cause", "cuz", "or"})


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
            yield from _pieces(doc, texts, start, index + 1)
            start = index + 1
    if start < len(doc):
        yield from _pieces(doc, texts, start, len(doc))


def _pieces(doc: Doc, texts: list[str], start: int, end: int) -> Iterator[Span]:
    """doc[start:end], cut before a joining word when it runs past LONGEST_SENTENCE tokens."""
    while end - start > LONGEST_SENTENCE:
        limit = start + LONGEST_SENTENCE
        cut = next(
            (
                i
                for i in range(limit, start + LONGEST_SENTENCE // 2, -1)
                if texts[i].lower() in _JOINS
            ),
            limit,
        )
        yield doc[start:cut]
        start = cut
    yield doc[start:end]


@dataclass(frozen=True)
class Wanted:
    """The rules a sentence's words could set off: blame rules and risk rules."""

    blame: frozenset[str]
    risk: frozenset[str]
    words: frozenset[int]  # the sentence's words, lowercase and normalised, as hashes


@dataclass(frozen=True)
class Sentence:
    """A sentence of the draft that some rule wanted; `start` is its offset in the
    normalised text. Its Doc is tagged, and parsed when a rule needed the parse."""

    start: int
    doc: Doc
    wanted: Wanted


@dataclass(frozen=True)
class Reading:
    normalized: Normalized
    sentences: tuple[Sentence, ...]  # those some rule wanted, read by the pipeline
    spans: tuple[tuple[int, int], ...]  # every sentence, as [start, end) in the normalised text
    words: frozenset[int]  # hashes of every word of the draft (lower case and norm)


class Reader:
    """Reads drafts for two detectors, blame and risk, with one pass of the pipeline."""

    def __init__(
        self,
        pipeline: Pipeline,
        blame: Detector[Rule],
        risk: Detector[RiskRule],
        known_words: Collection[str],
        you_are: Collection[str],
    ) -> None:
        self.pipeline = pipeline
        self.blame = blame
        self.risk = risk
        self._known_words = known_words
        self._you_are = you_are

    def read_many(
        self, texts: Sequence[str], enabled: set[str], *, full_parse: bool
    ) -> list[Reading]:
        """Read several texts with one pass of the pipeline (it works best in batches).
        full_parse=False parses only where a rule needs it (see _parse)."""
        prepared = [self._prepare(text, enabled, exact=not full_parse) for text in texts]
        wanted = [(span, w) for *_, candidates in prepared for span, w in candidates]
        docs = iter(self._parse(wanted, full_parse))
        return [
            Reading(
                normalized,
                tuple(Sentence(span.start_char, next(docs), w) for span, w in candidates),
                spans,
                words,
            )
            for normalized, spans, words, candidates in prepared
        ]

    def _prepare(
        self, text: str, enabled: set[str], exact: bool
    ) -> tuple[Normalized, tuple[tuple[int, int], ...], frozenset[int], list[tuple[Span, Wanted]]]:
        """The sentences worth parsing: those holding the trigger words of an enabled blame
        rule or of a risk rule (with exact=True: the words one of its patterns requires)."""
        normalized = normalize(text, self._known_words, self._you_are)
        tokens = self.pipeline.nlp.make_doc(normalized.text)
        # Word hashes per token, read in one go: building Token objects costs more than this.
        hashes = tokens.to_array([LOWER, NORM])
        candidates: list[tuple[Span, Wanted]] = []
        spans = []
        for span in split_sentences(tokens):
            spans.append((span.start_char, span.end_char))
            words = frozenset(cast(list[int], hashes[span.start : span.end].ravel().tolist()))
            wanted = Wanted(
                frozenset(self.blame.triggered(words, enabled, exact)),
                # Risk rules always take the exact words their patterns need: a sentence they
                # cannot match is not worth parsing, whatever the blame rules want.
                frozenset(self.risk.triggered(words, self.risk.rules, exact=True)),
                words,
            )
            if wanted.blame or wanted.risk:
                candidates.append((span, wanted))
        words_in_draft = frozenset(cast(list[int], hashes.ravel().tolist()))
        return normalized, tuple(spans), words_in_draft, candidates

    def parse_more(self, reading: Reading, starts: Collection[int]) -> Reading:
        """The reading with the sentences at `starts` (offsets in the normalised text) parsed
        too: those the blame classifier flags, which no rule wanted. Its flag is checked
        against their parse (a generic "you"), and the rewrite reads it."""
        have = {sentence.start: sentence for sentence in reading.sentences}
        todo = [
            (start, end)
            for start, end in reading.spans
            if start in starts and not (start in have and have[start].doc.has_annotation("DEP"))
        ]
        if not todo or Capability.parser not in self.pipeline.capabilities:
            return reading
        nlp = self.pipeline.nlp
        texts = [reading.normalized.text[start:end] for start, end in todo]
        for (start, _), doc in zip(todo, nlp.pipe(texts), strict=True):
            known = have.get(start)
            wanted = (
                known.wanted if known else Wanted(frozenset(), frozenset(), sentence_words(doc))
            )
            have[start] = Sentence(start, doc, wanted)
        return replace(reading, sentences=tuple(sorted(have.values(), key=lambda s: s.start)))

    def sentence_texts(self, text: str) -> list[str]:
        """The draft's sentences as the risk classifier reads them (normalised), unparsed."""
        normalized = normalize(text, self._known_words, self._you_are)
        tokens = self.pipeline.nlp.make_doc(normalized.text)
        return [span.text for span in split_sentences(tokens)]

    def wants_parse(self, wanted: Wanted) -> bool:
        return self.blame.wants_parse(wanted.blame) or self.risk.wants_parse(wanted.risk)

    def needs_parse(self, doc: Doc, wanted: Wanted) -> bool:
        return self.blame.needs_parse(doc, wanted.blame, wanted.words) or self.risk.needs_parse(
            doc, wanted.risk, wanted.words
        )

    def _parse(self, wanted: list[tuple[Span, Wanted]], full_parse: bool) -> list[Doc]:
        """Run the pipeline on the candidate sentences, in batches.

        With full_parse=False the parser, a third of the pipeline's cost, runs only on the
        sentences that need it: all are tagged first, then those where a rule that reads the
        parse is wanted or a rule matched are parsed (Detector.needs_parse). The parser reads
        the tok2vec output the first pass left on each Doc (doc.tensor), so a sentence parsed
        later parses as it would in one go. (Measured: two batches, "wants the parse" and
        "tag first", cost more than this on an 80-word draft.)
        """
        nlp = self.pipeline.nlp
        # Each sentence gets a Doc of its own, tokenised afresh from its text: the same tokens
        # as the span, at a sixth of the cost of Span.as_doc(), which copies every attribute
        # (measured: 0.5 ms against 2.9 ms for a 300-word draft). A span that is its whole Doc
        # (a one-sentence draft) is used as it is.
        docs = [
            span.doc if len(span) == len(span.doc) else nlp.make_doc(span.text)
            for span, _ in wanted
        ]
        if (
            full_parse
            or len(docs) == 1
            or Capability.parser not in self.pipeline.capabilities
            or all(self.wants_parse(w) for _, w in wanted)
        ):
            # One pass: no sentence can skip the parser, or there is one sentence, where two
            # passes (tag, then parse) cost more than the parse they might save. A lone
            # sentence also skips pipe()'s batching, which costs more than it saves on one Doc.
            return [nlp(docs[0])] if len(docs) == 1 else list(nlp.pipe(docs))
        for _ in nlp.pipe(docs, disable=["parser"]):
            pass  # the pipeline annotates each Doc in place
        parser = cast(TrainablePipe, nlp.get_pipe("parser"))
        needing = (d for d, (_, w) in zip(docs, wanted, strict=True) if self.needs_parse(d, w))
        for _ in parser.pipe(needing):
            pass
        return docs
