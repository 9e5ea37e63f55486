"""Word lists and small word-level transformations, each a plain function with its own tests."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Token

from server.core.inflect import getInflection, getLemma

# Words that carry the blame's force but no information about what happened.
DROPPED_ADVERBS = frozenset(
    "always never ever even just constantly continually forever literally really so totally "
    "seriously honestly basically actually still again once though anyway anyways tbh lol "
    "already constant endless nonstop "
    "clearly obviously anymore smh ngl omg ugh fr wtf idk".split()
)
# Not "if": in a blaming sentence an if-clause is mostly a threat's condition ("if you don't
# stop drinking, ..."), which says what might happen, not what did.
TIME_MARKERS = ("when", "whenever", "since", "after", "while", "every")
# Verbs that make sense with nothing after them ("you never listen").
INTRANSITIVE = frozenset(
    "listen help visit call care try apologize apologise come reply drink smoke gamble yell "
    "shout interrupt lie complain nag argue".split()
)
# Units of time: how long or how often, never what a sentence is about ("three weeks").
TIME_UNITS = frozenset(
    "second minute hour day night week weekend month year morning evening afternoon".split()
)
VAGUE_TOPICS = frozenset(
    "problem issue thing trouble way time lot point side fault reason one everything anything "
    "nothing something life while front thanks behalf sake".split()
)
SPEECH_VERBS = frozenset("ask tell say explain mention wonder check".split())
PEOPLE = frozenset(
    "mom mum dad mother father parent parents sister brother people person family everyone "
    "anyone someone grandma grandpa nana".split()
)
# States of mind can't be observed; "when you think ..." would still be mind-reading.
MENTAL_VERBS = frozenset(
    "think care want know love like mean hate resent enjoy prefer believe wish feel".split()
)
# Verbs that say something did not happen: "you ignored my texts" is too little contact, like
# "you never answer", not too much, like "you keep texting me".
ABSENCE_VERBS = frozenset("ignore ghost avoid skip miss dodge neglect forget screen".split())
# Harm to a thing: "you broke my laptop" is no act to ask permission for ("ask me before you
# break my laptop"), only one to agree about.
DAMAGE_VERBS = frozenset(
    "break scratch dent crash smash damage lose burn stain spill tear rip crack".split()
)
# "have to criticize", "keep pushing", "stop calling": the behaviour is the inner verb.
WRAPPER_VERBS = frozenset(
    "have need got gotta keep stop start continue tend refuse seem try bother".split()
)
# Past forms people use when they describe what happened in their own words.
IRREGULAR_PAST = frozenset(
    "was were spent went came said told did had left forgot made took got felt thought saw "
    "gave kept lost sent brought bought heard knew met ran sat stood wrote".split()
)
GREETING_WORDS = frozenset("hi hey hello dear morning evening".split())
_PRONOUN_SWAPS = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "you": "me",
    "your": "my",
    "yours": "mine",
    "yourself": "myself",
    "i'm": "you're",
    "you're": "I'm",
    "am": "are",
    "i've": "you've",
    "you've": "I've",
}


# --- small transformations, each a plain function with its own tests -----------------------


@cache
def judging(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of `words` (judgements: server/rules/lexicons.py) as a whole word or phrase."""
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b" if words else r"(?!)", re.IGNORECASE)


def flip_pronouns(text: str) -> str:
    """Say a phrase from the other side: "I always call you" -> "you always call me"."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        swapped = _PRONOUN_SWAPS.get(word.lower(), word)
        # "I" is capitalised for itself, not because it starts a sentence.
        capital = word[0].isupper() and not re.match(r"I(?:'|$)", word)
        return swapped[0].upper() + swapped[1:] if capital else swapped

    return re.sub(r"\b(?:i'm|you're|i've|you've|[a-z]+)\b", swap, text, flags=re.IGNORECASE)


def drop_absolutes(tokens: Iterable[Token]) -> list[Token]:
    """Leave out "always", "never", "even", "just" and the like (but "once in a while" and
    "once a week" keep their "once")."""
    tokens = list(tokens)
    # "for once", "at all": the preposition goes with its absolute.
    paired: set[int] = set()
    for token, after in itertools.pairwise(tokens):
        if (token.lower_, after.lower_) in (("for", "once"), ("at", "all"), ("not", "even")):
            paired |= {token.i, after.i}
    for first, second, third in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (first.lower_, second.lower_, third.lower_) in (
            ("one", "more", "time"),  # "bring it up one more time and ..."
            ("no", "matter", "what"),  # "you always take Dad's side, no matter what"
        ):
            paired |= {first.i, second.i, third.i}
    # "every single year" is every year; "one more word" is a word
    paired |= {
        second.i
        for first, second in itertools.pairwise(tokens)
        if (first.lower_, second.lower_) in (("every", "single"), ("one", "more"))
    }

    def kept(token: Token) -> bool:
        if token.i in paired:
            return False
        if token.lower_ == "once":  # "once in a while", "once a week"; "you came once"
            counted = token.head.tag_ == "VBD" and token.head.i < token.i
            return counted or (token.i + 1 < len(token.doc) and token.nbor().lower_ in ("in", "a"))
        return token.lower_ not in DROPPED_ADVERBS

    return [token for token in tokens if kept(token)]


def is_vague(token: Token) -> bool:
    """A noun too general to be what a sentence is about ("the problem", "three weeks"); a
    time that is someone's own is a thing ("my hours at the hospital")."""
    lemma = token.lemma_.lower()
    if lemma in TIME_UNITS:
        return not any(c.dep_ == "poss" for c in token.children)
    return lemma in VAGUE_TOPICS


