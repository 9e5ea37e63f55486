"""Step 1, read the situation, for the shapes of blame whose words say the opposite of what
happened or say it by picture: "why is it so hard for you to say you're proud of me" (it is
not said), "god forbid you ask how I am" (she doesn't ask), "like talking to a wall" (I don't
feel heard), "you only call when you need something" (the calls are mostly about a need),
"if you don't stop drinking" (the drinking). Each reading is what a camera would record,
said from the writer's side, with the sentence's own nouns."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from spacy.tokens import Doc, Token

from server.rewrite.behaviour import (
    Behaviour,
    behaviour_of,
    find_behaviour,
    is_past,
    time_clause,
    verb_lemma,
)
from server.rewrite.comparisons import compared
from server.rewrite.model import Block, Situation
from server.rewrite.topics import TopicsFile, figure_of
from server.rewrite.verdicts import fact, pinned_acts, writer_clause
from server.rewrite.words import drop_absolutes, object_of, words_of
from server.rewrite.writer import made_doing, made_to, own_act

# Words that make "it is hard for you to X" or "would it kill you to X" say X doesn't happen.
_EFFORT = frozenset("hard difficult much kill hurt tough impossible painful".split())
# Imperatives that are idioms or wrappers, not a wish for the act: "keep it up and ...",
# "spare me", "let me be", "grow up".
_NOT_COMMANDS = frozenset("be stop spare let keep go do get try look grow quit leave".split())


def hard_to(doc: Doc) -> Behaviour | None:
    """ "Why is it so hard for you to just say you're proud of me?", "is it too much to ask
    for you to call" -> the act that doesn't happen, negated."""
    if not re.search(
        r"\b(hard|difficult|much to ask|kill|hurt|tough|impossible)\b", doc.text, re.I
    ):
        return None
    for token in doc:
        if token.pos_ != "VERB" or token.tag_ != "VB":
            continue
        if not any(c.lower_ == "to" and c.dep_ == "aux" for c in token.children):
            continue
        if any(c.dep_ == "prep" and not list(c.children) for c in token.children):
            continue  # "you're impossible to live with": read by hard_for_me
        # "is it so hard for you to say": "say" hangs off "is", beside "hard".
        near = [*token.ancestors, *(c for a in token.ancestors for c in a.children)]
        if any(a.lemma_.lower() in _EFFORT for a in near):
            return behaviour_of(token, True, False, doc)
    return None


def hard_for_me(doc: Doc) -> str | None:
    """ "You're a difficult person to buy presents for" -> "I find it hard to buy presents for
    you": the writer's side of a verdict on how hard she is to do something with."""
    for token in doc:
        if token.tag_ != "VB" or not any(
            c.lower_ == "to" and c.dep_ == "aux" for c in token.children
        ):
            continue
        dangling = [c for c in token.children if c.dep_ == "prep" and not list(c.children)]
        near = [*token.ancestors, *(c for a in token.ancestors for c in a.children)]
        if not dangling or not any(a.lemma_.lower() in _EFFORT | _TOUGH for a in near):
            continue
        rest = [t for c in token.children if c.i > token.i for t in c.subtree]
        tokens = drop_absolutes(sorted(rest, key=lambda t: t.i))
        # "to talk to about money" -> "to talk to you about money"
        before = words_of([t for t in tokens if t.i <= dangling[0].i])
        after = words_of([t for t in tokens if t.i > dangling[0].i])
        said = " ".join(w for w in (verb_lemma(token), before, "you", after) if w)
        return f"I find it hard to {said}"
    return None


# Verdicts on how hard she is to be with: "a difficult person to buy presents for".
_TOUGH = frozenset("difficult impossible hard tough easy".split())


def forbidden(doc: Doc) -> Behaviour | None:
    """ "God forbid you ever ask how I'm doing" -> she doesn't ask."""
    if not re.match(r"\W*(oh,? )?(god|heaven)s? forbid\b", doc.text, re.I):
        return None
    found = find_behaviour(doc)
    return replace(found, negated=True) if found is not None else None


