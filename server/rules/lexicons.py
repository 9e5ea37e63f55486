"""Lexicons: feelings, needs, faux feelings, the rewrite tables and the named word lists the
patterns refer to as "@name"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from server.core.strict_yaml import RuleError, Strict, read_yaml, validate_file
from server.rules.schema import CATEGORIES

# ---------------------------------------------------------------------------------------------
# Lexicons: feelings, needs, faux feelings, and named word lists the patterns refer to as "@name"


class FeelingFamily(Strict):
    id: str
    label: str
    words: list[str] = Field(min_length=1)


class FeelingsFile(Strict):
    families: list[FeelingFamily] = Field(min_length=1)


class Need(Strict):
    id: str
    label: str
    clause: str
    request: str


class NeedsFile(Strict):
    needs: list[Need] = Field(min_length=1)


class FauxFeeling(Strict):
    word: str
    thought: str
    feelings: list[str] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)


class FauxFile(Strict):
    faux: list[FauxFeeling] = Field(min_length=1)


class WordListsFile(Strict):
    lists: dict[str, list[str]]


class FeelingsAndNeeds(Strict):
    feelings: list[str] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)


class Topic(Strict):
    id: str
    words: list[str] = Field(min_length=1)
    feelings: list[str] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)
    done: FeelingsAndNeeds | None = None


class Observation(Strict):
    present: str
    past: str
    # Said instead when the object is another person: "you ignored Sam" -> "Sam got left out".
    others_present: str | None = None
    others_past: str | None = None


class LabelSituation(Strict):
    situation: str
    feelings: list[str] = Field(min_length=1)
    needs: list[str] = Field(min_length=1)


class RewriteFile(Strict):
    """rules/lexicons/rewrite.yaml: the composer's tables (see the file's header)."""

    topics: list[Topic]
    categories: dict[str, FeelingsAndNeeds]
    observations: dict[str, Observation]
    contact_verbs: list[str]
    done_requests: dict[str, str]
    request_tails: dict[str, str]
    labels: dict[str, LabelSituation]


@dataclass(frozen=True)
class Lexicons:
    families: tuple[FeelingFamily, ...]
    needs: Mapping[str, Need]
    faux: Mapping[str, FauxFeeling]
    rewrite: RewriteFile
    relatives: tuple[str, ...]  # words people call each other by: "mom", "dad", "sis"
    warmth: tuple[str, ...] = ()  # the writer's own warmth: "love", "thanks", "❤️"
    # judgements a camera could not record: labels, insults, motives ("on purpose")
    judgements: tuple[str, ...] = ()

    def feeling_words(self) -> tuple[str, ...]:
        return tuple(word for family in self.families for word in family.words)


def _check_rewrite_refs(
    path: Path, rewrite: RewriteFile, feelings: set[str], needs: set[str]
) -> None:
    """Every feeling the composer may suggest is genuine; every need exists."""
    groups: list[tuple[str, list[str], list[str]]] = [
        (f"topics[{i}]", t.feelings, t.needs) for i, t in enumerate(rewrite.topics)
    ]
    groups += [
        (f"topics[{i}].done", t.done.feelings, t.done.needs)
        for i, t in enumerate(rewrite.topics)
        if t.done is not None
    ]
    groups += [(f"categories.{k}", v.feelings, v.needs) for k, v in rewrite.categories.items()]
    groups += [(f"labels.{k}", v.feelings, v.needs) for k, v in rewrite.labels.items()]
    for where, group_feelings, group_needs in groups:
        for feeling in group_feelings:
            if feeling not in feelings:
                raise RuleError(f"{path}: {where}.feelings: {feeling!r} is not in feelings.yaml")
        for need in group_needs:
            if need not in needs:
                raise RuleError(f"{path}: {where}.needs: {need!r} is not in needs.yaml")
    for category in rewrite.categories:
        if category not in CATEGORIES:
            raise RuleError(f"{path}: categories.{category}: unknown category")
    if "default" not in rewrite.labels:
        raise RuleError(f"{path}: labels.default: a default situation is required")


def load_word_lists(
    path: Path, taken: Mapping[str, object] | None = None
) -> dict[str, tuple[str, ...]]:
    """Named word lists ("@name" in patterns) from one file; a name in `taken` (the lists
    already loaded from another file) is an error, so "@name" always means one list."""
    spec = validate_file(WordListsFile, path, read_yaml(path))
    for name in spec.lists:
        if taken is not None and name in taken:
            raise RuleError(f"{path}: lists.{name}: this name is already a list elsewhere")
    return {name: tuple(words) for name, words in spec.lists.items()}


def load_lexicons(folder: Path) -> tuple[Lexicons, dict[str, tuple[str, ...]]]:
    """Read rules/lexicons/ and check its cross-references."""
    feelings = validate_file(
        FeelingsFile, folder / "feelings.yaml", read_yaml(folder / "feelings.yaml")
    )
    needs = validate_file(NeedsFile, folder / "needs.yaml", read_yaml(folder / "needs.yaml"))
    faux = validate_file(
        FauxFile, folder / "faux_feelings.yaml", read_yaml(folder / "faux_feelings.yaml")
    )
    words_path = folder / "words.yaml"
    word_lists = load_word_lists(words_path)

    feeling_words = {word for family in feelings.families for word in family.words}
    need_ids = {need.id for need in needs.needs}
    for index, entry in enumerate(faux.faux):
        where = f"{folder / 'faux_feelings.yaml'}: faux[{index}]"
        if entry.word in feeling_words:
            raise RuleError(f"{where}.word: {entry.word!r} is also listed as a genuine feeling")
        for feeling in entry.feelings:
            if feeling not in feeling_words:
                raise RuleError(f"{where}.feelings: {feeling!r} is not in feelings.yaml")
        for need in entry.needs:
            if need not in need_ids:
                raise RuleError(f"{where}.needs: {need!r} is not in needs.yaml")

    rewrite_path = folder / "rewrite.yaml"
    rewrite = validate_file(RewriteFile, rewrite_path, read_yaml(rewrite_path))
    _check_rewrite_refs(rewrite_path, rewrite, feeling_words, need_ids)
    lexicons = Lexicons(
        families=tuple(feelings.families),
        needs={need.id: need for need in needs.needs},
        faux={entry.word: entry for entry in faux.faux},
        rewrite=rewrite,
        relatives=word_lists.get("relatives", ()),
        warmth=word_lists.get("warmth-words", ()),
        # (not the label adjectives: "dinner is cold by then" is something a camera records)
        judgements=(
            *word_lists.get("insults", ()),
            *word_lists.get("motive-words", ()),
            *(noun for noun in word_lists.get("label-nouns", ()) if " " in noun),
        ),
    )
    lists = dict(word_lists)
    for derived in ("feelings", "faux"):
        if derived in lists:
            raise RuleError(f"{words_path}: lists.{derived}: this name is taken by the lexicon")
    lists["feelings"] = tuple(sorted(feeling_words))
    lists["faux"] = tuple(entry.word for entry in faux.faux)
    return lexicons, lists
