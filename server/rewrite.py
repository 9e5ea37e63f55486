"""Turn blaming sentences into "I feel <feeling> when <situation>, because <need>." rewrites.

Pure functions over the analysis the detector already made: the parse is reused, never redone.
Each run of adjacent blaming sentences becomes one block; the block's best suggestion replaces
it in the message, and every suggestion is re-checked by the detector (through `check`) so no
rewrite is itself flagged. The parts Mend inferred are named in `guessed`, so the page can ask
the person to make them specific; what the person supplied is used as given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from lemminflect import getInflection, getLemma
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token

from server.engine import Analysis, Flag
from server.rules import CATEGORIES, Lexicons

Check = Callable[[Sequence[str]], list[bool]]
"""For each text, whether it has no warning or error flag (checked as a batch: one pipeline
pass is cheaper than many)."""

# Words that carry the blame's force but no information about what happened.
DROPPED_ADVERBS = frozenset(
    "always never ever even just constantly continually forever literally really so totally "
    "seriously honestly basically actually still again once though anyway anyways tbh lol "
    "clearly obviously".split()
)
TIME_MARKERS = ("when", "whenever", "since", "after", "if", "while", "every")
# Verbs that make sense with nothing after them ("you never listen").
INTRANSITIVE = frozenset("listen help visit call care try apologize apologise come reply".split())
VAGUE_TOPICS = frozenset(
    "problem issue thing trouble way time lot point side fault reason one everything anything "
    "nothing something life while".split()
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
# "have to criticize", "keep pushing", "stop calling": the behaviour is the inner verb.
WRAPPER_VERBS = frozenset(
    "have need got gotta keep stop start continue tend refuse seem try".split()
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


@dataclass(frozen=True)
class Answers:
    """The person's own words for the parts of the statement; used as given."""

    feeling: str | None = None
    situation: str | None = None
    need: str | None = None
    request: str | None = None


@dataclass(frozen=True)
class Suggestion:
    text: str
    feeling: str
    situation: str
    need: str | None
    request: str | None
    guessed: tuple[str, ...]
    replaces: tuple[tuple[int, int], ...]
    why: str


@dataclass(frozen=True)
class Rewrite:
    suggestions: tuple[Suggestion, ...]
    message: str
    best_by_flag: dict[int, str] = field(default_factory=dict)  # flag start -> short rewrite


@dataclass(frozen=True)
class Behaviour:
    """What the other person did, as found in the parse."""

    lemma: str
    phrase: list[Token]  # the rest of the verb phrase, in order: "me back", "up my weight"
    object: list[Token]  # its direct object: "my birthday"
    negated: bool
    past: bool
    when: str | None  # a time clause already in the sentence: "whenever Jake is around"
    rest: list[Token]  # the phrase's details other than its object: "at the reunion"


@dataclass(frozen=True)
class _Block:
    """Adjacent blaming sentences, rewritten as one."""

    docs: tuple[Doc, ...]
    spans: tuple[tuple[int, int], ...]  # in the original text, without trailing space
    flags: tuple[Flag, ...]
    greeting: str
    context: tuple[Doc, ...]  # every parsed sentence of the draft, for its topic


# --- small transformations, each a plain function with its own tests -----------------------


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
    return [
        token
        for token in tokens
        if token.lower_ not in DROPPED_ADVERBS
        or (
            token.lower_ == "once"
            and token.i + 1 < len(token.doc)
            and token.nbor().lower_ in ("in", "a")
        )
    ]


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


def _is_symbol(text: str) -> bool:
    return all(unicodedata.category(c)[0] == "S" or c in "\u200d\ufe0f" for c in text)


def words_of(tokens: Sequence[Token]) -> str:
    """Tokens back to text with their own spacing, and a space wherever a token was left out
    between two others ("an answer, because" without the comma is "an answer because").
    Emoji are left out: 😒 belongs to the tone, not to what happened."""
    tokens = [t for t in tokens if not _is_symbol(t.text)]
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


# --- reading the behaviour out of the parse ---------------------------------------------------


