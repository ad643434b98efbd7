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


def event_user_sources(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Sources whose record ids are the userIds of events."""
    rows = cur.execute(
        "SELECT name FROM sources WHERE coalesce((mapping->>'event_user_ids')::BOOLEAN, false) "
        "ORDER BY name"
    ).fetchall()
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
