"""Step 1, read the writer's side of a feeling they blame on her: what happened to them ("you
made me miss my train" -> "I missed my train"), what reached them ("you make me crazy with
the texts" -> "I get the texts"), what she was doing ("you make me nervous hovering" -> she
hovers), and what they were doing when the feeling came ("I feel pressured into hosting
Easter" -> "I host Easter"), and where a faux feeling was felt ("I feel ignored in this
family" -> "in this family"). Each is what a camera would record, without the cause the blame
pins on her and without the feeling, which the statement names on its own."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Token

from server.core.inflect import getInflection, getLemma
from server.rewrite.behaviour import Behaviour, behaviour_of, clause_text
from server.rewrite.model import Situation
from server.rewrite.verdicts import SEEN_STATES
from server.rewrite.words import drop_absolutes, inflect, object_of, words_of

_YOU = ("you", "u")


def _made(doc: Doc) -> list[tuple[Token, Token, Token]]:
    """(make, inner, subject) for "you make me X" / "you made us X"."""
    found = []
    for make in doc:
        if make.lemma_ != "make" or not any(
            c.dep_ == "nsubj" and c.lower_ in _YOU for c in make.children
        ):
            continue
        for inner in (c for c in make.children if c.dep_ in ("ccomp", "xcomp")):
            subject = next((c for c in inner.subtree if c.dep_ == "nsubj"), None)
            if subject is not None and subject.lower_ in ("me", "us"):
                found.append((make, inner, subject))
    return found


def made_to(doc: Doc) -> Situation | None:
    """ "You made me miss my train with your endless goodbyes" -> "I missed my train"; "you
    made us late to the christening" -> "we were late to the christening": what happened to
    the writer, without the cause it is blamed on ("with your packing"). "You make me crazy
    with the constant texts while I'm at work" -> "I get the texts while I'm at work": a
    feeling is not what happened, what brought it is."""
    for make, inner, subject in _made(doc):
        if inner.lemma_ in ("feel", "look", "seem", "sound") or subject.head != inner:
            return None  # a feeling or a picture: read elsewhere
        who = "I" if subject.lower_ == "me" else "we"
        past = make.tag_ == "VBD"
        if inner.pos_ == "ADJ" and inner.lower_ not in SEEN_STATES:
            return _what_reached(inner, who, past)
        rest = [
            t
            for c in inner.children
            if c.dep_ not in ("nsubj", "punct") and not _blamed_cause(c)
            for t in c.subtree
        ]
        words = words_of(drop_absolutes(sorted(rest, key=lambda t: t.i)))
        if inner.pos_ == "ADJ":
            be = ("was" if who == "I" else "were") if past else ("am" if who == "I" else "are")
            return Situation(f"{who} {be} {inner.text} {words}".strip(), False, past)
        if inner.pos_ == "VERB":
            forms = getInflection(inner.lemma_, tag="VBD") if past else None
            said = f"{who} {forms[0] if forms else inner.lemma_} {words}".strip()
            return Situation(said, False, past)
    return None


def _what_reached(feeling: Token, who: str, past: bool) -> Situation | None:
    """ "crazy with the constant texts while I'm at work" -> "I get the texts while I'm at
    work"; a feeling with no cause named is nothing that happened."""
    cause = next(
        (
            c
            for p in feeling.children
            if p.dep_ == "prep" and p.lower_ in ("with", "by")
            for c in p.children
            if c.dep_ == "pobj" and c.pos_ == "NOUN"
        ),
        None,
    )
    if cause is None:
        return None
    thing = [t for t in cause.subtree if not (t.dep_ == "det" and t.lower_ == "all")]
    moments = [c for c in feeling.children if c.dep_ == "advcl" and c.i > cause.i]
    thing += [t for c in moments for t in c.subtree]
    got = "got" if past else "get"
    return Situation(f"{who} {got} {words_of(drop_absolutes(thing))}", False, past)


def _blamed_cause(token: Token) -> bool:
    """ "with your endless goodbyes", "by your packing": the cause the blame names."""
    return (
        token.dep_ == "prep"
        and token.lower_ in ("with", "by")
        and any(t.lower_ in ("your", "ur") for t in token.subtree)
    )


def made_doing(doc: Doc) -> Behaviour | None:
    """ "You make me so nervous hovering while I cook" -> she hovers (while I cook): the act
    is the participle the feeling hangs on."""
    for make, inner, _ in _made(doc):
        # the parse hangs the participle on "make" or on the feeling ("tense hovering")
        for doing in (inner, *(c for c in inner.children if c.dep_ in ("xcomp", "advcl"))):
            if doing.tag_ == "VBG" and not any(c.dep_ == "nsubj" for c in doing.children):
                return behaviour_of(doing, False, make.tag_ == "VBD", doc, bare=True)
    return None