def _subject_you(doc: Doc, near: int) -> Token | None:
    candidates = [t for t in doc if t.lower_ == "you" and t.dep_ in ("nsubj", "nsubjpass")]
    if not candidates:
        return None
    return min(candidates, key=lambda t: abs(t.i - near))


def _unwrap(verb: Token) -> tuple[Token, bool]:
    """Follow "have to X", "keep X-ing", "stop X-ing" to X; say whether it was "stop"."""
    stopped = False
    while verb.lemma_ in WRAPPER_VERBS:
        inner = [
            c for c in verb.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX")
        ]
        if not inner:
            break
        stopped = stopped or verb.lemma_ == "stop"
        verb = inner[0]
    return verb, stopped


def _is_negated(*verbs: Token) -> bool:
    return any(
        child.dep_ == "neg" or child.lower_ in ("never", "not", "n't")
        for verb in verbs
        for child in verb.children
    )


def time_clause(doc: Doc) -> str | None:
    """A "when ..." clause anywhere in the sentence, marker included: "whenever Jake is around"."""
    text = doc.text
    every = re.search(r"\bevery (?:single )?time ([^,.!?;]+)", text, re.IGNORECASE)
    if every:
        return f"every time {every.group(1).strip()}"
    for token in doc:
        if token.dep_ == "advcl":
            first = token.left_edge
            if first.lower_ in TIME_MARKERS and first.i < token.i:
                clause = [t for t in token.subtree if not t.is_punct]
                return words_of(drop_absolutes(clause))
    return None


def sounds_past(text: str) -> bool:
    """A guess at whether the person's own words tell of the past ("I spent Christmas alone")."""
    words = re.findall(r"[a-z']+", text.lower())
    return any(w in IRREGULAR_PAST or (w.endswith("ed") and len(w) > 4) for w in words)


def is_past(clause: str, doc: Doc) -> bool:
    """Whether a clause taken from `doc` tells of the past ("since you moved")."""
    return any(t.tag_ == "VBD" for t in doc if t.text in clause.split())


def find_behaviour(doc: Doc, near: int = 0) -> Behaviour | None:
    """The other person's action nearest token `near`: "you never call me back" ->
    lemma "call", phrase "me back", negated."""
    subject = _subject_you(doc, near)
    if subject is None:
        return None
    outer = subject.head
    verb, stopped = _unwrap(outer)
    # "stop calling me" describes something that does happen; "refuse to" something that doesn't.
    # "you'd better not bring this up" fears something that may happen: not a lack of it.
    warned = any(c.lower_ == "better" for c in outer.children)
    negated = (_is_negated(outer, verb) or outer.lemma_ == "refuse") and not (stopped or warned)
    past = outer.tag_ in ("VBD", "VBN") or any(
        c.dep_ == "aux" and c.tag_ == "VBD" for c in outer.children
    )
    return behaviour_of(verb, negated, past, doc)


def verb_lemma(verb: Token) -> str:
    """The verb's dictionary form. lemminflect's, where it knows the word: the small spaCy
    model turns "texting" into "texte"."""
    if verb.pos_ in ("VERB", "AUX") and verb.text.isalpha():
        forms = getLemma(verb.text.lower(), upos=verb.pos_)
        if forms:
            return str(forms[0])
    return verb.lemma_.lower()


