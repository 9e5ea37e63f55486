"""Step 2, what a threat puts at stake: "bring up my weight again and I'm leaving dinner",
"if you're late again I'm not coming home for Easter". The threat is blame, but what the
writer says they would walk away from is what they would rather keep: the rewrite's need and
request name it ("because I want to look forward to Easter with you")."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Token

from server.rewrite.words import PEOPLE, drop_absolutes, is_vague, words_of

_WRITER = frozenset(("i", "we"))
_LEAVE = frozenset("leave skip miss quit host attend".split())


def at_stake(docs: Iterable[Doc]) -> str | None:
    """The occasion the writer threatens to leave, in the draft's words ("your retirement
    party", "this summer"), said to her; None when no threat of the writer's is made."""
    for doc in docs:
        for clause in _consequences(doc):
            if thing := _occasion(clause):
                return thing
    return None


def _consequences(doc: Doc) -> list[list[Token]]:
    """What the writer says will follow: the clause joined to an order by "and" ("... and I'm
    leaving dinner", "... and don't expect me at your party"), or the main clause of an "if"
    ("if you ..., I'm not visiting this summer"), when the writer is the one who acts or it
    forbids ("don't come to the wedding if ...")."""
    found = []
    for root in (t for t in doc if t.dep_ == "ROOT"):
        subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        ordered = subject is None and root.tag_ == "VB"
        for conj in (c for c in root.children if c.dep_ == "conj") if ordered else ():
            own = next((c for c in conj.children if c.dep_ == "nsubj"), None)
            forbids = own is None and any(c.dep_ == "neg" for c in conj.children)
            if forbids or (own is not None and own.lower_ in _WRITER):
                found.append(list(conj.subtree))
        # the "if" clause, wherever the parse hung it under the root
        condition = [
            c
            for c in root.children
            if any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.subtree)
        ]
        writer = subject is not None and subject.lower_ in _WRITER
        forbidding = ordered and any(c.dep_ == "neg" for c in root.children)
        if condition and (writer or forbidding):
            inside = {t.i for c in condition for t in c.subtree}
            found.append([t for t in root.subtree if t.i not in inside])
    return found


def _occasion(clause: list[Token]) -> str | None:
    """The last thing the clause names that is no person and no bare time: "dinner", "your
    retirement party", "Easter", "this summer"."""
    taken = {t.i for t in clause}
    for noun in reversed(clause):
        # a time or place to be at, or one left: not what the writer would do ("I'm turning
        # my phone off")
        left = noun.dep_ == "dobj" and noun.head.lemma_ in _LEAVE
        named = noun.pos_ in ("NOUN", "PROPN") and (noun.dep_ in ("pobj", "npadvmod") or left)
        mine = any(c.dep_ == "poss" and c.lower_ == "my" for c in noun.children)
        if not named or mine or is_vague(noun) or noun.lemma_.lower() in PEOPLE:
            continue
        # the noun with its own words before it: "your retirement party", not "... at home"
        words = [t for t in drop_absolutes(noun.subtree) if t.i in taken and t.i <= noun.i]
        if words and not any(t.is_punct or t.pos_ in ("VERB", "AUX") for t in words):
            return words_of(words)
    return None
