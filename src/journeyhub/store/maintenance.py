"""Keep the store fast: re-cluster events by person so timeline reads touch few row groups,
and give tables of an older store the layout the current schema declares."""

from __future__ import annotations

import re

import duckdb

from journeyhub.store.database import Database
from journeyhub.store.schema import DDL, declares_uncompressed


def cluster_events(db: Database) -> int:
    """Rewrite ``events`` ordered by (person_key, timestamp); returns the row count.

    Imports and REST micro-batches append in arrival order, so one person's events are spread
    over many row groups. This restores one sorted run (a table swap inside one transaction,
    a few seconds per 10M events); imports run it when they added a large share of the table.
    The copy is made under the current definition, so an older store's events also get the
    current column layout.
    """
    with db.transaction() as cur:
        _rewrite(cur, "events", order_by="person_key, timestamp")
        cur.execute("UPDATE meta SET value = '0' WHERE key = 'unclustered_events'")
        count = cur.execute("SELECT count(*) FROM events").fetchall()[0][0]
    db.checkpoint()
    return int(count)


def unclustered_events(db: Database) -> int:
    """Events appended since the last :func:`cluster_events`."""
    value = db.scalar("SELECT value FROM meta WHERE key = 'unclustered_events'")
    return int(value or 0)


def should_cluster(db: Database, threshold: float = 0.2, minimum: int = 100_000) -> bool:
    """Whether enough events arrived unclustered that timelines would slow down noticeably."""
    unclustered = unclustered_events(db)
    total = int(db.scalar("SELECT count(*) FROM events"))
    return unclustered >= minimum and unclustered >= threshold * total


def relayout_point_read_tables(db: Database) -> list[str]:
    """Rewrite tables made before some of their text columns were declared uncompressed
    (:func:`~journeyhub.store.schema.point_read`), so an older store gets the fast row-by-row
    reads too; returns the tables rewritten. Each is one transaction: a copy under the
    current definition, its indexes made again, the old table dropped."""
    rewritten: list[str] = []
    for ddl in DDL:
        found = _CREATE_TABLE.match(ddl)
        if not found or not declares_uncompressed(ddl):
            continue
        table = found.group(1)
        current = db.scalar(
            "SELECT sql FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
            "AND database_name = current_database()",
            [table],
        )
        if declares_uncompressed(current):
            continue
        with db.transaction() as cur:
            _rewrite(cur, table)
        rewritten.append(table)
    if rewritten:
        db.checkpoint()
    return rewritten


_CREATE_TABLE = re.compile(r"\s*CREATE TABLE IF NOT EXISTS (\w+)")


def _rewrite(cur: duckdb.DuckDBPyConnection, table: str, order_by: str | None = None) -> None:
    """Replace ``table`` by a copy made under its current definition in :data:`DDL` (``CREATE
    TABLE AS`` would drop column options such as the compression), optionally sorted, and make
    its indexes again. Runs inside the caller's transaction."""
    ddl = next(s for s in DDL if (m := _CREATE_TABLE.match(s)) and m.group(1) == table)
    cur.execute(ddl.replace(f"EXISTS {table} (", f"EXISTS {table}_rewritten (", 1))
    ordered = f" ORDER BY {order_by}" if order_by else ""
    cur.execute(f"INSERT INTO {table}_rewritten BY NAME SELECT * FROM {table}{ordered}")
    cur.execute(f"DROP TABLE {table}")
    cur.execute(f"ALTER TABLE {table}_rewritten RENAME TO {table}")
    for statement in DDL:
        if re.match(rf"\s*CREATE INDEX IF NOT EXISTS \w+ ON {table}\b", statement):
            cur.execute(statement)
