"""Step 1, read a verdict: a judgement of the person ("you're a bully", "you're just like
Dad") says nothing a camera could record, so the rewrite looks for what it is pinned on: the
act in its participle ("..., yelling at the kids over spilled juice"), the writer's own clause
("you're jealous that I moved out", "you're a terrible listener, I told you three times the
party was Friday"), or the plain fact said right after it ("You're lazy. The lawn hasn't been
mowed in a month.")."""

from __future__ import annotations

from collections.abc import Collection

from spacy.tokens import Doc, Token

from server.rewrite.behaviour import Behaviour, behaviour_of
from server.rewrite.words import drop_absolutes, words_of

# What someone is, rather than a judgement of them: "you're always late" can be seen.
SEEN_STATES = frozenset("late early busy away gone out home here there asleep drunk".split())
_YOU = frozenset(("you", "u", "ya"))
# Links between a verdict and the participle it is pinned on: "a bully, yelling at ...",
# "like Grandpa, always commenting on ..."; not a noun's own phrase ("the issue about Jordan
# being non-binary").
_PINNED = frozenset("advcl xcomp acl conj dep attr acomp".split())
_MODALS = frozenset("will 'll wo would 'd shall can ca could might may must gonna".split())


def is_verdict(be: Token, genuine: Collection[str]) -> bool:
    """ "you're so selfish", "you're a bully", "you're just like Dad": a judgement of the
    person, not something that happened ("you're late", "you're sad" and "you're not home"
    can be seen)."""
    if be.lemma_ != "be" or any(c.dep_ == "neg" for c in be.children):
        return False
    for child in be.children:
        judged = child.dep_ == "acomp" and child.pos_ == "ADJ"
        judged = judged and child.lower_ not in SEEN_STATES and child.lower_ not in genuine
        named = child.dep_ == "attr" and child.pos_ == "NOUN"
        named = named and any(d.lower_ in ("a", "an", "such") for d in child.children)
        if judged or named or (child.dep_ == "prep" and child.lower_ == "like"):
            return True
    return False


def _verdicts(doc: Doc, genuine: Collection[str]) -> list[Token]:
    return [
        t
        for t in doc
        if any(c.dep_ == "nsubj" and c.lower_ in _YOU for c in t.children)
        and is_verdict(t, genuine)
    ]


def pinned_acts(doc: Doc, genuine: Collection[str]) -> list[Behaviour]:
    """The acts a verdict is pinned on, in their participles: "you're a bully, yelling at the
    kids" -> yelling at the kids; "you're just like Dad, walking out whenever things get hard"
    -> walking out."""
    found = []
    for be in _verdicts(doc, genuine):
        for token in be.subtree:
            if token.tag_ != "VBG" or token.i < be.i or not _pinned_to(token, be):
                continue
            if any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in token.children):
                continue
            past = be.tag_ == "VBD"
            if (behaviour := behaviour_of(token, False, past, doc)) is not None:
                found.append(behaviour)
    return found


def _pinned_to(token: Token, be: Token) -> bool:
    """Whether the participle hangs on the verdict itself, through "like" at most."""
    while token != be:
        through_like = token.dep_ == "pobj" and token.head.lower_ in ("like", "as")
        like = token.dep_ == "prep" and token.lower_ in ("like", "as")
        if token.dep_ not in _PINNED and not through_like and not like:
            return False
        token = token.head
    return True


def writer_clause(doc: Doc, genuine: Collection[str]) -> str | None:
    """The writer's own clause beside a verdict, what it is pinned on: "you're jealous that I
    moved out" -> "I moved out"; "you're a terrible listener, I told you three times the party
    was Friday" -> "I told you three times the party was Friday". Not a plan ("I'll take the
    bins out when I'm ready") and not a feeling ("I feel ...")."""
    verdicts = _verdicts(doc, genuine)
    if not verdicts:
        return None
    # The verdict's own words, less the clauses inside it with the writer as their subject.
    judged = {t.i for be in verdicts for t in be.subtree}
    for be in verdicts:
        # not a clause that only says which noun ("every doctor I've met")
        own = [
            t
            for t in be.subtree
            if t != be and _subject(t) in ("i", "we") and t.dep_ not in ("relcl", "acl")
        ]
        judged -= {t.i for clause in own for t in clause.subtree}
    for verb in doc:
        if _subject(verb) not in ("i", "we") or verb.i in judged:
            continue
        # After the verdict, or holding it ("..., I told you three times"); not the words
        # before its "but" ("Mom, I appreciate the lasagna, but ..."), which the rewrite keeps.
        if not any(verb.i > be.i or (be.head == verb and be.dep_ != "conj") for be in verdicts):
            continue
        # an act of the writer's: "I'm done" or "I'm happy" is how it left them
        if verb.pos_ != "VERB" or verb.lemma_ in ("be", "feel", "think", "know"):
            continue
        if not any(c.dep_ == "nsubj" for c in verb.children):
            continue
        if any(c.dep_ == "aux" and c.lower_ in _MODALS for c in verb.children):
            continue
        tokens = [
            t
            for t in verb.subtree
            if t.i not in judged and not t.is_punct and not (t.dep_ == "mark" and t.head == verb)
        ]
        # "I moved out and I'm happy": the first clause is the fact; the rest is how it went.
        cut = next((t.i for t in tokens if t.dep_ == "cc" and t.head == verb), None)
        tokens = [t for t in tokens if cut is None or t.i < cut]
        if len(tokens) >= 2:
            return words_of(drop_absolutes(tokens))
    return None


def _subject(verb: Token) -> str:
    return next((c.lower_ for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), "")


def bare_verdict(doc: Doc, genuine: Collection[str]) -> bool:
    """A sentence that is only a verdict ("You're lazy.", "You're a liar and a coward."):
    no act, participle or clause of the writer's that says what it is about."""
    verdicts = _verdicts(doc, genuine)
    if not verdicts:
        return False
    others = [
        t
        for t in doc
        if t.pos_ == "VERB" and all(t not in be.subtree or t == be for be in verdicts)
    ]
    return not others and not pinned_acts(doc, genuine)


def fact(doc: Doc) -> str | None:
    """A plain statement of what happened, said after a verdict: "The lawn hasn't been mowed
    in a month." Not a question, a plan, a feeling or an order."""
    text = doc.text.strip()
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or text.endswith("?") or root.pos_ not in ("VERB", "AUX"):
        return None
    if root.tag_ == "VB" and not any(c.dep_ == "aux" for c in root.children):
        return None  # an order: "Just tell Dad the truth."
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.lower_ in _YOU or root.lemma_ in ("feel", "think"):
        return None
    if any(c.dep_ == "aux" and c.lower_ in _MODALS for c in root.children):
        return None
    words = words_of(drop_absolutes([t for t in doc if not (t.is_punct and t.i == len(doc) - 1)]))
    return words[:1].lower() + words[1:] if subject.pos_ != "PROPN" else words
