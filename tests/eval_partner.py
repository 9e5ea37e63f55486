"""How does the practice partner answer the paired lines? (tests/data/rehearse_pairs.jsonl)

    python tests/eval_partner.py

Each pair is a blaming line and an I-statement about the same matter, with a style and an
intensity. Prints how many blaming lines drew defends/attacks/withdraws, how many I-statements
drew opens/softens, the reactions drawn, how varied her replies are (distinct replies over all
replies given), and how often she names the same matter for both lines of a pair (they are
about the same thing, so her topic should be too), with the topics she named.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.coach.partner import Partner, Reply  # noqa: E402
from server.detect.engine import load_engine  # noqa: E402
from server.settings import Settings  # noqa: E402

PAIRS = ROOT / "tests/data/rehearse_pairs.jsonl"


def main() -> None:
    settings = Settings()
    engine = load_engine(settings)
    partner = Partner.load(settings.rules_dir / "coach")
    pairs = [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]

    def answer(line: str, style: str, intensity: int) -> Reply:
        analysis = engine.analyze(line)
        docs = engine.sentence_docs(analysis)
        return partner.reply(analysis, docs, style, intensity, engine.ruleset.lexicons, [])  # type: ignore[arg-type]

    blamed, opened = Counter[str](), Counter[str]()
    replies: list[str] = []
    misses: list[str] = []
    same_topic = 0
    named: list[str] = []
    for pair in pairs:
        style, intensity = pair["style"], int(pair["intensity"])
        to_blame = answer(pair["blaming"], style, intensity)
        to_feeling = answer(pair["i_statement"], style, intensity)
        blamed[to_blame.reaction] += 1
        opened[to_feeling.reaction] += 1
        replies += [to_blame.text, to_feeling.text]
        same_topic += to_blame.topic == to_feeling.topic
        named.append(f"{pair['id']}: {to_blame.topic!r} / {to_feeling.topic!r}")
        if to_blame.reaction not in ("defends", "attacks", "withdraws"):
            misses.append(f"blaming line drew {to_blame.reaction}: {pair['blaming']}")
        if to_feeling.reaction not in ("opens", "softens"):
            misses.append(f"I-statement drew {to_feeling.reaction}: {pair['i_statement']}")

    n = len(pairs)
    good_blame = sum(blamed[r] for r in ("defends", "attacks", "withdraws"))
    good_open = sum(opened[r] for r in ("opens", "softens"))
    print(f"pairs: {n} across {len({p['style'] for p in pairs})} styles")
    print(f"blaming lines drawing defends/attacks/withdraws: {good_blame}/{n}  {dict(blamed)}")
    print(f"I-statements drawing opens/softens: {good_open}/{n}  {dict(opened)}")
    distinct = len(set(replies))
    print(f"distinct replies / total: {distinct}/{len(replies)} = {distinct / len(replies):.3f}")
    print(f"same topic for both lines of a pair: {same_topic}/{n}")
    for line in named:
        print("  topic", line)
    for miss in misses:
        print("  miss:", miss)


if __name__ == "__main__":
    main()
