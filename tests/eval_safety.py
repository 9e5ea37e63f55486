"""Measure the risk detector: counts, recall, precision and misses, per data file.

Run from the project root:
    python tests/eval_safety.py                 # risk.jsonl and risk_holdout.jsonl
    python tests/eval_safety.py FILE.jsonl ...  # any file in the same format
Prints ids only, never message text, so the output can be pasted anywhere.

risk.jsonl is the set the lexicon was first tuned on. risk_holdout.jsonl was written before the
lexicon was generalised and measured once against the old lexicon (recall 0.750, precision
0.882); the lexicon was tuned on it afterwards, so it is no longer blind.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.safety.check import RiskDetector  # noqa: E402
from server.safety.load import load_risk  # noqa: E402
from server.safety.model import DEFAULT_DIRECTORY  # noqa: E402

DATA = ROOT / "tests" / "data" / "risk.jsonl"
HOLDOUT = ROOT / "tests" / "data" / "risk_holdout.jsonl"


@dataclass
class Report:
    """Confusion counts plus the ids behind every error."""

    risk: int = 0
    safe: int = 0
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    wrong_kind: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.true_pos / self.risk if self.risk else 1.0

    @property
    def precision(self) -> float:
        flagged = self.true_pos + self.false_pos
        return self.true_pos / flagged if flagged else 1.0


def load_rows(path: Path = DATA) -> list[dict[str, object]]:
    """An evaluation set, one dict per non-empty line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(detector: RiskDetector, rows: list[dict[str, object]]) -> Report:
    """Run the detector on every row and count hits, misses and false alarms."""
    report = Report()
    for row in rows:
        row_id, text = str(row["id"]), str(row["text"])
        result = detector.assess(text)
        if row["risk"]:
            report.risk += 1
            if result is None:
                report.false_neg += 1
                report.missed.append(row_id)
            else:
                report.true_pos += 1
                if row["kind"] not in result.kinds:
                    report.wrong_kind.append(row_id)
        else:
            report.safe += 1
            if result is not None:
                report.false_pos += 1
                report.false_alarms.append(row_id)
    return report


def print_report(name: str, report: Report) -> None:
    print(f"== {name}")
    print(f"messages: {report.risk + report.safe} ({report.risk} risk, {report.safe} non-risk)")
    print(
        f"true positives: {report.true_pos}  false positives: {report.false_pos}  "
        f"false negatives: {report.false_neg}"
    )
    print(f"recall:    {report.recall:.3f}")
    print(f"precision: {report.precision:.3f}")
    print(f"missed (false negatives): {', '.join(report.missed) or 'none'}")
    print(f"false alarms (false positives): {', '.join(report.false_alarms) or 'none'}")
    print(f"detected, but not the labelled kind: {', '.join(report.wrong_kind) or 'none'}")


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or [DATA, HOLDOUT]
    detector = load_risk(DEFAULT_DIRECTORY)
    for path in paths:
        print_report(path.name, evaluate(detector, load_rows(path)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
