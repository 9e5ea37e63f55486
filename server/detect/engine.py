"""text -> one Reading -> blame flags and risk matches: the one place that runs the pipeline.

The Reader (reading.py) reads a draft once, parsing only the sentences some rule could match;
the engine runs the blame rules and the risk rules over that one reading. The reading is kept
on the Analysis so that the risk check and the rewrite reuse it instead of parsing again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from server.core.nlp import Pipeline, load_pipeline
from server.core.normalize import Normalized
from server.detect.detector import Detector
from server.detect.learned import BlameClassifier
from server.detect.reading import Reader, Reading, Sentence
from server.detect.readings import YOU
from server.rules.load import RuleSet, load_rules
from server.rules.schema import Capability, Profile, RiskRule, Rule, Severity
from server.settings import Settings

# What the parse can tell of a sentence the classifier reads as blame, as for the rules.
LEARNED_READINGS = frozenset({"generic-you", "information-question"})
# When a rewrite is asked for and nothing was flagged, the sentence the classifier reads as
# likelier blaming than not is flagged (see _second_reading).
ASKED_BAR = 0.65
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
class RiskMatch:
    """Words of risk (rules/safety/): where they are in the submitted text, which rule found
    them, and whether their sentence says it is happening now."""

    rule: RiskRule
    start: int
    end: int
    urgent: bool


@dataclass(frozen=True)
class Analysis:
    text: str
    reading: Reading
    flags: tuple[Flag, ...]
    profile: str
    risk: tuple[RiskMatch, ...] = ()

    @property
    def normalized(self) -> Normalized:
        return self.reading.normalized

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        """The sentences some rule wanted, or the classifier flagged: tagged, and parsed where a
        rule needed it or the classifier flagged it."""
        return self.reading.sentences

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

    def __init__(
        self, pipeline: Pipeline, ruleset: RuleSet, learned: BlameClassifier | None = None
    ) -> None:
        self.pipeline = pipeline
        self.ruleset = ruleset
        self.learned = learned
        self._learned_rules = {rule.category: rule for rule in ruleset.learned} if learned else {}
        nlp, lists, capabilities = pipeline.nlp, ruleset.lists, pipeline.capabilities
        self.detector = Detector(nlp, ruleset.rules, lists, capabilities)
        self._rules = {**self.detector.rules, **{r.id: r for r in self._learned_rules.values()}}
        self.risk_detector = Detector(nlp, ruleset.risk, lists, capabilities)
        known_words = frozenset(
            word
            for rule in (*ruleset.rules, *ruleset.risk)
            for group in (rule.triggers or ())
            for word in group
        ) | frozenset(word for words in lists.values() for word in words)
        you_are = frozenset(
            word
            for name in ("label-adjectives", "intensifiers", "absolute-words")
            for word in lists.get(name, ())
        )
        self.reader = Reader(pipeline, self.detector, self.risk_detector, known_words, you_are)
        add = nlp.vocab.strings.add
        self._urgent_words = {
            rule.id: frozenset(add(word) for word in rule.urgent_if) for rule in ruleset.risk
        }

    @property
    def rules(self) -> dict[str, Rule]:
        """Every rule that can flag: the patterns the pipeline can run, and the classifier's
        kinds when it is loaded."""
        return self._rules

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
        asked: bool = False,
    ) -> Analysis:
        """Flags for one text. full_parse=False skips the parser where no rule needs it: the
        same flags, but not every sentence Doc carries a parse (enough for a check, not for
        a rewrite, which reads the parse of every sentence). asked=True: the person asked for
        a rewrite, so a draft nothing flagged still gets its likeliest blaming sentence
        flagged (see _second_reading)."""
        return self.analyze_many(
            [text], profile, min_severity, disable, full_parse=full_parse, asked=asked
        )[0]

    def analyze_many(
        self,
        texts: Sequence[str],
        profile: str = "strict",
        min_severity: Severity = Severity.info,
        disable: Collection[str] = (),
        *,
        full_parse: bool = True,
        vet_rules: bool = True,
        asked: bool = False,
    ) -> list[Analysis]:
        """Analyse several texts with one pass of the pipeline (it works best in batches).
        vet_rules=False keeps every rule flag, whatever the classifier reads (see
        clean_many)."""
        chosen = self.profile(profile)
        unknown = set(disable) - {rule.id for rule in (*self.ruleset.rules, *self.ruleset.learned)}
        if unknown:
            raise UnknownRuleError(unknown)
        enabled = set(self.detector.rules) - set(disable)
        readings = self.reader.read_many(texts, enabled, full_parse=full_parse)
        return [
            self._analysis(text, reading, chosen, min_severity, set(disable), vet_rules, asked)
            for text, reading in zip(texts, readings, strict=True)
        ]

    def _analysis(
        self,
        text: str,
        reading: Reading,
        profile: Profile,
        min_severity: Severity,
        disabled: set[str],
        vet_rules: bool,
        asked: bool,
    ) -> Analysis:
        """Flags and risk matches, on the reading with the sentences only the classifier
        flagged parsed too."""
        quoted = quoted_ranges(text)
        found: list[Flag] = []
        has_parser = Capability.parser in self.pipeline.capabilities
        for sentence in reading.sentences:
            doc = sentence.doc
            if not sentence.wanted.blame or (has_parser and not doc.has_annotation("DEP")):
                continue  # left unparsed because no blame rule matched (see Reader._parse)
            for match in self.detector.detect(doc, sentence.wanted.blame, sentence.wanted.words):
                start, end = _in_original(reading, sentence, match.start, match.end)
                if any(q_start <= start and end <= q_end for q_start, q_end in quoted):
                    continue
                rule = self.rules[match.rule_id]
                found.append(Flag(rule, profile.severity(rule), start, end, text[start:end]))
        found, reading = self._second_reading(
            text, reading, found, quoted, profile, disabled, vet_rules, asked
        )
        flags = [f for f in resolve_overlaps(found) if f.severity.rank >= min_severity.rank]
        return Analysis(text, reading, tuple(flags), profile.name, self._risk(reading))

    def _second_reading(
        self,
        text: str,
        reading: Reading,
        flagged: list[Flag],
        quoted: list[tuple[int, int]],
        profile: Profile,
        disabled: set[str],
        vet_rules: bool,
        asked: bool,
    ) -> tuple[list[Flag], Reading]:
        """The rules' flags the classifier lets stand (with vet_rules, those in sentences it
        scores at least its rule floor; else all), and its own: whole sentences no rule flagged,
        outside quotes, scoring at least its threshold; and the reading with those sentences
        parsed."""
        if self.learned is None:
            return flagged, reading
        # A flagged sentence is read only when its flags may be dropped (the suggestions' strict
        # check, and a model without a floor, skip it: this runs for every suggestion).
        vet = vet_rules and self.learned.rule_floor > 0
        normalized = reading.normalized
        # (sentence start in the normalised text, stripped text, original range, its flags)
        spans: list[tuple[int, str, tuple[int, int], list[Flag]]] = []
        for start, end in reading.spans:
            piece = normalized.text[start:end]
            stripped = piece.strip()
            if not any(c.isalpha() for c in stripped):
                continue
            left = start + piece.index(stripped)
            low, high = normalized.to_original(left, left + len(stripped))
            if any(q_start <= low and high <= q_end for q_start, q_end in quoted):
                continue
            here = [f for f in flagged if f.start < high and low < f.end]
            if vet or not here:
                spans.append((start, stripped, (low, high), here))
        kept, verdicts, unflagged = list(flagged), [], []
        for verdict in self.learned.read([stripped for _, stripped, _, _ in spans]):
            here = spans[verdict.index][3]
            if here:
                if verdict.score < self.learned.rule_floor:
                    kept = [f for f in kept if f not in here]
            elif self._learned_rules[verdict.category].id not in disabled:
                unflagged.append(verdict)
                if verdict.score >= self.learned.threshold:
                    verdicts.append(verdict)
        if asked and not kept and not verdicts and unflagged:
            # A rewrite was asked for, so the writer hears blame in the draft that neither
            # layer flagged unasked (sarcasm, a blaming comparison): its likeliest sentence is
            # flagged when the classifier reads it as likelier blaming than not. A plainly
            # kind message scores under the bar and stays unflagged.
            best = max(unflagged, key=lambda verdict: verdict.score)
            if best.score >= ASKED_BAR:
                verdicts.append(best)
        if not verdicts:
            return kept, reading
        reading = self.reader.parse_more(reading, {spans[v.index][0] for v in verdicts})
        parsed = {s.start: s.doc for s in reading.sentences if s.doc.has_annotation("DEP")}
        for verdict in verdicts:
            rule = self._learned_rules[verdict.category]
            sentence_start, _, (start, end), _ = spans[verdict.index]
            doc = parsed.get(sentence_start)
            if doc is not None and self._read_as_innocent(doc):
                continue  # a generic "you", or a question asking for facts
            kept.append(Flag(rule, profile.severity(rule), start, end, text[start:end]))
        return kept, reading

    def _risk(self, reading: Reading) -> tuple[RiskMatch, ...]:
        """Risk rules' matches. Quoted words count here: "she texted me 'i want to die'" is
        still someone who may need help."""
        found: list[RiskMatch] = []
        for sentence in reading.sentences:
            if not sentence.wanted.risk:
                continue
            wanted = sentence.wanted
            for match in self.risk_detector.detect(sentence.doc, wanted.risk, wanted.words):
                rule = self.risk_detector.rules[match.rule_id]
                start, end = _in_original(reading, sentence, match.start, match.end)
                urgent = rule.level == "urgent" or not self._urgent_words[rule.id].isdisjoint(
                    reading.words
                )
                found.append(RiskMatch(rule, start, end, urgent))
        return tuple(found)

    def _read_as_innocent(self, doc: Doc) -> bool:
        """Whether, for one of its "you"s, the parse reads the sentence as a generic "you" or
        a question asking for facts: what cancels a rule's match cancels the classifier's."""
        cancels = self.detector.readings.cancels
        return any(
            cancels(doc, token.i, token.i + 1, LEARNED_READINGS)
            for token in doc
            if token.lower_ in YOU
        )

    def sentence_docs(self, analysis: Analysis) -> list[Doc]:
        """The draft's parsed sentences, or the whole text parsed when no rule wanted a parse:
        a clean line still has a topic to answer."""
        return [s.doc for s in analysis.sentences] or [self.pipeline.nlp(analysis.text)]

    def clean_many(self, texts: Sequence[str], profile: str = "strict") -> list[bool]:
        """is_clean for several texts, in one pass of the pipeline. Strictly: a rule's flag
        counts even where the classifier reads the sentence as clean, for these are Mend's own
        suggestions, which the classifier was trained to read as clean."""
        analyses = self.analyze_many(
            texts, profile, min_severity=Severity.warning, full_parse=False, vet_rules=False
        )
        return [not analysis.flags for analysis in analyses]


def load_engine(settings: Settings, ruleset: RuleSet | None = None) -> Engine:
    """Rules first (a bad rule file should stop start-up before the slow model load); the
    blame classifier when its model is there."""
    ruleset = ruleset or load_rules(settings.rules_dir)
    pipeline = load_pipeline(settings.model)
    learned = BlameClassifier.load(settings.rules_dir / "learned", pipeline.nlp, ruleset.lists)
    return Engine(pipeline, ruleset, learned)


def _in_original(reading: Reading, sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """Token range [start, end) of one sentence's Doc as a range of the submitted text."""
    piece = sentence.doc[start:end]
    return reading.normalized.to_original(
        sentence.start + piece.start_char, sentence.start + piece.end_char
    )
