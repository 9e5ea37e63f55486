"""Schemathesis against the app's own OpenAPI document, in process: whatever the schema allows
(and much that it does not), no 500s, and responses match what the schema promises."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from server.http.app import create_app
from server.settings import Settings

app = create_app(Settings())
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def started_app() -> Iterator[None]:
    # Run the lifespan once, so the engine is loaded when schemathesis calls the app.
    with TestClient(app):
        yield


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    case.call_and_validate()
