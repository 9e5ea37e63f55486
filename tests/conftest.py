"""Shared fixtures. Fixture scope follows cost: the pipeline loads once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.detect.engine import Engine, load_engine
from server.http.app import create_app
from server.service import Mend
from server.settings import Settings


@pytest.fixture(scope="session", autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Rooms opened and rules cached by any test go to temporary folders, never the tester's
    own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("MEND_DATA_DIR", str(tmp_path_factory.mktemp("mend-data")))
    patch.setenv("MEND_CACHE_DIR", str(tmp_path_factory.mktemp("mend-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def engine() -> Engine:
    return load_engine(Settings())


@pytest.fixture(scope="session")
def mend() -> Mend:
    """The service as the API and the CLI load it: engine, risk check (both layers), coach."""
    return Mend.load(Settings())


@pytest.fixture(scope="session")
def blank_engine() -> Engine:
    return load_engine(Settings(model="blank"))


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    # `with` runs the lifespan, which loads the pipeline and rules as in production.
    with TestClient(create_app(Settings())) as test_client:
        yield test_client