def behaviour_of(verb: Token, negated: bool, past: bool, doc: Doc) -> Behaviour | None:
    """The verb's phrase, up to the first comma, with absolutes left out."""
    lemma = verb_lemma(verb)
    if lemma in MENTAL_VERBS or (lemma == "make" and any(c.lemma_ == "feel" for c in verb.subtree)):
        return None  # "you think ...", "you make me feel ...": nothing anyone could observe
    phrase: list[Token] = []
    obj: list[Token] = []
    rest: list[Token] = []
    for child in verb.children:
        if child.i < verb.i or child.dep_ in ("nsubj", "nsubjpass", "aux", "neg", "punct", "cc"):
            continue
        said = child.dep_ == "ccomp" and lemma in SPEECH_VERBS  # "ask how I am"
        clause = child.dep_ in ("advcl", "conj", "parataxis", "ccomp", "relcl", "mark", "npadvmod")
        if clause and not said:
            continue
        subtree = list(child.subtree)
        if child.lower_ == "by" and any(t.tag_ == "VBG" for t in child.children):
            # "you ruined it by bringing up the divorce": the means is what happened.
            means = next(t for t in child.children if t.tag_ == "VBG")
            inner = behaviour_of(means, False, past, doc)
            if inner is not None:
                return inner
            continue
        if child.dep_ in ("dobj", "attr", "acomp"):
            obj = subtree
        elif not any(t.lower_ in ("me", "us") for t in subtree):
            rest.extend(subtree)
        phrase.extend(subtree)
    phrase = sorted(phrase, key=lambda t: t.i)
    cut = next((i for i, t in enumerate(phrase) if t.is_punct), len(phrase))
    last = phrase[cut - 1].i if cut else verb.i
    phrase = [t for t in drop_absolutes(phrase[:cut]) if not _is_symbol(t.text)]
    if not phrase and lemma not in INTRANSITIVE:
        return None
    rest = drop_absolutes([t for t in sorted(rest, key=lambda t: t.i) if t.i <= last])
    return Behaviour(lemma, phrase, drop_absolutes(obj), negated, past, time_clause(doc), rest)


def conj_behaviours(doc: Doc, first: Behaviour | None) -> list[Behaviour]:
    """Further actions joined to the first: "you went behind my back and told Sarah"."""
    found = []
    for token in doc:
        if token.dep_ == "conj" and token.head.dep_ in ("ROOT", "ccomp") and token.pos_ == "VERB":
            subject = [c for c in token.head.children if c.dep_ == "nsubj"]
            # "you're toxic and I'm done": a conjunct with a subject of its own is not theirs.
            own = any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)
            if subject and subject[0].lower_ == "you" and not own:
                behaviour = behaviour_of(token, _is_negated(token), token.tag_ == "VBD", doc)
                if behaviour is not None and behaviour != first:
                    found.append(behaviour)
    return found


# --- the parts of the statement ---------------------------------------------------------------


def _about_someone_else(obj: Sequence[Token], lexicons: Lexicons) -> bool:
    """ "you ignored Sam", "... my brother", "... him": the act was aimed at another person."""
    if any(t.lower_ in ("me", "us", "myself") for t in obj):
        return False
    people = PEOPLE | set(lexicons.relatives)
    return any(
        t.pos_ == "PROPN" or t.lower_ in ("him", "her", "them") or t.lemma_.lower() in people
        for t in obj
    )


def observation(behaviour: Behaviour, lexicons: Lexicons) -> str:
    """A neutral "when" clause for the behaviour."""
    tables = lexicons.rewrite
    rest = words_of(behaviour.phrase)
    if behaviour.negated and behaviour.lemma in tables.contact_verbs:
        if behaviour.lemma == "visit":
            return "I didn't get to see you" if behaviour.past else "I don't get to see you"
        return "I didn't hear back from you" if behaviour.past else "I don't hear back from you"
    template = tables.observations.get(behaviour.lemma)
    if template is not None and not behaviour.negated:
        text = template.past if behaviour.past else template.present
        others = template.others_past if behaviour.past else template.others_present
        if others and _about_someone_else(behaviour.object, lexicons):
            # The person only, up to the noun: "Sam", not "Sam the whole evening".
            root = next(t for t in behaviour.object if t.head not in behaviour.object)
            person = words_of([t for t in behaviour.object if t.i <= root.i])
            text = others.replace("{object}", person).replace("{rest}", words_of(behaviour.rest))
            return re.sub(r"\s+", " ", text).strip()
        obj = words_of([t for t in behaviour.object if t.lower_ not in ("me", "us")])
        if not obj:  # "about {object}" with nothing to say it about: leave the words out
            text = re.sub(r"\s*\b(?:about|of|for|with)?\s*\{object\}", "", text)
        text = text.replace("{object}", obj).replace("{rest}", words_of(behaviour.rest))
        return re.sub(r"\s+", " ", text).strip()
    verb = inflect(behaviour.lemma, negated=behaviour.negated, past=behaviour.past)
    return f"you {verb} {rest}".strip()


