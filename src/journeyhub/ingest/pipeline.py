"""Commit one staged chunk of events: validate, quarantine, dedupe, insert, stitch.

Everything happens inside the caller's transaction, so a chunk is all-or-nothing: a crash leaves
either the whole chunk (events, quarantine rows, identity links) or none of it.
Duplicates (by ``message_id``, against the store and within the chunk) are counted, not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from journeyhub.identity import graph
from journeyhub.ingest.json_events import OBJECT_FIELDS, STRING_FIELDS, json_fields_sql
from journeyhub.ingest.rules import reason_code_sql, reason_message_sql
from journeyhub.ingest.staging import typed_stage_sql


@dataclass
class Rejection:
    """One rejected input row: where it was, why, and the quarantine id that keeps it."""

    position: int
    code: str
    reason: str
    quarantine_id: str
    pos: int = 0  # row within the committed chunk (internal)

    def as_dict(self) -> dict[str, object]:
        return {
            "index": self.position,
            "code": self.code,
            "message": self.reason,
            "quarantine_id": self.quarantine_id,
        }


@dataclass
class ChunkResult:
    """Counts for one committed chunk; ``rejections`` lists at most ``max_rejections`` rows."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    duplicate_positions: list[int] = field(default_factory=list)


CHECKED_SQL = """
WITH staged AS ({stage}),
timed AS (
    SELECT *, CASE WHEN sent_parsed IS NOT NULL AND ts_parsed IS NOT NULL
                   THEN ts_parsed + (received_at - sent_parsed)
                   ELSE coalesce(ts_parsed, received_at) END AS ts
    FROM staged
),
reasoned AS MATERIALIZED (
    SELECT *, {reasons}, coalesce(user_id, anonymous_id) AS person_key FROM timed
),
repeated AS (  -- message ids seen more than once in this chunk (rare): first valid one wins
    SELECT message_id, min(pos) AS first_pos FROM reasoned WHERE reason_code IS NULL
    GROUP BY message_id HAVING count(*) > 1
),
seen AS MATERIALIZED (  -- valid rows whose id hash is stored: retries (or a hash collision)
    SELECT message_id, person_key FROM reasoned
    WHERE reason_code IS NULL AND hash(message_id) IN (SELECT id_hash FROM event_ids)
),
stored AS (SELECT message_id FROM events WHERE {stored_filter})
SELECT n.*,
    (n.reason_code IS NULL AND (e.message_id IS NOT NULL OR n.pos <> coalesce(r.first_pos, n.pos)))
        AS is_duplicate,
    {seen_flag} AS id_hash_seen,
    CASE WHEN n.reason_code IS NOT NULL
         THEN 'q_' || replace(uuid()::VARCHAR, '-', '') END AS quarantine_id
FROM reasoned n LEFT JOIN repeated r ON r.message_id = n.message_id
LEFT JOIN stored e ON e.message_id = n.message_id
"""

# Which stored events a chunk's hash hits are compared with: all of them (one scan, cheapest
# for a file chunk, where a re-import makes every row a hit), or only the sending person's
# (zone-map pruned, for a REST batch holding a few retries: a retry comes from the same person)
ALL_EVENTS = "message_id IN (SELECT message_id FROM seen)"
SAME_PERSON = "person_key IN (SELECT person_key FROM seen) AND " + ALL_EVENTS

INSERT_EVENTS_SQL = """
INSERT INTO events
SELECT message_id, type, coalesce(event, name), user_id, anonymous_id, person_key, group_id,
       previous_id, channel, source, ts, sent_parsed, received_at,
       properties, traits, context
FROM _checked WHERE reason_code IS NULL AND NOT is_duplicate
"""

INSERT_EVENT_IDS_SQL = """
INSERT INTO event_ids
SELECT hash(message_id) FROM _checked WHERE reason_code IS NULL AND NOT is_duplicate
"""

QUARANTINE_SQL = """
INSERT INTO quarantine (id, received_at, source, position, reason_code, reason, payload)
SELECT c.quarantine_id, c.received_at, c.source, c.position,
       c.reason_code, {reason}, encode(coalesce(c.raw, {row_json}, ''))
FROM _checked c {row_join}
WHERE c.reason_code IS NOT NULL
"""


