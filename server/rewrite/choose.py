"""Step 2, pick need and request: the "because ..." clauses and the requests to offer for a
block, from the person's own words first, then the act that was read: the matter its words
name (topics.yaml `topics`), else what kind of act it is (`kinds`: missing, done to the
writer's things, done); then the kind of blame, then the needs the flags point to. Varied
from draft to draft."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

from server.rewrite.asks import fill_slots, kind_requests, kind_wants, martyr_request, request_for
from server.rewrite.behaviour import Behaviour
from server.rewrite.model import Answers, Block
from server.rewrite.parts import Parts, block_topic
from server.rewrite.stakes import at_stake
from server.rewrite.topics import Matter, TopicsFile, Want, fill, rotated
from server.rewrite.words import judging, mid_sentence
from server.rules.lexicons import Lexicons


@dataclass(frozen=True)
class Choices:
    needs: list[tuple[str, str]]  # (label, clause)
    requests: list[tuple[str, bool]]  # (request, guessed)


def need_clause(need: str, lexicons: Lexicons) -> tuple[str, str]:
    """(label, clause) for a need id, or the person's own words."""
    entry = lexicons.needs.get(need)
    if entry is not None:
        return entry.label, entry.clause
    own = mid_sentence(need.strip().rstrip("."))
    return own, own if own.lower().startswith(("i ", "i'")) else f"{own} matters to me"


def as_request(words: str) -> str:
    words = words.strip().rstrip(".?!")
    lowered = words.lower()
    if lowered.startswith(("would you", "could you", "could we", "can we", "can you", "will you")):
        return words[:1].upper() + words[1:] + "?"
    return f"Would you be willing to {words[0].lower() + words[1:]}?"


def _clauses(wants: list[Want], word: str, key: str, lexicons: Lexicons) -> list[tuple[str, str]]:
    known = [want for want in wants if want.need in lexicons.needs]
    return [(lexicons.needs[w.need].label, fill(w.says, word)) for w in rotated(known, key)]


def _about_topic(
    block: Block, topics: TopicsFile | None, lexicons: Lexicons, key: str
) -> list[str]:
    """With no matter to ask about, a talk about the thing the sentences name ("Could we talk
    about Grandma's house when we're both calm?"), rather than a request any draft could get."""
    kind = topics.kinds.get("topic") if topics is not None else None
    topic = block_topic(block, lexicons) if kind is not None else None
    if kind is None or topic is None or not _askable(topic, block):
        return []
    return [said for r in rotated(kind.requests, key) if (said := fill_slots(r, {"topic": topic}))]


def _askable(topic: str, block: Block) -> bool:
    """A thing to sit down and talk about: a noun ("the flight", "Grandma's house"), not a
    trait ("your stubbornness"), an act ("seeing her") or a denial ("no friends at church")."""
    if re.search(r"[,;]|\b(?:not|no|being)\b", topic):
        return False
    last = topic.split()[-1]
    heads = [t for doc in block.context for t in doc if t.text == last]
    return any(t.pos_ in ("NOUN", "PROPN") and t.tag_ != "VBG" and not _trait(t) for t in heads)


def _trait(noun: Token) -> bool:
    """ "your stubbornness", "your temper is why ...": a quality of hers the blame is pinned
    on, not a thing to talk about."""
    hers = any(c.dep_ == "poss" and c.lower_ in ("your", "ur") for c in noun.children)
    blamed = hers and noun.dep_ == "nsubj" and noun.head.lemma_ == "be"
    return blamed or noun.lower_.endswith("ness")


def choose(
    block: Block,
    answers: Answers,
    parts: Parts,
    behaviour: Behaviour | None,
    matter: Matter | None,
    topics: TopicsFile | None,
    lexicons: Lexicons,
) -> Choices:
    key = " ".join(doc.text for doc in block.docs)
    # what a threat would walk away from is what the writer would rather keep
    stake = at_stake(block.docs)
    kind = topics.kinds.get("stake") if topics is not None and stake else None
    slots = {"stake": stake} if stake else {}
    stake_wants = (
        [
            (lexicons.needs[w.need].label, said)
            for w in rotated(kind.wants, key)
            if w.need in lexicons.needs and (said := fill_slots(w.says, slots))
        ]
        if kind
        else []
    )
    stake_requests = (
        [(said, True) for r in rotated(kind.requests, key) if (said := fill_slots(r, slots))]
        if kind
        else []
    )
    advice = [topics.rules[f.rule.id] for f in block.flags if topics and f.rule.id in topics.rules]
    if answers.need:
        needs = [need_clause(answers.need, lexicons)]
    else:
        # A faux feeling ("I feel abandoned") names its own needs; they come first.
        faux = any(flag.rule.category == "faux-feelings" for flag in block.flags)
        from_flags = [need_clause(n, lexicons) for n in parts.needs[:2]]
        if matter is not None:
            from_matter = _clauses(matter.wants, matter.word, key, lexicons)
        else:  # the act names no matter: what kind of act it is
            from_matter = [
                (lexicons.needs[need].label, says)
                for need, says in rotated(kind_wants(behaviour, topics), key)
                if need in lexicons.needs
            ]
        for entry in advice:
            from_matter += _clauses(entry.wants, "", key, lexicons)
        needs = [*from_flags, *from_matter] if faux else [*from_matter, *from_flags]
        needs = [*stake_wants, *needs]
    if answers.request:
        return Choices(needs, [(as_request(answers.request), False)])
    own = request_for(behaviour, lexicons) or next(
        (r for doc in block.docs if (r := martyr_request(doc))), None
    )
    requests = [(own, True)] if own else []
    requests += stake_requests
    if matter is not None:
        requests += [(fill(r, matter.word), True) for r in rotated(matter.requests, key)]
    else:
        requests += [(r, True) for r in kind_requests(behaviour, topics, lexicons, key)]
        requests += [(r, True) for r in _about_topic(block, topics, lexicons, key)]
    for entry in advice:
        requests += [(r, True) for r in rotated(entry.requests, key)]
    requests += [(lexicons.needs[n].request, True) for n in parts.needs[:2] if n in lexicons.needs]
    # the camera test, as for the "when" clause: a request repeating a judgement goes last
    judges = judging(lexicons.judgements).search
    requests = sorted(dict.fromkeys(requests), key=lambda request: bool(judges(request[0])))
    return Choices(needs, requests)
