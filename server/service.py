"""Mend as one service: what the API and the CLI both call.

Loaded once per process (`Mend.load`). Each call reads the draft once (the engine's reading:
normalised text with its offset map, the sentences, the parse of those a rule could match)
and hands that reading to the blame rules, the risk check and the rewrite. Nothing here knows
about HTTP or the command line.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from server.coach.flow import CoachTurn, LineResult, Tools, advance
from server.coach.partner import Partner, Reply, Style
from server.coach.state import CoachState
from server.coach.texts import CoachTexts
from server.detect.engine import Analysis, Engine, Flag, load_engine
from server.rewrite.compose import compose
from server.rewrite.model import Answers, Rewrite
from server.rules.cache import load_rules_cached
from server.rules.load import RuleSet
from server.rules.schema import Severity
from server.safety.check import RiskCheck
from server.safety.classifier import RiskClassifier
from server.safety.model import Safety
from server.settings import Settings

log = logging.getLogger("mend")


class TooLongError(ValueError):
    """A draft over the MEND_MAX_CHARS limit: left alone rather than half-read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"over {limit:,} characters")
        self.limit = limit


@dataclass(frozen=True)
class Checked:
    """A checked draft: the flags (with the reading they came from) and the risk answer."""

    analysis: Analysis
    safety: Safety | None

    @property
    def flags(self) -> tuple[Flag, ...]:
        return self.analysis.flags


@dataclass(frozen=True)
class Softer:
    """What a gentler version of a blaming line would have drawn from her."""

    line: str
    reply: Reply


@dataclass(frozen=True)
class Practice:
    """One practised line: her reply, the flags in the line, and the softer alternative."""

    reply: Reply
    flags: tuple[Flag, ...]
    softer: Softer | None


def load_classifier(
    path: Path, nlp: Language, lists: Mapping[str, Sequence[str]]
) -> RiskClassifier | None:
    """The risk check's second layer, or None (and a warning) when its model is missing: the
    rules still run, and /health says the classifier is off."""
    if not (path / "meta.json").is_file():
        log.warning("risk classifier not found at %s; the risk rules run alone", path)
        return None
    return RiskClassifier.load(path, nlp, lists)


class Mend:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        risk: RiskCheck,
        partner: Partner,
        coach_texts: CoachTexts,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.risk = risk
        self.partner = partner
        self.coach_texts = coach_texts

    @classmethod
    def load(cls, settings: Settings, ruleset: RuleSet | None = None) -> Mend:
        ruleset = ruleset or load_rules_cached(settings.rules_dir, settings.cache_dir)
        engine = load_engine(settings, ruleset)
        log.info("model %s, %d rules active", engine.pipeline.name, len(engine.rules))
        safety = settings.rules_dir / "safety"
        classifier = load_classifier(
            safety / "classifier" / "model", engine.pipeline.nlp, ruleset.lists
        )
        return cls(
            settings,
            engine,
            RiskCheck.load(
                safety,
                ruleset.lists.get("immediacy", ()),
                engine.pipeline.nlp.vocab.strings.add,
                classifier,
                ruleset.lists.get("recovered", ()),
            ),
            Partner.load(settings.rules_dir / "coach"),
            CoachTexts.load(settings.rules_dir / "coach" / "coach.yaml", ruleset.lexicons),
        )

    def within_limit(self, *texts: str) -> None:
        for text in texts:
            if len(text) > self.settings.max_chars:
                raise TooLongError(self.settings.max_chars)

    def check(
        self,
        text: str,
        profile: str = "strict",
        min_severity: Severity = Severity.info,
        disable: Collection[str] = (),
    ) -> Checked:
        """Flags and the risk answer for one draft. Raises TooLongError, UnknownProfileError,
        UnknownRuleError."""
        self.within_limit(text)
        analysis = self.engine.analyze(text, profile, min_severity, disable, full_parse=False)
        return Checked(analysis, self.risk.assess(analysis))

    def assess(self, *texts: str) -> Safety | None:
        """The risk answer for everything one person typed (a line, and answers with it)."""
        typed = [text for text in texts if text and text.strip()]
        if not typed:
            return None
        return self.risk.assess(*self.engine.analyze_many(typed, full_parse=False))

    def rewrite(
        self, text: str, answers: Answers | None = None, profile: str = "strict"
    ) -> tuple[Rewrite, Safety | None]:
        """I-statements, best first, each re-checked; and the risk answer for all the person
        typed (their own words count too)."""
        self.within_limit(text)
        answers = answers or Answers()
        analysis = self.engine.analyze(text, profile, asked=True)
        result = self._compose_analysis(analysis, answers)
        parts = (answers.feeling, answers.situation, answers.need, answers.request)
        typed = [part for part in parts if part and part.strip()]
        extra = self.engine.analyze_many(typed, full_parse=False) if typed else []
        return result, self.risk.assess(analysis, *extra)

    def _compose(self, text: str, answers: Answers, profile: str = "strict") -> Rewrite:
        return self._compose_analysis(self.engine.analyze(text, profile), answers)

    def _compose_analysis(self, analysis: Analysis, answers: Answers) -> Rewrite:
        engine = self.engine
        return compose(analysis, answers, engine.ruleset.lexicons, engine.clean_many)

    def practise(
        self, line: str, style: Style, intensity: int, said_before: Sequence[str] = ()
    ) -> Practice:
        """Her reply to a line; for a blaming line, also what its softer version would draw."""
        self.within_limit(line)
        analysis, reply = self._her_reply(line, style, intensity, said_before)
        softer = None
        if reply.kind == "blame":
            lexicons = self.engine.ruleset.lexicons
            rewritten = compose(analysis, Answers(), lexicons, self.engine.clean_many, short=True)
            if rewritten.suggestions:
                gentle = rewritten.suggestions[0].text
                _, drawn = self._her_reply(gentle, style, intensity, said_before)
                softer = Softer(gentle, drawn)
        return Practice(reply, analysis.flags, softer)

    def _her_reply(
        self, line: str, style: Style, intensity: int, said_before: Sequence[str]
    ) -> tuple[Analysis, Reply]:
        analysis = self.engine.analyze(line)
        docs = self.engine.sentence_docs(analysis)
        lexicons = self.engine.ruleset.lexicons
        return analysis, self.partner.reply(
            analysis, docs, style, intensity, lexicons, list(said_before)
        )

    def coach(
        self,
        state: CoachState | None,
        answer: str | None,
        action: str,
        on_practice: list[Practice],
    ) -> CoachTurn:
        """One turn of the guided conversation; a rehearsal step appends to `on_practice`."""
        engine = self.engine

        def rehearse(line: str, style: str, intensity: int, said: Sequence[str]) -> LineResult:
            # The state's model allows only the five styles.
            practice = self.practise(line, style, intensity, said)  # type: ignore[arg-type]
            on_practice.append(practice)
            return LineResult(practice.reply.text, practice.reply.reaction)

        tools = Tools(
            texts=self.coach_texts,
            lexicons=engine.ruleset.lexicons,
            analyze=engine.analyze,
            rewrite=self._compose,
            rehearse=rehearse,
            assess=self.assess,
        )
        return advance(state, answer, action, tools)
