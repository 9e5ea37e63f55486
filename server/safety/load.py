"""Read and validate rules/safety/risk.yaml and helplines.yaml into a RiskDetector; every
error names the file and the field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from server.core.strict_yaml import RuleError, read_yaml
from server.safety.check import Pattern, RiskDetector
from server.safety.model import (
    HELPLINES_FILE,
    KINDS,
    LEVELS,
    RESOURCE_KINDS,
    RISK_FILE,
    Resource,
    Routing,
    SafetyDataError,
    as_level,
)
from server.safety.normalise import Normaliser

_TERM_REF = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_TERM_NAME = re.compile(r"[a-z][a-z0-9_]*")
_STEM = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_WORD_KEY = re.compile(r"[^\W_]+")


def _build_helplines(checker: _Checker) -> tuple[list[Resource], Routing, str]:
    top = checker.mapping(
        checker.data, "(top level)", required={"version", "updated", "routing", "resources"}
    )
    version = f"{checker.version(top['version'], 'version')}"
    checker.date(top["updated"], "updated")

    resources: list[Resource] = []
    fields = {"name", "contact", "region", "kind", "url", "hours", "source", "checked"}
    for i, item in enumerate(checker.sequence(top["resources"], "resources", non_empty=True)):
        where = f"resources[{i}]"
        raw = checker.mapping(item, where, required=fields)
        url = None if raw["url"] is None else checker.url(raw["url"], f"{where}.url")
        hours = None if raw["hours"] is None else checker.text(raw["hours"], f"{where}.hours")
        resources.append(
            Resource(
                name=checker.text(raw["name"], f"{where}.name"),
                contact=checker.text(raw["contact"], f"{where}.contact"),
                region=checker.text(raw["region"], f"{where}.region"),
                kind=checker.choice(raw["kind"], f"{where}.kind", RESOURCE_KINDS),
                url=url,
                hours=hours,
                source=checker.url(raw["source"], f"{where}.source"),
                checked=checker.date(raw["checked"], f"{where}.checked"),
            )
        )
    names = [r.name + "|" + r.region for r in resources]
    for i, name in enumerate(names):
        if name in names[:i]:
            checker.fail(f"resources[{i}].name", f"duplicate entry {name!r}")

    raw_routing = checker.mapping(
        top["routing"], "routing", required={"by_kind", "by_level", "always"}
    )
    by_kind = checker.mapping(raw_routing["by_kind"], "routing.by_kind", required=set(KINDS))
    by_level = checker.mapping(raw_routing["by_level"], "routing.by_level", required=set(LEVELS))
    available = {r.kind for r in resources}

    def kinds_list(value: Any, where: str, non_empty: bool) -> tuple[str, ...]:
        items = checker.sequence(value, where, non_empty=non_empty)
        out = tuple(checker.choice(v, f"{where}[{j}]", RESOURCE_KINDS) for j, v in enumerate(items))
        for j, kind in enumerate(out):
            if kind not in available:
                checker.fail(f"{where}[{j}]", f"no resource of kind {kind!r} in resources")
        return out

    routing = Routing(
        by_kind={k: kinds_list(by_kind[k], f"routing.by_kind.{k}", True) for k in KINDS},
        by_level={v: kinds_list(by_level[v], f"routing.by_level.{v}", False) for v in LEVELS},
        always=kinds_list(raw_routing["always"], "routing.always", True),
    )
    if "directory" not in routing.always:
        checker.fail("routing.always", "must include 'directory'")
    return resources, routing, version


def _read_yaml(path: Path) -> Any:
    try:
        return read_yaml(path)  # the rules' reader: YAML 1.2 booleans, duplicate keys rejected
    except RuleError as error:
        raise SafetyDataError(str(error)) from error


class _Checker:
    """Typed accessors over one parsed YAML file; every failure names the file and the field."""

    def __init__(self, file: str, data: Any) -> None:
        self.file = file
        self.data = data

    def fail(self, field: str, problem: str) -> NoReturn:
        raise SafetyDataError(f"{self.file}: {field}: {problem}")

    def mapping(
        self,
        value: Any,
        where: str,
        *,
        required: set[str],
        optional: set[str] | None = None,
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {_type(value)}")
        allowed = required | (optional or set())
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                self.fail(f"{where}.{key}", f"unknown key; allowed: {', '.join(sorted(allowed))}")
        for key in sorted(required):
            if key not in value:
                self.fail(f"{where}.{key}", "missing required key")
        return value

    def sequence(self, value: Any, where: str, *, non_empty: bool = False) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_type(value)}")
        if non_empty and not value:
            self.fail(where, "must not be empty")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"expected non-empty text, got {_type(value)}")
        return value.strip()

    def choice(self, value: Any, where: str, allowed: Sequence[str]) -> str:
        if value not in allowed:
            self.fail(where, f"{value!r} is not one of: {', '.join(allowed)}")
        return str(value)

    def version(self, value: Any, where: str) -> int | str:
        if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
            self.fail(where, f"expected a version number or string, got {_type(value)}")
        return value

    def date(self, value: Any, where: str) -> str:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.fail(where, f"expected an ISO date (YYYY-MM-DD), got {value!r}")

    def url(self, value: Any, where: str) -> str:
        text = self.text(value, where)
        if not re.fullmatch(r"https://[^\s/]+\.[^\s/]+(?:/\S*)?", text):
            self.fail(where, f"expected an https:// address, got {text!r}")
        return text

    def string_map(self, value: Any, where: str, *, key: re.Pattern[str] | None) -> dict[str, str]:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {_type(value)}")
        out: dict[str, str] = {}
        for k, v in value.items():
            if not isinstance(k, str) or not k or (key is not None and not key.fullmatch(k)):
                self.fail(f"{where}.{k}", "a key must be one lower-case word")
            if key is not None and k != k.casefold():
                self.fail(f"{where}.{k}", "a key must be lower case")
            out[k] = self.text(v, f"{where}.{k}").casefold()
        return out

    def terms(self, value: Any) -> dict[str, str]:
        """Expand `terms` in file order: each becomes one group; a term may use earlier ones."""
        if not isinstance(value, dict):
            self.fail("terms", f"expected a mapping, got {_type(value)}")
        terms: dict[str, str] = {}
        for name, body in value.items():
            where = f"terms.{name}"
            if not isinstance(name, str) or not _TERM_NAME.fullmatch(name):
                self.fail(where, "a term name must be lower-case letters, digits and '_'")
            parts = [body] if isinstance(body, str) else self.sequence(body, where, non_empty=True)
            sources = []
            for j, part in enumerate(parts):
                source = self._expand(self.text(part, f"{where}[{j}]"), where, terms)
                self._compile(source, f"{where}[{j}]")
                sources.append(source)
            terms[name] = "(?:" + "|".join(sources) + ")"
        return terms

    def stems(self, value: Any) -> dict[str, tuple[str, ...]]:
        """Named lists of word stems, for `{name}` in a pattern's `words`."""
        if not isinstance(value, dict):
            self.fail("stems", f"expected a mapping, got {_type(value)}")
        out: dict[str, tuple[str, ...]] = {}
        for name, items in value.items():
            where = f"stems.{name}"
            if not isinstance(name, str) or not _TERM_NAME.fullmatch(name):
                self.fail(where, "a name must be lower-case letters, digits and '_'")
            out[name] = self.words(items, where, {})
        return out

    def words(
        self, value: Any, where: str, stems: Mapping[str, tuple[str, ...]]
    ) -> tuple[str, ...]:
        """Lower-case words or phrases as they appear in normalised text, or {name} of stems."""
        out: list[str] = []
        for j, item in enumerate(self.sequence(value, where, non_empty=True)):
            text = self.text(str(item) if isinstance(item, int) else item, f"{where}[{j}]")
            name = _TERM_REF.fullmatch(text)
            if name is not None and name.group(1) in stems:
                out.extend(stems[name.group(1)])
            elif name is not None:
                self.fail(f"{where}[{j}]", f"unknown stems {text} (define it under 'stems')")
            elif _STEM.fullmatch(text):
                out.append(text)
            else:
                self.fail(
                    f"{where}[{j}]", f"{text!r}: use lower-case letters, digits, single spaces"
                )
        return tuple(dict.fromkeys(out))

    def regex(self, value: Any, where: str, terms: Mapping[str, str]) -> re.Pattern[str]:
        """Compile a pattern after inserting its {terms}; it must not match empty text."""
        compiled = self._compile(self._expand(self.text(value, where), where, terms), where)
        if compiled.search("") is not None:
            self.fail(where, "the pattern matches empty text")
        return compiled

    def examples(self, value: Any, where: str) -> list[tuple[str, bool]]:
        raw = self.mapping(value, where, required={"match"}, optional={"no_match"})
        self.sequence(raw["match"], f"{where}.match", non_empty=True)
        out: list[tuple[str, bool]] = []
        for key in ("match", "no_match"):
            for j, text in enumerate(self.sequence(raw.get(key, []), f"{where}.{key}")):
                out.append((self.text(text, f"{where}.{key}[{j}]"), key == "match"))
        return out

    def _expand(self, source: str, where: str, terms: Mapping[str, str]) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in terms:
                self.fail(where, f"unknown term {{{name}}} (define it under 'terms' first)")
            return terms[name]

        return _TERM_REF.sub(substitute, source)

    def _compile(self, source: str, where: str) -> re.Pattern[str]:
        try:
            return re.compile(source)
        except re.error as exc:
            self.fail(where, f"invalid regular expression: {exc}")


