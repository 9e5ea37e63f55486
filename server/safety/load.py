"""Read rules/safety/helplines.yaml and answers.yaml through the one strict YAML reader and
pydantic schemas; every error names the file and the field."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from server.core.strict_yaml import Strict, read_yaml, validate_file
from server.safety.model import (
    ANSWERS_FILE,
    HELPLINES_FILE,
    KINDS,
    LEVELS,
    RESOURCE_KINDS,
    Answer,
    Resource,
    Routing,
)

_URL = r"^https://[^\s/]+\.[^\s]+$"
ResourceKind = Literal["crisis", "domestic-abuse", "child", "eating", "emergency", "directory"]
assert set(ResourceKind.__args__) == set(RESOURCE_KINDS)  # type: ignore[attr-defined]


class ResourceFile(Strict):
    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    region: str = Field(min_length=1)
    kind: ResourceKind
    url: str | None = Field(pattern=_URL)
    hours: str | None = Field(min_length=1)
    source: str = Field(pattern=_URL)
    checked: datetime.date


class RoutingFile(Strict):
    by_kind: dict[str, list[ResourceKind]]
    by_level: dict[str, list[ResourceKind]]
    always: list[ResourceKind] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_kind_and_level(self) -> RoutingFile:
        for field, names, allowed in (
            ("by_kind", self.by_kind, KINDS),
            ("by_level", self.by_level, LEVELS),
        ):
            if set(names) != set(allowed):
                raise ValueError(f"{field} must name exactly: {', '.join(allowed)}")
        return self


class HelplinesFile(Strict):
    version: int = Field(ge=1)
    updated: datetime.date
    routing: RoutingFile
    resources: list[ResourceFile] = Field(min_length=1)

    @field_validator("resources")
    @classmethod
    def _unique(cls, value: list[ResourceFile]) -> list[ResourceFile]:
        seen = set()
        for resource in value:
            key = (resource.name, resource.region)
            if key in seen:
                raise ValueError(f"{resource.name!r} in {resource.region!r} is listed twice")
            seen.add(key)
        return value

    @model_validator(mode="after")
    def _routes_reach_resources(self) -> HelplinesFile:
        present = {resource.kind for resource in self.resources}
        routed = {kind for kinds in self.routing.by_kind.values() for kind in kinds}
        routed |= {kind for kinds in self.routing.by_level.values() for kind in kinds}
        missing = (routed | set(self.routing.always)) - present
        if missing:
            raise ValueError(f"routing names kinds with no resource: {', '.join(sorted(missing))}")
        return self


class AnswerFile(Strict):
    message: str = Field(min_length=1, max_length=500)
    question: str = Field(min_length=1, max_length=160)


class AnswersFile(Strict):
    version: int = Field(ge=1)
    updated: datetime.date
    answers: dict[Literal["checkin", "urgent"], AnswerFile]

    @field_validator("answers")
    @classmethod
    def _both_levels(cls, value: dict[str, AnswerFile]) -> dict[str, AnswerFile]:
        if set(value) != set(LEVELS):
            raise ValueError(f"answers must give exactly: {', '.join(LEVELS)}")
        return value


def load_helplines(directory: Path) -> tuple[tuple[Resource, ...], Routing, int]:
    path = directory / HELPLINES_FILE
    spec = validate_file(HelplinesFile, path, read_yaml(path))
    resources = tuple(
        Resource(
            name=item.name,
            contact=item.contact,
            region=item.region,
            kind=item.kind,
            url=item.url,
            hours=item.hours,
            source=item.source,
            checked=item.checked.isoformat(),
        )
        for item in spec.resources
    )
    routing = Routing(
        by_kind={kind: tuple(found) for kind, found in spec.routing.by_kind.items()},
        by_level={level: tuple(found) for level, found in spec.routing.by_level.items()},
        always=tuple(spec.routing.always),
    )
    return resources, routing, spec.version


def load_answers(directory: Path) -> dict[str, Answer]:
    path = directory / ANSWERS_FILE
    spec = validate_file(AnswersFile, path, read_yaml(path))
    return {level: Answer(a.message, a.question) for level, a in spec.answers.items()}
