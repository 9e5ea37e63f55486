"""Step 1, read a comparison: "Mark's wife cooks every night", "other dads came to the
recital", said to her, say what she doesn't do. The other person is the blame and is left out;
what is left is her act, missing, which the rewrite says as an observation and asks for."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Token

from server.rewrite.behaviour import Behaviour, behaviour_of, is_negated
from server.rewrite.words import MENTAL_VERBS, PEOPLE


def compared(doc: Doc) -> Behaviour | None:
    """ "Mark's wife cooks every night", "other grandparents babysit without being begged",
    said to her: what someone else does says she doesn't. The act, missing, without the other
    person (the comparison is the blame) and without the manner it is measured by."""
    if any(t.lower_ in ("you", "u") and t.dep_ in ("nsubj", "nsubjpass") for t in doc):
        return None
    for root in (t for t in doc if t.dep_ == "ROOT" and t.pos_ == "VERB"):
        subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
        if subject is None or not _someone_else(subject) or is_negated(root):
            continue
        if root.lemma_ in MENTAL_VERBS or root.lemma_ in ("be", "have", "make"):
            continue
        found = behaviour_of(root, True, root.tag_ in ("VBD", "VBN"), doc, bare=True)
        # "other moms keep asking for your recipe": what others do toward her is no comparison
        theirs = {t.i for t in subject.subtree}
        toward = [t for t in root.subtree if t.i not in theirs]
        if found is None or any(t.lower_ in ("you", "your", "u", "ur") for t in toward):
            return None
        measured = {t.i for c in root.children if c.lower_ == "without" for t in c.subtree}
        kept = [t for t in found.phrase if t.i not in measured]
        return replace(found, phrase=kept, rest=[t for t in found.rest if t.i not in measured])
    return None


def _someone_else(subject: Token) -> bool:
    """ "Mark's wife", "your ex-husband", "other grandparents", "everyone else's parents"."""
    if subject.pos_ not in ("NOUN", "PROPN"):
        return False
    # "your ex-husband" is someone else; "your comments" are hers
    person = subject.lemma_.lower() in PEOPLE | _PARTNERS
    return any(
        (c.dep_ == "poss" and (c.pos_ == "PROPN" or c.lower_ in ("everyone", "everybody")))
        or (c.dep_ == "poss" and c.lower_ in ("your", "ur") and person)
        or (c.dep_ == "amod" and c.lower_ in ("other", "else"))
        for c in subject.children
    )


_PARTNERS = frozenset("husband wife ex partner boyfriend girlfriend friend".split())
