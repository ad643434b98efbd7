"""The identity graph: identifiers joined into profiles by the evidence that links them.

Nodes are ``(kind, value)`` pairs — ``user``, ``anonymous``, ``alias``, ``email``, ``phone`` —
each with a ``profile_id``. New edges are folded in with a union-find over the edges of one
batch plus the profiles the touched nodes already belong to. When two profiles meet, the older
(smaller) id survives, every node of the other moves to it, and ``profile_merges`` records the
redirect, so an id once handed out always leads somewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb
import pyarrow as pa

from journeyhub.identity.normalize import normalize_email, normalize_phone
from journeyhub.store.sql import first_row

Node = tuple[str, str]
Edge = tuple[str, str, str, str, str]  # a_kind, a_value, b_kind, b_value, evidence

EVENT_KEY_KINDS = ("user", "anonymous", "alias")


def normalize_node(kind: str, value: str) -> str | None:
    """The canonical value of an identifier of the given kind, or ``None`` if unusable."""
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value)
    return value or None


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, x: object) -> object:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def link(cur: duckdb.DuckDBPyConnection, edges: Iterable[Edge], now: datetime) -> int:
    """Fold edges into the graph inside the caller's transaction; returns profiles merged."""
    clean: set[Edge] = set()
    for a_kind, a_value, b_kind, b_value, evidence in edges:
        a = normalize_node(a_kind, a_value)
        b = normalize_node(b_kind, b_value)
        if a and b and (a_kind, a) != (b_kind, b):
            clean.add((a_kind, a, b_kind, b, evidence))
    if not clean:
        return 0
    nodes = {(e[0], e[1]) for e in clean} | {(e[2], e[3]) for e in clean}
    node_table = pa.table(
        {"kind": [n[0] for n in nodes], "value": [n[1] for n in nodes]}
    )
    cur.register("_link_nodes", node_table)
    existing: dict[Node, int] = {
        (k, v): p
        for k, v, p in cur.execute(
            "SELECT n.kind, n.value, n.profile_id FROM identity_nodes n "
            "JOIN _link_nodes t ON n.kind = t.kind AND n.value = t.value"
        ).fetchall()
    }
    uf = _UnionFind()
    for a_kind, a, b_kind, b, _ in clean:
        uf.union((a_kind, a), (b_kind, b))
    for node, profile in existing.items():
        uf.union(node, ("profile", profile))

    components: dict[object, list[Node]] = {}
    for node in nodes:
        components.setdefault(uf.find(node), []).append(node)

    new_nodes: list[tuple[str, str, int]] = []
    merges: list[tuple[int, int]] = []
    for members in components.values():
        profiles = sorted({existing[n] for n in members if n in existing})
        if profiles:
            survivor = profiles[0]
            merges.extend((p, survivor) for p in profiles[1:])
        else:
            survivor = int(cur.execute("SELECT nextval('profile_ids')").fetchall()[0][0])
        new_nodes.extend((k, v, survivor) for k, v in members if (k, v) not in existing)

    for merged, survivor in merges:
        cur.execute(
            "UPDATE identity_nodes SET profile_id = ? WHERE profile_id = ?", [survivor, merged]
        )
        cur.execute(
            "INSERT INTO profile_merges VALUES (?, ?, ?, 'identity link')",
            [merged, survivor, now],
        )
    if new_nodes:
        cur.register(
            "_new_nodes",
            pa.table(
                {
                    "kind": [n[0] for n in new_nodes],
                    "value": [n[1] for n in new_nodes],
                    "profile_id": pa.array([n[2] for n in new_nodes], pa.int64()),
                }
            ),
        )
        cur.execute(
            "INSERT INTO identity_nodes SELECT kind, value, profile_id, ? FROM _new_nodes", [now]
        )
        cur.unregister("_new_nodes")
    cur.register(
        "_new_edges",
        pa.table({name: [e[i] for e in clean] for i, name in enumerate(
            ("a_kind", "a_value", "b_kind", "b_value", "evidence"))}),
    )
    cur.execute(
        """INSERT INTO identity_edges
           SELECT n.*, ? FROM _new_edges n WHERE NOT EXISTS (
             SELECT 1 FROM identity_edges e WHERE e.a_kind = n.a_kind AND e.a_value = n.a_value
               AND e.b_kind = n.b_kind AND e.b_value = n.b_value)""",
        [now],
    )
    cur.unregister("_new_edges")
    cur.unregister("_link_nodes")
    return len(merges)


def resolve_profile(cur: duckdb.DuckDBPyConnection, identifier: str) -> int | None:
    """The profile an identifier (userId, anonymousId, email, phone, ``profile:N``) belongs to."""
    if identifier.startswith("profile:") and identifier[8:].isdigit():
        profile = int(identifier[8:])
        while True:  # follow redirects left by merges
            row = first_row(cur.execute(
                "SELECT into_profile FROM profile_merges WHERE from_profile = ?", [profile]
            ))
            if row is None:
                return profile
            profile = int(row[0])
    candidates: list[Node] = [(k, identifier) for k in EVENT_KEY_KINDS]
    if (email := normalize_email(identifier)) is not None:
        candidates.append(("email", email))
    elif (phone := normalize_phone(identifier)) is not None:
        candidates.append(("phone", phone))
    for kind, value in candidates:
        row = first_row(cur.execute(
            "SELECT profile_id FROM identity_nodes WHERE value = ? AND kind = ?", [value, kind]
        ))
        if row is not None:
            return int(row[0])
    return None


def profile_nodes(cur: duckdb.DuckDBPyConnection, profile: int) -> list[Node]:
    """Every identifier of a profile."""
    return [
        (k, v)
        for k, v in cur.execute(
            "SELECT kind, value FROM identity_nodes WHERE profile_id = ? ORDER BY kind, value",
            [profile],
        ).fetchall()
    ]


def event_keys(cur: duckdb.DuckDBPyConnection, identifier: str) -> tuple[int | None, list[str]]:
    """The profile of an identifier and the ``person_key`` values its events are stored under."""
    profile = resolve_profile(cur, identifier)
    if profile is None:
        return None, [identifier]
    keys = [v for k, v in profile_nodes(cur, profile) if k in EVENT_KEY_KINDS]
    return profile, keys or [identifier]
