"""Precision, recall and F1 of the detector on a labelled set of messages.

    python tests/eval_detector.py [tests/data/labelled.jsonl ...] [--profile strict] [--errors]

A message counts as flagged when the detector finds at least one warning or error in it;
the label says whether it blames. --errors lists the misclassified ids (and, for our own
labelled sets, their text and flags) so a rule author can see what to fix.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.detect.engine import Engine, load_engine  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--profile", default="strict")
    parser.add_argument("--errors", action="store_true", help="list misclassified messages")
    args = parser.parse_args()
    engine = load_engine(Settings())
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
