"""Step 1, say what was read from the writer's side: an act that doesn't happen as what it
is like for the writer ("you never listen" -> "I don't feel heard"), the moment and the act
together ("I visit and you're on your phone"), and the occasion said once ("... at
Christmas")."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from server.rewrite.behaviour import Behaviour
from server.rewrite.topics import TopicsFile
from server.rewrite.words import words_of

# Verbs that judge rather than describe: "you let me down when you skipped my recital" is
# about the recital; the time clause alone says what happened.
JUDGING = frozenset(
    "let hurt upset disappoint fail make ruin spoil wreck embarrass humiliate betray abandon "
    "neglect disrespect belittle upset annoy anger frustrate cheat spy pretend sulk bail "
    "vanish disappear guilt manipulate gaslight snoop sabotage".split()
)
_CLAUSE_MARKERS = ("when", "whenever", "while", "every time", "after", "since")
_SPEECH = frozenset(("say", "tell"))


def absent(behaviour: Behaviour, topics: TopicsFile | None) -> str | None:
    """What it is like for the writer when something doesn't happen: "you never say you're
    proud of me" -> "I don't hear that you're proud of me"; "you never listen" -> "I don't
    feel heard"."""
    if not behaviour.negated:
        return None
    if behaviour.lemma in _SPEECH:
        # "tell me you love me": what is said, without the first "me"
        said = [
            t
            for t in behaviour.phrase
            if not (t.lower_ in ("me", "us") and t.head.lemma_ in _SPEECH)
        ]
        heard = "didn't hear" if behaviour.past else "don't hear"
        if said and all(t.lower_ in ("it", "that", "this", "so") for t in said):
            return None  # "you just won't say it": what "it" is is said elsewhere
        if said and not any(t.pos_ in ("VERB", "AUX") for t in said):
            # "say a word at dinner": "a word from you at dinner"
            thing = behaviour.object or said
            root = next(t for t in thing if t.head not in thing)
            what = words_of([t for t in thing if t.i <= root.i])
            rest = words_of([t for t in said if t.i > root.i])
            return f"I {heard} {what} from you {rest}".strip()
        if said:
            words = words_of(said)
            that = "" if words.split()[0].lower() in ("that", "how", "what", "why") else "that "
            return f"I {heard} {that}{words}"
    if behaviour.lemma == "let":
        return _not_let(behaviour)
    if behaviour.lemma == "have" and any(t.lemma_ == "time" for t in behaviour.object):
        return "we don't get much time together"
    entry = topics.absent.get(behaviour.lemma) if topics else None
    if entry is None:
        return None
    text = entry.past if behaviour.past else entry.present
    obj = words_of([t for t in behaviour.object if t.lower_ not in ("me", "us")])
    if "{object}" in text and not obj:
        return None
    rest = words_of(behaviour.rest)
    if behaviour.lemma == "help":  # "help with Dad's appointments" -> "managing Dad's ..."
        rest = re.sub(r"^(?:with|out with|out)\s+", "", rest)
    text = text.replace("{object}", obj).replace("{rest}", rest)
    return re.sub(r"\s+", " ", text).strip()


def _not_let(behaviour: Behaviour) -> str | None:
    """ "you never let Jake and me host Thanksgiving" -> "Jake and I don't get to host
    Thanksgiving"."""
    verb = next((t for t in behaviour.phrase if t.pos_ in ("VERB", "AUX")), None)
    if verb is None:
        return None
    who = [t for t in behaviour.phrase if t.i < verb.i]
    if not any(t.lower_ in ("me", "us") for t in who):
        return None
    subject = " ".join(
        "I" if t.lower_ == "me" else "we" if t.lower_ == "us" else t.text for t in who
    )
    rest = words_of([t for t in behaviour.phrase if t.i >= verb.i])
    got = "didn't get" if behaviour.past else "don't get"
    return f"{subject} {got} to {rest}"


def act_words(behaviour: Behaviour) -> list[Token]:
    """The words of the act that say what it is about: the verb (unless it only judges: "let
    me down") and its phrase."""
    verb = behaviour.verb
    judging = behaviour.lemma in JUDGING and not any(t.pos_ == "VERB" for t in behaviour.phrase)
    words = [verb] if verb is not None and not judging else []
    return [*words, *behaviour.phrase]


def with_time(behaviour: Behaviour, said: str) -> list[str]:
    """ "You're always on your phone when I visit" -> "I visit and you're on your phone": the
    moment and the act together, unless the verb only judges the moment ("you let me down
    when you skipped my recital"). Also the other way round ("you interrupt me while I talk
    about my job"), for when the first reads as blame on its own ("and you interrupt me")."""
    when = behaviour.when
    if not when or behaviour.lemma in JUDGING:
        return []
    lowered = when.lower()
    marker = next((m for m in _CLAUSE_MARKERS if lowered.startswith(m + " ")), None)
    if marker is None:
        return []
    moment = when[len(marker) :].strip()
    if _plain(moment) == _plain(said):
        return []  # "I feel abandoned since you moved": the act is the moment
    if marker == "since":  # "since you started dating Greg" stays a time, said after the act
        return [f"{said} {when}"]
    # "every time I bring up my boyfriend you change the subject": the regex took both.
    cut = re.search(r"\s+you\b", moment)
    if cut and moment.lower().startswith(("i ", "we ")):
        # "when I talk about my depression and you change the subject": not "... and and"
        moment = re.sub(r"[\s,]+(?:and|but|then)$", "", moment[: cut.start()])
    if not moment or _plain(said) in _plain(moment) or _plain(moment) in _plain(said):
        return []
    after = marker if marker in ("after", "while") else "while"
    return [f"{moment} and {said}", f"{said} {after} {moment}"]


_OCCASIONS = re.compile(
    r"\bevery (christmas|thanksgiving|easter|holiday|summer|birthday|weekend|sunday|saturday|"
    r"friday|visit|family dinner|new year)s?\b",
    re.I,
)


def occasion(doc: Doc, said: str) -> str:
    """ "Every Christmas you pick a fight with my husband": the occasion, which the flag
    covers, said once after the act ("... with my husband at Christmas")."""
    match = _OCCASIONS.search(doc.text)
    if not match or match.group(1).lower() in said.lower():
        return said
    word = match.group(1)
    name = word if word[0].isupper() else word.lower()
    if name.lower() in ("holiday", "weekend", "visit", "family dinner"):
        return (
            f"{said} on {name.lower()}s"
            if name.lower() != "family dinner"
            else f"{said} at family dinners"
        )
    if name.lower() == "birthday":
        return f"{said} on my birthday"
    preposition = "on" if name.lower().endswith("day") else "at"
    return f"{said} {preposition} {name}"


def _plain(text: str) -> str:
    """For comparing clauses: "you're" and "you are" alike."""
    text = re.sub(r"'re\b", " are", text.lower())
    return re.sub(r"\s+", " ", re.sub(r"[^\w' ]", " ", text)).strip()
