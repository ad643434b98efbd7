"""The identity graph: identifiers joined into profiles by the evidence that links them.

Nodes are ``(kind, value)`` pairs — ``user``, ``anonymous``, ``alias``, ``email``, ``phone`` —
each with a ``profile_id``. A batch of new edges is folded in set-wise: normalise in SQL,
find connected components of (new edges + the profiles their nodes already belong to) with
SciPy, then move nodes in SQL. When profiles meet, the oldest (smallest) id survives, every
node of the others moves to it, and ``profile_merges`` records the redirect, so an id once
handed out always leads somewhere.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from journeyhub.identity.normalize import (
    email_sql,
    international_phone_sql,
    normalize_email,
    normalize_phone,
    written_as_phone,
)
from journeyhub.store.sql import first_row

Node = tuple[str, str]
EVENT_KEY_KINDS = ("user", "anonymous", "alias")


def _normalised(side: str) -> str:
    kind, value = f"{side}_kind", f"{side}_value"
    return (
        f"CASE {kind} WHEN 'email' THEN {email_sql(value)} "
        f"WHEN 'phone' THEN coalesce({international_phone_sql(value)}, p_{side}.e164) "
        f"ELSE nullif({value}, '') END"
    )


def link(cur: duckdb.DuckDBPyConnection, edges_table: str, now: datetime) -> int:
    """Fold the edges in ``edges_table`` (a_kind, a_value, b_kind, b_value, evidence) into the
    graph, inside the caller's transaction. Returns how many profiles were merged away."""
    # phones in national format need libphonenumber; everything else is normalised in SQL
    national = [
        r[0]
        for r in cur.execute(
            f"""SELECT DISTINCT v FROM (
                  SELECT a_value AS v FROM {edges_table} WHERE a_kind = 'phone'
                  UNION ALL SELECT b_value FROM {edges_table} WHERE b_kind = 'phone')
                WHERE v IS NOT NULL AND {international_phone_sql("v")} IS NULL"""
        ).fetchall()
    ]
    cur.register(
        "_phones",
        pa.table(
            {
                "raw": pa.array(national, pa.string()),
                "e164": pa.array([normalize_phone(v) for v in national], pa.string()),
            }
        ),
    )
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE _edges AS
        SELECT DISTINCT a_kind, a, b_kind, b, evidence FROM (
            SELECT a_kind, {_normalised("a")} AS a, b_kind, {_normalised("b")} AS b, evidence
            FROM {edges_table} e
            LEFT JOIN _phones p_a ON e.a_kind = 'phone' AND p_a.raw = e.a_value
            LEFT JOIN _phones p_b ON e.b_kind = 'phone' AND p_b.raw = e.b_value)
        WHERE a IS NOT NULL AND b IS NOT NULL AND NOT (a_kind = b_kind AND a = b)""")
    cur.unregister("_phones")
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE _nodes AS
        SELECT row_number() OVER () - 1 AS idx, u.kind, u.value, n.profile_id
        FROM (SELECT a_kind AS kind, a AS value FROM _edges
              UNION SELECT b_kind, b FROM _edges) u
        LEFT JOIN identity_nodes n ON n.kind = u.kind AND n.value = u.value""")
    n_nodes = cur.execute("SELECT count(*) FROM _nodes").fetchall()[0][0]
    if n_nodes == 0:
        cur.execute("DROP TABLE _edges; DROP TABLE _nodes")
        return 0
    pairs = cur.execute(
        """
        SELECT na.idx AS a, nb.idx AS b FROM _edges e
        JOIN _nodes na ON na.kind = e.a_kind AND na.value = e.a
        JOIN _nodes nb ON nb.kind = e.b_kind AND nb.value = e.b
        UNION ALL  -- a node and the profile it already has: profile p is vertex n_nodes + rank
        SELECT idx, ? + dense_rank() OVER (ORDER BY profile_id) - 1 FROM _nodes
        WHERE profile_id IS NOT NULL""",
        [n_nodes],
    ).fetchnumpy()
    src = np.asarray(pairs["a"], dtype=np.int64)
    dst = np.asarray(pairs["b"], dtype=np.int64)
    size = int(max(n_nodes, (dst.max() + 1) if len(dst) else 0))
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    cur.register(
        "_labels",
        pa.table(
            {
                "idx": pa.array(np.arange(n_nodes, dtype=np.int64)),
                "label": pa.array(labels[:n_nodes].astype(np.int64)),
            }
        ),
    )
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE _survivors AS
        SELECT label, min(profile_id) AS survivor FROM _nodes JOIN _labels USING (idx)
        GROUP BY label""")
    cur.execute("""
        UPDATE _survivors SET survivor = nextval('profile_ids') WHERE survivor IS NULL""")
    merges = cur.execute(
        """
        INSERT INTO profile_merges
        SELECT DISTINCT n.profile_id, s.survivor, ?, 'identity link'
        FROM _nodes n JOIN _labels USING (idx) JOIN _survivors s USING (label)
        WHERE n.profile_id IS NOT NULL AND n.profile_id <> s.survivor
        RETURNING from_profile""",
        [now],
    ).fetchall()
    if merges:
        cur.execute(
            """
            UPDATE identity_nodes SET profile_id = m.into_profile
            FROM (SELECT from_profile, into_profile FROM profile_merges
                  WHERE from_profile IN (SELECT unnest(?))) m
            WHERE identity_nodes.profile_id = m.from_profile""",
            [[m[0] for m in merges]],
        )
    cur.execute(
        """
        INSERT INTO identity_nodes
        SELECT n.kind, n.value, s.survivor, ? FROM _nodes n
        JOIN _labels USING (idx) JOIN _survivors s USING (label)
        WHERE n.profile_id IS NULL""",
        [now],
    )
    cur.execute(
        """
        INSERT INTO identity_edges
        SELECT a_kind, a, b_kind, b, evidence, ? FROM _edges n WHERE NOT EXISTS (
            SELECT 1 FROM identity_edges e WHERE e.a_kind = n.a_kind AND e.a_value = n.a
              AND e.b_kind = n.b_kind AND e.b_value = n.b)""",
        [now],
    )
    cur.unregister("_labels")
    cur.execute("DROP TABLE _edges; DROP TABLE _nodes; DROP TABLE _survivors")
    return len(merges)


def resolve_profile(cur: duckdb.DuckDBPyConnection, identifier: str) -> int | None:
    """The profile an identifier (userId, anonymousId, email, phone, ``profile:N``) belongs to."""
    if identifier.startswith("profile:") and identifier[8:].isdigit():
        profile = int(identifier[8:])
        while True:  # follow redirects left by merges
            row = first_row(
                cur.execute(
                    "SELECT into_profile FROM profile_merges WHERE from_profile = ?", [profile]
                )
            )
            if row is None:
                return profile
            profile = int(row[0])
    candidates: list[Node] = [(k, identifier) for k in EVENT_KEY_KINDS]
    if (email := normalize_email(identifier)) is not None:
        candidates.append(("email", email))
    elif written_as_phone(identifier) and (phone := normalize_phone(identifier)) is not None:
        candidates.append(("phone", phone))
    # one equality on value per distinct value: DuckDB answers it from the ART index, while
    # "value = ? AND kind = ?" makes it scan
    found: dict[Node, int] = {}
    for value in dict.fromkeys(v for _, v in candidates):
        for kind, profile in cur.execute(
            "SELECT kind, profile_id FROM identity_nodes WHERE value = ?", [value]
        ).fetchall():
            found[(kind, value)] = int(profile)
    for node in candidates:
        if node in found:
            return found[node]
    return None


def profile_nodes(cur: duckdb.DuckDBPyConnection, profile: int) -> list[Node]:
    """Every identifier of a profile, ordered by kind and value (sorted here: an ``ORDER BY``
    costs DuckDB more than the handful of rows it sorts)."""
    rows = cur.execute(
        "SELECT kind, value FROM identity_nodes WHERE profile_id = ?", [profile]
    ).fetchall()
    return sorted((k, v) for k, v in rows)


def event_keys(cur: duckdb.DuckDBPyConnection, identifier: str) -> tuple[int | None, list[str]]:
    """The profile of an identifier and the ``person_key`` values its events are stored under."""
    profile, _nodes, keys = profile_event_keys(cur, identifier)
    return profile, keys


def profile_event_keys(
    cur: duckdb.DuckDBPyConnection, identifier: str
) -> tuple[int | None, list[Node], list[str]]:
    """The profile of an identifier, every identifier of it, and the ``person_key`` values
    its events are stored under."""
    profile = resolve_profile(cur, identifier)
    if profile is None:
        return None, [], [identifier]
    nodes = profile_nodes(cur, profile)
    return profile, nodes, [v for k, v in nodes if k in EVENT_KEY_KINDS] or [identifier]
