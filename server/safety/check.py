"""The risk decision: the two layers vote, and the answer is a level, the kinds and helplines.

Language of self-harm, suicide, abuse, danger, a child at risk or an eating disorder can turn
up in any draft. Two independent layers look for it on the one reading of the draft:
1. the risk rules (rules/safety/<kind>/*.yaml), run by the engine beside the blame rules:
   who does what to whom, in classes of words, with their own must and must-not examples;
2. the classifier (classifier.py), which generalises to wordings no rule names.
A draft the classifier scores at its threshold, or one a rule matches that the classifier does
not read as plainly safe (a score at its rule floor), gets at least the gentle check-in. Urgent
needs evidence that it is happening now: a rule that is urgent in itself or found beside words
of immediacy, or the classifier's URGENT score with such words in the draft. The answer never
blocks anything; callers show the pointer and let the person keep going. Nothing here logs
text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from server.detect.engine import Analysis
from server.rules.schema import RiskLevel
from server.safety.classifier import RiskClassifier, Scores
from server.safety.load import load_answers, load_helplines
from server.safety.model import KINDS, Answer, Resource, Routing, Safety


class RiskCheck:
    """The answers, the helplines and the classifier, loaded once and shared (immutable)."""

    def __init__(
        self,
        *,
        classifier: RiskClassifier | None,
        answers: Mapping[str, Answer],
        resources: Sequence[Resource],
        routing: Routing,
        immediacy: frozenset[int],
        version: int,
        recovered: Sequence[str] = (),
    ) -> None:
        self.classifier = classifier
        self._answers = dict(answers)
        self._resources = tuple(resources)
        self._routing = routing
        self._immediacy = immediacy
        self.version = version
        # Harm told as long past and over ("six years since I last hurt myself") is recovery,
        # not risk now: the classifier does not score a sentence that says so, as the rules
        # leave it alone (`@recovered` in rules/safety/words.yaml).
        self._recovered_phrases = tuple(recovered)
        self._recovered = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, recovered)) + r")\b")
            if recovered
            else None
        )

    @classmethod
    def load(
        cls,
        directory: Path,
        immediacy: Iterable[str],
        hash_word: Callable[[str], int],
        classifier: RiskClassifier | None,
        recovered: Sequence[str] = (),
    ) -> RiskCheck:
        resources, routing, version = load_helplines(directory)
        return cls(
            classifier=classifier,
            answers=load_answers(directory),
            resources=resources,
            routing=routing,
            immediacy=frozenset(hash_word(word) for word in immediacy),
            version=version,
            recovered=recovered,
        )

    @property
    def resources(self) -> tuple[Resource, ...]:
        """Every resource in helplines.yaml, in file order (for an always-visible help page)."""
        return self._resources

    def assess(self, *analyses: Analysis) -> Safety | None:
        """The answer for everything one person typed (a draft, and any answers with it)."""
        scores = [self._scores(analysis) for analysis in analyses]
        # A rule's match counts unless the classifier reads that text as plainly safe: rules
        # match wordings, which jokes and idioms share ("I nearly died laughing").
        classifier = self.classifier
        matches = [
            match
            for analysis, found in zip(analyses, scores, strict=True)
            for match in analysis.risk
            if classifier is None or found.risk >= classifier.floor_for(match.rule.id)
        ]
        flagged = [s for s in scores if self.classifier and s.risk >= self.classifier.threshold]
        if not matches and not flagged:
            return None
        found_by = tuple(
            layer for layer, found in (("patterns", matches), ("classifier", flagged)) if found
        )
        kinds = {match.rule.kind for match in matches}
        if not kinds:
            kinds = {kind for s in flagged if (kind := s.likeliest_kind())}
        level: RiskLevel = "checkin"
        if any(match.urgent for match in matches) or any(
            self.classifier and s.urgent >= self.classifier.urgent_threshold and immediate
            for s, immediate in zip(scores, map(self._immediate, analyses), strict=True)
        ):
            level = "urgent"
        ordered = tuple(kind for kind in KINDS if kind in kinds)
        answer = self._answers[level]
        rules = tuple(dict.fromkeys(match.rule.id for match in matches))
        return Safety(
            level,
            ordered,
            answer.message,
            answer.question,
            self._select(ordered, level),
            found_by,
            rules,
        )

    def _scores(self, analysis: Analysis) -> Scores:
        if self.classifier is None:
            return Scores()
        text = analysis.normalized.text
        sentences = [text[start:end] for start, end in analysis.reading.spans]
        if self._recovered is not None:
            sentences = [s for s in sentences if not self._recovered.search(s.lower())]
        return self.classifier.score(sentences)

    def _immediate(self, analysis: Analysis) -> bool:
        return not self._immediacy.isdisjoint(analysis.reading.words)

    def _select(self, kinds: Sequence[str], level: RiskLevel) -> tuple[Resource, ...]:
        """Resources: for urgent the emergency numbers first; then for the kinds found; then
        the always-shown ones."""
        wanted = list(self._routing.by_level[level])
        for kind in kinds:
            wanted.extend(self._routing.by_kind[kind])
        wanted.extend(self._routing.always)
        chosen: list[Resource] = []
        for resource_kind in dict.fromkeys(wanted):
            chosen.extend(r for r in self._resources if r.kind == resource_kind)
        return tuple(chosen)
