"""Compile the rules into spaCy matchers and find their matches on a parsed Doc.

Each rule has its own Matcher, DependencyMatcher and PhraseMatcher (and a set for its `unless`
patterns), so a sentence only pays for the rules its words could trigger.
A match is dropped when an `unless` match of the same rule overlaps it, when the sentence holds
one of the rule's `unless_sentence_has` words, when it sits in someone else's reported
speech ("Dad says you never call"): that is not the writer blaming anyone, or when the parse
gives one of the rule's `unless_reading`s (readings.py: a generic "you", a genuine question).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from spacy.attrs import DEP, LEMMA, LOWER, NORM, POS, TAG
from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc, Token
from spacy.util import filter_spans

from server.core.strict_yaml import RuleError
from server.detect.readings import Readings
from server.rules.patterns import expand_tokens, expand_value, named_list
from server.rules.schema import (
    Capability,
    DependencyPattern,
    Pattern,
    PatternRule,
    PhrasePattern,
    TokenPattern,
)

FIRST_PERSON = frozenset({"i", "we", "me"})
R = TypeVar("R", bound=PatternRule)
Lists = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Match:
    """A rule's match on a Doc, in token indices [start, end)."""

    rule_id: str
    start: int
    end: int


WORD_ATTRS = ("LOWER", "ORTH", "TEXT", "NORM")
# The attributes a dependency node may fix that _DependencyMatches checks before matching.
_ATTR_NAMES = ("DEP", "TAG", "POS", "LEMMA", "LOWER")
_ATTRS = (DEP, TAG, POS, LEMMA, LOWER)
_PRESENT = "mend.present"  # Doc.user_data key: each attribute's values in the Doc
OPTIONAL_OPS = frozenset({"?", "*", "!"})
Requirement = list[set[str]]  # one word set per token a match must hold
Need = tuple[frozenset[int], ...]  # a Requirement as word hashes


def _required_word(spec: object) -> set[str] | None:
    """The words one token of a match must be (lower case), or None when any word could do:
    an optional token, or one described only by tag, lemma, regex and the like."""
    if not isinstance(spec, dict) or spec.get("OP") in OPTIONAL_OPS:
        return None
    if str(spec.get("OP", "")).startswith("{0"):
        return None
    for attr in WORD_ATTRS:
        values = _named_values(spec.get(attr))
        if values is not None:
            return {value.lower() for value in values}
    return None


