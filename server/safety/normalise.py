"""Fold a text into the form the risk lexicon is written against (see Normaliser)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping

# Invisible characters people (or keyboards) slip into words: removed before matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# Quote-like characters folded to a straight apostrophe / double quote.
_QUOTES = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4`"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033"), '"'),
}
_COMBINING = re.compile(r"[\u0300-\u036f]+")
# Contractions are expanded word by word while the apostrophe is still there ("he'll" must not
# become "hell"); any other apostrophe is dropped ("mom's" -> "moms").
_WHOLE_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "ain't": "am not",
    "shan't": "shall not",
}
_PRONOUN_IS = frozenset(["he", "she", "it", "that", "there", "what", "who", "where", "here"])
_SUFFIXES = (("n't", " not"), ("'m", " am"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"))
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_ANY_TRIPLE = re.compile(r"(.)\1\1")  # cheap first check; most texts have no triple at all
_ANY_ELONGATED = re.compile(r"([^\W\d_])\1\1")
# ASCII fast path: punctuation and underscore to space (apostrophes kept), in one C call.
_ASCII_TABLE = bytes(c if chr(c).isalnum() or chr(c) == "'" else 32 for c in range(128)) + bytes(
    range(128, 256)
)
_NON_WORD = re.compile(r"(?:[^\w']|_)+")


class Normaliser:
    """Fold a text into the form the lexicon is written against.

    Lower case, no accents, no apostrophes, contractions expanded, every run of punctuation or
    whitespace a single space, textspeak replaced ("u" -> "you", "kms" -> "kill myself").
    Letters repeated three or more times are squeezed two ways ("killll" -> "kill",
    "dieeee" -> "die"), so a text can give two variants; both are checked.
    """

    def __init__(self, replace: Mapping[str, str], symbols: Mapping[str, str]) -> None:
        table: dict[str, str] = {chr(k): v or "" for k, v in {**_INVISIBLE, **_QUOTES}.items()}
        for symbol, word in symbols.items():
            table[symbol] = f" {word} "
        self._table = table
        self._special = re.compile("[" + re.escape("".join(table)) + "]")
        self._replace = dict(replace)

    def variants(self, text: str) -> Iterator[str]:
        if text.isascii():
            folded = text.lower().encode("ascii").translate(_ASCII_TABLE).decode("ascii")
        else:
            folded = self._special.sub(lambda m: self._table[m.group()], text)
            folded = unicodedata.normalize("NFKD", folded)
            folded = _NON_WORD.sub(" ", _COMBINING.sub("", folded).casefold())
        if not (_ANY_TRIPLE.search(folded) and _ANY_ELONGATED.search(folded)):
            yield self._finish(folded.split())
            return
        yield self._finish(_ELONGATED.sub(r"\1\1", folded).split())
        yield self._finish(_ELONGATED.sub(r"\1", folded).split())

    def _finish(self, words: list[str]) -> str:
        get = self._replace.get
        parts = [_uncontract(word, get) if "'" in word else get(word, word) for word in words]
        text = " ".join(parts)
        return " ".join(text.split()) if "" in parts else text


def _uncontract(word: str, get: Callable[[str, str], str]) -> str:
    """Expand one contracted word ("won't" -> "will not"); drop any other apostrophe."""
    whole = _WHOLE_CONTRACTIONS.get(word)
    if whole is not None:
        return whole
    stem, _, suffix = word.rpartition("'")
    if suffix == "s" and stem in _PRONOUN_IS:
        return f"{stem} is"
    if suffix == "d" and stem.isalpha():
        return f"{get(stem, stem)} would"
    for ending, expansion in _SUFFIXES:
        if word.endswith(ending) and len(word) > len(ending):
            stem = word[: -len(ending)].replace("'", "")
            return get(stem, stem) + expansion
    plain = word.replace("'", "")
    return get(plain, plain) if plain else ""