def commanded(doc: Doc) -> list[Behaviour]:
    """What an imperative says happens. A wish says the act is missing ("be more like Grandma
    and actually listen for once": she doesn't listen); "stop X-ing" and "keep X-ing" say X
    happens; so does an imperative that sets the condition of a threat ("bring up my weight
    one more time and I'm leaving", "skip my recital and don't expect me there") or is
    granted in mock ("oh sure, take another loan from me")."""
    found = []
    for token in doc:
        if _prohibited(token):
            # "Don't ever show up at my apartment unannounced again": it has happened.
            found += [b for b in (behaviour_of(token, False, False, doc),) if b is not None]
            continue
        if not _imperative(token):
            continue
        inner = [c for c in token.children if c.dep_ in ("xcomp", "ccomp") and c.tag_ == "VBG"]
        if token.lemma_ in _GOES_ON and inner:
            behaviour = behaviour_of(inner[0], False, False, doc)
        elif token.lemma_ in _NOT_COMMANDS:
            continue
        else:
            behaviour = behaviour_of(token, not (_threat(token) or _granted(token)), False, doc)
        if behaviour is not None:
            found.append(behaviour)
    return found


def _imperative(token: Token) -> bool:
    """A bare verb at the top of the sentence, or joined to one, with no subject of its own."""
    top = token.dep_ == "ROOT" or (token.dep_ == "conj" and token.head.dep_ == "ROOT")
    # "Oh sure, take another loan from me, what's another thousand": the parse hangs the
    # imperative under the question that follows it.
    top = top or (token.dep_ == "ccomp" and token.i < token.head.i and _granted(token))
    if not top or token.tag_ != "VB":
        return False
    if any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in token.children):
        return False
    return not (token.dep_ == "conj" and any(c.dep_ == "nsubj" for c in token.head.children))


def _prohibited(token: Token) -> bool:
    """ "Don't ever X": a bare "don't" at the top of the sentence, with no subject; not an
    idiom or a reassurance ("don't worry about it", "don't expect me there")."""
    if token.dep_ != "ROOT" or token.tag_ != "VB" or token.lemma_ in _NOT_PROHIBITED:
        return False
    if any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children):
        return False  # "you don't help": a statement, not an order
    said = {c.lower_ for c in token.children if c.dep_ in ("aux", "neg")}
    # "Don't come to the wedding if you can't be civil": a condition, not what happened
    conditional = any(
        t.dep_ == "mark" and t.lower_ in ("if", "unless") and t.head.head == token
        for t in token.subtree
    )
    return ({"do", "n't"} <= said or {"do", "not"} <= said) and not conditional


_NOT_PROHIBITED = _NOT_COMMANDS | frozenset("worry bother mind expect think forget".split())


def _threat(token: Token) -> bool:
    """ "Say that again and I'm out": an imperative joined by "and" to what will follow
    (a clause with a subject of its own, or a forbidding "don't expect me")."""
    if token.dep_ != "ROOT" or not any(c.lower_ == "and" for c in token.children):
        return False
    for conj in (c for c in token.children if c.dep_ == "conj"):
        own = any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children)
        forbidding = any(c.dep_ == "neg" for c in conj.children)
        if own or forbidding:
            return True
    return False


def _granted(token: Token) -> bool:
    """ "Sure, take another loan": leave granted with a sigh, in mock."""
    before = [t.lower_ for t in token.doc[: token.i] if not t.is_punct]
    return bool(before) and before[-1] in _MOCK_LEAVE


# "stop X-ing", "quit X-ing", "keep X-ing": X is what happens.
_GOES_ON = frozenset("stop quit keep".split())
_MOCK_LEAVE = frozenset("sure fine yeah go ahead".split())


def condition(doc: Doc) -> Behaviour | None:
    """ "If you don't stop drinking, ..." -> the drinking: what happens now."""
    for token in doc:
        if token.lemma_ != "stop" or not any(c.dep_ == "neg" for c in token.children):
            continue
        if not any(c.lower_ in ("if", "unless") for c in token.children):
            continue
        inner = [c for c in token.children if c.dep_ in ("xcomp", "ccomp") and c.tag_ == "VBG"]
        if inner:
            return behaviour_of(inner[0], False, False, doc)
    return None


def fault_clause(doc: Doc) -> str | None:
    """ "It's your fault Dad and I aren't speaking", where the parse loses the clause: the
    words after "fault" say what happened."""
    match = re.search(
        r"\b(?:it'?s|it is|it was|this is) (?:all )?(?:your|ur) fault,? (?:that )?([^.!?;]+)",
        doc.text,
        re.I,
    )
    return match.group(1).strip() if match else None


def unmentioned(doc: Doc) -> str | None:
    """ "You don't care about my health" -> "my health goes unmentioned between us": what can
    be seen of not caring, said as a guess."""
    for token in doc:
        if token.lemma_ not in ("care", "ask") or not any(c.dep_ == "neg" for c in token.children):
            continue
        thing = object_of(token, "about")
        if thing and not any(t.lower_ in ("you", "yourself", "me") for t in thing.subtree):
            words = words_of(drop_absolutes(list(thing.subtree)))
            return f"{words} goes unmentioned between us"
    return None