EDGES_SQL = """
WITH ok AS (
    SELECT * FROM _checked WHERE reason_code IS NULL AND NOT is_duplicate
), keyed AS (
    SELECT *, CASE WHEN user_id IS NOT NULL THEN 'user' ELSE 'anonymous' END AS key_kind,
        coalesce(json_extract_string(traits, '$.email'),
                 json_extract_string(context, '$.traits.email')) AS email,
        coalesce(json_extract_string(traits, '$.phone'),
                 json_extract_string(context, '$.traits.phone')) AS phone
    FROM ok
)
SELECT DISTINCT 'user' AS a_kind, user_id AS a_value, 'anonymous' AS b_kind,
    anonymous_id AS b_value, 'same event' AS evidence FROM keyed
    WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL
UNION SELECT DISTINCT 'user', user_id, 'alias', previous_id, 'alias call' FROM keyed
    WHERE type = 'alias'
UNION SELECT DISTINCT key_kind AS a_kind, person_key, 'email', email, 'email trait' FROM keyed
    WHERE email IS NOT NULL
UNION SELECT DISTINCT key_kind, person_key, 'phone', phone, 'phone trait' FROM keyed
    WHERE phone IS NOT NULL
"""

MEMBERS_SQL = """
INSERT OR IGNORE INTO account_members
SELECT DISTINCT group_id,
       CASE WHEN user_id IS NOT NULL THEN 'user' ELSE 'anonymous' END, person_key, ?
FROM _checked
WHERE reason_code IS NULL AND NOT is_duplicate AND group_id IS NOT NULL
"""


class LinkedEdges:
    """Edges already folded into the identity graph, so steady traffic skips re-linking.

    Bounded; the graph only ever gains links, so a remembered edge stays linked. The set is
    only updated by the caller after its transaction committed (see :meth:`remember`).
    """

    def __init__(self, limit: int = 1_000_000) -> None:
        self.limit = limit
        self.known: set[tuple[str, str, str, str]] = set()
        self.pending: list[tuple[str, str, str, str]] = []

    def remember(self) -> None:
        if len(self.known) + len(self.pending) > self.limit:
            self.known.clear()
        self.known.update(self.pending)
        self.pending = []


SMALL_EDGE_BATCH = 5000


def _link_identities(
    cur: duckdb.DuckDBPyConnection, linked: LinkedEdges | None, now: datetime
) -> None:
    cur.execute(f"CREATE OR REPLACE TEMP TABLE _edges_raw AS {EDGES_SQL}")
    count = cur.execute("SELECT count(*) FROM _edges_raw").fetchall()[0][0]
    if count and linked is not None and count <= SMALL_EDGE_BATCH:
        edges = [
            tuple(r)
            for r in cur.execute(
                "SELECT a_kind, a_value, b_kind, b_value FROM _edges_raw"
            ).fetchall()
        ]
        new = [e for e in edges if e not in linked.known]
        linked.pending = new
        count = len(new)
    if count:
        graph.link(cur, "_edges_raw", now)
    cur.execute("DROP TABLE _edges_raw")


def commit_staged(
    cur: duckdb.DuckDBPyConnection,
    stage_sql: str,
    *,
    typed_source: str | None = None,
    max_rejections: int = 1000,
    want_duplicates: bool = False,
) -> ChunkResult:
    """Validate and store the staged rows; the caller owns the transaction.

    ``typed_source`` names the view the staged rows came from when they are typed columns:
    rejected rows are then kept whole as the JSON of their original columns.
    """
    check_staged(cur, stage_sql)
    result = apply_checked(
        cur,
        typed_source=typed_source,
        max_rejections=max_rejections,
        want_duplicates=want_duplicates,
    )
    cur.execute("DROP TABLE _checked")
    return result


def checked_sql(stage_sql: str, *, same_person: bool = False) -> str:
    """The staged rows, validated: a reason code per rejected row, and whether each valid row
    is already stored (a query: reads the store, writes nothing). With ``same_person`` a
    stored id is looked for among its sender's events only; rows it leaves unconfirmed
    (``id_hash_seen`` but not ``is_duplicate``) need :func:`stored_message_ids`."""
    return CHECKED_SQL.format(
        stage=stage_sql,
        reasons=reason_code_sql(),
        stored_filter=SAME_PERSON if same_person else ALL_EVENTS,
        # every hit is compared over all events when not same_person: none is left unconfirmed
        seen_flag="n.message_id IN (SELECT message_id FROM seen)" if same_person else "false",
    )


def check_staged(cur: duckdb.DuckDBPyConnection, stage_sql: str) -> None:
    """Validate staged rows into the temp table ``_checked`` (see :func:`checked_sql`)."""
    cur.execute(f"CREATE OR REPLACE TEMP TABLE _checked AS {checked_sql(stage_sql)}")


