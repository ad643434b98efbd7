"""Shared fixtures: a real DuckDB file per test, an API client with a key, a small demo company."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from journeyhub import Hub
from journeyhub.api import create_app
from journeyhub.demo.generator import generate


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def hub(db_path: Path) -> Iterator[Hub]:
    h = Hub(db_path)
    yield h
    h.close()


class Api:
    """A TestClient that sends the API key, plus the hub behind it."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.key = hub.create_key("tests")["key"]
        self.client = TestClient(create_app(hub))
        self.headers = {"Authorization": f"Bearer {self.key}"}

    def post(self, path: str, body: object = None, **kw: object):
        if "content" in kw:
            return self.client.post(path, headers=self.headers, **kw)
        return self.client.post(path, json=body, headers=self.headers, **kw)

    def get(self, path: str, **kw: object):
        return self.client.get(path, headers=self.headers, **kw)


@pytest.fixture
def api(hub: Hub) -> Api:
    return Api(hub)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-customer demo company, generated once per test session."""
    out = tmp_path_factory.mktemp("demo")
    generate(300, 11, out)
    return out
