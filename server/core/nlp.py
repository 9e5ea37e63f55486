"""Load the spaCy pipeline once and say what it can do."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import spacy
from spacy.language import Language

from server.rules.schema import Capability

log = logging.getLogger("mend.nlp")

# The detector never looks at named entities; leaving NER out saves a fifth of every parse.
UNUSED_COMPONENTS = ("ner",)
BLANK = "blank"


@dataclass(frozen=True)
class Pipeline:
    nlp: Language
    name: str  # what was loaded: the model's package name, or "blank"
    requested: str
    capabilities: frozenset[Capability]
    note: str | None  # why we are on a blank pipeline, when we are


def capabilities_of(nlp: Language) -> frozenset[Capability]:
    names = set(nlp.pipe_names)
    found = set()
    if {"tagger", "attribute_ruler", "lemmatizer"} <= names:
        found.add(Capability.tagger)
    if "parser" in names:
        found.add(Capability.parser)
    return frozenset(found)


def load_pipeline(name: str) -> Pipeline:
    """Load the named trained pipeline, or fall back to blank English and say why."""
    if name != BLANK:
        try:
            nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
        except (OSError, ImportError) as error:
            note = (
                f"model {name!r} could not be loaded ({type(error).__name__}); using blank English"
            )
            log.warning(note)
        else:
            return Pipeline(nlp, name, name, capabilities_of(nlp), None)
    else:
        note = "blank English pipeline requested"
    nlp = spacy.blank("en")
    return Pipeline(nlp, BLANK, name, frozenset(), note)
