"""What the risk check adds to a check of a draft, as a ratio to a bare parse, in one run.

    python tests/bench/bench_safety.py [--rounds 50]

Three calls on each text, interleaved: nlp(text) with the engine's pipeline (the baseline); the
check without the risk check (an engine without risk rules, no classifier); and Mend.check,
which runs the risk rules in the same reading and the classifier after it. The risk check's
cost is the difference between the two checks, as a share of the parse. The texts are the
benchmark drafts and 5,000-character inputs built to be awkward (random characters, one long
word, pronoun soup, near misses). Figures for a person to read, not pass/fail thresholds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import percentile, timed  # noqa: E402
from drafts import DRAFTS  # noqa: E402

from server.detect.engine import Engine  # noqa: E402
from server.service import Mend  # noqa: E402
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

    mend = Mend.load(Settings())
    engine = mend.engine
    nlp = engine.pipeline.nlp
    without = Engine(engine.pipeline, replace(engine.ruleset, risk=()))

    def check_without(text: str) -> object:
        return without.analyze(text, full_parse=False)

    layer = mend.risk.classifier and mend.risk.classifier.name
    print(f"rounds: {args.rounds}; classifier: {layer}")
    print(
        f"{'text':<13} {'nlp p50':>8} {'no risk':>8} {'check':>8} {'check p99':>10} "
        f"{'risk/parse':>11}"
    )
    for label, text in {**DRAFTS, **HARD_TEXTS}.items():
        for _ in range(3):  # warm caches
            nlp(text)
            check_without(text)
            mend.check(text)
        parse: list[float] = []
        bare_check: list[float] = []
        check: list[float] = []
        for round_index in range(args.rounds):
            calls: list[tuple[list[float], Callable[[], object]]] = [
                (parse, partial(nlp, text)),
                (bare_check, partial(check_without, text)),
                (check, partial(mend.check, text)),
            ]
            for samples, call in calls if round_index % 2 == 0 else reversed(calls):
                samples.append(timed(call))
        base = statistics.median(parse)
        plain, full = statistics.median(bare_check), statistics.median(check)
        print(
            f"{label:<13} {base:8.2f} {plain:8.2f} {full:8.2f} {percentile(check, 0.99):10.2f} "
            f"{(full - plain) / base:11.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
