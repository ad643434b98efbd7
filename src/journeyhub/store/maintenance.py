"""Keep the store fast: re-cluster events by person so timeline reads touch few row groups."""

from __future__ import annotations

from journeyhub.store.database import Database


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
