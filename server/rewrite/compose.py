"""Steps 3 and 4, compose and check: I-statements for each block of blaming sentences, each
re-checked by the detector, and the whole message with the best of them in place.

Pure functions over the analysis the detector already made: the parse is reused, never redone.
Each run of adjacent blaming sentences becomes one block; the block's best suggestion replaces
it in the message, and every suggestion is re-checked by the detector (through `check`) so no
rewrite is itself flagged. The parts Mend inferred are named in `guessed`, so the page can ask
the person to make them specific; what the person supplied is used as given."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from server.detect.engine import Analysis, Flag
from server.rewrite.behaviour import sounds_past
from server.rewrite.choose import choose
from server.rewrite.model import Answers, Block, Check, Rewrite, Situation, Suggestion
from server.rewrite.parts import feelings_and_needs, read_situations, topic_phrase, unique
from server.rewrite.reading import act_words
from server.rewrite.topics import find_matter, topics_for
from server.rewrite.words import (
    ABSENCE_VERBS,
    GREETING_WORDS,
    capitalize,
    mid_sentence,
    when_clause,
)
from server.rules.lexicons import Lexicons
from server.rules.schema import CATEGORIES


def _with_greeting(greeting: str, body: str, lead: str = "") -> str:
    """The greeting and warm words the person wrote, then the statement."""
    if lead:
        return f"{lead}, and {body}"
    return f"{greeting}{body}" if greeting else capitalize(body)


def _statement(
    feeling: str, situation: Situation, need_clause: str | None, request: str | None
) -> str:
    """ "I feel <feeling> when <situation>, because <need>. <request>" — "felt" for the past."""
    text = situation.text.strip().rstrip(".!?")
    verb = "felt" if situation.past and not text.startswith("since") else "feel"
    statement = f"I {verb} {feeling} {when_clause(text)}"
    if need_clause:
        statement += f", because {need_clause}"
    statement += "."
    if request:
        statement += f" {capitalize(request.strip())}"
    return statement


FULL_SHAPES = (
    # (feeling, situation, need, request) choices by position; None leaves the part out
    (0, 0, 0, 0),
    (0, 0, None, None),
    (1, 0, 1, 0),
    (0, 1, 0, 0),
    (2, 0, 0, None),
    (1, 1, None, None),
)
SHORT_SHAPES = ((0, 0, None, None), (1, 0, None, None), (0, 1, None, None), (0, 2, None, None))


def compose_block(
    block: Block,
    answers: Answers,
    lexicons: Lexicons,
    check: Check,
    shapes: Sequence[tuple[int, int, int | None, int | None]] = FULL_SHAPES,
    limit: int | None = None,
) -> list[Suggestion]:
    """Suggestions for one block, best first; each passes `check`."""
    topics = topics_for(block.flags)
    situations = read_situations(block, lexicons, topics)
    behaviour = next((s.behaviour for s in situations if s.behaviour is not None), None)
    if situations and situations[0].behaviour is None and not situations[0].guessed:
        behaviour = None  # a reading that says what happened better than any one act
    # "you're so cheap" is a verdict, not something happening too much.
    happens = behaviour is not None and not (
        behaviour.negated or behaviour.lemma in ABSENCE_VERBS or behaviour.lemma == "be"
    )
    focus = act_words(behaviour) if behaviour is not None else []
    matter = find_matter(block.docs, topics, happens, focus) if topics else None
    parts = feelings_and_needs(block, lexicons, behaviour, matter)
    if answers.situation:
        own = mid_sentence(answers.situation.strip().rstrip("."))
        situations = [Situation(own, False, sounds_past(own))]
    genuine = set(lexicons.feeling_words())
    feelings = [answers.feeling.strip()] if answers.feeling else parts.feelings
    feelings = [f for f in feelings if f in genuine or answers.feeling] or ["hurt"]
    chosen = choose(block, answers, parts, behaviour, matter, topics, lexicons)
    needs, requests = chosen.needs, chosen.requests
    if not answers.situation:
        situations = _speakable(situations, feelings[0], check)

    why = _why(block)
    candidates: list[Suggestion] = []
    for f_i, s_i, n_i, r_i in shapes:
        if f_i >= len(feelings) or s_i >= len(situations):
            continue
        situation = situations[s_i]
        feeling = _not_said_in(situation.text, [*feelings[f_i:], *feelings[:f_i]])
        need = needs[min(n_i, len(needs) - 1)] if n_i is not None and needs else None
        request = requests[min(r_i, len(requests) - 1)] if r_i is not None and requests else None
        body = _statement(
            feeling, situation, need[1] if need else None, request[0] if request else None
        )
        text = _with_greeting(block.greeting, body, block.lead)
        guessed = [
            part
            for part, is_guessed in (
                ("feeling", answers.feeling is None),
                ("situation", situation.guessed and not answers.situation),
                ("need", need is not None and answers.need is None),
                ("request", request is not None and request[1]),
            )
            if is_guessed
        ]
        if all(c.text != text for c in candidates) and _no_slot(text):
            candidates.append(
                Suggestion(
                    text=text,
                    feeling=feeling,
                    situation=situation.text,
                    need=need[0] if need else None,
                    request=request[0] if request else None,
                    guessed=tuple(guessed),
                    replaces=block.spans,
                    why=why,
                )
            )
    found = _passing(candidates, check, limit)
    return found or _passing(_fallbacks(block, feelings[0], why), check, 1)


def _speakable(situations: list[Situation], feeling: str, check: Check) -> list[Situation]:
    """The situations that can be said without blame, in order: a reading that re-checks as
    blame ("I talk about my job and you interrupt me") gives way to the next ("you interrupt
    me while I talk about my job") before the shapes are filled, so every shape still has the
    best of them."""
    head = situations[:_TRIED]
    verdicts = check([_statement(feeling, s, None, None) for s in head])
    kept = [s for s, clean in zip(head, verdicts, strict=True) if clean]
    return kept + situations[_TRIED:] if kept else situations


_TRIED = 6  # situations tried before the shapes are filled; later ones are rarely reached


def _not_said_in(situation: str, feelings: Sequence[str]) -> str:
    """The first feeling the situation doesn't already name: not "I feel drained when our
    talks leave me drained"."""
    return next(
        (f for f in feelings if not re.search(rf"\b{re.escape(f)}\b", situation)), feelings[0]
    )


def _passing(candidates: list[Suggestion], check: Check, limit: int | None) -> list[Suggestion]:
    """The candidates the detector finds nothing in, in order. With a limit of one, they are
    checked one at a time (the first usually passes); otherwise all in one batch."""
    if limit == 1:
        return next(([c] for c in candidates if check([c.text])[0]), [])
    verdicts = check([c.text for c in candidates])
    found = [c for c, clean in zip(candidates, verdicts, strict=True) if clean]
    return found[:limit] if limit is not None else found


def _fallbacks(block: Block, feeling: str, why: str) -> list[Suggestion]:
    """Plain statements for when no fuller one passes the detector."""
    topic = topic_phrase(block.docs) or topic_phrase(block.context)
    if topic and any(flag.text.strip(" ,.!?").lower() in topic.lower() for flag in block.flags):
        topic = None  # "Classic Linda" is the label itself, not what it is about
    situations = [f"we talk about {topic}"] if topic else []
    situations.append("we talk like this")
    return [
        Suggestion(
            _with_greeting(
                block.greeting,
                f"I feel {feeling} when {situation}, and I'd like us to talk it through.",
                block.lead,
            ),
            feeling,
            situation,
            None,
            None,
            ("feeling", "situation"),
            block.spans,
            why,
        )
        for situation in situations
    ]


def _no_slot(text: str) -> bool:
    return not re.search(r"[{}\[\]]|___", text)


def _why(block: Block) -> str:
    named = unique(CATEGORIES[flag.rule.category].lower() for flag in block.flags)
    listed = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
    return (
        f"Puts your feeling and what happened where the {listed} were: "
        "a feeling and a plain fact are easier to hear than a verdict."
    )


def _blocks(analysis: Analysis, names: frozenset[str]) -> list[Block]:
    """Group adjacent sentences holding a warning or error into blocks."""
    blaming = analysis.blaming_flags
    blocks: list[Block] = []
    current: list[tuple[Doc, tuple[int, int], list[Flag]]] = []
    previous_end = None
    for sentence in analysis.sentences:
        start, end = analysis.normalized.to_original(
            sentence.start, sentence.start + len(sentence.doc.text.rstrip())
        )
        flags = [f for f in blaming if start <= f.start < end]
        if not flags:
            if current:
                blocks.append(_make_block(analysis, current, names))
                current = []
            previous_end = end
            continue
        gap = analysis.text[previous_end:start] if previous_end is not None else ""
        if current and gap.strip():
            blocks.append(_make_block(analysis, current, names))
            current = []
        current.append((sentence.doc, (start, end), flags))
        previous_end = end
    if current:
        blocks.append(_make_block(analysis, current, names))
    return blocks


def _make_block(
    analysis: Analysis,
    sentences: list[tuple[Doc, tuple[int, int], list[Flag]]],
    names: frozenset[str],
) -> Block:
    text = analysis.text
    first_doc, (start, _), first_flags = sentences[0]
    greeting = _greeting(first_doc)
    if any(flag.start < start + len(greeting) for flag in first_flags):
        greeting = ""  # "Classic Linda, ..." is the blame, not a greeting
    if greeting:
        greeting = text[start : start + len(greeting)]
    elif vocative := _vocative(sentences[-1][0], names):
        greeting = f"{capitalize(vocative)}, "
    lead = _warm_lead(first_doc, text, start, first_flags)
    return Block(
        docs=tuple(doc for doc, _, _ in sentences),
        spans=tuple(span for _, span, _ in sentences),
        flags=tuple(flag for _, _, flags in sentences for flag in flags),
        greeting="" if lead else greeting,
        context=tuple(sentence.doc for sentence in analysis.sentences),
        lead=lead,
    )


_WARM = frozenset("love thank thanks appreciate miss grateful adore proud".split())


def _warm_lead(doc: Doc, text: str, start: int, flags: list[Flag]) -> str:
    """ "Mom I love you but you smother me": the words before "but", as written, when they are
    warm and hold no flag; the rewrite keeps them in front of the statement."""
    for token in doc:
        if token.lower_ != "but" or token.i < 2:
            continue
        before = doc[: token.i]
        end = start + before.end_char - doc[0].idx
        warm = any(t.lemma_.lower() in _WARM or t.lower_ in _WARM for t in before)
        if warm and not any(flag.start < end for flag in flags):
            return text[start:end].rstrip(" ,;")
        return ""
    return ""


def _greeting(doc: Doc) -> str:
    """ "Mom, " or "Hi Dad, " at the start of a sentence, to keep in front of the rewrite."""
    for token in doc[:4]:
        if token.text == ",":
            before = doc[: token.i]
            if all(t.lower_ in GREETING_WORDS or t.pos_ in ("PROPN", "NOUN") for t in before):
                return doc[: token.i + 1].text_with_ws
            return ""
    return ""


def _vocative(doc: Doc, names: frozenset[str]) -> str:
    """ "..., Mom." at the end of a sentence: said at the start of the rewrite instead."""
    words = [t for t in doc if not t.is_space]
    while words and words[-1].is_punct:
        words.pop()
    if len(words) >= 3 and words[-2].text == "," and words[-1].lower_ in names:
        return words[-1].text
    return ""


def sentence_by_sentence(check: Check) -> Check:
    """Check a text one sentence at a time, each distinct sentence once.

    The detector looks at one sentence at a time, so this gives the same answer as checking
    the whole text; the suggestions for a block share most of their sentences. The memory
    lasts for one compose() call only: nothing of a draft is kept.
    """
    seen: dict[str, bool] = {}

    def checked(texts: Sequence[str]) -> list[bool]:
        split = [re.split(r"(?<=[.!?])\s+", text.strip()) for text in texts]
        new = list(dict.fromkeys(s for sentences in split for s in sentences if s not in seen))
        seen.update(zip(new, check(new), strict=True))
        return [all(seen[s] for s in sentences) for sentences in split]

    return checked


def compose(
    analysis: Analysis, answers: Answers, lexicons: Lexicons, check: Check, short: bool = False
) -> Rewrite:
    """Suggestions for a draft, best first, and the draft with each blaming block rewritten.

    `short` makes one plain "I feel ... when ..." per block (for the flags of /v1/analyze).
    """
    blocks = _blocks(analysis, frozenset(lexicons.relatives))
    check = sentence_by_sentence(check)
    if short:
        per_block = [
            compose_block(block, answers, lexicons, check, SHORT_SHAPES, limit=1)
            for block in blocks
        ]
    else:
        per_block = [compose_block(block, answers, lexicons, check) for block in blocks]
    message = analysis.text
    for block, options in sorted(
        zip(blocks, per_block, strict=True), key=lambda pair: -pair[0].spans[0][0]
    ):
        if options:
            start, end = block.spans[0][0], block.spans[-1][1]
            message = message[:start] + options[0].text + message[end:]
    ordered = [options[0] for options in per_block if options]
    ordered += [s for options in per_block for s in options[1:]]
    return Rewrite(tuple(ordered), message)
