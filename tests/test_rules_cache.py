"""The loaded rules kept between start-ups: used only while nothing they came from changed."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

import server.rules.cache as rules_cache
from server.core.strict_yaml import RuleError
from server.rules.cache import load_rules_cached
from server.rules.load import RuleSet, load_rules
from server.settings import Settings

RULES_DIR = Settings().rules_dir
RULE = Path("absolutes") / "you-always-never.yaml"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    return copy


def _no_yaml(root: Path) -> RuleSet:
    raise AssertionError(f"the rules were read from {root} although the cache holds them")


def test_the_second_start_reads_the_cache_not_the_yaml(
    rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = load_rules_cached(rules, cache)
    assert len(list(cache.glob("rules-*.pickle"))) == 1
    monkeypatch.setattr(rules_cache, "load_rules", _no_yaml)
    assert load_rules_cached(rules, cache) == first == load_rules(rules)


def test_an_edited_rule_is_loaded_from_its_yaml(rules: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_rules_cached(rules, cache)
    path = rules / RULE
    path.write_text(
        path.read_text(encoding="utf-8").replace("message: ", "message: Edited. ", 1),
        encoding="utf-8",
    )
    edited = load_rules_cached(rules, cache)
    (rule,) = [rule for rule in edited.rules if rule.id == RULE.stem]
    assert rule.message.startswith("Edited. ")
    assert len(list(cache.glob("rules-*.pickle"))) == 1, "the old copy is dropped"


def test_a_broken_rule_is_reported_even_after_a_good_start(rules: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_rules_cached(rules, cache)
    path = rules / RULE
    path.write_text(path.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    with pytest.raises(RuleError, match="colour"):
        load_rules_cached(rules, cache)


def test_a_damaged_cache_is_replaced(
    rules: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    good = load_rules_cached(rules, cache)
    (cached,) = cache.glob("rules-*.pickle")
    cached.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="mend"):
        assert load_rules_cached(rules, cache) == good
    assert "unreadable" in caplog.text
    assert cached.read_bytes() != b"not a pickle"


def test_without_a_writable_cache_the_rules_still_load(rules: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert load_rules_cached(rules, blocked / "cache") == load_rules(rules)
    assert load_rules_cached(rules, None) == load_rules(rules)


def test_an_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEND_CACHE_DIR", "")
    assert Settings().cache_dir is None
