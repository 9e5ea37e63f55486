"""Where the rewrite goes in the draft: runs of adjacent blaming sentences become blocks, each
rewritten as one, with the words around the blame that are the writer's own and hold none
kept as written: a greeting ("Mom, "), a warm or plain clause before "but" ("Mom I love you
but ..."), and warm sentences just before the blame ("Thanks for the flowers, truly. But
...")."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from server.core.inflect import getAllLemmas
from server.detect.engine import Analysis, Flag
from server.rewrite.model import Block
from server.rewrite.verdicts import bare_verdict, fact
from server.rewrite.words import DROPPED_ADVERBS, GREETING_WORDS, capitalize
from server.rules.learned import PREFIX
from server.rules.lexicons import Lexicons

Sentence = tuple[Doc, tuple[int, int], list[Flag]]


def blocks(analysis: Analysis, lexicons: Lexicons) -> list[Block]:
    """Group adjacent sentences holding a warning or error into blocks."""
    blaming = analysis.blaming_flags
    genuine = frozenset(lexicons.feeling_words())
    found: list[Block] = []
    current: list[Sentence] = []
    previous_end = None
    clean: Sentence | None = None  # the clean sentence just before, in no block
    for sentence in analysis.sentences:
        start, end = analysis.normalized.to_original(
            sentence.start, sentence.start + len(sentence.doc.text.rstrip())
        )
        flags = [f for f in blaming if start <= f.start < end]
        gap = analysis.text[previous_end:start] if previous_end is not None else ""
        if not flags:
            pinned = bool(current) and not gap.strip()
            pinned = pinned and _pinned_on(current, sentence.doc, genuine)
            if pinned:
                current.append((sentence.doc, (start, end), []))
            if current:
                found.append(_make_block(analysis, current, lexicons, found))
                current = []
            # (a sentence pinned on the block before is taken: no verdict after it gets it too)
            clean = None if pinned else (sentence.doc, (start, end), [])
            previous_end = end
            continue
        if current and gap.strip():
            found.append(_make_block(analysis, current, lexicons, found))
            current = []
        # "He turned up drunk to the christening. Classy.": a verdict with no act of its own
        # is about what the sentence before it says, which the rewrite then reads.
        if (
            not current
            and clean is not None
            and not gap.strip()
            and _verbless(sentence.doc)
            and not clean[0].text.rstrip().endswith("?")
        ):
            current.append(clean)
        clean = None
        current.append((sentence.doc, (start, end), flags))
        previous_end = end
    if current:
        found.append(_make_block(analysis, current, lexicons, found))
    return found


def _make_block(
    analysis: Analysis, sentences: list[Sentence], lexicons: Lexicons, before: list[Block]
) -> Block:
    text = analysis.text
    first_doc, (start, _), first_flags = sentences[0]
    relatives = frozenset(lexicons.relatives)
    greeting = _greeting(first_doc, relatives)
    if any(flag.start < start + len(greeting) for flag in _worded(first_flags)):
        greeting = ""  # "Classic Linda, ..." is the blame, not a greeting
    if greeting:
        greeting = text[start : start + len(greeting)]
    elif vocative := _vocative(sentences[-1][0], relatives):
        greeting = f"{capitalize(vocative)}, "
    warmth = frozenset(lexicons.warmth)
    lead = _lead(first_doc, text, start, first_flags, warmth)
    taken = before[-1].spans[-1][1] if before else 0
    opening = _warm_sentences(analysis, start, taken, warmth)
    spans = tuple(span for _, span, _ in sentences)
    if opening:
        spans = ((opening[0], opening[1]), *spans)
    if tail := _echo_after(analysis, spans[-1][1]):
        spans = (*spans, tail)
    return Block(
        evidence=_evidence(sentences, frozenset(lexicons.feeling_words())),
        docs=tuple(doc for doc, _, _ in sentences),
        spans=spans,
        flags=tuple(flag for _, _, flags in sentences for flag in flags),
        greeting="" if lead else greeting,
        context=tuple(sentence.doc for sentence in analysis.sentences),
        lead=lead,
        opening=text[opening[0] : opening[1]] if opening else "",
    )


def _evidence(sentences: list[Sentence], genuine: frozenset[str]) -> tuple[Doc, ...]:
    """The plain facts a block's bare verdicts are about: the clean sentence after them, or
    one only the classifier flagged, which it hears as blame for the verdict before it ("You're
    irresponsible with money. The electric bill is two months late.")."""
    found = []
    for number, (doc, _, flags) in enumerate(sentences):
        heard = number > 0 and not _worded(flags) and fact(doc) is not None
        heard = heard and all(bare_verdict(d, genuine) for d, _, _ in sentences[:number])
        if not flags or heard:
            found.append(doc)
    return tuple(found)


def _worded(flags: list[Flag]) -> list[Flag]:
    """The flags that name the words of the blame. The classifier's flag covers its whole
    sentence, so it says nothing about which words a greeting or a lead holds."""
    return [flag for flag in flags if not flag.rule.id.startswith(PREFIX)]


def _pinned_on(block: list[Sentence], after: Doc, genuine: frozenset[str]) -> bool:
    """Whether a clean sentence is the fact a block of bare verdicts is about ("You're lazy.
    The lawn hasn't been mowed in a month."): the rewrite then says it in their place."""
    return all(bare_verdict(doc, genuine) for doc, _, _ in block) and fact(after) is not None


def _verbless(doc: Doc) -> bool:
    """A few words and no verb: "Classy.", "Very helpful.", "Small steps."."""
    words = [t for t in doc if t.is_alpha]
    return 0 < len(words) <= 4 and not any(t.pos_ in ("VERB", "AUX") for t in doc)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w'’]+|[^\w\s]", text.lower()))


def _lead(doc: Doc, text: str, start: int, flags: list[Flag], warmth: frozenset[str]) -> str:
    """ "Mom I love you but you smother me", "I know you're busy, but you never call": the
    words before "but", as written, when they hold no flag; before ", and" only when they are
    warm ("Mom, I love you, and I know you think ..."). The rewrite keeps them in front of the
    statement. Where only the classifier flagged the sentence, which words blame is unknown:
    the lead is kept only when it is warm ("Love you Dad, but ...")."""
    sentence_wide = len(_worded(flags)) < len(flags)
    for token in doc:
        joins = token.lower_ == "but" or (
            token.lower_ == "and" and token.i > 0 and doc[token.i - 1].text == ","
        )
        if not joins or token.i < 2:
            continue
        before = doc[: token.i]
        end = start + before.end_char - doc[0].idx
        warm = any(t.lemma_.lower() in warmth or t.lower_ in warmth for t in before)
        plain = token.lower_ == "but" and not sentence_wide
        if (warm or plain) and not any(flag.start < end for flag in _worded(flags)):
            return _without_fillers(text[start:end].rstrip(" ,;"))
        return ""
    return ""


def _without_fillers(lead: str) -> str:
    """ "thanks for the casserole lol" -> "thanks for the casserole": a filler at the end of
    the lead belonged to the tone of the blame that followed it."""
    words = lead.split(" ")
    while len(words) > 1 and words[-1].lower().strip(".,!") in DROPPED_ADVERBS:
        words.pop()
    return " ".join(words).rstrip(" ,;")


def _warm_sentences(
    analysis: Analysis, start: int, taken: int, warmth: frozenset[str]
) -> tuple[int, int] | None:
    """The warm sentences right before a block ("Dad, I love you.", "Thank you for the
    flowers, truly."), as a span of the draft: said at the start of each suggestion, so a
    suggestion used on its own still opens with them."""
    found: tuple[int, int] | None = None
    for span in reversed(analysis.reading.spans):
        first, last = analysis.normalized.to_original(*span)
        if last > start:
            continue
        sentence = analysis.text[first:last]
        between = analysis.text[last : found[0] if found else start]
        if first < taken or between.strip() or not _warm(sentence, warmth):
            break
        if any(first <= f.start < last for f in analysis.flags):
            break
        found = (first, found[1] if found else last)
    return found


def _warm(sentence: str, warmth: frozenset[str]) -> bool:
    """The writer's own warmth, whole: a warm word, said between the two of them ("Dad, I
    love you.", "Thanks for the lovely weekend."), and no "but" that turns it ("Love you, but
    please, for once, ..."). "My friends' parents are proud of their kids" is a comparison."""
    words = _words(sentence)
    return bool(words & warmth) and bool(words & _US) and not words & _TURNS


# Words that put a sentence between the two of them ("thanks" is always said to someone).
_US = frozenset("i i'm i've you you're we we're me us thanks thank ty".split())
_TURNS = frozenset("but though although however still".split())


def _echo_after(analysis: Analysis, end: int) -> tuple[int, int] | None:
    """A fragment right after the blame that only says it again ("Not once.", "Every single
    year.", "Period.", "like ever."): part of the blame, so it goes with the block."""
    for span in analysis.reading.spans:
        first, last = analysis.normalized.to_original(*span)
        if first < end:
            continue
        words = re.findall(r"[\w']+", analysis.text[first:last].lower())
        if analysis.text[end:first].strip() or not words or len(words) > 4:
            return None
        return (first, last) if set(words) <= _ECHOES else None
    return None


# What a fragment that only repeats an absolute is made of.
_ECHOES = DROPPED_ADVERBS | frozenset(
    "not no never once every each single all time times day year week like period one matter "
    "what whole".split()
)


def _greeting(doc: Doc, relatives: frozenset[str]) -> str:
    """ "Mom, " or "Hi Dad, " at the start of a sentence, to keep in front of the rewrite."""
    for token in doc[:4]:
        if token.text == ",":
            before = doc[: token.i]
            if all(_names_someone(t, relatives) for t in before):
                return doc[: token.i + 1].text_with_ws
            return ""
    return ""


def _names_someone(token: Token, relatives: frozenset[str]) -> bool:
    """A word of a greeting: "hi", a relative, a name. The tagger reads a capitalised
    "Brilliant," as a name; a word the dictionary knows as an adjective is praise, and
    sarcastic praise kept in front of the rewrite ("Brilliant, I felt hurt when ...") turns
    it back into sarcasm."""
    if token.lower_ in GREETING_WORDS or token.lower_ in relatives:
        return True
    return token.pos_ in ("PROPN", "NOUN") and "ADJ" not in getAllLemmas(token.lower_)


def _vocative(doc: Doc, names: frozenset[str]) -> str:
    """ "..., Mom." at the end of a sentence: said at the start of the rewrite instead."""
    words = [t for t in doc if not t.is_space]
    while words and words[-1].is_punct:
        words.pop()
    if len(words) >= 3 and words[-2].text == "," and words[-1].lower_ in names:
        return words[-1].text
    return ""
