"""Step 2, pick feeling and need: the observation, the request, the topic, and the feelings and
needs that fit the flags of a block."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from server.core.inflect import getInflection
from server.detect.engine import Flag
from server.rewrite.behaviour import (
    Behaviour,
    verb_lemma,
)
from server.rewrite.model import Block
from server.rewrite.said import absent
from server.rewrite.topics import Matter, TopicsFile
from server.rewrite.words import (
    ABSENCE_VERBS,
    MENTAL_VERBS,
    PEOPLE,
    VAGUE_TOPICS,
    drop_absolutes,
    flip_pronouns,
    inflect,
    words_of,
)
from server.rules.lexicons import Lexicons

# --- the parts of the statement ---------------------------------------------------------------


def _about_someone_else(obj: Sequence[Token], lexicons: Lexicons) -> bool:
    """ "you ignored Sam", "... my brother", "... him": the act was aimed at another person."""
    if any(t.lower_ in ("me", "us", "myself") for t in obj):
        return False
    people = PEOPLE | set(lexicons.relatives)
    return any(
        t.pos_ == "PROPN" or t.lower_ in ("him", "her", "them") or t.lemma_.lower() in people
        for t in obj
    )


def observation(behaviour: Behaviour, lexicons: Lexicons, topics: TopicsFile | None = None) -> str:
    """A neutral "when" clause for the behaviour."""
    tables = lexicons.rewrite
    rest = words_of(behaviour.phrase)
    if said := absent(behaviour, topics):
        return said
    if behaviour.negated and behaviour.lemma in tables.contact_verbs:
        # "call on my birthday" -> "... on my birthday": when and what it was about stay.
        details = words_of([t for t in behaviour.rest if t.lower_ != "back"])
        if behaviour.lemma == "visit":
            text = "I didn't get to see you" if behaviour.past else "I don't get to see you"
        else:
            text = "I didn't hear back from you" if behaviour.past else "I don't hear back from you"
            if not any(t.lower_ == "back" for t in behaviour.phrase):
                text = text.replace(" back", "")
        return f"{text} {details}".strip()
    template = tables.observations.get(behaviour.lemma)
    if template is not None and not behaviour.negated:
        text = template.past if behaviour.past else template.present
        others = template.others_past if behaviour.past else template.others_present
        if others and _about_someone_else(behaviour.object, lexicons):
            # The person only, up to the noun: "Sam", not "Sam the whole evening".
            root = next(t for t in behaviour.object if t.head not in behaviour.object)
            person = words_of([t for t in behaviour.object if t.i <= root.i])
            text = others.replace("{object}", person).replace("{rest}", words_of(behaviour.rest))
            return re.sub(r"\s+", " ", text).strip()
        obj = words_of([t for t in behaviour.object if t.lower_ not in ("me", "us")])
        if not obj:  # "about {object}" with nothing to say it about: leave the words out
            text = re.sub(r"\s*\b(?:about|of|for|with)?\s*\{object\}", "", text)
        text = text.replace("{object}", obj).replace("{rest}", words_of(behaviour.rest))
        return re.sub(r"\s+", " ", text).strip()
    verb = inflect(behaviour.lemma, negated=behaviour.negated, past=behaviour.past)
    return f"you {verb} {rest}".strip()


def request_for(behaviour: Behaviour | None, lexicons: Lexicons) -> str | None:
    """ "you never call me back" -> "Would you be willing to call me back when you get my
    messages?"; "you always bring up my weight" -> "Could we leave my weight out of our
    conversations?"."""
    if behaviour is None or behaviour.lemma == "be":
        return None
    if not behaviour.negated:
        if behaviour.lemma == "tell" and any(
            t.lower_ in ("what", "how", "to") for t in behaviour.phrase
        ):
            return None  # "telling me what to do", "... to go": advice, not sharing my news
        template = lexicons.rewrite.done_requests.get(behaviour.lemma)
        obj = words_of(behaviour.object)
        if template is None or ("{object}" in template and not obj):
            return None
        return template.replace("{object}", obj)
    if behaviour.lemma in lexicons.rewrite.observations:
        return None
    # "listen to anyone": the request is for listening to me.
    rest = words_of([t for t in behaviour.phrase if t.lower_ not in _ANYONE])
    # "call once in a while" already says when; "... when you get my messages" would say it twice.
    timed = re.search(r"\b(once|while|day|week|month|weekend|sometimes|often|now)\b", rest)
    tail = "" if timed else lexicons.rewrite.request_tails.get(behaviour.lemma, "")
    return f"Would you be willing to {' '.join(p for p in (behaviour.lemma, rest, tail) if p)}?"