def wanted(doc: Doc) -> Behaviour | None:
    """ "You never want to visit us" -> the visiting doesn't happen (the wanting can't be
    seen)."""
    for token in doc:
        if token.lemma_ != "want" or not any(
            c.lower_ in ("never", "not", "n't", "nt") for c in token.children
        ):
            continue
        if not any(c.dep_ == "nsubj" and c.lower_ in ("you", "u") for c in token.children):
            continue
        inner = [c for c in token.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
        if inner and not any(c.dep_ == "nsubj" for c in inner[0].children):
            return behaviour_of(inner[0], True, False, doc)
    return None


def not_known(doc: Doc) -> str | None:
    """ "You don't even want to know your grandchildren" -> "your grandchildren don't get to
    know you" (the wanting can't be seen; the little time together can)."""
    for token in doc:
        if token.lemma_ != "know" or token.dep_ != "xcomp" or token.head.lemma_ != "want":
            continue
        if not any(c.dep_ == "neg" or c.lower_ == "never" for c in token.head.children):
            continue
        obj = next((c for c in token.children if c.dep_ == "dobj"), None)
        if obj is not None and obj.lower_ not in ("it", "that", "this", "what", "anything"):
            agree = "don't" if obj.tag_ == "NNS" else "doesn't"
            return f"{words_of(drop_absolutes(list(obj.subtree)))} {agree} get to know you"
    return None


_LIGHT_NOUNS = frozenset(
    "decision choice call comment remark joke mistake effort point fuss scene promise plan "
    "arrangement noise complaint speech announcement assumption suggestion".split()
)


def made_about(doc: Doc) -> Situation | None:
    """ "Why do you always make Christmas about you?" -> "Christmas gets planned around what
    you want"; "Way to make my engagement dinner all about your knee surgery" -> "my engagement
    dinner turned into talk about your knee surgery"."""
    for make in (t for t in doc if t.lemma_.lower() == "make"):
        obj = next((c for c in make.children if c.dep_ == "dobj"), None)
        # "made the decision about Mum's care home", "make a fuss about it": the noun is the
        # act itself (decide, fuss), not an occasion turned into talk of something else
        if obj is None or obj.lemma_.lower() in _LIGHT_NOUNS:
            continue
        # "about" on the verb, or on its object ("making my engagement | about your divorce")
        target = object_of(make, "about") or object_of(obj, "about")
        if target is None:
            continue
        vague = obj.lower_ in ("it", "this", "that", "everything")
        before = [t for t in obj.subtree if t.i < target.head.i]  # not "about ..." itself
        thing = None if vague else words_of(drop_absolutes(before))
        if target.lower_ in ("you", "yourself"):
            planned = f"{thing} gets planned" if thing else "plans go"
            return Situation(f"{planned} around what you want", False, False)
        if thing:
            # "made", "making", "way to make": one occasion; "you always make": each time
            each_time = make.tag_ in ("VBZ", "VBP")
            turned = "turns" if each_time else "turned"
            subject = words_of(list(target.subtree))
            return Situation(f"{thing} {turned} into talk about {subject}", False, not each_time)
    return None


def turned_into(doc: Doc) -> Situation | None:
    """ "Why does every phone call turn into a lecture about my love life?" -> "a phone call
    turns to my love life": what the talk turns to, without the verdict on how ("a lecture",
    "another fight")."""
    for turn in (t for t in doc if t.lemma_.lower() == "turn"):
        subject = next((c for c in turn.children if c.dep_ == "nsubj"), None)
        verdict = object_of(turn, "into")  # "a lecture", "another fight"
        target = object_of(verdict, "about") if verdict else None
        if subject is None or target is None or subject.pos_ not in ("NOUN", "PROPN"):
            continue
        words = list(subject.subtree)
        # "every phone call" -> "a phone call"
        each = words[0].lower_ in ("every", "each")
        thing = ("a " if each else "") + words_of(drop_absolutes(words[1:] if each else words))
        if words[0].is_sent_start and words[0].pos_ != "PROPN":
            thing = thing[:1].lower() + thing[1:]  # mid-sentence now: "when dinner turned"
        past = turn.tag_ == "VBD"
        turns = "turned" if past else "turns"
        return Situation(f"{thing} {turns} to {words_of(list(target.subtree))}", False, past)
    return None


def would_be(doc: Doc) -> str | None:
    """ "A normal mother would be happy for me" -> "I can't tell that you're happy for me"."""
    match = re.search(
        r"\b(?:normal|real|good|decent|other|any other|most)\s+(?:mother|mom|mum|dad|father|"
        r"parent|person|people|daughter|son|moms|mums|parents)s?\s+would\s+([^.!?;]+)",
        doc.text,
        re.I,
    )
    if not match:
        return None
    rest = re.sub(r"\b(?:just|even|actually|at least)\s+", "", match.group(1).strip())
    if rest.startswith("be "):
        return f"I can't tell that you're {rest[3:]}"
    return f"I don't see you {rest}" if rest.split()[0].endswith("ing") else f"you don't {rest}"


def _doing(doc: Doc) -> str | None:
    """ "Talking to you about the bills is like ..." -> "when I talk to you about the bills":
    what the writer is doing when the picture fits."""
    for token in doc:
        if token.dep_ == "csubj" and token.tag_ == "VBG":
            rest = [t for c in token.children for t in c.subtree]
            words = words_of(drop_absolutes(sorted(rest, key=lambda t: t.i)))
            return f"when I {verb_lemma(token)} {words}".strip()
    return None


def only_when(behaviour: Behaviour, doc: Doc, topics: TopicsFile) -> str | None:
    """ "You only call when you need something" -> "our calls are mostly about something you
    need"; "you never visit unless you want money" -> "our visits are mostly about money"."""
    acts = topics.acts.get(behaviour.lemma)
    if acts is None:
        return None
    verb = _verb_of(behaviour, doc)
    if verb is None:
        return None
    limited = any(c.lower_ == "only" for c in verb.children) or behaviour.negated
    for clause in (c for c in verb.children if c.dep_ == "advcl"):
        mark = clause.left_edge.lower_
        if not limited or mark not in ("when", "if", "unless", "whenever"):
            continue
        if behaviour.negated and mark != "unless":
            continue
        obj = next((c for c in clause.children if c.dep_ in ("dobj", "attr")), None)
        subject = next((c for c in clause.children if c.dep_ == "nsubj"), None)
        if obj is None:
            return f"our {acts} mostly come {words_of(drop_absolutes(list(clause.subtree)))}"
        thing = words_of(drop_absolutes(list(obj.subtree)))
        if obj.lower_ in ("something", "anything", "stuff") and subject is not None:
            # "when you need something" -> "about something you need"
            return f"our {acts} are mostly about {thing} {subject.lower_} {clause.lower_}"
        return f"our {acts} mostly come {words_of(drop_absolutes(list(clause.subtree)))}"
    return None


def _verb_of(behaviour: Behaviour, doc: Doc) -> Token | None:
    """The verb token a behaviour was read from."""
    if behaviour.verb is not None:
        return behaviour.verb
    return next((t for t in doc if t.pos_ == "VERB" and t.lemma_ == behaviour.lemma), None)


def readings(
    block: Block, topics: TopicsFile | None, genuine: Collection[str]
) -> tuple[list[Situation], list[Behaviour], list[Situation]]:
    """What this module reads in the sentences of a block, best first: finished situations,
    acts the words imply (to be said as observations), and the facts behind pictures (after
    any act: "be more like Grandma and listen" is about the listening)."""
    situations: list[Situation] = []
    acts: list[Behaviour] = []
    figures: list[Situation] = []
    for doc in block.docs:
        if topics is not None:
            behaviour = find_behaviour(doc)
            if behaviour is not None and (limited := only_when(behaviour, doc, topics)):
                # No behaviour: the calls do happen, but what is missing is a call for its own
                # sake, so neither "too much contact" nor "call me back" fits.
                situations.append(Situation(limited, False, behaviour.past))
            if figure := figure_of(doc.text, topics):
                moment = time_clause(doc) or _doing(doc)
                if moment and moment.lower().startswith(("when ", "whenever ")):
                    figure = f"{moment.split(maxsplit=1)[1]} and {figure}"
                figures.append(Situation(figure, True, False))
        situations += [
            s for s in (own_act(doc), made_to(doc), made_about(doc), turned_into(doc)) if s
        ]
        found = [
            would_be(doc),
            fault_clause(doc),
            not_known(doc),
            hard_for_me(doc),
        ]
        found += [writer_clause(doc, genuine), fact(doc) if doc in block.evidence else None]
        for text in found:
            if text:
                situations.append(Situation(text, False, is_past(text, doc)))
        if text := unmentioned(doc):
            situations.append(Situation(text, True, False))
        implied = (
            hard_to(doc),
            forbidden(doc),
            condition(doc),
            wanted(doc),
            made_doing(doc),
            compared(doc),
        )
        acts += [a for a in implied if a is not None]
        acts += commanded(doc)
        acts += pinned_acts(doc, genuine)
    return situations, acts, figures
