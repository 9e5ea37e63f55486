"""Step 1, read the situation: what the listener did, read out of the parse of a blaming
sentence (the verb, its object, negation and time), turned to the writer's side."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from server.core.inflect import getInflection, getLemma
from server.rewrite.words import (
    DROPPED_ADVERBS,
    INTRANSITIVE,
    IRREGULAR_PAST,
    MENTAL_VERBS,
    PEOPLE,
    SPEECH_VERBS,
    TIME_MARKERS,
    TIME_UNITS,
    WRAPPER_VERBS,
    drop_absolutes,
    is_symbol,
    words_of,
)


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
    verb: Token | None = None  # the verb itself, where the parse gave one


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


def is_negated(*verbs: Token) -> bool:
    """A "not" or "never" on the verb, or on an absolute beside it: in "you never ever text
    back" the parse hangs "never" on "ever" (but the "no" of "no matter what" is not the
    verb's)."""
    near = [
        t
        for verb in verbs
        for child in verb.children
        for t in (
            child,
            *(child.children if child.dep_ == "advmod" and child.lower_ in DROPPED_ADVERBS else ()),
        )
    ]
    return any(t.dep_ == "neg" or t.lower_ in _NOT for t in near)


# "u dont" is tokenised "do" "nt"; "you hardly ever ask" says it mostly doesn't happen
_NOT = frozenset("never not n't nt hardly rarely seldom barely".split())


def time_clause(doc: Doc) -> str | None:
    """A "when ..." clause anywhere in the sentence, marker included: "whenever Jake is around"."""
    text = doc.text
    every = re.search(r"\bevery (?:single )?time ([^,.!?;]+)", text, re.IGNORECASE)
    if every:
        return f"every time {every.group(1).strip()}"
    for token in doc:
        # "you always ask when I'm getting married": what is asked, not when.
        if token.dep_ == "advcl" and token.head.lemma_ not in SPEECH_VERBS:
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
    negated = (is_negated(outer, verb) or outer.lemma_ == "refuse") and not (stopped or warned)
    past = outer.tag_ in ("VBD", "VBN") or any(
        c.dep_ == "aux" and c.tag_ == "VBD" for c in outer.children
    )
    if counterfactual(outer):
        negated = not negated  # "if you hadn't left the gate open": you did leave it open
    found = behaviour_of(verb, negated, past, doc)
    # "u keep showing up unannounced": the parse hangs the manner on "keep"
    manner = [
        c
        for c in outer.children
        if c.dep_ in ("acomp", "xcomp", "oprd") and c.pos_ == "ADJ" and c.i > verb.i
    ]
    if found is None or outer == verb or not manner:
        return found
    phrase = sorted([*found.phrase, *manner], key=lambda t: t.i)
    return replace(found, phrase=phrase, rest=sorted([*found.rest, *manner], key=lambda t: t.i))


def counterfactual(verb: Token) -> bool:
    """ "If you had listened to the doctor, Dad wouldn't be in hospital": a past that did
    not happen ("if" + had + participle, and would/could in the main clause). What did
    happen is its opposite: you didn't listen."""
    children = list(verb.children)
    return (
        verb.dep_ == "advcl"
        and any(c.dep_ == "mark" and c.lower_ == "if" for c in children)
        and any(c.dep_ == "aux" and c.lower_ in ("had", "'d", "d") for c in children)
        and any(c.dep_ == "aux" and c.tag_ == "MD" for c in verb.head.children)
    )


