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
from server.rewrite.topics import Matter, TopicsFile, by_role, talked_about
from server.rewrite.words import (
    ABSENCE_VERBS,
    MENTAL_VERBS,
    PEOPLE,
    drop_absolutes,
    inflect,
    is_vague,
    judging,
    words_of,
)
from server.rules.lexicons import Lexicons, Observation

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
        # (nor "me": "you didn't tell me sooner" -> "I didn't hear from you sooner")
        details = words_of([t for t in behaviour.rest if t.lower_ not in ("back", "me", "us")])
        if behaviour.lemma == "visit":
            text = "I didn't get to see you" if behaviour.past else "I don't get to see you"
        else:
            text = "I didn't hear back from you" if behaviour.past else "I don't hear back from you"
            if not any(t.lower_ == "back" for t in behaviour.phrase):
                text = text.replace(" back", "")
        return f"{text} {details}".strip()
    template = observed(behaviour, lexicons)
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
        # "your promise about Thanksgiving": what the object itself is about
        head = next((t for t in behaviour.object if t.head not in behaviour.object), None)
        about = words_of([t for t in behaviour.object if head is not None and t.i > head.i])
        text = text.replace("{object}", obj).replace("{rest}", words_of(behaviour.rest))
        return re.sub(r"\s+", " ", text.replace("{about}", about)).strip()
    verb = inflect(behaviour.lemma, negated=behaviour.negated, past=behaviour.past)
    return f"you {verb} {rest}".strip()


def observed(behaviour: Behaviour, lexicons: Lexicons) -> Observation | None:
    """The table's camera fact for a verb that judges rather than describes: for the verb with
    the noun it acts on first ("break promise": what was promised didn't happen), then for the
    verb alone ("sulk": you went quiet)."""
    table = lexicons.rewrite.observations
    roots = [t for t in behaviour.object if t.head not in behaviour.object]
    keys = [f"{behaviour.lemma} {roots[0].lemma_.lower()}"] if roots else []
    return next((table[k] for k in [*keys, behaviour.lemma] if k in table), None)


def _lemmas(docs: Iterable[Iterable[Token]]) -> set[str]:
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
                    # "you think therapy is for weak people" -> "therapy"
                    if inner.dep_ == "ccomp" and (about := _opinion_of(inner)):
                        return about
                    for part in inner.children:
                        if part.dep_ in ("ccomp", "dobj") and part.i > inner.i:
                            if about := _opinion_of(part):
                                return about
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
                and not is_vague(token)
            ):
                # "on making Thanksgiving all about you": the thing, not the accusation.
                things = [c for c in token.children if c.dep_ == "dobj" and c.pos_ == "PROPN"]
                # "my hours at the hospital": the hours, and where ("the lecture about my
                # spending" is about the spending)
                owner = token.head.head
                # (not a noun that heads the sentence: "Thanks for the tip about my hair, Mom,
                # very helpful as always" is about the hair, not the whole sentence)
                where = token.head.lower_ not in ("about", "over") and owner.dep_ != "ROOT"
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
        if _named(chunk.root) and not is_vague(chunk.root) and chunk.root.lower_ not in PEOPLE
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


def block_topic(block: Block, lexicons: Lexicons) -> str | None:
    """What a block is about, said mid-sentence ("my music", not "My music"); not the label
    itself ("Classic Linda", "a coward") nor a faux feeling ("so misunderstood")."""
    topic = topic_phrase(block.docs) or topic_phrase(block.context)
    if not topic or any(flag.text.strip(" ,.!?").lower() in topic.lower() for flag in block.flags):
        return None
    blame = set(lexicons.faux) | set(lexicons.rewrite.labels)
    if blame & set(re.findall(r"[a-z]+", topic.lower())):
        return None
    # nor a word of a short flagged phrase ("thanks" in "Thanks to you, ...") or of a
    # judgement ("purpose" in "you did it on purpose")
    first, head = topic.split()[0].lower(), topic.split()[-1].lower()
    for flag in block.flags:
        words = flag.text.lower().split()
        if len(words) <= 4 and head in words:
            return None
    judgements = judging(lexicons.judgements)
    for doc in block.docs:
        for found in judgements.finditer(doc.text):
            if first in found.group().lower().split():
                return None
    opening, _, others = topic.partition(" ")
    if opening in ("My", "Your", "Our", "The", "His", "Her", "Their"):
        return f"{opening.lower()} {others}".strip()
    return topic


SUBJECTS = ("nsubj", "nsubjpass", "csubj")