_ANYONE = frozenset("anyone anybody everyone everybody anything everything to".split())


def martyr_request(doc: Doc) -> str | None:
    """ "I'm always the one who calls you" -> "Would you be willing to call me sometimes?"."""
    for token in doc:
        if token.lower_ == "one" and any(c.lower_ in ("who", "that") for c in token.subtree):
            clause = [t for t in token.subtree if t.dep_ == "relcl"]
            if clause and token.head.lemma_ == "be":
                verb = clause[0]
                rest = [t for t in verb.subtree if t.i > verb.i]
                flipped = flip_pronouns(words_of(drop_absolutes(rest)))
                return f"Would you be willing to {verb.lemma_} {flipped} sometimes?".replace(
                    "  ", " "
                )
    return None


def _lemmas(docs: Iterable[Doc]) -> set[str]:
    return {verb_lemma(token) for doc in docs for token in doc} | {
        token.lower_ for doc in docs for token in doc
    }


def topic_phrase(docs: Sequence[Doc]) -> str | None:
    """The most concrete thing talked about: "about Thanksgiving" -> "Thanksgiving"."""
    for doc in docs:
        for token in doc:
            # "you just want to control who I marry" -> "who I marry"
            if token.lemma_.lower() in MENTAL_VERBS and token.pos_ == "VERB":
                for inner in (c for c in token.children if c.dep_ in ("xcomp", "ccomp")):
                    for part in inner.children:
                        if part.dep_ in ("ccomp", "dobj") and part.i > inner.i:
                            clause = drop_absolutes(list(part.subtree))
                            if len(clause) > 1 and not any(t.lower_ == "you" for t in clause):
                                return words_of(clause)
    for doc in docs:
        for token in doc:
            if (
                token.dep_ in ("pobj", "pcomp")
                and token.head.lower_ in ("about", "with", "over", "on", "at", "into", "for")
                # a word the tagger got wrong still names a thing ("my tattoo" as an adverb)
                and token.pos_ not in ("PRON", "DET", "NUM", "PUNCT")
                and token.lemma_.lower() not in VAGUE_TOPICS
            ):
                # "on making Thanksgiving all about you": the thing, not the accusation.
                things = [c for c in token.children if c.dep_ == "dobj" and c.pos_ == "PROPN"]
                # "my hours at the hospital": the hours, and where ("the lecture about my
                # spending" is about the spending)
                owner = token.head.head
                where = token.head.lower_ not in ("about", "over")
                if where and _named(owner) and owner.lemma_.lower() not in PEOPLE and not things:
                    things = [owner]
                words = drop_absolutes(list((things[0] if things else token).subtree))
                while words and (words[0].is_punct or words[0].dep_ in ("neg", "cc", "prep")):
                    words = words[1:]  # "..., not my hours at the hospital"
                if words and not any(t.lower_ in ("you", "yourself") for t in words):
                    return words_of(words)
    chunks = [
        chunk
        for doc in docs
        for chunk in doc.noun_chunks
        if _named(chunk.root)
        and chunk.root.lemma_.lower() not in VAGUE_TOPICS
        and chunk.root.lower_ not in PEOPLE
    ]
    # Objects say more about the matter than subjects ("Every other dad ... the game").
    chunks.sort(key=lambda c: c.root.dep_ not in ("dobj", "pobj"))
    if chunks:
        chunk = chunks[0]
        return words_of(
            [t for t in chunk if t.pos_ != "DET" or t.lower_ in ("my", "our", "your", "the")]
        )
    # A noun outside any chunk ("walk all over every boundary I set"), said in general.
    for doc in docs:
        for token in doc:
            lemma = token.lemma_.lower()
            if _named(token) and token.pos_ == "NOUN" and lemma not in PEOPLE:
                plural = getInflection(lemma, "NNS")
                return plural[0] if plural and token.tag_ == "NN" else token.lower_
    return None


