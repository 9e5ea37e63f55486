"""Shared fixtures. Fixture scope follows cost: the pipeline loads once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.detect.engine import Engine, load_engine
from server.http.app import create_app
from server.settings import Settings


@pytest.fixture(scope="session")
def engine() -> Engine:
    return load_engine(Settings())


@pytest.fixture(scope="session")
def blank_engine() -> Engine:
    return load_engine(Settings(model="blank"))


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    # `with` runs the lifespan, which loads the pipeline and rules as in production.
    with TestClient(create_app(Settings())) as test_client:
        yield test_client
