"""Make chat-style writing readable to the parser, keeping a map back to the person's text.

Real drafts arrive as "u never call me back", "YOU NEVER LISTEN", "your so selfish" and with
curly quotes. The pipeline parses the normalised text; every character of it remembers which
characters of the original it came from, so flags always point into what the person wrote.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

# Words that, after "ur"/"your", show the writer meant "you're" ("ur so selfish").
_YOU_ARE_BEFORE = frozenset(
    "so such always never just not a an the too very really being acting literally still kind "
    "sort gonna going right wrong impossible unbelievable ridiculous".split()
)
_NOUN_FOLLOWERS = frozenset(
    "is was has 's makes made sounds looks smells tastes and or , . ! ? skills".split()
)
_AFTER_ILL = frozenset(
    "block call leave tell be go come never just see send take get do make bring stop text "
    "delete remove cut find ring".split()
)
_QUESTION_AFTER_Y = frozenset(
    "do does did are is was were can cant can't could would wouldnt won't wont should dont "
    "don't didnt didn't not".split()
)
# After a sentence-initial "ya" ("yeah" when it stands alone), these show it means "you":
# "ya always do this", "ya never listen".
_YA_YOU_BEFORE = frozenset(
    "always never constantly just only literally really did didnt didn't do dont don't cant "
    "can't wont won't are were know".split()
)
_YA = re.compile(r"ya+")  # "ya", "yaaa"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\S", re.UNICODE)
_CHAR_MAP = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "´": "'", "`": "'"})

# Plain substitutions; context-dependent ones are handled in _replacement.
_SIMPLE = {
    "u": "you",
    "yu": "you",
    "youre": "you're",
    "ure": "you're",
    "urself": "yourself",
    "yr": "your",
    "im": "I'm",
    "ive": "I've",
    "i": "I",
    "r": "are",
    "cuz": "because",
    "coz": "because",
    "bc": "because",
    "becuase": "because",
    "becasue": "because",
    "wat": "what",
    "wut": "what",
    "ppl": "people",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "tho": "though",
    "alot": "a lot",
    "rn": "right now",
    "kms": "kill myself",
    "kys": "kill yourself",
    "idk": "I don't know",
    "tbh": "to be honest",
    "definately": "definitely",
    "allways": "always",
    "alwasy": "always",
    "alway": "always",
    "alwys": "always",
    "nvr": "never",
    "neva": "never",
    "evr": "ever",
    "nevr": "never",
    "neve": "never",
}


@dataclass(frozen=True)
class Normalized:
    """Normalised text, and for each of its characters the original [start, end) it came from."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) range of the normalised text back onto the original."""
        if start >= end:
            point = self.starts[start] if start < len(self.starts) else len(self.original)
            return point, point
        return self.starts[start], self.ends[end - 1]


def _collapse_elongation(word: str, known: Collection[str]) -> str:
    """'neverrrr' -> 'never', 'soooo' -> 'so' when the shorter form is a word we know."""
    if not re.search(r"(\w)\1\1", word):
        return word
    for repeats in (r"\1", r"\1\1"):
        candidate = re.sub(r"(\w)\1{2,}", repeats, word)
        if candidate in known:
            return candidate
    return word


_BEFORE_POSSESSIVE = frozenset(
    "about with for in on of to at from by after before how's hows what's whats".split()
)


def _replacement(
    words: list[str], index: int, known: Collection[str], you_are: Collection[str]
) -> str | None:
    """What the word at index should read as, or None to keep it."""
    word = words[index]
    lower = word.lower()
    following = words[index + 1].lower() if index + 1 < len(words) else ""
    previous = words[index - 1].lower() if index > 0 else ""
    after_next = words[index + 2].lower() if index + 2 < len(words) else ""
    # after a preposition or "how's", it is what belongs to her: "how's your cold?"
    owned = previous in _BEFORE_POSSESSIVE
    if (
        lower in ("ur", "your")
        and not owned
        and (following in _YOU_ARE_BEFORE or following in you_are)
    ):
        return "you're"
    # "ur going to", "ur picking fights"; but "ur cooking is great" and "your yelling" stay
    # possessive.
    if lower == "ur" and following.endswith("ing") and after_next not in _NOUN_FOLLOWERS:
        return "you're"
    if lower == "ur":
        return "your"
    # "thx 4 nothing", "thank u 4 coming": texting's "4" for "for", only after thanks
    if lower == "4" and (
        previous in ("thanks", "thx", "thnx")
        or [w.lower() for w in words[index - 2 : index]] in (["thank", "you"], ["thank", "u"])
    ):
        return "for"
    if lower == "y" and following in _QUESTION_AFTER_Y:
        return "why"
    if lower == "ill" and following in _AFTER_ILL:  # "and ill block you"; "I'm ill" stays
        return "I'll"
    if _YA.fullmatch(lower) and (previous not in ("", "ya") or following in _YA_YOU_BEFORE):
        return "you"
    if lower in _SIMPLE:
        return None if lower == "i" and word == "I" else _SIMPLE[lower]
    collapsed = _collapse_elongation(lower, known)
    if collapsed != lower:
        return collapsed
    # texting's "z" for a final "s": "alwayz", "thankz", "problemz"
    if len(lower) > 3 and lower.endswith("z") and lower[:-1] + "s" in known:
        return lower[:-1] + "s"
    if len(word) > 1 and word.isupper():
        lowered = word.lower()
        return lowered if len(lowered) == len(word) else None
    return None


# A single line break inside a sentence ("mom\nyou\nread\nmy\njournal") is read as a space;
# one after sentence punctuation, or a blank line, still ends the sentence.
_SOFT_BREAK = re.compile(r"(?<=[^\s.!?…])[ \t]*\n(?=[ \t]*[^\s])")


def normalize(
    text: str, known: Collection[str] = frozenset(), you_are: Collection[str] = frozenset()
) -> Normalized:
    """Normalise spelling and case for the parser.

    `known` words guide the repair of elongations ("neverrrr"); a word in `you_are` after
    "ur"/"your" shows the writer meant "you're" ("ur selfish", "your so rude").
    """
    mapped = _SOFT_BREAK.sub(lambda m: " " * len(m.group()), text.translate(_CHAR_MAP))
    tokens = list(_WORD.finditer(mapped))
    words = [token.group() for token in tokens]
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0

    def keep(until: int) -> None:
        nonlocal position
        out.append(mapped[position:until])
        starts.extend(range(position, until))
        ends.extend(range(position + 1, until + 1))
        position = until

    for index, token in enumerate(tokens):
        new = _replacement(words, index, known, you_are)
        if new is None or new == token.group():
            continue
        keep(token.start())
        out.append(new)
        starts.extend([token.start()] * len(new))
        ends.extend([token.end()] * len(new))
        position = token.end()
    keep(len(mapped))
    return Normalized(text, "".join(out), tuple(starts), tuple(ends))
