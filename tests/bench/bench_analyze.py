"""Time the service against bare parsing with the same pipeline, interleaved in one run.

    python tests/bench/bench_analyze.py [--rounds 300]

For each draft size, every round times, back to back and in alternating order so all see the
same machine state:
  nlp(text)     a bare parse with the pipeline the engine loaded (the baseline);
  analyze       engine.analyze(text): the blame rules alone;
  check         Mend.check(text), what POST /v1/analyze and `mend check` run: rules and risk;
  rewrite       what POST /v1/rewrite does: the rules, then every suggestion, each re-checked.
Reports p50/p99 latency and the ratio of each median to the baseline's: under 1.0 means the
work costs less than a plain parse, because sentences no rule can match are never parsed.
Timings are figures for a person to read, not pass/fail thresholds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from drafts import DRAFTS  # noqa: E402

from server.service import Mend  # noqa: E402
from server.settings import Settings  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    mend = Mend.load(Settings())
    engine = mend.engine
    nlp = engine.pipeline.nlp
    contenders: dict[str, Callable[[str], object]] = {
        "analyze": engine.analyze,
        "check": mend.check,
        "rewrite": mend.rewrite,
    }
    print(f"pipeline: {engine.pipeline.name} {nlp.pipe_names}; rounds: {args.rounds}")
    print(f"{'draft':<12} {'what':<13} {'p50 ms':>8} {'p99 ms':>8} {'ratio p50':>10}")
    for label, text in DRAFTS.items():
        for _ in range(20):  # warm caches
            nlp(text)
            for run in contenders.values():
                run(text)
        times: dict[str, list[float]] = {"nlp(text)": [], **{name: [] for name in contenders}}
        calls: dict[str, Callable[[], object]] = {"nlp(text)": partial(nlp, text)}
        calls.update({name: partial(run, text) for name, run in contenders.items()})
        for round_index in range(args.rounds):
            order = list(calls) if round_index % 2 == 0 else list(reversed(calls))
            for name in order:
                times[name].append(timed(calls[name]))
        base = statistics.median(times["nlp(text)"])
        for name, values in times.items():
            ratio = statistics.median(values) / base
            print(
                f"{label:<12} {name:<13} {percentile(values, 0.5):8.2f} "
                f"{percentile(values, 0.99):8.2f} {ratio:10.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
