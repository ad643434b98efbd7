"""Keep the store fast: re-cluster events by person so timeline reads touch few row groups,
and give tables of an older store the layout the current schema declares."""

from __future__ import annotations

import re

from journeyhub.store.database import Database
from journeyhub.store.schema import DDL


def cluster_events(db: Database) -> int:
    """Rewrite ``events`` ordered by (person_key, timestamp); returns the row count.

    Imports and REST micro-batches append in arrival order, so one person's events are spread
    over many row groups. This restores one sorted run (a table swap inside one transaction,
    a few seconds per 10M events); imports run it when they added a large share of the table.
    """
    with db.transaction() as cur:
        cur.execute(
            "CREATE TABLE events_clustered AS SELECT * FROM events ORDER BY person_key, timestamp"
        )
        cur.execute("DROP TABLE events")
        cur.execute("ALTER TABLE events_clustered RENAME TO events")
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
    """Rewrite tables made before their text columns were declared uncompressed
    (:func:`~journeyhub.store.schema.point_read`), so an older store gets the fast row-by-row
    reads too; returns the tables rewritten. Each is one transaction: a copy under the
    current definition, its indexes made again, the old table dropped."""
    rewritten: list[str] = []
    for ddl in DDL:
        found = re.match(r"\s*CREATE TABLE IF NOT EXISTS (\w+)", ddl)
        if not found or "USING COMPRESSION" not in ddl:
            continue
        table = found.group(1)
        current = db.scalar(
            "SELECT sql FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
            "AND database_name = current_database()",
            [table],
        )
        if "USING COMPRESSION" in current.upper():
            continue
        indexes = [
            s for s in DDL if re.match(rf"\s*CREATE INDEX IF NOT EXISTS \w+ ON {table}\b", s)
        ]
        with db.transaction() as cur:
            cur.execute(ddl.replace(f"EXISTS {table} (", f"EXISTS {table}_relaid (", 1))
            cur.execute(f"INSERT INTO {table}_relaid BY NAME SELECT * FROM {table}")
            cur.execute(f"DROP TABLE {table}")
            cur.execute(f"ALTER TABLE {table}_relaid RENAME TO {table}")
            for statement in indexes:
                cur.execute(statement)
        rewritten.append(table)
    if rewritten:
        db.checkpoint()
    return rewritten