def request_for(behaviour: Behaviour | None, lexicons: Lexicons) -> str | None:
    """ "you never call me back" -> "Would you be willing to call me back when you get my
    messages?"; "you always bring up my weight" -> "Could we leave my weight out of our
    conversations?"."""
    if behaviour is None or behaviour.lemma == "be":
        return None
    if not behaviour.negated:
        template = lexicons.rewrite.done_requests.get(behaviour.lemma)
        obj = words_of(behaviour.object)
        if template is None or ("{object}" in template and not obj):
            return None
        return template.replace("{object}", obj)
    if behaviour.lemma in lexicons.rewrite.observations:
        return None
    rest = words_of(behaviour.phrase)
    # "call once in a while" already says when; "... when you get my messages" would say it twice.
    timed = re.search(r"\b(once|while|day|week|month|weekend|sometimes|often|now)\b", rest)
    tail = "" if timed else lexicons.rewrite.request_tails.get(behaviour.lemma, "")
    return f"Would you be willing to {' '.join(p for p in (behaviour.lemma, rest, tail) if p)}?"


def martyr_request(doc: Doc) -> str | None:
    """ "I'm always the one who calls you" -> "Would you be willing to call me sometimes?"."""
    for token in doc:
        if token.lower_ == "one" and any(c.lower_ in ("who", "that") for c in token.subtree):
            clause = [t for t in token.subtree if t.dep_ == "relcl"]
            if clause and token.head.lemma_ == "be":
                verb = clause[0]
                rest = [t for t in verb.subtree if t.i > verb.i]
                flipped = flip_pronouns(words_of(drop_absolutes(rest)))
                return f"Would you be willing to {verb.lemma_} {flipped} sometimes?".replace(
                    "  ", " "
                )
    return None


def _lemmas(docs: Iterable[Doc]) -> set[str]:
    return {verb_lemma(token) for doc in docs for token in doc} | {
        token.lower_ for doc in docs for token in doc
    }


def topic_phrase(docs: Sequence[Doc]) -> str | None:
    """The most concrete thing talked about: "about Thanksgiving" -> "Thanksgiving"."""
    for doc in docs:
        for token in doc:
            # "you just want to control who I marry" -> "who I marry"
            if token.lemma_.lower() in MENTAL_VERBS and token.pos_ == "VERB":
                for inner in (c for c in token.children if c.dep_ in ("xcomp", "ccomp")):
                    for part in inner.children:
                        if part.dep_ in ("ccomp", "dobj") and part.i > inner.i:
                            clause = drop_absolutes(list(part.subtree))
                            if len(clause) > 1 and not any(t.lower_ == "you" for t in clause):
                                return words_of(clause)
    for doc in docs:
        for token in doc:
            if (
                token.dep_ in ("pobj", "pcomp")
                and token.head.lower_ in ("about", "with", "over", "on", "at", "into", "for")
                and token.pos_ in ("NOUN", "PROPN", "VERB")
                and token.lemma_.lower() not in VAGUE_TOPICS
            ):
                # "on making Thanksgiving all about you": the thing, not the accusation.
                things = [c for c in token.children if c.dep_ == "dobj" and c.pos_ == "PROPN"]
                words = drop_absolutes(list((things[0] if things else token).subtree))
                if not any(t.lower_ in ("you", "yourself") for t in words):
                    return words_of(words)
    chunks = [
        chunk
        for doc in docs
        for chunk in doc.noun_chunks
        if chunk.root.pos_ in ("NOUN", "PROPN")
        and chunk.root.lemma_.lower() not in VAGUE_TOPICS
        and chunk.root.lower_ not in PEOPLE
    ]
    # Objects say more about the matter than subjects ("Every other dad ... the game").
    chunks.sort(key=lambda c: c.root.dep_ not in ("dobj", "pobj"))
    if chunks:
        chunk = chunks[0]
        return words_of(
            [t for t in chunk if t.pos_ != "DET" or t.lower_ in ("my", "our", "your", "the")]
        )
    # A noun outside any chunk ("walk all over every boundary I set"), said in general.
    for doc in docs:
        for token in doc:
            lemma = token.lemma_.lower()
            if token.pos_ == "NOUN" and lemma not in VAGUE_TOPICS and lemma not in PEOPLE:
                plural = getInflection(lemma, "NNS")
                return plural[0] if plural and token.tag_ == "NN" else token.lower_
    return None