def _named(token: Token) -> bool:
    """A noun that names a thing: not vague ("the problem") and not what the person is called
    ("you're such a nag", "a drama queen")."""
    attr = token.head if token.dep_ in ("compound", "amod") else token
    be = attr.head
    called = attr.dep_ == "attr" and any(
        c.dep_ == "nsubj" and c.lower_ in ("you", "u") for c in be.children
    )
    pictured = token.dep_ == "pobj" and token.head.lower_ == "like"  # "like a failure"
    named = token.pos_ in ("NOUN", "PROPN") and token.lemma_.lower() not in VAGUE_TOPICS
    return named and not called and not pictured


def faux_words(flags: Iterable[Flag], lexicons: Lexicons) -> list[str]:
    found = []
    for flag in flags:
        if flag.rule.category != "faux-feelings":
            continue
        lowered = flag.text.lower().replace("’", "'")
        found += [word for word in lexicons.faux if re.search(rf"\b{re.escape(word)}\b", lowered)]
    return found


def _genuine_after_feel(docs: Iterable[Doc], genuine: set[str]) -> list[str]:
    """ "you make me feel guilty" -> ["guilty"] (only words that are genuine feelings)."""
    return [
        token.lower_
        for doc in docs
        for token in doc
        if token.lower_ in genuine and token.i > 0 and doc[token.i - 1].lower_ in ("feel", "so")
    ]


def label_words(flags: Iterable[Flag], lexicons: Lexicons) -> list[str]:
    labels = lexicons.rewrite.labels
    return [
        word
        for flag in flags
        if flag.rule.category == "labels"
        for word in re.findall(r"[a-z]+", flag.text.lower())
        if word in labels
    ]


@dataclass(frozen=True)
class Parts:
    feelings: list[str]
    needs: list[str]  # need ids


def feelings_and_needs(
    block: Block, lexicons: Lexicons, behaviour: Behaviour | None, matter: Matter | None = None
) -> Parts:
    tables = lexicons.rewrite
    genuine = set(lexicons.feeling_words())
    feelings: list[str] = []
    needs: list[str] = []
    for word in faux_words(block.flags, lexicons):
        feelings += lexicons.faux[word].feelings
        needs += lexicons.faux[word].needs
    feelings += _genuine_after_feel(block.docs, genuine)
    if matter is not None:
        feelings += matter.feelings
    for word in label_words(block.flags, lexicons):
        feelings += tables.labels[word].feelings
        needs += tables.labels[word].needs
    lemmas = _lemmas(block.docs)
    for topic in tables.topics:
        if lemmas & set(topic.words):
            happens = behaviour is not None and not (
                behaviour.negated or behaviour.lemma in ABSENCE_VERBS
            )
            chosen = topic.done if topic.done and happens else topic
            feelings += chosen.feelings
            needs += chosen.needs
            break
    primary = max(block.flags, key=lambda f: f.severity.rank)
    fallback = tables.categories.get(primary.rule.category)
    if fallback is not None:
        feelings += fallback.feelings
        needs += fallback.needs
    return Parts(unique(feelings), unique(needs))


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