def _type(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def load_risk(directory: Path) -> RiskDetector:
    """Read risk.yaml and helplines.yaml from `directory`; raise SafetyDataError if invalid."""
    directory = Path(directory)
    risk_path, help_path = directory / RISK_FILE, directory / HELPLINES_FILE
    risk = _Checker(str(risk_path), _read_yaml(risk_path))
    helplines = _Checker(str(help_path), _read_yaml(help_path))
    return _build(risk, helplines)


def _build(risk: _Checker, helplines: _Checker) -> RiskDetector:
    top = risk.mapping(
        risk.data,
        "(top level)",
        required={"version", "updated", "messages", "normalise", "terms", "patterns"},
        optional={"idioms", "stems"},
    )
    version = f"{risk.version(top['version'], 'version')}"
    risk.date(top["updated"], "updated")

    messages_raw = risk.mapping(top["messages"], "messages", required=set(LEVELS))
    messages: dict[str, str] = {
        lvl: risk.text(messages_raw[lvl], f"messages.{lvl}") for lvl in LEVELS
    }

    norm = risk.mapping(top["normalise"], "normalise", required={"replace", "symbols"})
    replace = risk.string_map(norm["replace"], "normalise.replace", key=_WORD_KEY)
    symbols = risk.string_map(norm["symbols"], "normalise.symbols", key=None)
    for symbol in symbols:
        if len(symbol) != 1:
            risk.fail(f"normalise.symbols.{symbol}", "a key must be a single character")
    normaliser = Normaliser(replace, symbols)

    terms = risk.terms(top["terms"])
    stems = risk.stems(top.get("stems", {}))
    idioms = tuple(
        risk.regex(item, f"idioms[{i}]", terms)
        for i, item in enumerate(risk.sequence(top.get("idioms", []), "idioms"))
    )

    patterns: list[Pattern] = []
    examples: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    for i, item in enumerate(risk.sequence(top["patterns"], "patterns", non_empty=True)):
        where = f"patterns[{i}]"
        raw = risk.mapping(
            item,
            where,
            required={"id", "kind", "level", "words", "regex"},
            optional={"unless", "concern_if", "examples"},
        )
        pid = risk.text(raw["id"], f"{where}.id")
        if not _ID.fullmatch(pid):
            risk.fail(f"{where}.id", f"{pid!r} must be lower-case letters, digits and '-'")
        if pid in seen:
            risk.fail(f"{where}.id", f"duplicate id {pid!r}")
        seen.add(pid)
        regex = risk.regex(raw["regex"], f"{where}.regex", terms)
        words = risk.words(raw["words"], f"{where}.words", stems)
        patterns.append(
            Pattern(
                id=pid,
                kind=risk.choice(raw["kind"], f"{where}.kind", KINDS),
                level=as_level(risk.choice(raw["level"], f"{where}.level", LEVELS)),
                regex=regex,
                words=words,
                unless=tuple(
                    risk.regex(u, f"{where}.unless[{j}]", terms)
                    for j, u in enumerate(risk.sequence(raw.get("unless", []), f"{where}.unless"))
                ),
                concern_if=tuple(
                    risk.regex(u, f"{where}.concern_if[{j}]", terms)
                    for j, u in enumerate(
                        risk.sequence(raw.get("concern_if", []), f"{where}.concern_if")
                    )
                ),
            )
        )
        if "examples" in raw:
            for text, hit in risk.examples(raw["examples"], f"{where}.examples"):
                variants = list(normaliser.variants(text))
                if hit and not any(w in v for w in words for v in variants):
                    risk.fail(f"{where}.words", f"none is in the example {text!r}")
                examples.append((pid, text, hit))
    for kind in KINDS:
        if not any(p.kind == kind for p in patterns):
            risk.fail("patterns", f"no pattern for kind {kind!r}")

    resources, routing, help_version = _build_helplines(helplines)
    return RiskDetector(
        patterns=patterns,
        idioms=idioms,
        normaliser=normaliser,
        messages=messages,
        resources=resources,
        routing=routing,
        version=f"risk {version}, helplines {help_version}",
        examples=examples,
    )