def _faux_words(flags: Iterable[Flag], lexicons: Lexicons) -> list[str]:
    found = []
    for flag in flags:
        if flag.rule.category != "faux-feelings":
            continue
        lowered = flag.text.lower().replace("’", "'")
        found += [word for word in lexicons.faux if re.search(rf"\b{re.escape(word)}\b", lowered)]
    return found


def _genuine_after_feel(docs: Iterable[Doc], genuine: set[str]) -> list[str]:
    """ "you make me feel guilty" -> ["guilty"] (only words that are genuine feelings)."""
    return [
        token.lower_
        for doc in docs
        for token in doc
        if token.lower_ in genuine and token.i > 0 and doc[token.i - 1].lower_ in ("feel", "so")
    ]


def _label_words(flags: Iterable[Flag], lexicons: Lexicons) -> list[str]:
    labels = lexicons.rewrite.labels
    return [
        word
        for flag in flags
        if flag.rule.category == "labels"
        for word in re.findall(r"[a-z]+", flag.text.lower())
        if word in labels
    ]


@dataclass(frozen=True)
class _Parts:
    feelings: list[str]
    needs: list[str]  # need ids


def _feelings_and_needs(block: _Block, lexicons: Lexicons, behaviour: Behaviour | None) -> _Parts:
    tables = lexicons.rewrite
    genuine = set(lexicons.feeling_words())
    feelings: list[str] = []
    needs: list[str] = []
    for word in _faux_words(block.flags, lexicons):
        feelings += lexicons.faux[word].feelings
        needs += lexicons.faux[word].needs
    feelings += _genuine_after_feel(block.docs, genuine)
    for word in _label_words(block.flags, lexicons):
        feelings += tables.labels[word].feelings
        needs += tables.labels[word].needs
    lemmas = _lemmas(block.docs)
    for topic in tables.topics:
        if lemmas & set(topic.words):
            happens = behaviour is not None and not (
                behaviour.negated or behaviour.lemma in ABSENCE_VERBS
            )
            chosen = topic.done if topic.done and happens else topic
            feelings += chosen.feelings
            needs += chosen.needs
            break
    primary = max(block.flags, key=lambda f: f.severity.rank)
    fallback = tables.categories.get(primary.rule.category)
    if fallback is not None:
        feelings += fallback.feelings
        needs += fallback.needs
    return _Parts(_unique(feelings), _unique(needs))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- putting it together ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Situation:
    text: str
    guessed: bool
    past: bool
    behaviour: Behaviour | None = None


def _behaviours(block: _Block) -> list[tuple[Behaviour, Doc]]:
    """Every action the other person is the subject of, most concrete first."""
    found: list[tuple[Behaviour, Doc, int]] = []
    for number, doc in enumerate(block.docs):
        for token in doc:
            if token.lower_ == "you" and token.dep_ in ("nsubj", "nsubjpass"):
                behaviour = find_behaviour(doc, token.i)
                position = number * 1000 + token.i
                if behaviour is not None:
                    found.append((behaviour, doc, position))
                    found += [(b, doc, position) for b in conj_behaviours(doc, behaviour)]
    unique: dict[tuple[str, str], tuple[Behaviour, Doc, int]] = {}
    for behaviour, doc, i in found:
        unique.setdefault((behaviour.lemma, words_of(behaviour.phrase)), (behaviour, doc, i))

    def concreteness(item: tuple[Behaviour, Doc, int]) -> tuple[int, int]:
        behaviour, _, position = item
        nouns = sum(t.pos_ in ("NOUN", "PROPN") for t in behaviour.phrase)
        return (-min(nouns, 2), position)

    return [(b, doc) for b, doc, _ in sorted(unique.values(), key=concreteness)]


