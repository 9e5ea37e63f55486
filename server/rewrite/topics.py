"""What a blaming sentence is about (rules/lexicons/topics.yaml): the matter ("the calls", "the
kids"), and the feelings, needs and requests that fit it, varied from draft to draft."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field
from spacy.tokens import Doc, Token

from server.core.inflect import getAllLemmas, getLemma
from server.core.strict_yaml import Strict, read_yaml, validate_file
from server.detect.engine import Flag

T = TypeVar("T")


class Want(Strict):
    need: str  # an id from needs.yaml
    says: str  # the "because ..." clause


class Topic(Strict):
    id: str
    words: list[str] = Field(min_length=1)
    noun: str
    feelings: list[str] = Field(min_length=1)
    wants: list[Want] = Field(min_length=1)
    requests: list[str] = Field(min_length=1)
    done_feelings: list[str] = Field(default_factory=list)
    done_wants: list[Want] = Field(default_factory=list)
    done_requests: list[str] = Field(default_factory=list)
    mine_wants: list[Want] = Field(default_factory=list)
    mine_requests: list[str] = Field(default_factory=list)


class RuleAdvice(Strict):
    wants: list[Want] = Field(default_factory=list)
    requests: list[str] = Field(default_factory=list)


class Figure(Strict):
    match: str
    says: str


class Absent(Strict):
    present: str
    past: str


class Kind(Strict):
    """What to ask for when the act names no matter, by what the parse reads of it."""

    feelings: list[str] = Field(default_factory=list)
    wants: list[Want] = Field(default_factory=list)
    requests: list[str] = Field(default_factory=list)


class TopicsFile(Strict):
    topics: list[Topic] = Field(min_length=1)
    kinds: dict[Literal["missing", "mine", "done", "stake", "topic"], Kind] = Field(
        default_factory=dict
    )
    rules: dict[str, RuleAdvice] = Field(default_factory=dict)
    figures: list[Figure] = Field(default_factory=list)
    absent: dict[str, Absent] = Field(default_factory=dict)
    acts: dict[str, str] = Field(default_factory=dict)


@cache
def load_topics(path: Path) -> TopicsFile:
    return validate_file(TopicsFile, path, read_yaml(path))


def topics_for(flags: Sequence[Flag]) -> TopicsFile | None:
    """The topic lexicon beside the rules that flagged the draft (so MEND_RULES_DIR counts)."""
    for flag in flags:
        path = Path(flag.rule.path).parent.parent / "lexicons" / "topics.yaml"
        if path.exists():
            return load_topics(path)
    return None


@dataclass(frozen=True)
class Matter:
    """The topic a block is about, and the draft's own word for it."""

    topic: Topic
    word: str  # "the grandkids", "my wife", "Christmas"
    done: bool  # too much rather than too little

    @property
    def noun(self) -> str:
        return fill(self.topic.noun, self.word)

    @property
    def feelings(self) -> list[str]:
        return (self.topic.done_feelings if self.done else []) or self.topic.feelings

    @property
    def mine(self) -> bool:
        """The writer's own matter ("my health"), not hers ("your medication")."""
        return self.word.lower().startswith("my ")

    @property
    def wants(self) -> list[Want]:
        own = self.topic.mine_wants if self.mine else []
        return own or (self.topic.done_wants if self.done else []) or self.topic.wants

    @property
    def requests(self) -> list[str]:
        own = self.topic.mine_requests if self.mine else []
        return own or (self.topic.done_requests if self.done else []) or self.topic.requests


def fill(template: str, word: str) -> str:
    if word.endswith("s"):  # "the kids's lives" -> "the kids' lives"
        template = template.replace("{word}'s", "{word}'")
    text = template.replace("{word}", word)
    return (
        text[:1].upper() + text[1:]
        if template.startswith("{word}") and word[:1].isupper()
        else text
    )


def _forms(token: Token) -> set[str]:
    word = token.lower_
    forms = {word}
    for lemmas in getAllLemmas(word).values():
        forms.update(lemmas)
    if not forms - {word} and token.pos_ in ("VERB", "NOUN") and word.isalpha():
        # A word outside the dictionary ("texting"): lemminflect's rules for unknown words.
        forms.update(getLemma(word, upos=token.pos_))
    return forms


def _own_word(doc: Doc, index: int) -> str:
    """The draft's word for the matter, with the little words that make it a phrase, turned to
    be said to her: "my kids" -> "the kids", "your grandkids" -> "the grandkids"."""
    token = doc[index]
    if token.pos_ == "PROPN" or (token.text[:1].isupper() and token.i > 0):
        return token.text
    if token.pos_ != "NOUN":
        return ""
    det = [c for c in token.children if c.dep_ in ("det", "poss") and c.i < token.i]
    if det and det[0].lower_ in ("their", "his", "her", "a", "an", "any"):
        return ""  # "their own daughter": anyone's, not the matter at hand
    if det and det[0].lower_ in ("my", "our"):
        return f"my {token.lower_}" if token.lower_ in _MINE else f"the {token.lower_}"
    return f"the {token.lower_}"


