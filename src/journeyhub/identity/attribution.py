"""Which golden record an event's person is: events meet golden records through identifiers.

Events come in with a userId, an anonymousId, an email or a phone; the identity graph joins
those into a profile. A profile belongs to the golden record that holds

1. a record of a source whose ids are the userIds events carry (``event_user_ids: true`` in
   its mapping, e.g. the web shop's customer id), else
2. the profile's email address, else its phone number — but only when exactly one golden
   record holds it (a family mailbox shared by two people attributes to neither).

The same rule answers both directions: the golden id of any identifier, and every event key
of a golden id (so the timeline works per golden id).
"""

from __future__ import annotations

import re

import duckdb
import orjson

from journeyhub.identity import graph
from journeyhub.identity.graph import EVENT_KEY_KINDS, Node
from journeyhub.identity.normalize import normalize_email

GOLDEN_ID = re.compile(r"^G\d{6,}$")


FLAGGED_SOURCES_SQL = (
    "SELECT name FROM sources WHERE coalesce((mapping->>'event_user_ids')::BOOLEAN, false)"
)
USER_GOLDEN_SQL = f"""
SELECT substr(m.uid, length(f.name) + 2) AS user_id, any_value(m.golden_id) AS golden_id
FROM golden_members m JOIN ({FLAGGED_SOURCES_SQL}) f ON starts_with(m.uid, f.name || '/')
GROUP BY 1 HAVING count(DISTINCT m.golden_id) = 1
"""
"""userIds of events that name exactly one golden record directly (rule 1 without a profile)."""

PROFILE_GOLDEN_SQL = f"""
WITH flagged AS ({FLAGGED_SOURCES_SQL}), by_user AS (
    SELECT n.profile_id, any_value(m.golden_id) AS golden_id
    FROM identity_nodes n JOIN flagged f ON true
    JOIN golden_members m ON m.uid = f.name || '/' || n.value
    WHERE n.kind = 'user'
    GROUP BY n.profile_id HAVING count(DISTINCT m.golden_id) = 1
), holders AS (
    SELECT DISTINCT kind, value, golden_id FROM (
        SELECT 'email' AS kind, unnest(list_append(coalesce(s.emails, []), s.email)) AS value,
               m.golden_id
        FROM std_records s JOIN golden_members m USING (uid)
        UNION ALL
        SELECT 'phone', unnest(list_append(coalesce(s.phones, []), s.phone)), m.golden_id
        FROM std_records s JOIN golden_members m USING (uid)
    ) WHERE value IS NOT NULL
), by_contact AS (
    SELECT n.profile_id, n.kind, any_value(h.golden_id) AS golden_id
    FROM identity_nodes n JOIN holders h ON h.kind = n.kind AND h.value = n.value
    GROUP BY n.profile_id, n.kind HAVING count(DISTINCT h.golden_id) = 1
)
SELECT p.profile_id, coalesce(u.golden_id, e.golden_id, t.golden_id) AS golden_id
FROM (SELECT DISTINCT profile_id FROM identity_nodes) p
LEFT JOIN by_user u USING (profile_id)
LEFT JOIN by_contact e ON e.profile_id = p.profile_id AND e.kind = 'email'
LEFT JOIN by_contact t ON t.profile_id = p.profile_id AND t.kind = 'phone'
"""
"""Every profile with the golden id its identifiers attribute it to (NULL where none or
ambiguous): the set-wise form of :func:`golden_of_nodes`, for journey analytics."""


def event_user_sources(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Sources whose record ids are the userIds of events."""
    rows = cur.execute(FLAGGED_SOURCES_SQL + " ORDER BY name").fetchall()
    return [r[0] for r in rows]


def _only(rows: list[tuple[str]]) -> str | None:
    found = {r[0] for r in rows}
    return found.pop() if len(found) == 1 else None


def golden_of_nodes(cur: duckdb.DuckDBPyConnection, nodes: list[Node]) -> str | None:
    """The golden id a set of identifiers (one profile's nodes) belongs to, if unambiguous."""
    users = [v for k, v in nodes if k == "user"]
    uids = [f"{s}/{u}" for s in event_user_sources(cur) for u in users]
    if uids:
        query = "SELECT golden_id FROM golden_members WHERE uid = ANY(?)"
        found = _only(cur.execute(query, [uids]).fetchall())
        if found:
            return found
    for kind in ("email", "phone"):
        values = [v for k, v in nodes if k == kind]
        if not values:
            continue
        found = _only(
            cur.execute(
                f"""SELECT DISTINCT m.golden_id FROM std_records s JOIN golden_members m
                    USING (uid) WHERE s.{kind} = ANY(?) OR list_has_any(s.{kind}s, ?)""",
                [values, values],
            ).fetchall()
        )
        if found:
            return found
    return None


def golden_of(cur: duckdb.DuckDBPyConnection, identifier: str) -> str | None:
    """The golden id of the person behind a userId, anonymousId, email or phone."""
    profile = graph.resolve_profile(cur, identifier)
    nodes = graph.profile_nodes(cur, profile) if profile is not None else []
    if profile is None:
        nodes = [("user", identifier)]
        if (email := normalize_email(identifier)) is not None:
            nodes.append(("email", email))
    return golden_of_nodes(cur, nodes)


def current_golden(cur: duckdb.DuckDBPyConnection, identifier: str) -> str | None:
    """``identifier`` as a live golden id (redirects followed), or ``None`` if it is not one."""
    if not GOLDEN_ID.match(identifier):
        return None
    row = cur.execute(
        "SELECT into_id FROM golden_redirects WHERE from_id = ?", [identifier]
    ).fetchall()
    gid = row[0][0] if row else identifier
    exists = cur.execute("SELECT 1 FROM golden_records WHERE golden_id = ?", [gid]).fetchall()
    return gid if exists else None


def golden_event_keys(
    cur: duckdb.DuckDBPyConnection, golden_id: str
) -> tuple[list[int], list[Node], list[str]]:
    """Profiles, identifiers and event keys (``person_key``) of one golden record."""
    row = cur.execute(
        "SELECT identifiers FROM golden_records WHERE golden_id = ?", [golden_id]
    ).fetchall()
    ids = orjson.loads(row[0][0]) if row else {}
    flagged = set(event_user_sources(cur))
    user_ids = [
        uid.split("/", 1)[1] for uid in ids.get("records", []) if uid.split("/", 1)[0] in flagged
    ]
    values = [*user_ids, *ids.get("emails", []), *ids.get("phones", [])]
    profiles: set[int] = set()
    for value in dict.fromkeys(values):
        profiles.update(
            int(p[0])
            for p in cur.execute(
                "SELECT DISTINCT profile_id FROM identity_nodes WHERE value = ?", [value]
            ).fetchall()
        )
    nodes: list[Node] = []
    keys: list[str] = list(user_ids)
    kept: list[int] = []
    for profile in sorted(profiles):
        mine = graph.profile_nodes(cur, profile)
        if golden_of_nodes(cur, mine) == golden_id:
            kept.append(profile)
            nodes += mine
            keys += [v for k, v in mine if k in EVENT_KEY_KINDS]
    return kept, nodes, list(dict.fromkeys(keys))
