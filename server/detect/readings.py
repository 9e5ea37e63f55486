"""Readings of a sentence that take the blame out of a match, worked out from the parse.

A rule lists the readings that cancel it (`unless_reading` in its file):

- generic-you: the "you" is anyone, not the listener ("you never know with traffic",
  "when you're a kid you never think about bills", "in this town you never see a spot").
- information-question: the sentence asks for facts ("have you always lived there?",
  "how do you always get your bread so fluffy?"), not a charge dressed as a question
  ("why do you always...", "do you ever think about anyone but yourself", "don't you ever").

Both read roles off the dependency parse (who is the subject, what the verb governs, where
the auxiliary stands), so they cover wordings no rule lists. They are deliberately narrow:
a sentence that names the writer ("me", "my"), or speaks to a relative ("mom, you never..."),
is about the two people in the conversation and never counts as generic.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from spacy.tokens import Doc, Token

YOU = frozenset({"you", "u", "ya", "yourself"})
FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours"})
# Where a generic "you" lives: stages of life, places and things, not the people involved.
_LIFE_STAGES = frozenset({"young", "old", "little", "older", "younger", "small", "new"})
_FRONTED_PREPS = frozenset({"in", "with", "at", "on"})
_TRAILING_PREPS = frozenset({"in", "with", "at"})
_FRAMING_DETS = frozenset({"this", "that", "a", "an", "these", "any"})
_GENERIC_TIME = frozenset({"nowadays", "generally", "usually", "typically", "normally"})
_PERSONAL_PLACES = frozenset(
    {"house", "home", "family", "life", "attitude", "tone", "relationship"}
)
_AUXILIARIES = frozenset(
    {"do", "does", "did", "have", "has", "had", "are", "is", "were", "was", "can", "could",
     "will", "would", "should", "shall", "may", "might"}
)  # fmt: skip
# What makes a question a charge: obligation ("do you always HAVE to"), "even", "why".
_RHETORICAL_WORDS = frozenset(
    {"why", "even", "seriously", "honestly", "really", "again", "anyone", "anybody", "else",
     "yourself", "care", "bother", "ever"}
)  # fmt: skip
_OBLIGATION = frozenset({"have", "need", "got", "gotta"})
READINGS = ("generic-you", "information-question")


class Readings:
    """The readings named by rules, with the word lists they need."""

    def __init__(self, lists: Mapping[str, tuple[str, ...]]) -> None:
        self._relatives = frozenset(lists.get("relatives", ()))
        self._labels = frozenset(lists.get("label-adjectives", ()))

    def cancels(self, doc: Doc, start: int, end: int, readings: Collection[str]) -> bool:
        """Whether one of `readings` holds for the match doc[start:end]."""
        you = _subject_you(doc, start, end)
        if you is None:
            return False
        if "generic-you" in readings and self.generic_you(you):
            return True
        return "information-question" in readings and self.information_question(you)

    def _about_us(self, doc: Doc) -> bool:
        """The sentence names the writer or addresses a relative: it is about the two of us."""
        return any(t.lower_ in FIRST_PERSON or t.lower_ in self._relatives for t in doc)

    def generic_you(self, you: Token) -> bool:
        doc = you.doc
        if self._about_us(doc):
            return False
        verb = you.head
        # "when you're a kid / when you're young, you never ..."
        for other in doc:
            if other.lower_ in YOU and other.i != you.i and other.head.lemma_ == "be":
                clause = other.head
                if any(c.lower_ in ("when", "once", "as", "if") for c in clause.children) and any(
                    (c.dep_ == "attr" and any(d.lower_ in ("a", "an") for d in c.children))
                    or (c.dep_ == "acomp" and c.lower_ in _LIFE_STAGES)
                    for c in clause.children
                ):
                    return True
        # the verb, the clauses it heads, and the clauses it hangs from ("every time you go
        # out, you bump into...")
        scope = [verb, *verb.ancestors, *(c for c in verb.children if c.dep_ in ("xcomp", "advcl"))]
        for head in scope:
            for child in head.children:
                # "in this town you...", "at a buffet you...", "... with this recipe": a
                # frame of place or thing (fronted, any determiner; after, "this" or "a" only,
                # since "on that boat" is what the act was about)
                fronted = child.i < you.i
                framing = _FRONTED_PREPS if fronted else _TRAILING_PREPS
                if child.dep_ == "prep" and child.lower_ in framing:
                    frames = _FRAMING_DETS if fronted else _FRAMING_DETS - {"that"}
                    for obj in child.children:
                        if (
                            obj.dep_ == "pobj"
                            and obj.lower_ not in _PERSONAL_PLACES
                            and frames.intersection(d.lower_ for d in obj.children)
                        ):
                            return True
                if child.lower_ in _GENERIC_TIME:
                    return True
        return _phrase_in(doc, ("these", "days")) or _phrase_in(doc, ("in", "general"))

    def information_question(self, you: Token) -> bool:
        doc = you.doc
        words = [t.lower_ for t in doc]
        asks = "?" in doc[-1].text or (len(words) > 1 and words[0] in _AUXILIARIES)
        if not asks or _RHETORICAL_WORDS.intersection(words) or self._labels.intersection(words):
            return False
        verb = you.head
        inverted = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < you.i] or (
            [verb] if verb.lemma_ == "be" and verb.i < you.i else []
        )
        if not inverted:
            return False
        # "don't you ever", "can't you just": a negated question is a reproach
        if any(c.dep_ == "neg" for c in verb.children):
            return False
        # "do you always have to ...": obligation, asked, is a complaint
        return not (verb.lemma_ in _OBLIGATION and any(c.dep_ == "xcomp" for c in verb.children))


def _subject_you(doc: Doc, start: int, end: int) -> Token | None:
    """The "you" a match is about: the first subject "you" inside it, else the sentence's
    first ("Every time [you visit]" flags the words before it)."""
    for tokens in (doc[start:end], doc):
        for token in tokens:
            if token.lower_ in YOU and token.dep_ in ("nsubj", "nsubjpass"):
                return token
    return None


def _phrase_in(doc: Doc, words: tuple[str, ...]) -> bool:
    lowered = [t.lower_ for t in doc]
    size = len(words)
    return any(tuple(lowered[i : i + size]) == words for i in range(len(lowered) - size + 1))
