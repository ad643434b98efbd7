"""Tables real-time matching reads row by row keep their text uncompressed.

A store made before that layout keeps its compressed tables (``CREATE TABLE IF NOT EXISTS``
changes nothing), so ``journeyhub store optimize`` rewrites them: same rows, same indexes and
keys, the current definition.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from journeyhub import Hub
from journeyhub.store.schema import DDL

REAL_TIME_TABLES = {"std_records", "blocking_keys", "golden_members", "golden_records",
                    "golden_redirects"}  # fmt: skip


def _definition(hub: Hub, table: str) -> str:
    return hub.db.scalar("SELECT sql FROM duckdb_tables() WHERE table_name = ?", [table])


def test_a_new_store_declares_the_real_time_tables_uncompressed(tmp_path: Path):
    with Hub(tmp_path / "new.duckdb") as hub:
        for table in REAL_TIME_TABLES:
            assert "USING COMPRESSION" in _definition(hub, table).upper(), table
        assert "USING COMPRESSION" not in _definition(hub, "events").upper()


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    """A store whose tables were made by the schema without the layout, with a few rows."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    for statement in DDL:
        con.execute(re.sub(r" USING COMPRESSION uncompressed", "", statement))
    con.execute(
        "INSERT INTO golden_members SELECT 'crm/' || i, 'G' || lpad((i // 2)::VARCHAR, 6, '0'), "
        "now() FROM range(1000) r(i)"
    )
    con.execute("INSERT INTO blocking_keys SELECT 'email_key=' || (i % 10), 'crm/' || i "
                "FROM range(1000) r(i)")  # fmt: skip
    con.close()
    return path


def test_optimize_rewrites_an_older_stores_tables_and_keeps_their_rows_and_keys(old_store):
    with Hub(old_store) as hub:
        assert "USING COMPRESSION" not in _definition(hub, "golden_members").upper()
        done = hub.optimize()
        assert set(done["tables_rewritten"]) == REAL_TIME_TABLES
        for table in REAL_TIME_TABLES:
            assert "USING COMPRESSION" in _definition(hub, table).upper(), table
        assert hub.db.scalar("SELECT count(*) FROM golden_members") == 1000
        assert hub.db.scalar("SELECT count(*) FROM blocking_keys WHERE key = 'email_key=3'") == 100
        indexes = {r["index_name"] for r in hub.db.query("SELECT index_name FROM duckdb_indexes()")}
        assert {"golden_members_golden", "blocking_keys_key", "std_records_uid"} <= indexes
        # the primary key came along
        with pytest.raises(duckdb.ConstraintException), hub.db.transaction() as cur:
            cur.execute("INSERT INTO golden_members VALUES ('crm/1', 'G000009', now())")
        assert hub.optimize()["tables_rewritten"] == []  # nothing left to do