def faux_setting(doc: Doc, faux: Iterable[str]) -> str | None:
    """Where a faux feeling was felt: "I feel ignored in this family" -> "in this family"."""
    words = set(faux)
    for token in doc:
        if token.lower_ in words or token.lemma_.lower() in words:
            preps = [
                c
                for c in token.children
                if c.dep_ == "prep" and c.lower_ in ("in", "at", "around", "during", "with", "on")
            ]
            if preps:
                return _clause_text(preps[0])
    return None


def outcome(doc: Doc) -> str | None:
    """What happened, where the blame names it: "it's your fault we missed the ferry" ->
    "we missed the ferry"; "we're not speaking because of you" -> "we're not speaking"."""
    for token in doc:
        blamed = token.lemma_.lower() in ("fault", "blame", "reason") or (
            token.lower_ == "on" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "you"
        )
        if blamed and token.head.lemma_ == "be":
            clauses = [c for c in (*token.children, *token.head.children) if c.dep_ in CLAUSES]
            if clauses:
                # "it's on you that we're late, not me": the "not me" is the blame, not the event.
                return _clause_text(clauses[0])
        if token.lemma_.lower() in ("care", "notice", "see", "realize", "realise") and any(
            c.lower_ == "you" and c.dep_ == "nsubj" for c in token.children
        ):
            # "you don't care that I'm sick" -> "I'm sick": the person's own situation.
            for clause in (c for c in token.children if c.dep_ == "ccomp"):
                subject = next((c for c in clause.children if c.dep_ == "nsubj"), None)
                wh = any(t.tag_ in ("WRB", "WP", "WDT") for t in clause.subtree)
                if subject is not None and subject.lower_ in ("i", "we") and not wh:
                    return _clause_text(clause)
        if token.lower_ in ("because", "thanks") and token.dep_ in ("prep", "npadvmod"):
            head = token.head
            if head.pos_ in ("VERB", "AUX") and not any(
                c.dep_ == "nsubj" and c.lower_ == "you" for c in head.children
            ):
                words = [t for t in head.subtree if t not in list(token.subtree)]
                return words_of(drop_absolutes([t for t in words if not t.is_punct]))
    return None


def sarcastic_act(doc: Doc) -> Behaviour | None:
    """The act inside mock thanks or praise: "thanks a bunch for ditching me at the airport",
    "nice of you to show up": what the other person did."""
    text = doc.text.lower()
    for token in doc:
        if (
            token.tag_ == "VBG"
            and token.head.lower_ in ("for", "on")
            and re.match(r"\s*(thanks|thank|congrats|congratulations|well done)", text)
        ):
            return behaviour_of(token, False, True, doc)
        if (
            token.lower_ == "you"
            and token.head.lower_ == "of"
            and token.head.head.lemma_ in ("nice", "good", "kind", "great", "sweet")
        ):
            verb = token.head.head.head
            if verb.pos_ == "VERB":
                return behaviour_of(verb, False, True, doc)
    return None


def missing_act(doc: Doc) -> Behaviour | None:
    """ "How hard is it to text back?", "Would it kill you to call?" -> the act that didn't
    happen: texting back, calling."""
    if not re.match(
        r"\s*(how|is it|was it|would it|will it|does it|did it)\b", doc.text, re.IGNORECASE
    ):
        return None
    for token in doc:
        # "how hard is it to", and "would it kill you to" / "would it hurt you to"
        if (
            token.dep_ == "xcomp"
            and token.head.lemma_ in ("be", "kill", "hurt")
            and token.pos_ == "VERB"
        ):
            return behaviour_of(token, True, False, doc)
    return None


