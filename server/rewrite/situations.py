"""Step 1, put the readings together: every candidate "when" clause for a block, best first
(the readings of reading.py and verdicts.py, the acts the other person is the subject of, the
moment they happen in, then guesses from labels and the topic), and the act the rewrite says,
which the practice partner answers about too."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Token

from server.rewrite.behaviour import (
    Behaviour,
    conj_behaviours,
    find_behaviour,
    is_past,
    missing_act,
    outcome,
    said_again,
    sarcastic_act,
    time_clause,
    what_came_of_it,
)
from server.rewrite.model import Block, Situation
from server.rewrite.parts import block_topic, faux_words, label_words, observation
from server.rewrite.reading import readings
from server.rewrite.said import occasion, with_time
from server.rewrite.topics import TopicsFile
from server.rewrite.verdicts import is_verdict
from server.rewrite.words import WRAPPER_VERBS, drop_absolutes, judging, words_of
from server.rewrite.writer import faux_setting
from server.rules.lexicons import Lexicons


def _behaviours(block: Block) -> list[tuple[Behaviour, Doc]]:
    """Every action the other person is the subject of, most concrete first."""
    found: list[tuple[Behaviour, Doc, int]] = []
    for number, doc in enumerate(block.docs):
        for token in doc:
            if token.lower_ == "you" and token.dep_ in ("nsubj", "nsubjpass"):
                if _motive(token.head) or _promised(token.head):
                    continue
                behaviour = find_behaviour(doc, token.i)
                position = number * 1000 + token.i
                if behaviour is not None:
                    found.append((behaviour, doc, position))
                    found += [(b, doc, position) for b in conj_behaviours(doc, behaviour)]
    unique: dict[tuple[str, str], tuple[Behaviour, Doc, int]] = {}
    for behaviour, doc, i in found:
        unique.setdefault((behaviour.lemma, words_of(behaviour.phrase)), (behaviour, doc, i))

    def concreteness(item: tuple[Behaviour, Doc, int]) -> tuple[int, int]:
        behaviour, _, position = item
        nouns = sum(t.pos_ in ("NOUN", "PROPN") for t in behaviour.phrase)
        return (-min(nouns, 2), position)

    return [(b, doc) for b, doc, _ in sorted(unique.values(), key=concreteness)]


def _motive(verb: Token) -> bool:
    """ "... so you could spy on us": what the writer guesses she was after, not what she did."""
    marks = {c.lower_ for c in verb.children if c.dep_ == "mark"}
    modal = any(c.dep_ == "aux" and c.tag_ == "MD" for c in verb.children)
    return verb.dep_ == "advcl" and "so" in marks and modal


def _promised(verb: Token) -> bool:
    """ "You promised you'd be at the hospital": what was said would happen, not what did."""
    modal = any(c.dep_ == "aux" and c.tag_ == "MD" for c in verb.children)
    return verb.dep_ == "ccomp" and modal and verb.head.lemma_ in ("promise", "say", "swear")


def _is_verdict(behaviour: Behaviour, lexicons: Lexicons) -> bool:
    """ "you're being ridiculous about the seating": a judgement, not something that happened."""
    if behaviour.lemma != "be" or behaviour.negated or behaviour.verb is None:
        return False
    return is_verdict(behaviour.verb, frozenset(lexicons.feeling_words()))


def _is_future(behaviour: Behaviour) -> bool:
    """ "you'll lose me": a threat's consequence, not something that happened ("you won't
    look at my photos" is a refusal, and does say what happens)."""
    verb = behaviour.verb
    return (
        verb is not None
        and not behaviour.negated
        and any(
            c.dep_ == "aux" and c.lower_ in ("will", "'ll", "wo", "gonna") for c in verb.children
        )
    )


def _joined(
    behaviour: Behaviour, doc: Doc, said: str, lexicons: Lexicons, topics: TopicsFile | None
) -> str | None:
    """The act with what the same sentence joins to it: further acts ("you took the car
    without asking and returned it on empty"), a plain fact ("you're never home before ten,
    and dinner is always cold by then") or what came of it ("the kids are failing maths
    because you never help with homework")."""
    verb = behaviour.verb
    if verb is None:
        return None
    parts = [said]
    head = verb.head
    if verb.dep_ == "conj" and any(
        c.dep_ == "nsubj" and c.lower_ in ("i", "we") for c in head.children
    ):
        # "I drove four hours to help you move and you didn't say a word": what the writer
        # did first, then her act
        parts.insert(0, _clause([t for t in head.subtree if t not in list(verb.subtree)]))
    for other in conj_behaviours(doc, behaviour):
        if other.verb is not None and other.verb.head == verb:
            more = observation(other, lexicons, topics)
            parts.append(more[4:] if more.startswith("you ") and said.startswith("you ") else more)
    for clause in (c for c in verb.children if c.dep_ == "conj"):
        subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None and subject.lower_ not in _PEOPLE_HERE and not _planned(clause):
            parts.append(_clause(list(clause.subtree)))
    if came := what_came_of_it(verb):  # "if you hadn't left the gate open, Biscuit ..."
        parts.append(came)
    cause = verb  # "because you wouldn't stop gambling": the clause is "stop"'s
    while cause.dep_ in ("xcomp", "ccomp") and cause.head.lemma_ in WRAPPER_VERBS:
        cause = cause.head
    marks = {c.lower_ for c in cause.children if c.dep_ == "mark"}
    if cause.dep_ == "advcl" and marks & {"because", "since"} and not _planned(cause.head):
        # the outcome: the sentence the cause hangs on, less the cause
        outcome = [t for t in cause.head.subtree if t not in list(cause.subtree)]
        if any(c.dep_ == "nsubj" and c.lower_ != "you" for c in cause.head.children):
            parts.append(_clause(outcome))
    parts = [p for p in parts if p]
    return " and ".join(parts) if len(parts) > 1 else None


