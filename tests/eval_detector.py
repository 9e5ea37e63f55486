"""Precision, recall and F1 of the detector on a labelled set of messages.

    python tests/eval_detector.py [tests/data/labelled.jsonl ...] [--profile strict] [--errors]
        [--figures rules/figures.yaml --group tuning]

A message counts as flagged when the detector finds at least one warning or error in it;
the label says whether it blames. --errors lists the misclassified ids (and, for our own
labelled sets, their text and flags) so a rule author can see what to fix.

--figures writes, for the sets given, each rule's flag count and precision (the share of its
flags on blaming messages; where a message's label carries a `span` [start, end], the flag
must also overlap it) and each category's recall (the share of the blaming messages labelled
with it that were flagged), as the group named by --group; the file's other groups are kept,
so the blind sets can be added as a group of their own. Only counts and ids are written,
never message text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.core.strict_yaml import read_yaml  # noqa: E402
from server.detect.engine import Engine, Flag, load_engine  # noqa: E402
from server.rules.figures import FiguresFile  # noqa: E402
from server.settings import Settings  # noqa: E402

DEFAULT_SETS = [ROOT / "tests/data/labelled.jsonl"]


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def is_flagged(engine: Engine, text: str, profile: str = "strict") -> bool:
    analysis = engine.analyze(text, profile=profile)
    return analysis.blaming


def score(
    engine: Engine, items: list[dict[str, object]], profile: str = "strict"
) -> tuple[Scores, list[dict[str, object]]]:
    tp = fp = fn = tn = 0
    wrong = []
    for item in items:
        predicted = is_flagged(engine, str(item["text"]), profile)
        actual = bool(item["blaming"])
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        tn += not predicted and not actual
        if predicted != actual:
            wrong.append(item)
    return Scores(tp, fp, fn, tn), wrong


def _on_target(flag: Flag, item: dict[str, object]) -> bool:
    """A flag is right when its message blames and, if the label gives a span, overlaps it."""
    if not item["blaming"]:
        return False
    span = item.get("span")
    if not isinstance(span, list) or len(span) != 2:
        return True
    start, end = int(span[0]), int(span[1])
    return flag.start < end and start < flag.end


def figure_group(
    engine: Engine, name: str, paths: list[Path], profile: str = "strict"
) -> dict[str, object]:
    """Per-rule flags and correct flags, per-category recall, on the messages of `paths`."""
    flags: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    count = 0
    for path in paths:
        for item in load(path):
            count += 1
            analysis = engine.analyze(str(item["text"]), profile=profile)
            for flag in analysis.flags:
                flags[flag.rule.id] += 1
                correct[flag.rule.id] += _on_target(flag, item)
            if item["blaming"]:
                kinds = item.get("kinds")
                for kind in {str(k) for k in kinds} if isinstance(kinds, list) else ():
                    labelled[kind] += 1
                    caught[kind] += analysis.blaming
    return {
        "name": name,
        "sets": [path.name for path in paths],
        "messages": count,
        "rules": {
            rule_id: {"flags": flags[rule_id], "correct": correct[rule_id]}
            for rule_id in sorted(engine.rules)
        },
        "categories": {
            kind: {"messages": labelled[kind], "caught": caught[kind]} for kind in sorted(labelled)
        },
    }


def write_figures(path: Path, group: dict[str, object]) -> None:
    """Replace (or add) the group of that name, keep the others, and check the result reads
    back as the server will read it."""
    groups: list[dict[str, object]] = []
    if path.is_file():
        groups = [g for g in read_yaml(path).get("groups", []) if g["name"] != group["name"]]
    groups.append(group)
    header = (
        "# How each rule did on labelled messages. Written by tests/eval_detector.py --figures;\n"
        "# do not edit by hand (re-run it after changing the rules). Counts only, no text.\n"
    )
    body = yaml.safe_dump(
        {"groups": groups}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    path.write_text(header + body, encoding="utf-8")
    FiguresFile.model_validate(read_yaml(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--profile", default="strict")
    parser.add_argument("--errors", action="store_true", help="list misclassified messages")
    parser.add_argument("--figures", type=Path, help="write per-rule figures to this YAML file")
    parser.add_argument("--group", default="tuning", help="the name of the sets in --figures")
    args = parser.parse_args()
    engine = load_engine(Settings())
    if args.figures:
        write_figures(args.figures, figure_group(engine, args.group, args.sets, args.profile))
    for path in args.sets:
        items = load(path)
        scores, wrong = score(engine, items, args.profile)
        print(
            f"{path.name}: n={len(items)} tp={scores.tp} fp={scores.fp} fn={scores.fn} "
            f"tn={scores.tn} precision={scores.precision:.3f} recall={scores.recall:.3f} "
            f"f1={scores.f1:.3f}"
        )
        if args.errors:
            for item in wrong:
                kind = "FN" if item["blaming"] else "FP"
                flags = engine.analyze(str(item["text"]), profile=args.profile).flags
                found = ", ".join(f"{f.rule.id}:{f.text!r}" for f in flags)
                print(f"  {kind} {item['id']} {item.get('kinds')} | {item['text']!r} | {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