# Matters that stay the writer's own when said to her: "my wife", not "the wife".
_MINE = frozenset(
    "husband wife partner boyfriend girlfriend fiance fiancé fiancée spouse ex marriage son "
    "daughter baby job career health weight".split()
)


def find_matter(
    docs: Iterable[Doc],
    topics: TopicsFile,
    done: bool,
    focus: Sequence[Token] = (),
    strict: bool = False,
) -> Matter | None:
    """The topic of the act's own words first ("you never remember to take your medication,
    and then I get the call" is about the medication): the verb, then what it acts on, then
    where it happens; else the first topic, in the file's order, with a word in the sentences.
    With `strict`, the act's words only: "you slam the door when Gran visits" is not about
    the visits, and an act that names no matter has none."""
    docs = list(docs)
    for group in by_role(focus):
        found = _words(group[0].doc, group)
        if matter := _first(topics, found, " ".join(t.lower_ for t in group), done):
            return matter
    if focus and strict:
        return None
    for group in [] if focus else talked_about(docs):
        found = _words(group[0].doc, group)
        if matter := _first(topics, found, " ".join(t.lower_ for t in group), done):
            return matter
    found = {}
    for doc in docs:
        for form, place in _words(doc, doc).items():
            found.setdefault(form, place)
    return _first(topics, found, " ".join(doc.text.lower() for doc in docs), done)


def talked_about(docs: Iterable[Doc]) -> list[list[Token]]:
    """What the talk is about, when no act was read: "every phone call turns into a lecture
    about my love life" is about the love life, not the calls. Not a matter of hers: in
    "you made my engagement dinner all about your knee surgery" the dinner is what hurt."""
    return [
        list(obj.subtree)
        for doc in docs
        for about in doc
        if about.lower_ == "about" and about.dep_ == "prep"
        for obj in about.children
        if obj.dep_ == "pobj"
        and not any(t.dep_ == "poss" and t.lower_ in ("your", "ur") for t in obj.subtree)
    ]


def by_role(focus: Sequence[Token]) -> list[list[Token]]:
    """An act's words, most telling first: the verb ("call"), what it acts on ("my weight",
    "about my religion"), then where and when it happens ("at dinner", "in the kitchen"),
    which say least about what it is about."""
    if not focus:
        return []
    inside = {t.i for t in focus}
    # on the verb itself, not inside what it acts on ("my stuff in the kitchen" is the stuff)
    setting = {
        t.i
        for prep in focus
        if prep.dep_ == "prep"
        and prep.lower_ in _SETTINGS
        and (prep.head.i not in inside or prep.head.pos_ in ("VERB", "AUX"))
        for t in prep.subtree
    }
    verb = [t for t in focus[:1] if t.pos_ in ("VERB", "AUX")]
    groups = [
        verb,
        [t for t in focus if t not in verb and t.i not in setting],
        [t for t in focus if t.i in setting],
    ]
    return [group for group in groups if group]


# Prepositions of place and time: "at dinner" is where a comment is made, not its matter.
_SETTINGS = frozenset("in at during around inside outside".split())


def _words(doc: Doc, tokens: Iterable[Token]) -> dict[str, tuple[Doc, int]]:
    found: dict[str, tuple[Doc, int]] = {}
    for token in tokens:
        # "treat me like a child" is a picture, not a matter about children
        pictured = token.i >= 2 and doc[token.i - 2].lower_ == "like"
        # "my job comes up": the idiom, not a visit
        idiom = token.lemma_ == "come" and any(c.lower_ == "up" for c in token.children)
        if token.is_punct or pictured or idiom:
            continue
        for form in _forms(token):
            found.setdefault(form, (doc, token.i))
    return found


def _first(
    topics: TopicsFile, found: dict[str, tuple[Doc, int]], text: str, done: bool
) -> Matter | None:
    for topic in topics.topics:
        for word in topic.words:
            if " " in word:  # a phrase: "on your phone"
                if re.search(rf"\b{re.escape(word)}\b", text):
                    return Matter(topic, topic.noun, done)
                continue
            if word in found:
                doc, index = found[word]
                own = _own_word(doc, index)
                if "{word}" in topic.noun and not own:
                    continue
                return Matter(topic, own or topic.noun, done)
    return None


def rotation(items: Sequence[object], text: str) -> int:
    """Where in a list a draft's suggestions start: the same draft always starts at the same
    place, different drafts at different places."""
    digest = hashlib.sha256(re.sub(r"\W+", " ", text.lower()).strip().encode()).digest()
    return digest[0] % max(len(items), 1)


def rotated(items: Sequence[T], text: str) -> list[T]:
    start = rotation(items, text)
    return [*items[start:], *items[:start]]


def figure_of(text: str, topics: TopicsFile) -> str | None:
    """The fact behind a picture: "talking to you is like talking to a wall" -> "I don't feel
    heard"; "{1}" in the fact is the first group of the match ("like a bad mother")."""
    for figure in topics.figures:
        if match := re.search(figure.match, text, re.IGNORECASE):
            return figure.says.replace("{1}", (match.groups() or ("",))[0] or "").strip()
    return None
