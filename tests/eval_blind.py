"""Figures on the blind sets: messages written by a helper who was told the categories but
never saw the rules or the code. Nothing is tuned on them; report them apart from the rest.

    python tests/eval_blind.py [detector|risk|risk2|risk3|fidelity ...]

detector  tests/data/blind/detector_blind.jsonl: precision, recall, F1, span hit (a blaming
          flag overlaps the labelled span), recall on the hard third and per kind.
risk      tests/data/blind/risk_blind.jsonl: recall and precision (both layers, and each
          alone), recall by kind, by difficulty and by level, and how often the level is right.
risk2     the same on tests/data/blind/risk_blind2.jsonl, a second set by another helper.
risk3     the same on tests/data/blind/risk_blind3.jsonl, a third (stop 27), measured only after
          risk_blind.jsonl's misses had been read, so the one that is still unseen.
fidelity  tests/data/blind/rewrite_fidelity_blind.jsonl: share of blaming drafts whose first
          suggestion keeps every `must_keep` group (one alternative of each, case-insensitive)
          and holds no `must_not` string; and the same for the whole-message rewrite.
Prints ids only, never message text.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.service import Mend  # noqa: E402
from server.settings import Settings  # noqa: E402

BLIND = ROOT / "tests" / "data" / "blind"


def rows(name: str) -> list[dict[str, object]]:
    with (BLIND / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def share(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "n/a"


def detector(mend: Mend) -> None:
    tp = fp = fn = span_hits = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    hard = [0, 0]
    missed: list[str] = []
    for row in rows("detector_blind.jsonl"):
        text = str(row["text"])
        flags = [flag for flag in mend.check(text).flags if flag.blaming]
        if row["blaming"]:
            found = bool(flags)
            tp, fn = tp + found, fn + (not found)
            if not found:
                missed.append(str(row["id"]))
            span = row.get("span")
            if found and isinstance(span, str) and span in text:
                start = text.index(span)
                end = start + len(span)
                span_hits += any(f.start < end and start < f.end for f in flags)
            for kind in row["kinds"]:  # type: ignore[attr-defined]
                by_kind[kind][0] += 1
                by_kind[kind][1] += found
            if row.get("hard"):
                hard[0] += 1
                hard[1] += found
        else:
            fp += bool(flags)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print("== detector, blind set")
    print(f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  (tp {tp} fp {fp} fn {fn})")
    print(f"span hit (of the blaming drafts found): {share(span_hits, tp)}")
    print(f"recall on the hard ones: {share(hard[1], hard[0])}")
    for kind, (total, hits) in sorted(by_kind.items(), key=lambda item: item[1][1] / item[1][0]):
        print(f"  {kind:<22} recall {share(hits, total)}")
    print(f"missed: {', '.join(missed) or 'none'}")


def risk(mend: Mend, name: str = "risk_blind.jsonl") -> None:
    """Recall and precision of the two layers together, then of each alone; recall by kind,
    difficulty and level; and how often the level is right (urgent for urgent)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    layers = {"patterns": [0, 0], "classifier": [0, 0]}
    false_alarms: list[str] = []
    levels = {"urgent as urgent": [0, 0], "check-in as check-in": [0, 0], "none as urgent": [0, 0]}
    tp = fp = 0
    for row in rows(name):
        result = mend.assess(str(row["text"]))
        found = result is not None
        for layer, tally in layers.items():
            by_layer = found and layer in result.found_by  # type: ignore[union-attr]
            tally[0 if row["risk"] else 1] += by_layer
        if row["risk"]:
            tp += found
            for key in ("all", f"kind {row['kind']}", f"{row['difficulty']}", f"{row['level']}"):
                counts[key][0] += 1
                counts[key][1] += found
            expected = "urgent as urgent" if row["level"] == "urgent" else "check-in as check-in"
            levels[expected][0] += 1
            levels[expected][1] += found and result.level == row["level"]  # type: ignore[union-attr]
        else:
            fp += found
            levels["none as urgent"][0] += 1
            levels["none as urgent"][1] += found and result.level == "urgent"  # type: ignore[union-attr]
            if found:
                false_alarms.append(str(row["id"]))
    print(f"== risk, blind set {name}")
    total, hits = counts["all"]
    print(f"recall {share(hits, total)}  precision {tp / (tp + fp) if tp + fp else 1.0:.3f}")
    for layer, (layer_tp, layer_fp) in layers.items():
        precision = layer_tp / (layer_tp + layer_fp) if layer_tp + layer_fp else 1.0
        print(f"  {layer} alone: recall {share(layer_tp, total)}  precision {precision:.3f}")
    for key, (total, hits) in sorted(counts.items()):
        if key != "all":
            print(f"  {key:<22} recall {share(hits, total)}")
    for key, (total, hits) in levels.items():
        print(f"  level: {key:<22} {share(hits, total)}")
    print(f"false alarms: {', '.join(false_alarms) or 'none'}")


def risk2(mend: Mend) -> None:
    risk(mend, "risk_blind2.jsonl")


def risk3(mend: Mend) -> None:
    risk(mend, "risk_blind3.jsonl")


def _keeps(text: str, row: dict[str, object]) -> bool:
    lowered = text.lower()
    groups = row["must_keep"]
    banned = row["must_not"]
    assert isinstance(groups, list)
    assert isinstance(banned, list)
    return all(any(str(alt).lower() in lowered for alt in group) for group in groups) and not any(
        str(word).lower() in lowered for word in banned
    )


def fidelity(mend: Mend) -> None:
    first = [0, 0]
    whole = [0, 0]
    hard = [0, 0]
    none: list[str] = []
    for row in rows("rewrite_fidelity_blind.jsonl"):
        result, _ = mend.rewrite(str(row["text"]))
        first[0] += 1
        whole[0] += 1
        ok = bool(result.suggestions) and _keeps(result.suggestions[0].text, row)
        if not result.suggestions:
            none.append(str(row["id"]))
        first[1] += ok
        whole[1] += bool(result.suggestions) and _keeps(result.message, row)
        if row.get("hard"):
            hard[0] += 1
            hard[1] += ok
    print("== rewrite fidelity, blind set")
    print(f"first suggestion keeps the meaning: {share(first[1], first[0])}")
    print(f"  on the hard ones: {share(hard[1], hard[0])}")
    print(f"whole-message rewrite keeps the meaning: {share(whole[1], whole[0])}")
    print(f"no suggestion at all: {len(none)} ({', '.join(none) or 'none'})")


def main(argv: list[str]) -> int:
    mend = Mend.load(Settings())
    evals = {
        "detector": detector,
        "risk": risk,
        "risk2": risk2,
        "risk3": risk3,
        "fidelity": fidelity,
    }
    for name in argv or list(evals):
        evals[name](mend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
