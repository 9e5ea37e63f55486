"""Every `rewrites:` example of every rule: the first suggested rewrite of the draft holds one
of the acceptable wordings (`says`), every word in `keeps`, none in `avoids`, and re-checks
clean. Each case is named by its rule, so a failure says which rule's rewrite changed shape."""

from __future__ import annotations

import pytest

from server.core.strict_yaml import read_yaml, validate_file
from server.detect.engine import Engine
from server.rewrite.compose import compose
from server.rewrite.model import Answers
from server.rules.schema import DATA_FOLDERS, RewriteExample, RuleFile
from server.settings import Settings


def _examples() -> list[tuple[str, RewriteExample]]:
    root = Settings().rules_dir
    found = []
    for path in sorted(root.glob("*/*.yaml")):
        if path.parent.name in DATA_FOLDERS:
            continue
        spec = validate_file(RuleFile, path, read_yaml(path))
        found += [(spec.id, example) for example in spec.rewrites]
    return found


EXAMPLES = _examples()
CASES = [
    pytest.param(example, id=f"{rule}:rewrite:{index}")
    for index, (rule, example) in enumerate(EXAMPLES)
]


def test_there_are_rewrite_examples() -> None:
    assert len({rule for rule, _ in EXAMPLES}) >= 10


@pytest.mark.parametrize("example", CASES)
def test_rewrite_takes_its_shape(engine: Engine, example: RewriteExample) -> None:
    result = compose(
        engine.analyze(example.text), Answers(), engine.ruleset.lexicons, engine.clean_many
    )
    assert result.suggestions, f"no rewrite for {example.text!r}"
    first = result.suggestions[0].text
    lowered = first.lower()
    if example.says:
        assert any(s.lower() in lowered for s in example.says), f"{first!r}: {example.why}"
    for word in example.keeps:
        assert word.lower() in lowered, f"{first!r} lost {word!r}: {example.why}"
    for word in example.avoids:
        assert word.lower() not in lowered, f"{first!r} still says {word!r}: {example.why}"
    assert engine.clean_many([first])[0], first


def test_an_example_must_say_something() -> None:
    with pytest.raises(ValueError, match="at least one of"):
        RewriteExample(text="You never call.", why="nothing to check")


def test_rewrites_are_optional() -> None:
    # A rule file without a rewrites block still loads: the field is new and additive.
    assert RuleFile.model_fields["rewrites"].is_required() is False
