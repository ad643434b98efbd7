"""Fixtures of the identity tests: the demo company loaded and resolved once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeyhub import Hub
from journeyhub.demo.loader import load_demo


def golden_of(hub: Hub) -> dict[str, str]:
    """Every resolved record's golden id."""
    return dict(hub.db.cursor().execute("SELECT uid, golden_id FROM golden_members").fetchall())


@pytest.fixture(scope="session")
def resolved(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Path:
    """The demo company loaded and resolved once; tests copy the file before changing it."""
    path = tmp_path_factory.mktemp("resolved") / "resolved.duckdb"
    with Hub(path) as hub:
        load_demo(hub, demo_dir)
        hub.resolve()
    return path


@pytest.fixture
def resolved_hub(resolved: Path, tmp_path: Path) -> Iterator[Hub]:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(resolved, copy)
    with Hub(copy) as hub:
        yield hub
