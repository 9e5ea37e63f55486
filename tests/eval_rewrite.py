"""How good are the first suggestions? Checks every blaming message of the labelled sets.

    python tests/eval_rewrite.py [sets ...] [--pairs 30] [--failures]

For each blaming message the first suggestion must: start with "I" (after an optional
greeting such as "Mom,"); name a genuine feeling (never a faux one); re-analyse with no
warning or error; share at least one content word with the draft; leave no slot unfilled.
Prints the pass rate per check and overall; the topic check again over only the drafts that
name something besides the blame (a bare label like "you're so selfish" names nothing to keep);
and --pairs N random before/after pairs.

A set whose rows carry `must_keep` and `must_not` (tests/data/rewrite_fidelity_dev.jsonl) is
scored for fidelity instead: the share of first suggestions, and of whole-message rewrites, that
keep every `must_keep` group (one alternative of each, case-insensitive substring) and hold no
`must_not` string; the drafts with no suggestion; the distinct-suggestion share (distinct first
suggestions over drafts with one, and distinct requests over first suggestions with one); and
whether every suggestion re-checks clean.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.detect.engine import Analysis, Engine, load_engine  # noqa: E402
from server.rewrite.compose import compose  # noqa: E402
from server.rewrite.model import Answers, Rewrite  # noqa: E402
from server.settings import Settings  # noqa: E402

DEFAULT_SETS = [ROOT / "tests/data/labelled.jsonl"]
CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ"}
# Verbs too general to carry a topic. (spaCy's stop list is not used: it holds "call", "side"
# and "take", which are exactly the words a draft is about.)
GENERIC = {"be", "have", "do", "feel", "get", "go", "would", "will", "can", "could", "should"}
GREETING = re.compile(r"^(?:(?:hi|hey|hello|dear)\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)?,\s+")


def content_words(engine: Engine, text: str) -> set[str]:
    doc = engine.pipeline.nlp(text)
    return {
        token.lemma_.lower()
        for token in doc
        if token.pos_ in CONTENT_POS and token.lemma_.lower() not in GENERIC
    }


def outside_flags(text: str, analysis: Analysis) -> str:
    """The draft with its flagged words blanked: what is left to be "about" once the blame
    ("you're so selfish", "classic Linda") is set aside."""
    chars = list(text)
    for flag in analysis.flags:
        chars[flag.start : flag.end] = " " * (flag.end - flag.start)
    return "".join(chars)


def checks(engine: Engine, draft: str, result: Rewrite) -> dict[str, bool]:
    if not result.suggestions:
        return {"has suggestion": False}
    first = result.suggestions[0]
    body = GREETING.sub("", first.text, count=1)
    genuine = set(engine.ruleset.lexicons.feeling_words())
    return {
        "has suggestion": True,
        "starts with I": body.startswith("I "),
        "genuine feeling": first.feeling in genuine
        and first.feeling not in engine.ruleset.lexicons.faux,
        "re-analyses clean": engine.clean_many([first.text])[0],
        "keeps the topic": bool(content_words(engine, draft) & content_words(engine, first.text)),
        "no slot": not re.search(r"[{}\[\]]|___", first.text),
    }


def keeps(text: str, row: dict[str, list[list[str]] | list[str]]) -> bool:
    """Every must_keep group has an alternative in the text, and no must_not word is there."""
    lowered = text.lower()
    groups = row["must_keep"]
    banned = row["must_not"]
    return all(any(str(alt).lower() in lowered for alt in group) for group in groups) and not any(
        str(word).lower() in lowered for word in banned
    )


def fidelity(engine: Engine, path: Path, rows: list[dict[str, Any]], show: bool) -> None:
    lexicons = engine.ruleset.lexicons
    first_ok = whole_ok = 0
    none: list[str] = []
    firsts: list[str] = []
    requests: list[str] = []
    suggestions = unclean = 0
    for row in rows:
        # read as Mend.rewrite reads a draft it is asked to rewrite
        analysis = engine.analyze(row["text"], asked=True)
        result = compose(analysis, Answers(), lexicons, engine.clean_many)
        if not result.suggestions:
            none.append(row["id"])
            if show:
                print(f"  NONE {row['id']} | {row['text']!r}")
            continue
        first = result.suggestions[0]
        firsts.append(first.text)
        if first.request:
            requests.append(first.request)
        ok = keeps(first.text, row)
        first_ok += ok
        whole_ok += keeps(result.message, row)
        texts = [s.text for s in result.suggestions]
        suggestions += len(texts)
        unclean += sum(not clean for clean in engine.clean_many(texts))
        if show and not ok:
            print(f"  FAIL {row['id']} | {row['text']!r} -> {first.text!r}")
    n, given = len(rows), len(firsts)
    print(f"{path.name}: {n} drafts")
    print(f"  first suggestion keeps the meaning: {first_ok}/{n} = {first_ok / n:.3f}")
    print(f"  whole-message rewrite keeps the meaning: {whole_ok}/{n} = {whole_ok / n:.3f}")
    print(f"  no suggestion: {len(none)} ({', '.join(none) or 'none'})")
    print(
        f"  distinct first suggestions: {len(set(firsts))}/{given} = "
        f"{len(set(firsts)) / max(given, 1):.3f}"
    )
    print(
        f"  distinct requests in first suggestions: {len(set(requests))}/{len(requests)} = "
        f"{len(set(requests)) / max(len(requests), 1):.3f}"
    )
    print(f"  suggestions that re-check clean: {suggestions - unclean}/{suggestions}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--pairs", type=int, default=0, help="print N random before/after pairs")
    parser.add_argument("--failures", action="store_true", help="list failing drafts")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    engine = load_engine(Settings())
    lexicons = engine.ruleset.lexicons
    for path in args.sets:
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        if items and "must_keep" in items[0]:
            fidelity(engine, path, items, args.failures)
            continue
        drafts = [item for item in items if item["blaming"]]
        totals: dict[str, int] = {}
        passed = 0
        flagged = 0
        with_topic = topic_kept = 0
        pairs = []
        for item in drafts:
            analysis = engine.analyze(item["text"])
            if not any(flag.severity.rank >= 1 for flag in analysis.flags):
                continue  # the detector missed it: nothing to rewrite (counted in its own F1)
            flagged += 1
            result = compose(analysis, Answers(), lexicons, engine.clean_many)
            outcome = checks(engine, item["text"], result)
            for name, ok in outcome.items():
                totals[name] = totals.get(name, 0) + ok
            if content_words(engine, outside_flags(analysis.text, analysis)):
                with_topic += 1
                topic_kept += outcome.get("keeps the topic", False)
            if all(outcome.values()):
                passed += 1
            elif args.failures:
                failed = [name for name, ok in outcome.items() if not ok]
                first = result.suggestions[0].text if result.suggestions else "-"
                print(f"  FAIL {item['id']} {failed} | {item['text']!r} -> {first!r}")
            if result.suggestions:
                pairs.append((item["text"], result.message))
        print(
            f"{path.name}: blaming drafts flagged {flagged}; all checks pass {passed} "
            f"({passed / max(flagged, 1):.1%})"
        )
        for name, count in totals.items():
            print(f"  {name}: {count}/{flagged}")
        print(
            f"  keeps the topic, of drafts with a content word outside the flagged words: "
            f"{topic_kept}/{with_topic}"
        )
        for before, after in random.Random(args.seed).sample(pairs, min(args.pairs, len(pairs))):
            print(f"\nBEFORE: {before}\nAFTER:  {after}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