def said_again(doc: Doc) -> str | None:
    """ "How many times do I have to tell you X?" -> "I keep having to say X"."""
    if not re.match(r"how many (more )?times", doc.text, re.IGNORECASE):
        return None
    for token in doc:
        if token.lemma_ in ("tell", "say", "remind", "explain", "ask", "repeat"):
            said = [c for c in token.children if c.dep_ in ("ccomp", "dobj") and c.lower_ != "you"]
            if said:
                return f"I keep having to say {_clause_text(said[-1])}"
    return None


CLAUSES = ("ccomp", "relcl", "acl", "advcl")


def _clause_text(head: Token) -> str:
    tokens = list(head.subtree)
    # "we're late, not me": the tail that shifts blame is not part of what happened.
    for i, token in enumerate(tokens[:-1]):
        if token.lower_ == "," and tokens[i + 1].lower_ == "not":
            tokens = tokens[:i]
            break
    return words_of(drop_absolutes([t for t in tokens if not t.is_punct and t.dep_ != "mark"]))


def _situations(block: _Block, lexicons: Lexicons) -> list[_Situation]:
    """Candidate "when" clauses, best first."""
    found: list[_Situation] = []
    faux = _faux_words(block.flags, lexicons)
    for doc in block.docs:
        for text in (outcome(doc), said_again(doc), faux_setting(doc, faux)):
            if text:
                found.append(_Situation(text, False, is_past(text, doc)))
    implied = [
        (act, doc) for doc in block.docs for act in (sarcastic_act(doc), missing_act(doc)) if act
    ]
    for behaviour, doc in [*_behaviours(block), *implied]:
        if behaviour.when:
            found.append(_Situation(behaviour.when, False, is_past(behaviour.when, doc), behaviour))
        found.append(_Situation(observation(behaviour, lexicons), False, behaviour.past, behaviour))
    for doc in block.docs:
        clause = time_clause(doc)
        if clause and all(clause != s.text for s in found):
            found.append(_Situation(clause, False, is_past(clause, doc)))
    topic = topic_phrase(block.docs) or topic_phrase(block.context)
    if topic and any(flag.text.strip(" ,.!?").lower() in topic.lower() for flag in block.flags):
        topic = None  # "Classic Linda" is the label itself, not what it is about
    for word in _label_words(block.flags, lexicons):
        situation = lexicons.rewrite.labels[word].situation
        situation = situation.replace("{topic}", topic or "my life")
        situation = situation.replace("{about}", f" about {topic}" if topic else "")
        found.append(_Situation(situation, True, False))
    if topic:
        found.append(_Situation(f"we talk about {topic}", True, False))
    default = lexicons.rewrite.labels["default"].situation
    found.append(
        _Situation(default.replace("{about}", f" about {topic}" if topic else ""), True, False)
    )
    return _unique_situations(found)


def _unique_situations(found: list[_Situation]) -> list[_Situation]:
    seen: set[str] = set()
    unique = []
    for situation in found:
        if situation.text not in seen:
            seen.add(situation.text)
            unique.append(situation)
    return unique


def _need_clause(need: str, lexicons: Lexicons) -> tuple[str, str]:
    """(label, clause) for a need id, or the person's own words."""
    entry = lexicons.needs.get(need)
    if entry is not None:
        return entry.label, entry.clause
    own = mid_sentence(need.strip().rstrip("."))
    return own, own if own.lower().startswith(("i ", "i'")) else f"{own} matters to me"


def _with_greeting(greeting: str, body: str) -> str:
    return f"{greeting}{body}" if greeting else capitalize(body)


def _statement(
    feeling: str, situation: _Situation, need_clause: str | None, request: str | None
) -> str:
    """ "I feel <feeling> when <situation>, because <need>. <request>" — "felt" for the past."""
    text = situation.text.strip().rstrip(".!?")
    starts_clause = re.match(
        r"(when|whenever|since|if|after|while|every time|in|at|around|during|on)\b", text
    )
    connector = "" if starts_clause else "when "
    verb = "felt" if situation.past and not text.startswith("since") else "feel"
    statement = f"I {verb} {feeling} {connector}{text}"
    if need_clause:
        statement += f", because {need_clause}"
    statement += "."
    if request:
        statement += f" {capitalize(request.strip())}"
    return statement


