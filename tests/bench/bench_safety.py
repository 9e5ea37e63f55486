"""Time the risk check against a bare parse of the same text, interleaved in one run.

    python tests/bench/bench_safety.py [--rounds 50]

Every text anyone types goes through RiskDetector.assess() as well as the parse, so its cost is
reported as a ratio to nlp(text) with the engine's pipeline. The texts are the benchmark drafts
and 5,000-character inputs built to make regexes backtrack (random characters, one long word,
pronoun soup, near misses). Figures for a person to read, not pass/fail thresholds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import percentile, timed  # noqa: E402
from drafts import DRAFTS  # noqa: E402

from server.detect.engine import load_engine  # noqa: E402
from server.safety.load import load_risk  # noqa: E402
from server.safety.model import DEFAULT_DIRECTORY  # noqa: E402
from server.settings import Settings  # noqa: E402

LETTER = (
    "Mom, I have been thinking about what happened at Christmas and I want to talk about it. "
    "When you brought up my weight in front of everyone I felt small, and honestly it hurt. "
    "I know work has been killing you lately and I'm not trying to start a fight. "
    "Dad says I'm overreacting but I don't think so. Can we meet for coffee on Sunday? "
)
_RANDOM = random.Random(5000)
HARD_TEXTS = {
    "letter 5000": (LETTER * 30)[:5000],
    "random 5000": "".join(_RANDOM.choice(string.printable) for _ in range(5000)),
    "one word": "a" * 5000,
    "sooo": "sooo " * 1000,
    "pronouns": ("he she me him her my dad my mom " * 160)[:5000],
    "near miss": ("he hit me up " * 400)[:5000],
    "no spaces": "hehitmeup" * 555,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    nlp = load_engine(Settings()).pipeline.nlp
    detector = load_risk(DEFAULT_DIRECTORY)
    print(f"rounds: {args.rounds}")
    print(f"{'text':<13} {'nlp p50':>8} {'assess p50':>11} {'assess p99':>11} {'ratio p50':>10}")
    for label, text in {**DRAFTS, **HARD_TEXTS}.items():
        for _ in range(3):  # warm caches
            nlp(text)
            detector.assess(text)
        parse: list[float] = []
        check: list[float] = []
        for round_index in range(args.rounds):
            pair: list[tuple[list[float], Callable[[], object]]] = [
                (parse, partial(nlp, text)),
                (check, partial(detector.assess, text)),
            ]
            for samples, call in pair if round_index % 2 == 0 else reversed(pair):
                samples.append(timed(call))
        base, own = statistics.median(parse), statistics.median(check)
        print(
            f"{label:<13} {base:8.2f} {own:11.2f} {percentile(check, 0.99):11.2f} "
            f"{own / base:10.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