def what_came_of_it(verb: Token) -> str | None:
    """The other half of a counterfactual, said as what did happen: "if you hadn't left the
    gate open, Biscuit wouldn't have run away" -> "Biscuit ran away"; "..., Dad wouldn't be in
    hospital" -> "Dad is in hospital". Only the negated half: "Dad would be fine" does not say
    what happened instead."""
    if not counterfactual(verb):
        return None
    main = verb.head
    children = list(main.children)
    subject = next((c for c in children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or not any(c.dep_ == "neg" for c in children):
        return None
    skipped = {*verb.subtree, *(c for c in children if c.dep_ in ("aux", "neg"))}
    perfect = any(c.dep_ == "aux" and c.lemma_ == "have" for c in children)
    plural = subject.tag_ in ("NNS", "NNPS") or subject.lower_ in ("we", "they", "you", "u")
    first = subject.lower_ == "i"
    if main.lemma_ == "be":
        if perfect:
            said = "were" if plural else "was"
        else:
            said = "am" if first else "are" if plural else "is"
    else:
        tag = "VBD" if perfect else ("VBP" if plural or first else "VBZ")
        forms = getInflection(verb_lemma(main), tag=tag)
        said = forms[0] if forms else ""
    kept = [
        token
        for token in main.subtree
        if token not in skipped and not token.is_punct and token.dep_ != "mark"
    ]
    text = "".join((said if t == main else t.text) + t.whitespace_ for t in kept).strip()
    if kept and kept[0].pos_ != "PROPN" and kept[0].text != "I":
        text = text[:1].lower() + text[1:]  # "We wouldn't be broke if ..." -> "we are broke"
    return text if said else None


def verb_lemma(verb: Token) -> str:
    """The verb's dictionary form. lemminflect's, where it knows the word: the small spaCy
    model turns "texting" into "texte"."""
    if verb.pos_ in ("VERB", "AUX") and verb.text.isalpha():
        forms = getLemma(verb.text.lower(), upos=verb.pos_)
        if forms:
            return str(forms[0])
    return verb.lemma_.lower()


def behaviour_of(
    verb: Token, negated: bool, past: bool, doc: Doc, bare: bool = False
) -> Behaviour | None:
    """The verb's phrase, up to the first comma, with absolutes left out. `bare` takes a verb
    with nothing after it as an act of its own ("... and then you vanished")."""
    lemma = verb_lemma(verb)
    if lemma in MENTAL_VERBS or (lemma == "make" and any(c.lemma_ == "feel" for c in verb.subtree)):
        return None  # "you think ...", "you make me feel ...": nothing anyone could observe
    likened = {t.i for p in verb.subtree if _likened(p) for t in p.subtree}
    phrase: list[Token] = []
    obj: list[Token] = []
    rest: list[Token] = []
    for child in verb.children:
        if child.i < verb.i or child.dep_ in ("nsubj", "nsubjpass", "aux", "neg", "punct", "cc"):
            continue
        # "ask when I'm marrying" is what is asked; "ask so you can brag" is a motive
        asked = child.dep_ == "advcl" and lemma in SPEECH_VERBS
        asked = asked and child.left_edge.lower_ in ("when", "if", "whether", "how", "why")
        said = asked or (
            child.dep_ == "ccomp"
            and (
                lemma in SPEECH_VERBS  # "ask how I am"
                or child.left_edge.tag_ in ("WRB", "WP")  # "criticise how I cook"
                # "let me make my own decisions", "promised you'd be at the hospital"
                or lemma in ("let", "help", "watch", "promise")
            )
        )
        # "come to see the kids": the purpose is part of the act.
        said = said or (
            child.dep_ == "advcl" and child.left_edge.lower_ == "to" and child.tag_ == "VB"
        )
        clause = child.dep_ in ("advcl", "conj", "parataxis", "ccomp", "relcl", "mark", "npadvmod")
        # How and when the act happens are part of it: "cancel on me last minute", "check on
        # me every hour", "show up unannounced" (a vocative "Dad" is no time, a clause no
        # manner).
        clause = clause and not (_time_phrase(child) or _manner(child))
        if clause and not said:
            continue
        subtree = [t for t in child.subtree if t.i not in likened]
        if child.lower_ == "by" and any(t.tag_ == "VBG" for t in child.children):
            # "you ruined it by bringing up the divorce": the means is what happened.
            means = next(t for t in child.children if t.tag_ == "VBG")
            inner = behaviour_of(means, False, past, doc)
            if inner is not None:
                return inner
            continue
        if child.dep_ in ("dobj", "attr", "acomp") or (said and lemma not in SPEECH_VERBS):
            obj = subtree
        elif not any(t.lower_ in ("me", "us") for t in subtree):
            rest.extend(subtree)
        phrase.extend(subtree)
    phrase = sorted(phrase, key=lambda t: t.i)
    cut = next((i for i, t in enumerate(phrase) if t.is_punct and t.tag_ != "POS"), len(phrase))
    last = phrase[cut - 1].i if cut else verb.i
    phrase = [t for t in drop_absolutes(phrase[:cut]) if not is_symbol(t.text)]
    if not phrase and lemma not in INTRANSITIVE and not bare:
        return None
    if phrase and all(t.lower_ in ("it", "that", "this", "so") for t in phrase):
        return None  # "you won't say it": what "it" is, the topic says better
    rest = drop_absolutes([t for t in sorted(rest, key=lambda t: t.i) if t.i <= last])
    # A preposition whose object the parse put elsewhere ("pressure me about" + "grandkids"
    # read as a verb) would dangle.
    while phrase and phrase[-1].dep_ == "prep":
        phrase.pop()
    while rest and rest[-1].dep_ == "prep":
        rest.pop()
    when = time_clause(doc)
    found = Behaviour(lemma, phrase, drop_absolutes(obj), negated, past, when, rest, verb)
    return with_lateness(found, verb)


def with_lateness(behaviour: Behaviour, head: Token) -> Behaviour:
    """The act with how late it came, when the sentence says so after a comma ("you showed up
    to Thanksgiving, only three hours late"): often the whole complaint, and a fact a camera
    records. Minimisers that make it a jibe ("only", "just") are left out."""
    taken = {t.i for t in behaviour.phrase}
    late = next(
        (
            c
            for c in head.children
            if c.lemma_.lower() in ("late", "early") and c.i not in taken and c.i > head.i
        ),
        None,
    )
    if late is None:
        return behaviour
    words = [t for t in late.subtree if not t.is_punct and t.lower_ not in ("only", "just")]
    return replace(behaviour, phrase=[*behaviour.phrase, *words], rest=[*behaviour.rest, *words])


def _likened(token: Token) -> bool:
    """ "you lie about money just like Uncle Ray": a likeness to someone else is a verdict
    on the person, not part of what she did ("treat me like a child" is the act itself)."""
    if token.dep_ != "prep" or token.lower_ not in ("like", "as"):
        return False
    person = next((c for c in token.children if c.dep_ == "pobj"), None)
    return person is not None and (person.pos_ == "PROPN" or person.lemma_.lower() in PEOPLE)


def _time_phrase(token: Token) -> bool:
    """ "last minute", "a week": a noun of time hung on the verb; "every hour" is an
    absolute, like "always"."""
    return (
        token.dep_ == "npadvmod"
        and token.lemma_.lower() in TIME_UNITS
        and not any(c.lower_ in ("every", "each", "all") for c in token.children)
    )


def _manner(token: Token) -> bool:
    """ "show up unannounced", "come home drunk": an adjective alone, how the act was done."""
    return (
        token.dep_ == "advcl"
        and token.pos_ == "ADJ"
        and not any(c.dep_ in ("nsubj", "mark") for c in token.children)
    )


def conj_behaviours(doc: Doc, first: Behaviour | None) -> list[Behaviour]:
    """Further actions joined to the first: "you went behind my back and told Sarah"."""
    found = []
    for token in doc:
        if (
            token.dep_ == "conj"
            and token.head.dep_ in ("ROOT", "ccomp", "conj")
            and token.pos_ == "VERB"
        ):
            subject = [c for c in token.head.children if c.dep_ == "nsubj"]
            # "you're toxic and I'm done": a conjunct with a subject of its own is not theirs,
            # unless that subject is "you" again ("... and then you vanished").
            own = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
            theirs = all(c.lower_ in ("you", "u") for c in own)
            if subject and subject[0].lower_ in ("you", "u") and theirs:
                # joined to an act, even a verb alone is one ("and then you vanished")
                # "and you just didn't show up": told in the past by its "did"
                past = token.tag_ == "VBD" or any(
                    c.dep_ == "aux" and c.tag_ == "VBD" for c in token.children
                )
                behaviour = behaviour_of(token, is_negated(token), past, doc, bare=past)
                if behaviour is not None and behaviour != first:
                    found.append(behaviour)
    return found


def outcome(doc: Doc) -> str | None:
    """What happened, where the blame names it: "it's your fault we missed the ferry" ->
    "we missed the ferry"; "we're not speaking because of you" -> "we're not speaking"."""
    for token in doc:
        blamed = token.lemma_.lower() in ("fault", "blame", "reason") or (
            token.lower_ == "on" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "you"
        )
        # "your stubbornness is why the house hasn't been sold": the clause is what happened
        if token.lower_ == "why" and token.head.dep_ == "ccomp" and token.head.head.lemma_ == "be":
            return clause_text(token.head).removeprefix("why ")
        if blamed and token.head.lemma_ == "be":
            clauses = [c for c in (*token.children, *token.head.children) if c.dep_ in CLAUSES]
            if clauses:
                # "it's on you that we're late, not me": the "not me" is the blame, not the event.
                return clause_text(clauses[0])
        if token.lemma_.lower() in ("care", "notice", "see", "realize", "realise") and any(
            c.lower_ == "you" and c.dep_ == "nsubj" for c in token.children
        ):
            # "you don't care that I'm sick" -> "I'm sick": the person's own situation.
            for clause in (c for c in token.children if c.dep_ == "ccomp"):
                subject = next((c for c in clause.children if c.dep_ == "nsubj"), None)
                wh = any(t.tag_ in ("WRB", "WP", "WDT") for t in clause.subtree)
                if subject is not None and subject.lower_ in ("i", "we") and not wh:
                    # "you don't care that I got the promotion": what can be seen is that it
                    # passed without a word.
                    if any(c.dep_ == "neg" for c in token.children):
                        passed = "went" if clause.tag_ == "VBD" else "goes"
                        return f"{clause_text(clause)} and it {passed} unmentioned"
                    return clause_text(clause)
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
            and (
                re.match(r"\s*(thanks|thank|congrats|congratulations|well done)", text)
                # after an interjection: "Wow, thanks for remembering my birthday"
                or token.head.head.lower_ in ("thanks", "thank", "congrats", "congratulations")
            )
        ):
            found = behaviour_of(token, _did_not_happen(token, doc), True, doc)
            # "thanks for remembering my birthday... a week late": the lateness hangs on "thanks"
            return found and with_lateness(found, token.head.head)
        if (
            token.lower_ == "you"
            and token.head.lower_ == "of"
            and token.head.head.lemma_ in ("nice", "good", "kind", "great", "sweet")
        ):
            verb = token.head.head.head
            if verb.pos_ == "VERB":
                return behaviour_of(verb, False, True, doc)
        # "how kind of you to give my room to the dog", "so nice of u to share my secret": the
        # verb right after "of you to" is the act, wherever the parse hung the adjective.
        if token.lower_ in ("you", "u") and token.i > 0 and token.i + 2 < len(doc):
            before, to, verb = doc[token.i - 1], doc[token.i + 1], doc[token.i + 2]
            if before.lower_ == "of" and to.lower_ == "to" and verb.tag_ == "VB":
                return behaviour_of(verb, False, True, doc)
    return None


# Acts of showing up for someone: mock thanks for one, said bare, mean it never came
# ("Thanks so much for coming to my graduation", "thanks for calling on my birthday").
SHOWING_UP = frozenset(
    "come show visit call ring text reply answer remember ask help invite include check "
    "listen support attend write".split()
)


def _did_not_happen(act: Token, doc: Doc) -> bool:
    """Whether mock thanks for `act` say it did not happen: an act of showing up, with
    nothing that says how it did happen ("finally", "a week late", "and left after an hour")."""
    if verb_lemma(act) not in SHOWING_UP:
        return False
    if any(t.lower_ in ("late", "finally", "eventually", "early") for t in doc):
        return False
    return not any(c.dep_ in ("advmod", "conj", "advcl") for c in act.children)


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
                return f"I keep having to say {clause_text(said[-1])}"
            # "ask you to take your shoes off inside": what is asked of her
            asked = [c for c in token.children if c.dep_ == "xcomp" and c.tag_ == "VB"]
            if asked:
                words = clause_text(asked[0]).removeprefix("to ")
                return f"I keep having to {token.lemma_} you to {words}"
    return None


CLAUSES = ("ccomp", "relcl", "acl", "advcl")


def clause_text(head: Token) -> str:
    tokens = list(head.subtree)
    # "we're late, not me": the tail that shifts blame is not part of what happened.
    for i, token in enumerate(tokens[:-1]):
        if token.lower_ == "," and tokens[i + 1].lower_ == "not":
            tokens = tokens[:i]
            break
    return words_of(drop_absolutes([t for t in tokens if not t.is_punct and t.dep_ != "mark"]))