def _as_request(words: str) -> str:
    words = words.strip().rstrip(".?!")
    lowered = words.lower()
    if lowered.startswith(("would you", "could you", "could we", "can we", "can you", "will you")):
        return capitalize(words) + "?"
    return f"Would you be willing to {words[0].lower() + words[1:]}?"


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
    block: _Block,
    answers: Answers,
    lexicons: Lexicons,
    check: Check,
    shapes: Sequence[tuple[int, int, int | None, int | None]] = FULL_SHAPES,
    limit: int | None = None,
) -> list[Suggestion]:
    """Suggestions for one block, best first; each passes `check`."""
    situations = _situations(block, lexicons)
    behaviour = next((s.behaviour for s in situations if s.behaviour is not None), None)
    parts = _feelings_and_needs(block, lexicons, behaviour)
    if answers.situation:
        own = mid_sentence(answers.situation.strip().rstrip("."))
        situations = [_Situation(own, False, sounds_past(own))]
    genuine = set(lexicons.feeling_words())
    feelings = [answers.feeling.strip()] if answers.feeling else parts.feelings
    feelings = [f for f in feelings if f in genuine or answers.feeling] or ["hurt"]
    needs = (
        [_need_clause(answers.need, lexicons)]
        if answers.need
        else [_need_clause(n, lexicons) for n in parts.needs[:2]]
    )
    requests = _requests(answers, behaviour, block, parts, lexicons)

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
        text = _with_greeting(block.greeting, body)
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


def _fallbacks(block: _Block, feeling: str, why: str) -> list[Suggestion]:
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


def _requests(
    answers: Answers, behaviour: Behaviour | None, block: _Block, parts: _Parts, lexicons: Lexicons
) -> list[tuple[str, bool]]:
    """Requests to offer, best first, each with whether Mend guessed it."""
    if answers.request:
        return [(_as_request(answers.request), False)]
    own = request_for(behaviour, lexicons) or next(
        (r for doc in block.docs if (r := martyr_request(doc))), None
    )
    found = [(own, True)] if own else []
    found += [(lexicons.needs[n].request, True) for n in parts.needs[:2] if n in lexicons.needs]
    return found


def _no_slot(text: str) -> bool:
    return not re.search(r"[{}\[\]]|___", text)


def _why(block: _Block) -> str:
    named = _unique(CATEGORIES[flag.rule.category].lower() for flag in block.flags)
    listed = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
    return (
        f"Puts your feeling and what happened where the {listed} were: "
        "a feeling and a plain fact are easier to hear than a verdict."
    )


def _blocks(analysis: Analysis, names: frozenset[str]) -> list[_Block]:
    """Group adjacent sentences holding a warning or error into blocks."""
    blaming = analysis.blaming_flags
    blocks: list[_Block] = []
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
) -> _Block:
    text = analysis.text
    first_doc, (start, _), first_flags = sentences[0]
    greeting = _greeting(first_doc)
    if any(flag.start < start + len(greeting) for flag in first_flags):
        greeting = ""  # "Classic Linda, ..." is the blame, not a greeting
    if greeting:
        greeting = text[start : start + len(greeting)]
    elif vocative := _vocative(sentences[-1][0], names):
        greeting = f"{capitalize(vocative)}, "
    return _Block(
        docs=tuple(doc for doc, _, _ in sentences),
        spans=tuple(span for _, span, _ in sentences),
        flags=tuple(flag for _, _, flags in sentences for flag in flags),
        greeting=greeting,
        context=tuple(sentence.doc for sentence in analysis.sentences),
    )


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
    best_by_flag = {
        flag.start: options[0].text
        for block, options in zip(blocks, per_block, strict=True)
        if options
        for flag in block.flags
    }
    return Rewrite(tuple(ordered), message, best_by_flag)
