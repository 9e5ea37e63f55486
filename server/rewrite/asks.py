"""Step 2, pick the request: what to ask for, from the act that was read. An act that doesn't
happen is asked for ("Would you be willing to call me back?"); an act the verb's own table
knows gets its request ("bring up my weight" -> "Could we leave my weight out of our
conversations?"); otherwise the kind of act the parse reads (missing, done to the writer's
things, or done) fills a template with the act's own words (topics.yaml `kinds`), so the
request is about what happened, and differs from draft to draft as the acts do."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from server.core.inflect import getInflection
from server.rewrite.behaviour import Behaviour
from server.rewrite.parts import observed
from server.rewrite.said import JUDGING
from server.rewrite.topics import TopicsFile, rotated
from server.rewrite.words import (
    ABSENCE_VERBS,
    DAMAGE_VERBS,
    MENTAL_VERBS,
    PEOPLE,
    drop_absolutes,
    flip_pronouns,
    is_duration,
    when_clause,
    words_of,
)
from server.rules.lexicons import Lexicons


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
    if observed(behaviour, lexicons) is not None:
        return None
    rest = _asked(behaviour)
    # "call once in a while" already says when; "... when you get my messages" would say it twice.
    timed = re.search(r"\b(once|while|day|week|month|weekend|sometimes|often|now)\b", rest)
    tail = "" if timed else lexicons.rewrite.request_tails.get(behaviour.lemma, "")
    return f"Would you be willing to {' '.join(p for p in (behaviour.lemma, rest, tail) if p)}?"


def _asked(behaviour: Behaviour) -> str:
    """The act's phrase as asked for: "listen to anyone" is listening (to me); "call me in
    three weeks" is calling me: how long it has been missing is no part of what is asked."""
    lasting = {t.i for t in behaviour.phrase if is_duration(t) for t in t.subtree}
    # "sold my bike without asking me": what the request itself asks for
    lasting |= {
        t.i
        for t in behaviour.phrase
        if t.lower_ == "without" and t.dep_ == "prep"
        for t in t.subtree
    }
    anyone = {
        t.i
        for t in behaviour.phrase
        if t.lower_ in _ANYONE
        or (t.lower_ == "to" and any(c.lower_ in _ANYONE for c in t.children))
    }
    return words_of([t for t in behaviour.phrase if t.i not in lasting | anyone])


_ANYONE = frozenset("anyone anybody everyone everybody anything everything".split())


def martyr_request(doc: Doc) -> str | None:
    """ "I'm always the one who calls you" -> "Would you be willing to call me sometimes?"."""
    for token in doc:
        if token.lower_ == "one" and any(c.lower_ in ("who", "that") for c in token.subtree):
            clause = [t for t in token.subtree if t.dep_ == "relcl"]
            # the writer is the one ("I'm always the one who calls"), not she
            mine = any(c.dep_ == "nsubj" and c.lower_ == "i" for c in token.head.children)
            if clause and token.head.lemma_ == "be" and mine:
                verb = clause[0]
                rest = [t for t in verb.subtree if t.i > verb.i]
                flipped = flip_pronouns(words_of(drop_absolutes(rest)))
                return f"Would you be willing to {verb.lemma_} {flipped} sometimes?".replace(
                    "  ", " "
                )
    return None


def kind_of(behaviour: Behaviour) -> str:
    """What the parse reads of an act: "missing" (it doesn't happen), "mine" (done to the
    writer's own things: "you opened my mail") or "done"."""
    if behaviour.negated or behaviour.lemma in ABSENCE_VERBS:
        return "missing"
    return "mine" if _thing(behaviour) else "done"


def _thing(behaviour: Behaviour) -> str:
    """What the act was done to, when it is the writer's own thing ("my mail", "our car");
    not a person ("my sister")."""
    roots = [t for t in behaviour.object if t.head not in behaviour.object]
    if not roots or roots[0].pos_ not in ("NOUN", "PROPN") or roots[0].lemma_.lower() in PEOPLE:
        return ""
    owned = any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in roots[0].children)
    return words_of(behaviour.object) if owned else ""


def kind_requests(
    behaviour: Behaviour | None, topics: TopicsFile | None, lexicons: Lexicons, key: str
) -> list[str]:
    """Requests from topics.yaml `kinds` for the act, filled with its own words."""
    if behaviour is None or topics is None or behaviour.lemma == "be":
        return []
    kind = topics.kinds.get(kind_of(behaviour))  # type: ignore[call-overload]
    if kind is None:
        return []
    slots = act_slots(behaviour, lexicons)
    return [filled for r in rotated(kind.requests, key) if (filled := fill_slots(r, slots))]


def act_slots(behaviour: Behaviour, lexicons: Lexicons) -> dict[str, str]:
    """The act's words for the templates' slots; none for a verb that judges rather than
    describes ("sulk", "ruin"), or one a camera can't see ("want")."""
    slots = {}
    if behaviour.when:
        slots["moment"] = when_clause(behaviour.when)
    if thing := _thing(behaviour):
        slots["thing"] = thing
    lemma = behaviour.lemma
    judging = lemma in JUDGING or lemma in MENTAL_VERBS or observed(behaviour, lexicons) is not None
    # "sound like Dad", "treat me like a child": a picture, not an act to ask about
    judging = judging or any(t.dep_ == "prep" and t.lower_ == "like" for t in behaviour.phrase)
    if judging or lemma in ABSENCE_VERBS or lemma in DAMAGE_VERBS:
        return slots
    phrase = _asked(behaviour)
    slots["act"] = f"{lemma} {phrase}".strip()
    doing = getInflection(lemma, tag="VBG")
    did = getInflection(lemma, tag="VBD")
    if doing:
        slots["doing"] = f"{doing[0]} {phrase}".strip()
    if did and behaviour.past:  # one time, asked about as such
        slots["did"] = f"{did[0]} {phrase}".strip()
    elif not behaviour.past:
        slots["does"] = slots["act"]
    return slots


def fill_slots(template: str, slots: dict[str, str]) -> str | None:
    """The template with its slots filled, or None when the act has no words for one."""
    names = re.findall(r"\{(\w+)\}", template)
    if any(name not in slots for name in names):
        return None
    for name in names:
        template = template.replace("{" + name + "}", slots[name])
    return template


def kind_wants(behaviour: Behaviour | None, topics: TopicsFile | None) -> list[tuple[str, str]]:
    """(need id, "because" clause) from topics.yaml `kinds` for the act."""
    if behaviour is None or topics is None or behaviour.lemma == "be":
        return []
    kind = topics.kinds.get(kind_of(behaviour))  # type: ignore[call-overload]
    if kind is None:
        return []
    slots = {"thing": thing} if (thing := _thing(behaviour)) else {}
    return [(w.need, said) for w in kind.wants if (said := fill_slots(w.says, slots))]
