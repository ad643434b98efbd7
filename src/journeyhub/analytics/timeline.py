"""One customer's (or account's) events across every identity and channel, in time order.

Events are stored under ``person_key`` (userId, else anonymousId) and the table is clustered by
it, so the lookup is: resolve the identifier to its profile, collect the profile's ids, and read
those keys — DuckDB's zone maps skip every row group that cannot hold them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from journeyhub.identity import attribution, graph
from journeyhub.store import Database

COLUMNS = (
    "message_id, type, name, user_id, anonymous_id, group_id, channel, source, "
    "timestamp, properties, traits, context"
)


class CursorError(ValueError):
    """A pagination cursor that this server did not hand out."""


@dataclass
class TimelineQuery:
    """Filters for a timeline page; all optional."""

    limit: int = 50
    cursor: str | None = None
    channels: list[str] | None = None
    events: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    descending: bool = False


@dataclass
class TimelinePage:
    """One page of a timeline and the cursor for the next (``None`` at the end)."""

    subject: str
    profile_id: int | None
    identities: list[dict[str, str]]
    items: list[dict[str, Any]]
    next_cursor: str | None
    golden_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "golden_id": self.golden_id,
            "profile_id": self.profile_id,
            "identities": self.identities,
            "items": self.items,
            "next_cursor": self.next_cursor,
        }


def encode_cursor(timestamp: datetime, message_id: str) -> str:
    """Opaque cursor: the (timestamp, message_id) of the last item shown."""
    return base64.urlsafe_b64encode(orjson.dumps([timestamp.isoformat(), message_id])).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Inverse of :func:`encode_cursor`; raises :class:`CursorError` for anything else."""
    try:
        ts, mid = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(ts), str(mid)
    except (ValueError, TypeError) as exc:
        raise CursorError(f"cursor {cursor!r} is not one this API returned") from exc


def _item(row: tuple[Any, ...]) -> dict[str, Any]:
    mid, typ, name, uid, aid, gid, channel, source, ts, props, traits, ctx = row
    item: dict[str, Any] = {
        "id": mid,
        "messageId": mid,
        "type": typ,
        "timestamp": ts.isoformat().replace("+00:00", "Z"),
        "channel": channel,
        "userId": uid,
        "anonymousId": aid,
        "properties": orjson.loads(props) if props else {},
        "source": source,
    }
    if typ == "track":
        item["event"] = name
    elif typ in ("page", "screen"):
        item["name"] = name
    if gid:
        item["groupId"] = gid
    if traits:
        item["traits"] = orjson.loads(traits)
    if ctx:
        item["context"] = orjson.loads(ctx)
    return item


def _key_branches(keys: list[str], group_id: str | None) -> tuple[str, list[Any]]:
    """Rows of the given person keys (and of a group).

    ``person_key = ANY(?)`` is pruned by zone maps to the row groups holding each key, however
    far apart the keys sort (DuckDB 2.0; measured as fast as one ``UNION ALL`` branch per key).
    """
    branches = ["SELECT * FROM events WHERE person_key = ANY(?)"]
    params: list[Any] = [keys]
    if group_id is not None:
        branches.append("SELECT * FROM events WHERE group_id = ? AND NOT person_key = ANY(?)")
        params += [group_id, keys]
    return "(" + " UNION ALL ".join(branches) + ")", params


def _page(
    db: Database, keys: list[str], group_id: str | None, q: TimelineQuery
) -> tuple[list[dict[str, Any]], str | None]:
    if not 1 <= q.limit <= 1000:
        raise ValueError(f"limit must be between 1 and 1000, got {q.limit}")
    source, params = _key_branches(keys, group_id)
    clauses = ["true"]
    if q.channels:
        clauses.append("channel = ANY(?)")
        params.append(q.channels)
    if q.events:
        clauses.append("name = ANY(?)")
        params.append(q.events)
    if q.since:
        clauses.append("timestamp >= ?")
        params.append(q.since)
    if q.until:
        clauses.append("timestamp < ?")
        params.append(q.until)
    op = "<" if q.descending else ">"
    if q.cursor:
        ts, mid = decode_cursor(q.cursor)
        clauses.append(f"(timestamp {op} ? OR (timestamp = ? AND message_id {op} ?))")
        params.extend([ts, ts, mid])
    direction = "DESC" if q.descending else "ASC"
    sql = (
        f"SELECT {COLUMNS} FROM {source} WHERE {' AND '.join(clauses)} "
        f"ORDER BY timestamp {direction}, message_id {direction} LIMIT {q.limit + 1}"
    )
    rows = db.cursor().execute(sql, params).fetchall()
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    items = [_item(r) for r in rows]
    next_cursor = encode_cursor(rows[-1][8], rows[-1][0]) if more and rows else None
    return items, next_cursor


def customer_timeline(db: Database, identifier: str, q: TimelineQuery) -> TimelinePage:
    """Timeline of the person behind ``identifier`` (userId, anonymousId, email, phone, or a
    golden id: then every profile attributed to that golden record)."""
    cur = db.cursor()
    golden_id = attribution.current_golden(cur, identifier)
    if golden_id is not None:
        profiles, nodes, keys = attribution.golden_event_keys(cur, golden_id)
        items, next_cursor = _page(db, keys, None, q)
        identities = [{"kind": k, "value": v} for k, v in sorted(set(nodes))]
        first = profiles[0] if profiles else None
        return TimelinePage(identifier, first, identities, items, next_cursor, golden_id)
    profile, nodes, keys = graph.profile_event_keys(cur, identifier)
    identities = [{"kind": k, "value": v} for k, v in nodes]
    items, next_cursor = _page(db, keys, None, q)
    return TimelinePage(identifier, profile, identities, items, next_cursor)


def account_timeline(db: Database, group_id: str, q: TimelineQuery) -> TimelinePage:
    """Merged timeline of every contact of a B2B account, plus events sent for the account."""
    cur = db.cursor()
    members = cur.execute(
        "SELECT kind, value FROM account_members WHERE group_id = ? ORDER BY kind, value",
        [group_id],
    ).fetchall()
    keys: set[str] = set()
    for _kind, value in members:
        keys.update(graph.event_keys(cur, value)[1])
    items, next_cursor = _page(db, sorted(keys), group_id, q)
    identities = [{"kind": k, "value": v} for k, v in members]
    return TimelinePage(group_id, None, identities, items, next_cursor)
