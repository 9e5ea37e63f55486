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
from dataclasses import replace

from server.detect.engine import Analysis
from server.rewrite.behaviour import sounds_past
from server.rewrite.blocks import blocks
from server.rewrite.choose import choose
from server.rewrite.model import Answers, Block, Check, Rewrite, Situation, Suggestion
from server.rewrite.parts import block_topic, feelings_and_needs, unique
from server.rewrite.said import act_words
from server.rewrite.situations import read_situations
from server.rewrite.topics import find_matter, topics_for
from server.rewrite.words import (
    ABSENCE_VERBS,
    capitalize,
    mid_sentence,
    to_listener,
    when_clause,
)
from server.rules.lexicons import Lexicons
from server.rules.schema import CATEGORIES


def _framed(block: Block, body: str) -> str:
    """The statement with the writer's own words around the blame: the warm sentences before
    it, then the words before "but" ("Mom I love you, and I feel ...") or the greeting."""
    if block.lead:
        text = f"{block.lead}, and {body}"
    else:
        text = f"{block.greeting}{body}" if block.greeting else capitalize(body)
    return f"{block.opening} {text}" if block.opening else text


def _statement(
    feeling: str, situation: Situation, need_clause: str | None, request: str | None
) -> str:
    """ "I feel <feeling> when <situation>, because <need>. <request>" — "felt" for the past."""
    # A clause read from the draft may have opened its sentence: "My blood pressure ..."
    text = mid_sentence(situation.text.strip().rstrip(".!?"))
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
    # The matter, feelings and needs follow the act that was read, when there is one.
    focus = act_words(behaviour) if behaviour is not None else []
    matter = find_matter(block.docs, topics, happens, focus, strict=True) if topics else None
    parts = feelings_and_needs(block, lexicons, behaviour, matter, focus)
    if answers.situation:
        own = mid_sentence(answers.situation.strip().rstrip("."))
        said = to_listener(own)
        # Said to her first; the time after the act if the detector hears "last Sunday you
        # didn't call" as blame; the person's own words as the last resort.
        texts = unique([said, _time_last(said), own])
        situations = [Situation(text, False, sounds_past(text)) for text in texts]
    elif not any(t.lower_ in _SECOND_PERSON for doc in block.docs for t in doc):
        # "What kind of mother forgets her own son's surgery date?": written about her, but
        # the statement is said to her.
        situations = [replace(s, text=to_listener(s.text)) for s in situations]
    genuine = set(lexicons.feeling_words())
    feelings = [answers.feeling.strip()] if answers.feeling else parts.feelings
    feelings = [f for f in feelings if f in genuine or answers.feeling] or ["hurt"]
    chosen = choose(block, answers, parts, behaviour, matter, topics, lexicons)
    needs, requests = chosen.needs, chosen.requests
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
        text = _framed(block, body)
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
    return found or _passing(_fallbacks(block, feelings[0], why, lexicons), check, 1)


def _time_last(text: str) -> str:
    """ "last Sunday you didn't call" -> "you didn't call last Sunday"."""
    match = re.match(
        r"((?:last|this|on|yesterday|today|tonight|at|in|after|before)\b[^,]*?),?\s+"
        r"((?:you|I|we)\b.*)$",
        text,
    )
    return f"{match.group(2)} {match.group(1)}" if match else text


_SECOND_PERSON = frozenset("you your yours yourself u ur ya".split())


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


def _fallbacks(block: Block, feeling: str, why: str, lexicons: Lexicons) -> list[Suggestion]:
    """Plain statements for when no fuller one passes the detector."""
    topic = block_topic(block, lexicons)
    situations = [f"we talk about {topic}"] if topic else []
    situations.append("we talk like this")
    return [
        Suggestion(
            _framed(
                block, f"I feel {feeling} when {situation}, and I'd like us to talk it through."
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
    found = blocks(analysis, lexicons)
    check = sentence_by_sentence(check)
    if short:
        per_block = [
            compose_block(block, answers, lexicons, check, SHORT_SHAPES, limit=1) for block in found
        ]
    else:
        per_block = [compose_block(block, answers, lexicons, check) for block in found]
    message = analysis.text
    for block, options in sorted(
        zip(found, per_block, strict=True), key=lambda pair: -pair[0].spans[0][0]
    ):
        if options:
            start, end = block.spans[0][0], block.spans[-1][1]
            message = message[:start] + options[0].text + message[end:]
    ordered = [options[0] for options in per_block if options]
    ordered += [s for options in per_block for s in options[1:]]
    return Rewrite(tuple(ordered), message)