def own_act(doc: Doc) -> Situation | None:
    """What the writer was doing when the feeling came: "I feel pressured into hosting Easter
    every single year" -> "I host Easter every year"; "I feel unappreciated after cooking
    Christmas dinner" -> "after I cook Christmas dinner"; "you make me feel guilty for going on
    holiday without you" -> "I go on holiday without you"; "I feel smothered by all your
    texts" -> "I get your texts"."""
    for feel in doc:
        if feel.lemma_ != "feel" or feel.pos_ != "VERB":
            continue
        past = feel.tag_ == "VBD"
        for token in feel.subtree:
            if token.i <= feel.i or token.dep_ not in ("pcomp", "dobj", "pobj"):
                continue
            marker = token.head if token.dep_ in ("pcomp", "pobj") else None
            if marker is not None and (
                marker.lower_ not in _OWN_MARKERS or marker.head.dep_ not in ("acomp", "amod")
            ):
                continue
            if token.dep_ == "pobj" and marker is not None and marker.lower_ == "by":
                # the agent: what reaches the writer ("all your texts asking where I am")
                if token.pos_ != "NOUN":
                    continue
                thing = [t for t in token.subtree if not (t.dep_ == "det" and t.lower_ == "all")]
                after = [c for c in feel.children if c.dep_ == "advcl" and c.tag_ == "VBG"]
                if after and after[0].i == token.i + 1:
                    thing += list(after[0].subtree)
                got = "got" if past else "get"
                return Situation(f"I {got} {words_of(drop_absolutes(thing))}", False, past)
            # "I feel trapped living here": the parse reads the participle as a noun object
            doing = token.tag_ == "VBG" or (token.dep_ == "dobj" and token.lower_.endswith("ing"))
            if not doing or token.dep_ == "pobj" or any(c.dep_ == "nsubj" for c in token.children):
                continue
            after = [c for c in token.children if c.i > token.i and not c.is_punct]
            rest = [t for c in after for t in c.subtree]
            words = words_of(drop_absolutes(sorted(rest, key=lambda t: t.i)))
            lemma = getLemma(token.lower_, upos="VERB")
            verb = str(lemma[0]) if lemma else token.lemma_
            if past:
                forms = getInflection(verb, tag="VBD")
                verb = forms[0] if forms else verb
            said = f"I {verb} {words}".strip() + _beside(feel)
            after_it = marker is not None and marker.lower_ == "after"
            return Situation(f"after {said}" if after_it else said, False, past)
    return None


def _beside(feel: Token) -> str:
    """ "..., with you checking on me every hour" -> " and you check on me": her act beside
    what the writer was doing."""
    for prep in (c for c in feel.children if c.dep_ == "prep" and c.lower_ == "with"):
        for act in (c for c in prep.children if c.tag_ == "VBG"):
            if any(c.dep_ == "nsubj" and c.lower_ in _YOU for c in act.children):
                behaviour = behaviour_of(act, False, feel.tag_ == "VBD", act.doc, bare=True)
                if behaviour is not None:
                    verb = inflect(behaviour.lemma, negated=False, past=behaviour.past)
                    return f" and you {verb} {words_of(behaviour.phrase)}".rstrip()
    return ""


# What joins a feeling to what the writer was doing: "guilty for going", "pressured into
# hosting", "unappreciated after cooking", "smothered by your texts".
_OWN_MARKERS = frozenset("for into after by about from".split())


def faux_setting(doc: Doc, faux: Iterable[str]) -> str | None:
    """Where a faux feeling was felt: "I feel ignored in this family" -> "in this family"."""
    words = set(faux)
    for token in doc:
        if token.lower_ in words or token.lemma_.lower() in words:
            preps = [
                c
                for c in token.children
                if c.dep_ == "prep" and c.lower_ in ("in", "at", "around", "during", "with", "on")
            ]
            matter = object_of(token, "about")
            if matter and matter.lower_ not in ("it", "this", "that", "everything"):
                # "I feel judged about my weight at dinner" -> "my weight comes up at dinner"
                thing = words_of(drop_absolutes(list(matter.subtree)))
                where = f" {clause_text(preps[0])}" if preps else ""
                return f"{thing} comes up{where}"
            if preps:
                return clause_text(preps[0])
    return None
