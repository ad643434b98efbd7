"""The demo company loaded once, with the shipped retail and B2B journeys applied."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeyhub import Hub
from journeyhub.demo.loader import load_demo


@pytest.fixture(scope="session")
def demo_journeys(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("journeys") / "demo.duckdb"
    with Hub(path) as hub:
        load_demo(hub, demo_dir)
        hub.resolve()
        hub.apply_journey("retail")
        hub.apply_journey("b2b")
    return path


@pytest.fixture
def demo_hub(demo_journeys: Path, tmp_path: Path) -> Iterator[Hub]:
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_journeys, copy)
    with Hub(copy) as hub:
        yield hub