def stored_message_ids(cur: duckdb.DuckDBPyConnection, ids: list[str]) -> set[str]:
    """Which of ``ids`` are stored (compared over the whole table: for the rare ids that
    :data:`CHECKED_SQL` could not confirm or rule out by the sender's events)."""
    found = cur.execute(
        "SELECT message_id FROM events WHERE message_id IN (SELECT unnest(?::VARCHAR[]))", [ids]
    ).fetchall()
    return {m for (m,) in found}


def apply_checked(
    cur: duckdb.DuckDBPyConnection,
    *,
    typed_source: str | None = None,
    max_rejections: int = 1000,
    want_duplicates: bool = False,
    linked_edges: LinkedEdges | None = None,
) -> ChunkResult:
    """Store what ``_checked`` holds: quarantine the rejected rows, insert the new events,
    link identities. ``_checked`` (a temp table, or an Arrow table registered under that
    name) is only read; the caller owns it and the transaction."""
    received, accepted, duplicates, rejected, grouped, linking = cur.execute(
        """SELECT count(*),
                  count(*) FILTER (WHERE reason_code IS NULL AND NOT is_duplicate),
                  count(*) FILTER (WHERE is_duplicate),
                  count(*) FILTER (WHERE reason_code IS NOT NULL),
                  count(*) FILTER (WHERE reason_code IS NULL AND NOT is_duplicate
                                   AND group_id IS NOT NULL),
                  count(*) FILTER (WHERE reason_code IS NULL AND NOT is_duplicate
                                   AND ((user_id IS NOT NULL AND anonymous_id IS NOT NULL)
                                        OR type = 'alias' OR traits IS NOT NULL
                                        OR context LIKE '%"traits"%'))
           FROM _checked"""
    ).fetchall()[0]
    result = ChunkResult(
        received=received, accepted=accepted, duplicates=duplicates, rejected=rejected
    )
    now = datetime.now(UTC)
    if rejected:
        if typed_source:
            row_json = "r.row_json"
            row_join = (
                f"LEFT JOIN (SELECT pos, to_json(s)::VARCHAR AS row_json FROM {typed_source} s "
                "WHERE pos IN (SELECT pos FROM _checked WHERE reason_code IS NOT NULL)) r "
                "ON r.pos = c.pos"
            )
        else:
            row_json, row_join = "NULL", ""
        reason = reason_message_sql()
        cur.execute(QUARANTINE_SQL.format(reason=reason, row_json=row_json, row_join=row_join))
        rows = cur.execute(
            f"SELECT pos, position, reason_code, {reason}, quarantine_id FROM _checked "
            "WHERE reason_code IS NOT NULL ORDER BY pos LIMIT ?",
            [max_rejections],
        ).fetchall()
        result.rejections = [
            Rejection(position, code, reason, qid, pos) for pos, position, code, reason, qid in rows
        ]
    if want_duplicates and duplicates:
        result.duplicate_positions = [
            r[0] for r in cur.execute("SELECT pos FROM _checked WHERE is_duplicate").fetchall()
        ]
    if accepted:
        cur.execute(INSERT_EVENTS_SQL)
        cur.execute(INSERT_EVENT_IDS_SQL)
        cur.execute(
            "UPDATE meta SET value = (CAST(value AS BIGINT) + ?)::VARCHAR "
            "WHERE key = 'unclustered_events'",
            [accepted],
        )
        if linking:
            _link_identities(cur, linked_edges, now)
        if grouped:
            cur.execute(MEMBERS_SQL, [now])
    return result


def json_stage(cur: duckdb.DuckDBPyConnection, table: pa.Table) -> str:
    """Register a :func:`json_event_table` as ``_json_events``; returns its staged relation."""
    cur.register("_json_events", table)
    columns = {name: "VARCHAR" for name in (*STRING_FIELDS, *OBJECT_FIELDS)}
    columns.update({f.name: str(f.type) for f in table.schema})
    columns["received_at"] = "TIMESTAMPTZ"
    return typed_stage_sql(json_fields_sql("_json_events"), columns, source="", json_checked=True)


def commit_json_table(
    cur: duckdb.DuckDBPyConnection,
    table: pa.Table,
    *,
    max_rejections: int = 1000,
    want_duplicates: bool = False,
) -> ChunkResult:
    """Commit a table made by :func:`journeyhub.ingest.json_events.json_event_table`."""
    stage = json_stage(cur, table)
    try:
        return commit_staged(
            cur, stage, max_rejections=max_rejections, want_duplicates=want_duplicates
        )
    finally:
        cur.unregister("_json_events")
