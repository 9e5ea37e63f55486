"""A partner to practise on: scripted replies, chosen by rules from how a line is phrased.

Blame draws defending, attacking or withdrawing; an I-statement draws an opening; the style
and intensity the person chose decide which (rules/coach/reactions.yaml) and nothing is ever
harsher than that intensity. Her reply names what the line was about, said from her side
("you never call me back" -> "the calls"; "my wife" -> "your wife"), so the practice stays on
the person's topic whether the line blames or not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator
from spacy.tokens import Doc, Token

from server.core.inflect import getInflection
from server.core.strict_yaml import RuleError, read_yaml, validate_file
from server.detect.engine import Analysis
from server.rewrite.behaviour import Behaviour, behaviour_of, find_behaviour
from server.rewrite.parts import topic_phrase
from server.rewrite.said import act_words
from server.rewrite.situations import main_act
from server.rewrite.topics import TopicsFile, find_matter, load_topics
from server.rewrite.words import SPEECH_VERBS, flip_pronouns, words_of
from server.rules.lexicons import Lexicons

Style = Literal["warm", "worried", "defensive", "critical", "distant"]
Reaction = Literal["opens", "softens", "defends", "attacks", "withdraws"]
Kind = Literal["blame", "i_statement", "neutral"]
STYLES: tuple[Style, ...] = ("warm", "worried", "defensive", "critical", "distant")
REACTIONS: tuple[Reaction, ...] = ("opens", "softens", "defends", "attacks", "withdraws")
MAX_TOPIC_WORDS = 6


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StyleInfo(Strict):
    label: str
    description: str


class RepliesFile(Strict):
    version: int
    styles: dict[Style, StyleInfo]
    replies: dict[Style, dict[Reaction, dict[int, list[str]]]]

    @field_validator("replies")
    @classmethod
    def _each_reply_names_the_topic(
        cls, replies: dict[str, dict[str, dict[int, list[str]]]]
    ) -> dict[str, dict[str, dict[int, list[str]]]]:
        for style, by_reaction in replies.items():
            for reaction, by_intensity in by_reaction.items():
                for intensity, texts in by_intensity.items():
                    where = f"{style}.{reaction}.{intensity}"
                    if intensity not in (1, 2, 3) or not texts:
                        raise ValueError(f"{where}: intensities are 1-3, each with replies")
                    if reaction == "attacks" and intensity == 1:
                        raise ValueError(f"{where}: no attacks at intensity 1")
                    for text in texts:
                        if re.findall(r"\{(\w+)\}", text) != ["topic"]:
                            raise ValueError(f"{where}: {text!r} must hold {{topic}} once")
        return replies


ReactionsFile = dict[Style, dict[Kind, dict[int, Reaction]]]


class _Reactions(Strict):
    table: ReactionsFile


@dataclass(frozen=True)
class Reply:
    text: str
    reaction: Reaction
    kind: Kind
    topic: str


def classify(analysis: Analysis, lexicons: Lexicons) -> Kind:
    """Blame if anything is a warning or error; an I-statement if it names a genuine feeling."""
    if analysis.blaming:
        return "blame"
    words = re.findall(r"[a-z'-]+", analysis.text.lower())
    genuine = set(lexicons.feeling_words())
    for index, word in enumerate(words):
        said_by_me = index > 0 and words[index - 1] in _FEELERS
        after = words[index + 1 : index + 5]
        # single words ("hurt") and two-word feelings ("worn out") alike
        pairs = {" ".join(after[i : i + 2]) for i in range(len(after) - 1)}
        names_a_feeling = not genuine.isdisjoint(after) or not genuine.isdisjoint(pairs)
        if word in ("feel", "felt", "feeling") and said_by_me and names_a_feeling:
            return "i_statement"
    return "neutral"


_FEELERS = frozenset({"i", "i'm", "am", "i've", "been", "really", "just", "also", "still"})


def gerund(lemma: str) -> str:
    forms = getInflection(lemma, tag="VBG")
    return forms[0] if forms else f"{lemma}ing"


def topic_of(
    docs: Sequence[Doc], topics: TopicsFile | None = None, lexicons: Lexicons | None = None
) -> str:
    """What the line was about, from her side, as a noun phrase that fits her replies: the
    matter it names ("you never call me back" and "I feel lonely when I don't hear from you"
    are both about "the calls"; "my wife" is "your wife"), else the act ("calling you back"),
    else the thing talked about ("my weight" -> "your weight"); "this" when it names nothing.
    The act is the one the rewrite reads ("why is it so hard for you to say you're proud of
    me" is about saying it), and what is said is named as said ("saying I'm proud of you")."""
    behaviour = main_act(docs, lexicons, topics) if lexicons is not None else None
    behaviour = behaviour or next((b for doc in docs if (b := find_behaviour(doc))), None)
    said = behaviour is not None and behaviour.lemma in SPEECH_VERBS and _clause_in(behaviour)
    if topics is not None and not said:
        focus = act_words(behaviour) if behaviour is not None else _felt_about(docs)
        matter = find_matter(docs, topics, False, focus)
        if matter is not None:
            return _short(flip_pronouns(matter.noun))
    if behaviour is not None and behaviour.lemma != "be":
        phrase = flip_pronouns(words_of(behaviour.phrase))
        return _short(f"{gerund(behaviour.lemma)} {phrase}")
    topic = _her_act(docs) or (flip_pronouns(found) if (found := topic_phrase(docs)) else None)
    return _short(topic) if topic else "this"


def _clause_in(behaviour: Behaviour) -> bool:
    """ "say you're proud of me": what is said is a clause of its own."""
    return any(t.dep_ in ("ccomp", "xcomp") for t in behaviour.phrase)


def _felt_about(docs: Sequence[Doc]) -> list[Token]:
    """ "I feel sad when my new job doesn't come up during our calls": what the feeling is
    about is the subject of its "when" clause (the job), not where it happens (the calls)."""
    for doc in docs:
        for token in doc:
            if token.dep_ == "advcl" and token.head.lemma_ == "feel":
                subject = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
                if subject and subject[0].lower_ not in _NOT_MATTERS:
                    return list(subject[0].subtree)
    return []


def _her_act(docs: Sequence[Doc]) -> str | None:
    """ "I feel guilty when she gets upset" -> "getting upset": her own act, from her side,
    when the feeling's "when" clause names no matter."""
    for doc in docs:
        for token in doc:
            if token.dep_ != "advcl" or token.head.lemma_ != "feel" or token.pos_ != "VERB":
                continue
            subject = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subject and subject[0].lower_ in ("she", "he", "you"):
                behaviour = behaviour_of(token, False, False, doc)
                if behaviour is not None:
                    phrase = flip_pronouns(words_of(behaviour.phrase))
                    return f"{gerund(behaviour.lemma)} {phrase}".strip()
    return None


# Subjects of a "when" clause that are people, or nothing, rather than a matter.
_NOT_MATTERS = frozenset("i you we it there she he they".split())


_TRAILING = frozenset(
    "a an the of for to in on at with and or but my your our their his her".split()
)


def _short(text: str) -> str:
    """At most a few words, never ending on a word that needs another after it."""
    words = text.split()[:MAX_TOPIC_WORDS]
    while len(words) > 1 and words[-1].lower() in _TRAILING:
        words.pop()
    return " ".join(words) or "this"


@dataclass(frozen=True)
class Partner:
    replies: RepliesFile
    reactions: ReactionsFile
    topics: TopicsFile | None = None  # rules/lexicons/topics.yaml: what a line is about

    @classmethod
    def load(cls, folder: Path) -> Partner:
        replies_path, reactions_path = folder / "replies.yaml", folder / "reactions.yaml"
        replies = validate_file(RepliesFile, replies_path, read_yaml(replies_path))
        wrapped = {"table": read_yaml(reactions_path)}
        table = validate_file(_Reactions, reactions_path, wrapped).table
        for style, kinds in table.items():
            for kind, by_intensity in kinds.items():
                for intensity, reaction in by_intensity.items():
                    if intensity not in (1, 2, 3):
                        raise RuleError(f"{reactions_path}: {style}.{kind}: intensities are 1-3")
                    if (
                        reaction not in replies.replies.get(style, {})
                        or intensity not in (replies.replies[style][reaction])
                    ):
                        raise RuleError(
                            f"{replies_path}: replies.{style}.{reaction}.{intensity}: missing, "
                            f"but reactions.yaml needs it"
                        )
        topics_path = folder.parent / "lexicons" / "topics.yaml"
        topics = load_topics(topics_path) if topics_path.exists() else None
        return cls(replies, table, topics)

    def reaction(self, style: Style, kind: Kind, intensity: int) -> Reaction:
        return self.reactions[style][kind][intensity]

    def reply(
        self,
        analysis: Analysis,
        docs: Sequence[Doc],
        style: Style,
        intensity: int,
        lexicons: Lexicons,
        said_before: Sequence[str] = (),
    ) -> Reply:
        """Her reply to one line. The same line and history always draw the same reply; a
        reply she just gave is not repeated while another fits."""
        kind = classify(analysis, lexicons)
        reaction = self.reaction(style, kind, intensity)
        topic = topic_of(docs, self.topics, lexicons)
        options = self.replies.replies[style][reaction][intensity]
        seed = int(hashlib.sha256(f"{analysis.text}|{len(said_before)}".encode()).hexdigest(), 16)
        ordered = [options[(seed + i) % len(options)] for i in range(len(options))]
        recent = set(said_before[-len(options) + 1 :]) if len(options) > 1 else set()
        for template in ordered:
            text = template.replace("{topic}", topic)
            if text not in recent:
                break
        return Reply(_capitalise_first(text), reaction, kind, topic)


def _capitalise_first(text: str) -> str:
    return text[:1].upper() + text[1:]