def _opinion_of(clause: Token) -> str | None:
    """ "you think Sam isn't good enough for me" -> "Sam": what an opinion is about is its
    subject, not the opinion ("who I marry" is a matter of its own)."""
    if clause.left_edge.tag_ in ("WP", "WRB", "WDT"):
        return None
    subject = next((c for c in clause.children if c.dep_ in SUBJECTS), None)
    if subject is None or is_vague(subject):
        return None
    # a thing, or a doing ("you think quitting law school means I'm lazy")
    if subject.pos_ not in ("NOUN", "PROPN") and subject.tag_ != "VBG":
        return None
    # The parser may cut a doing from its object ("quitting" | "law school"): every subject
    # before the verb, as one run of words.
    before = [c for c in clause.children if c.dep_ in SUBJECTS and c.i < clause.i] or [subject]
    doc = clause.doc
    words = doc[min(c.left_edge.i for c in before) : max(c.right_edge.i for c in before) + 1]
    return words_of(drop_absolutes(list(words)))


def _named(token: Token) -> bool:
    """A noun that names a thing: not vague ("the problem") and not what the person is called
    ("you're such a nag", "a drama queen")."""
    attr = token.head if token.dep_ in ("compound", "amod") else token
    be = attr.head
    called = attr.dep_ == "attr" and any(
        c.dep_ == "nsubj" and c.lower_ in ("you", "u") for c in be.children
    )
    pictured = token.dep_ == "pobj" and token.head.lower_ == "like"  # "like a failure"
    named = token.pos_ in ("NOUN", "PROPN") and not is_vague(token)
    return named and not called and not pictured


def faux_words(flags: Iterable[Flag], lexicons: Lexicons) -> list[str]:
    found = []
    for flag in flags:
        if flag.rule.category != "faux-feelings":
            continue
        lowered = flag.text.lower().replace("’", "'")
        found += [word for word in lexicons.faux if re.search(rf"\b{re.escape(word)}\b", lowered)]
    return found


_PLEASANT = frozenset({"hopeful", "grateful", "happy", "calm", "loving"})  # feelings.yaml ids


def _genuine_after_feel(docs: Iterable[Doc], genuine: set[str]) -> list[str]:
    """ "you make me feel guilty" -> ["guilty"] (only words that are genuine feelings)."""
    return [
        token.lower_
        for doc in docs
        for token in doc
        if token.lower_ in genuine and token.i > 0 and doc[token.i - 1].lower_ in ("feel", "so")
    ]


def label_words(block: Block, lexicons: Lexicons) -> list[str]:
    """The labels the flags put on the listener, in the rewrite table ("you're so lazy"); not
    one the writer reports being given ("you think quitting means I'm lazy")."""
    labels = lexicons.rewrite.labels
    given = {t.lower_ for doc in block.docs for t in doc if _said_of_writer(t)}
    return [
        word
        for flag in block.flags
        if flag.rule.category == "labels"
        for word in re.findall(r"[a-z]+", flag.text.lower())
        if word in labels and word not in given
    ]


def _said_of_writer(token: Token) -> bool:
    """ "I'm lazy", "I'm a bad daughter": the word describes the writer."""
    word = token.head if token.dep_ in ("amod", "compound") else token
    if word.dep_ not in ("acomp", "attr"):
        return False
    return any(c.dep_ == "nsubj" and c.lower_ in ("i", "me") for c in word.head.children)


@dataclass(frozen=True)
class Parts:
    feelings: list[str]
    needs: list[str]  # need ids


def feelings_and_needs(
    block: Block,
    lexicons: Lexicons,
    behaviour: Behaviour | None,
    matter: Matter | None = None,
    focus: Sequence[Token] = (),
) -> Parts:
    """Feelings and needs from the faux feelings and labels in the flags, the matter, the
    topic of the act's own words (`focus`; the whole block's when no act was read) and the
    kind of blame."""
    tables = lexicons.rewrite
    genuine = set(lexicons.feeling_words())
    feelings: list[str] = []
    needs: list[str] = []
    for word in faux_words(block.flags, lexicons):
        feelings += lexicons.faux[word].feelings
        needs += lexicons.faux[word].needs
    # A pleasant feeling said in a blaming sentence is sarcasm ("I am so happy you shared my
    # medical news with your whole church group"), or what the act spoiled: not the feeling
    # the I-statement names.
    pleasant = {w for f in lexicons.families if f.id in _PLEASANT for w in f.words}
    feelings += [f for f in _genuine_after_feel(block.docs, genuine) if f not in pleasant]
    if matter is not None:
        feelings += matter.feelings
    for word in label_words(block, lexicons):
        feelings += tables.labels[word].feelings
        needs += tables.labels[word].needs
    happens = behaviour is not None and not (behaviour.negated or behaviour.lemma in ABSENCE_VERBS)
    groups = by_role(focus) or talked_about(block.docs)
    scopes = [_lemmas([group]) for group in groups] + ([] if focus else [_lemmas(block.docs)])
    topic = next((t for lemmas in scopes for t in tables.topics if lemmas & set(t.words)), None)
    if topic is not None:
        chosen = topic.done if topic.done and happens else topic
        feelings += chosen.feelings
        needs += chosen.needs
    primary = max(block.flags, key=lambda f: f.severity.rank)
    fallback = tables.categories.get(primary.rule.category)
    if fallback is not None:
        feelings += fallback.feelings
        needs += fallback.needs
    return Parts(unique(feelings), unique(needs))


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