def _named_values(value: object) -> list[str] | None:
    """The values an attribute allows when it names them (a string, or {"IN": [...]}); None
    for anything else (NOT_IN, REGEX, a comparison, or no value)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"}:
        return [str(item) for item in value["IN"]]
    return None


def _required(specs: Iterable[object]) -> Requirement:
    return [words for words in map(_required_word, specs) if words is not None]


class _DependencyMatches:
    """One rule's dependency patterns in a spaCy DependencyMatcher, each under its own key so
    that a match says which nodes make up its span. (One matcher for all rules was slower:
    its cost grows with the patterns it holds, and a sentence triggers few rules; measured
    0.34 ms against 0.30 ms for three rules' own.)"""

    def __init__(self, nlp: Language) -> None:
        self.matcher = DependencyMatcher(nlp.vocab, validate=True)
        # For each pattern's key: its rule, and the node positions its flag covers (None: all).
        self._keys: dict[str, tuple[str, list[int] | None]] = {}
        # For each pattern, the values its nodes require: a sentence where some node's value
        # is found on no token cannot match, and the matcher is not run (most of its cost is
        # paid even when nothing matches: measured ~0.1 ms a rule on a short sentence).
        self._needs: list[list[tuple[int, frozenset[int]]]] = []
        self._add_string = nlp.vocab.strings.add

    def add(self, rule_id: str, pattern: DependencyPattern, lists: Lists) -> list[dict[str, Any]]:
        """Add the pattern with its word lists expanded; return its expanded nodes."""
        nodes = [expand_value(node, lists) for node in pattern.deps]
        key = f"{rule_id}#{len(self._keys)}"
        self.matcher.add(key, [nodes])
        self._needs.append([need for node in nodes for need in self._fixed_values(node)])
        names = [node["RIGHT_ID"] for node in nodes]
        self._keys[key] = (
            rule_id,
            [names.index(n) for n in pattern.span] if pattern.span else None,
        )
        return nodes

    def _fixed_values(self, node: dict[str, Any]) -> list[tuple[int, frozenset[int]]]:
        """(column of _ATTRS, the values allowed) for each attribute the node fixes."""
        found = []
        for column, name in enumerate(_ATTR_NAMES):
            values = _named_values(node.get("RIGHT_ATTRS", {}).get(name))
            if values is not None:
                ids = {POS_IDS[v] if name == "POS" else self._add_string(v) for v in values}
                found.append((column, frozenset(ids)))
        return found

    def _possible(self, doc: Doc) -> bool:
        """Whether some pattern has, for every value it requires, a token that carries it."""
        present = doc.user_data.get(_PRESENT)
        if present is None:
            columns = doc.to_array(list(_ATTRS)).T.tolist()
            present = doc.user_data[_PRESENT] = [frozenset(column) for column in columns]
        return any(
            all(not present[column].isdisjoint(ids) for column, ids in needs)
            for needs in self._needs
        )

    def find(self, doc: Doc) -> list[Match]:
        """The matches; none on a Doc without a parse."""
        found: list[Match] = []
        if not self._keys or not doc.has_annotation("DEP") or not self._possible(doc):
            return found
        strings = doc.vocab.strings
        for key, token_ids in self.matcher(doc):
            rule_id, picked = self._keys[strings[key]]
            ids = [token_ids[i] for i in picked] if picked is not None else token_ids
            found.append(Match(rule_id, min(ids), max(ids) + 1))
        return found


class _Matchers:
    """One rule's patterns in the three kinds of spaCy matcher; empty ones are never called.

    Each rule has its own matchers so that a sentence only pays for the rules its words can
    trigger (measured: one shared matcher for all rules costs more than the triggered few).
    """

    def __init__(
        self,
        nlp: Language,
        rule: PatternRule,
        field: str,
        patterns: tuple[Pattern, ...],
        lists: Lists,
    ) -> None:
        self.rule_id = rule.id
        self._vocab = nlp.vocab
        # The token patterns in one Matcher per set of words they require: a Matcher tries
        # every pattern it holds at every token, so a rule with forty patterns paid for all of
        # them on any sentence one of them could match. Only the groups whose words the
        # sentence holds are run (measured: ~0.25 ms of a 4 ms parse for "you never" alone).
        self.tokens: dict[Need, Matcher] = {}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.deps = _DependencyMatches(nlp)
        # For each way the rule can match (each expanded pattern, each phrase), the words a
        # sentence must hold, as hashes: read off the patterns as they are added, so it is
        # exact (a sentence that meets none of them cannot match) and needs no upkeep.
        self.needs: list[Need] = []
        self._make_doc = nlp.make_doc
        for index, pattern in enumerate(patterns):
            try:
                self._add(pattern, lists)
            except (ValueError, KeyError, TypeError) as error:
                raise RuleError(f"{rule.path}: {field}[{index}]: {error}") from None

    def _split(self, text: str) -> list[str]:
        return [token.lower_ for token in self._make_doc(text)]

    def _add(self, pattern: Pattern, lists: Lists) -> None:
        if isinstance(pattern, TokenPattern):
            for tokens in expand_tokens(pattern.tokens, lists, self._split):
                need = self._need(_required(tokens))
                if need not in self.tokens:
                    # Validated once when the rules were loaded (server/rules/load.py).
                    self.tokens[need] = Matcher(self._vocab)
                self.tokens[need].add(self.rule_id, [tokens], greedy="LONGEST")
                self.needs.append(need)
        elif isinstance(pattern, DependencyPattern):
            nodes = self.deps.add(self.rule_id, pattern, lists)
            self.needs.append(self._need(_required(n.get("RIGHT_ATTRS", {}) for n in nodes)))
        elif isinstance(pattern, PhrasePattern):
            phrases = pattern.phrases
            if isinstance(phrases, str):
                phrases = list(named_list(phrases, lists))
            docs = [self._make_doc(phrase) for phrase in phrases]
            self.phrases.add(self.rule_id, docs)
            self.needs += [self._need([{token.lower_} for token in doc]) for doc in docs]

    def _need(self, required: Requirement) -> Need:
        add = self._vocab.strings.add
        return tuple(frozenset(add(word) for word in words) for words in required)

    def find(self, doc: Doc, words: AbstractSet[int]) -> list[Match]:
        """The matches on the sentence `doc`, whose words (lowercase and normalised forms, as
        hashes) are `words`."""
        spans = [
            doc[start:end]
            for need, matcher in self.tokens.items()
            if _meets(need, words)
            for _, start, end in matcher(doc)
        ]
        # The groups of a rule's patterns are matched apart: of overlapping matches keep the
        # longest (the earlier of two as long), as one Matcher with greedy="LONGEST" does.
        found = [Match(self.rule_id, span.start, span.end) for span in filter_spans(spans)]
        if len(self.phrases):
            found.extend(Match(self.rule_id, start, end) for _, start, end in self.phrases(doc))
        found.extend(self.deps.find(doc))
        return found


def in_reported_speech(token: Token, speech_verbs: Collection[str]) -> bool:
    """True when the token sits in a clause that reports what someone else said or thinks."""
    for ancestor in [token, *token.ancestors]:
        head = ancestor.head
        # Reported speech follows its verb ("Dad says you never call"); a clause before the
        # verb is the writer's own ("You're a martyr, nobody asked you to").
        reported = ancestor.dep_ in ("ccomp", "parataxis") and ancestor.i > head.i
        if reported and head.lemma_.lower() in speech_verbs:
            subjects = [child for child in head.children if child.dep_ in ("nsubj", "nsubjpass")]
            return bool(subjects) and all(s.lower_ not in FIRST_PERSON for s in subjects)
    return False


def sentence_words(doc: Doc) -> frozenset[int]:
    """The sentence's words, lowercase and normalised, as hashes (what the requirements name)."""
    return frozenset(cast(list[int], doc.to_array([LOWER, NORM]).ravel().tolist()))


def _meets(groups: Sequence[AbstractSet[int]], words: AbstractSet[int]) -> bool:
    """Every group has a word among `words`. (map() over the bound method keeps the loop in C:
    this runs for every rule on every sentence.)"""
    return not any(map(words.isdisjoint, groups))


class Detector(Generic[R]):
    """Finds where each rule matches. Knows nothing of profiles, offsets or rewrites; blame
    rules and risk rules each get one."""

    def __init__(
        self,
        nlp: Language,
        rules: Sequence[R],
        lists: Lists,
        capabilities: frozenset[Capability],
    ) -> None:
        self.rules = {rule.id: rule for rule in rules if rule.needs <= capabilities}
        # Word sets as string hashes, compared with token attribute arrays without building
        # Token objects: this check runs on every sentence of every draft.
        add = nlp.vocab.strings.add
        self._triggers = {
            rule.id: None if rule.triggers is None else [{add(w) for w in g} for g in rule.triggers]
            for rule in self.rules.values()
        }
        self._unless_words = {
            rule.id: {add(word) for word in rule.unless_sentence_has}
            for rule in self.rules.values()
        }
        self.skipped = tuple(rule for rule in rules if not rule.needs <= capabilities)
        self._parser_rules = frozenset(
            rule.id for rule in self.rules.values() if Capability.parser in rule.needs
        )
        # Rules whose matches are checked against the parse (who speaks, which reading).
        self._checks_parse_after_match = {
            rule.id: rule.own_voice_only or bool(rule.unless_reading)
            for rule in self.rules.values()
        }
        self._speech_verbs = frozenset(lists.get("speech-verbs", ()))
        self._contrast = frozenset(add(word) for word in lists.get("contrast-words", ()))
        self.readings = Readings(lists)
        self._patterns = {
            rule.id: _Matchers(nlp, rule, "patterns", rule.patterns, lists)
            for rule in self.rules.values()
        }
        self._unless = {
            rule.id: _Matchers(nlp, rule, "unless", rule.unless, lists)
            for rule in self.rules.values()
        }
        self._unless_sentence = {
            rule.id: _Matchers(nlp, rule, "unless_sentence", rule.unless_sentence, lists)
            for rule in self.rules.values()
            if rule.unless_sentence
        }
        # Each way a rule can match, as the word sets it needs (the smallest set first: the
        # likeliest to be missing), without repeats; and per rule the union of those first sets:
        # a sentence holding none of them is passed over at once (a rule may have sixty ways).
        self._required: dict[str, list[Need]] = {}
        for rule_id, matchers in self._patterns.items():
            unique = {tuple(sorted(need, key=len)) for need in matchers.needs}
            self._required[rule_id] = sorted(unique, key=len)
        self._anchors = {
            rule_id: frozenset().union(*(need[0] for need in needs)) if all(needs) else None
            for rule_id, needs in self._required.items()
        }
        # Which trigger group of which rule each word belongs to: a sentence's words are looked
        # up once each, instead of every rule testing every group against the sentence.
        self._untriggered = frozenset(r for r, groups in self._triggers.items() if groups is None)
        self._full_mask = {
            r: (1 << len(groups)) - 1 for r, groups in self._triggers.items() if groups
        }
        self._in_groups: dict[int, list[tuple[str, int]]] = {}
        for rule_id, groups in self._triggers.items():
            for index, group in enumerate(groups or ()):
                for word in group:
                    self._in_groups.setdefault(word, []).append((rule_id, 1 << index))

    def triggered(
        self, words: AbstractSet[int], enabled: Iterable[str], exact: bool = False
    ) -> set[str]:
        """The enabled rules with a trigger word from each of their groups among `words`
        (hashes of the sentence's lowercase and normalised forms). With exact=True, also
        only those a pattern could match: the words one of its requirements names are there."""
        masks: dict[str, int] = {}
        for word in words:
            for rule_id, bit in self._in_groups.get(word, ()):
                masks[rule_id] = masks.get(rule_id, 0) | bit
        full = self._full_mask
        candidates = {r for r, mask in masks.items() if mask == full[r]} | self._untriggered
        if not exact:
            return candidates.intersection(enabled)
        anchors = self._anchors
        return {
            rule_id
            for rule_id in candidates.intersection(enabled)
            if ((anchor := anchors[rule_id]) is None or not anchor.isdisjoint(words))
            and any(_meets(need, words) for need in self._required[rule_id])
        }

    def wants_parse(self, wanted: Collection[str]) -> bool:
        """Whether a rule that reads the parse is among `wanted`."""
        return not self._parser_rules.isdisjoint(wanted)

    def needs_parse(
        self, doc: Doc, wanted: Collection[str], words: AbstractSet[int] | None = None
    ) -> bool:
        """On a tagged but unparsed sentence: whether the parser must run before `detect`.
        It must when a rule that reads the parse is wanted, or when a rule matched whose match
        is then checked against the parse (who is speaking, a reading). When it need not,
        `detect` finds what it would have found after the parse."""
        if self.wants_parse(wanted):
            return True
        words = sentence_words(doc) if words is None else words
        return any(
            self._patterns[rule_id].find(doc, words)
            for rule_id in self._open(wanted, words)
            if self._checks_parse_after_match[rule_id]
        )

    def _open(self, wanted: Collection[str], words: AbstractSet[int]) -> list[str]:
        """The wanted rules whose `unless_sentence_has` words are not in the sentence, or may
        be cancelled by a contrast ("I love you, but ...", see _softened)."""
        turns = not self._contrast.isdisjoint(words)
        return [r for r in sorted(wanted) if turns or self._unless_words[r].isdisjoint(words)]

    def _softened(self, doc: Doc, start: int, unless_words: AbstractSet[int]) -> bool:
        """Whether one of the rule's `unless_sentence_has` words softens a match at `start`:
        any of them does, unless a contrast word stands between it and the match. What
        follows "but" is what the writer means, so "I love you, but you never listen" still
        blames, where "you never miss a game, love you" does not."""
        turns = [token.i for token in doc[: start + 1] if token.lower in self._contrast]
        return any(
            not any(token.i < turn <= start for turn in turns)
            for token in doc
            if token.lower in unless_words or token.norm in unless_words
        )

    def detect(
        self, doc: Doc, wanted: Collection[str], words: AbstractSet[int] | None = None
    ) -> list[Match]:
        parsed = doc.has_annotation("DEP")
        words = sentence_words(doc) if words is None else words
        found: list[Match] = []
        for rule_id in self._open(wanted, words):
            matches = self._patterns[rule_id].find(doc, words)
            if not matches:
                continue
            sentence_guard = self._unless_sentence.get(rule_id)
            if sentence_guard is not None and sentence_guard.find(doc, words):
                continue
            unless_words = self._unless_words[rule_id]
            if not unless_words.isdisjoint(words):
                matches = [m for m in matches if not self._softened(doc, m.start, unless_words)]
            blocked = self._unless[rule_id].find(doc, words)
            rule = self.rules[rule_id]
            readings = rule.unless_reading
            found.extend(
                match
                for match in matches
                if not any(u.start < match.end and match.start < u.end for u in blocked)
                and not (
                    parsed
                    and rule.own_voice_only
                    and in_reported_speech(doc[match.start], self._speech_verbs)
                )
                and not (
                    parsed
                    and readings
                    and self.readings.cancels(doc, match.start, match.end, readings)
                )
            )
        return found