def object_of(head: Token, preposition: str) -> Token | None:
    """The object of the first `preposition` on `head`: "care about my health" -> "health"."""
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ == preposition:
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def is_duration(token: Token) -> bool:
    """ "in three weeks", "for a month", "all week": how long something has been missing,
    which a request for it leaves out ("call me", not "call me in three weeks")."""
    if token.dep_ == "prep" and token.lower_ in ("in", "for", "since", "over"):
        return any(c.dep_ == "pobj" and c.lemma_.lower() in TIME_UNITS for c in token.children)
    return token.dep_ == "npadvmod" and token.lemma_.lower() in TIME_UNITS


def inflect(lemma: str, *, negated: bool, past: bool) -> str:
    """The verb as said with "you": "call" -> "don't call" / "didn't call" / "called"."""
    if lemma == "be":
        return ("weren't" if past else "aren't") if negated else ("were" if past else "are")
    if negated:
        return f"{'didn' if past else 'don'}'t {lemma}"
    if past:
        forms = getInflection(lemma, tag="VBD")
        return forms[0] if forms else lemma
    return lemma


def is_symbol(text: str) -> bool:
    return all(unicodedata.category(c)[0] == "S" or c in "\u200d\ufe0f" for c in text)


def words_of(tokens: Sequence[Token]) -> str:
    """Tokens back to text with their own spacing, and a space wherever a token was left out
    between two others ("an answer, because" without the comma is "an answer because").
    Emoji are left out: 😒 belongs to the tone, not to what happened."""
    tokens = [t for t in tokens if not is_symbol(t.text)]
    parts = []
    for token, following in zip(tokens, [*tokens[1:], None], strict=False):
        parts.append(token.text_with_ws)
        if following is not None and following.i != token.i + 1 and not token.whitespace_:
            parts.append(" ")
    return "".join(parts).strip()


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


_COMMON_STARTS = STOP_WORDS | {"yesterday", "today", "tonight", "tomorrow", "sometimes"}


def mid_sentence(text: str) -> str:
    """The person's own words, set after "when" or "because": "Last Sunday she didn't call"
    becomes "last Sunday she didn't call", while "I", "Mom" or "NHS" keep their capital."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    if first[1:2].islower() and first.lower().strip(",.") in _COMMON_STARTS:
        return text[:1].lower() + text[1:]
    return text


# A situation that already opens with one of these needs no "when" before it.
_CLAUSE_START = re.compile(r"(when|since|if|after|while|in|at|around|during|on)\b", re.IGNORECASE)
# Markers that say "each and every time": an absolute, like "always"; said as "when".
_EVERY_TIME = re.compile(r"(?:whenever|(?:every|each) (?:single )?time|any ?time)\s+", re.I)


def when_clause(text: str) -> str:
    """ "when <text>", unless the text opens its own clause ("since March", "after dinner"):
    the person's "when she gets upset" must not become "when when she gets upset", and
    "whenever I ask" or "every time I ask" become "when I ask"."""
    text = _EVERY_TIME.sub("when ", text, count=1) if _EVERY_TIME.match(text) else text
    return text if _CLAUSE_START.match(text) else f"when {text}"


# "she" -> "you": the verb that follows, as said with "you".
_WITH_YOU = {
    "is": "are",
    "was": "were",
    "isn't": "aren't",
    "wasn't": "weren't",
    "has": "have",
    "hasn't": "haven't",
    "does": "do",
    "doesn't": "don't",
    "'s": "'re",
}
_HER_THEN = STOP_WORDS - {"own", "whole", "first", "last", "only", "other"}
_ADVERB = re.compile(r"(?:always|never|just|really|still|even|often|usually|sometimes|also)$")


def to_listener(text: str) -> str:
    """The person's words about her, said to her: "she gets upset" -> "you get upset", "her
    car" -> "your car", "I told her" -> "I told you", "her own son's surgery" -> "my surgery".
    An I-statement is addressed to the listener, so "she" and "her" are always "you"."""
    words = re.findall(r"\w+(?:['’]\w+)?|\s+|[^\w\s]", text)
    out: list[str] = []
    subject = False
    for index, word in enumerate(words):
        lowered = word.lower().replace("’", "'")
        after = next((w for w in words[index + 1 :] if not w.isspace()), "")
        if lowered in ("she", "he"):
            out.append("You" if word[0].isupper() else "you")
            subject = True
            continue
        if lowered in ("she's", "he's"):
            out.append("You're" if word[0].isupper() else "you're")
            continue
        if lowered in ("her", "his", "him"):
            possessive = lowered == "his" or (
                lowered == "her" and after and after.lower() not in _HER_THEN and after.isalpha()
            )
            out.append("your" if possessive else "you")
        elif lowered in ("herself", "himself"):
            out.append("yourself")
        elif subject and not word.isspace():
            if _ADVERB.match(lowered):
                out.append(word)
                continue
            out.append(_with_you(word))
            subject = False
        else:
            out.append(word)
    said = "".join(out)
    # "her own son's surgery date", said to her: the son is the writer.
    return re.sub(r"\byour own (?:son|daughter|child|kid)(?:'s|’s)?(?=\s|$)", "my", said)


def _with_you(verb: str) -> str:
    lowered = verb.lower()
    if lowered in _WITH_YOU:
        return _WITH_YOU[lowered]
    if lowered.endswith("s") and not lowered.endswith("ss") and verb.isalpha():
        lemma = getLemma(lowered, upos="VERB")
        return str(lemma[0]) if lemma else verb
    return verb