# Subjects that are the two of them: their clauses are acts or feelings, not plain facts.
_PEOPLE_HERE = frozenset("you u i we".split())


def _planned(verb: Token) -> bool:
    return any(
        c.dep_ == "aux" and c.lower_ in ("will", "'ll", "wo", "would", "gonna")
        for c in verb.children
    )


def _clause(tokens: list[Token]) -> str:
    kept = [t for t in tokens if not t.is_punct and t.dep_ not in ("cc", "mark")]
    text = words_of(drop_absolutes(kept))
    own = kept and (kept[0].pos_ == "PROPN" or kept[0].text == "I")
    return text if own else text[:1].lower() + text[1:]


def read_situations(
    block: Block, lexicons: Lexicons, topics: TopicsFile | None = None
) -> list[Situation]:
    """Candidate "when" clauses, best first."""
    genuine = frozenset(lexicons.feeling_words())
    found, read_acts, figures = readings(block, topics, genuine)
    faux = faux_words(block.flags, lexicons)
    for doc in block.docs:
        for text in (outcome(doc), said_again(doc), faux_setting(doc, faux)):
            if text:
                found.append(Situation(text, False, is_past(text, doc)))
    first = block.docs[0]
    implied = [(act, first) for act in read_acts]
    implied += [
        (act, doc) for doc in block.docs for act in (sarcastic_act(doc), missing_act(doc)) if act
    ]
    for behaviour, _ in implied:
        said = observation(behaviour, lexicons, topics)
        together = with_time(behaviour, said)  # "... walking out whenever things get hard"
        found += [Situation(text, False, behaviour.past, behaviour) for text in [*together, said]]
    found += figures
    for behaviour, doc in _behaviours(block):
        if _is_verdict(behaviour, lexicons) or _is_future(behaviour):
            continue
        said = occasion(doc, observation(behaviour, lexicons, topics))
        if joined := _joined(behaviour, doc, said, lexicons, topics):
            found.append(Situation(joined, False, behaviour.past, behaviour))
        if together := with_time(behaviour, said):
            found += [Situation(text, False, behaviour.past, behaviour) for text in together]
        elif behaviour.when:
            found.append(Situation(behaviour.when, False, is_past(behaviour.when, doc), behaviour))
        found.append(Situation(said, False, behaviour.past, behaviour))
    for doc in block.docs:
        clause = time_clause(doc)
        if clause and all(clause != s.text for s in found):
            found.append(Situation(clause, False, is_past(clause, doc)))
    topic = block_topic(block, lexicons)
    for word in label_words(block, lexicons):
        situation = lexicons.rewrite.labels[word].situation
        situation = situation.replace("{topic}", topic or "my life")
        situation = situation.replace("{about}", f" about {topic}" if topic else "")
        situation = situation.replace("{for}", f" for {topic}" if topic else "")
        found.append(Situation(situation, True, False))
    if topic:  # "My music means nothing to you" -> "we talk about my music"
        found.append(Situation(f"we talk about {topic}", True, False))
    default = lexicons.rewrite.labels["default"].situation
    found.append(
        Situation(default.replace("{about}", f" about {topic}" if topic else ""), True, False)
    )
    plain = _unique_situations(found)
    # The camera test: a clause that carries a judgement ("you did it on purpose", "you treat
    # Lily like the golden child") repeats the blame; it goes after every plainer reading.
    judges = judging(lexicons.judgements).search
    return sorted(plain, key=lambda situation: bool(judges(situation.text)))


def _unique_situations(found: list[Situation]) -> list[Situation]:
    seen: set[str] = set()
    unique = []
    for situation in found:
        if situation.text not in seen:
            seen.add(situation.text)
            unique.append(situation)
    return unique


def main_act(
    docs: Sequence[Doc], lexicons: Lexicons, topics: TopicsFile | None
) -> Behaviour | None:
    """The act the rewrite of these sentences would say ("why is it so hard for you to say
    you're proud of me" -> saying it), for the practice partner to answer about."""
    block = Block(docs=tuple(docs), spans=(), flags=(), greeting="", context=tuple(docs))
    situations = read_situations(block, lexicons, topics)
    return next((s.behaviour for s in situations if s.behaviour is not None), None)
