"""Versioned definitions (journeys, surveys): a table of (name, version, model, source, at)."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import orjson


def save_version(
    cur: duckdb.DuckDBPyConnection, table: str, name: str, model_json: str, source: str
) -> tuple[int, bool]:
    """Store ``model_json`` as the newest version of ``name`` unless it equals the newest one
    (applying the same definition twice is a no-op). Returns ``(version, changed)``."""
    latest = cur.execute(
        f"SELECT version, model::VARCHAR FROM {table} WHERE name = ? ORDER BY version DESC LIMIT 1",
        [name],
    ).fetchall()
    changed = not latest or orjson.loads(latest[0][1]) != orjson.loads(model_json)
    version = (latest[0][0] if latest else 0) + (1 if changed else 0)
    if changed:
        cur.execute(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?)",
            [name, version, model_json, source, datetime.now(UTC)],
        )
    return version, changed
