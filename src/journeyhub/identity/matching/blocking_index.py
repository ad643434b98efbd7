"""The blocking keys of every stored person record, indexed, for real-time candidate lookup.

Batch resolution pairs records with Splink's blocking rules (:data:`BLOCKING_KEYS`). One new
record must find the same candidates in milliseconds, which a scan of ``std_records`` with an
``OR`` of a dozen conditions cannot do at a million records. So each person record's value for
each key is kept as one string in ``blocking_keys`` (``"<key number>:<value>|<value>..."``),
with an ART index on it: a lookup is one indexed ``IN`` over one string per key.

The stored string and the looked-up string are built here only, in SQL and in Python, from
the same declarations; a swapped key (given and family name crossed) stores the record's own
order and looks up the crossed one.
"""

from __future__ import annotations

import hashlib
from typing import Any

from journeyhub.identity.matching.model import BLOCKING_KEYS, BlockingKey

SEP = "|"
# which key declarations the stored strings were made from (the number in a key string is
# the position in BLOCKING_KEYS): an index made for other keys is rebuilt, not trusted
VERSION = hashlib.sha1(repr(BLOCKING_KEYS).encode()).hexdigest()[:12]
VERSION_KEY = "blocking_keys_version"


def _stored_columns(key: BlockingKey) -> tuple[str, ...]:
    return (*key.columns, "given_key", "family_key") if key.swapped else key.columns


def _lookup_columns(key: BlockingKey) -> tuple[str, ...]:
    return (*key.columns, "family_key", "given_key") if key.swapped else key.columns


def keys_sql(where: str) -> str:
    """``(key, uid)`` of every person record in ``std_records`` that satisfies ``where``."""
    parts = []
    for number, key in enumerate(BLOCKING_KEYS):
        columns = _stored_columns(key)
        filled = " AND ".join(f"{c} IS NOT NULL" for c in columns)
        value = " || '|' || ".join(f"CAST({c} AS VARCHAR)" for c in columns)
        parts.append(
            f"SELECT '{number}:' || {value} AS key, uid FROM std_records "
            f"WHERE kind = 'person' AND {filled} AND ({where})"
        )
    return " UNION ALL ".join(parts)


def _keys(row: dict[str, Any], columns_of: Any) -> list[str]:
    keys = []
    for number, key in enumerate(BLOCKING_KEYS):
        values = [row.get(c) for c in columns_of(key)]
        if all(v is not None for v in values):
            keys.append(f"{number}:" + SEP.join(str(v) for v in values))
    return keys


def lookup_keys(row: dict[str, Any]) -> list[str]:
    """The keys under which the candidates of ``row`` (a standardised record) are stored."""
    return _keys(row, _lookup_columns)


def stored_keys(row: dict[str, Any]) -> list[str]:
    """The keys ``row`` itself is stored under (what :func:`keys_sql` gives for it)."""
    return _keys(row, _stored_columns) if row.get("kind") == "person" else []


def refresh(cur: Any, uids_relation: str) -> None:
    """Replace the keys of the records listed in ``uids_relation`` (a relation with ``uid``)
    by what ``std_records`` now holds for them (inside the caller's transaction)."""
    cur.execute(f"DELETE FROM blocking_keys WHERE uid IN (SELECT uid FROM {uids_relation})")
    cur.execute(
        f"INSERT INTO blocking_keys {keys_sql(f'uid IN (SELECT uid FROM {uids_relation})')}"
    )


def replace_few(cur: Any, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    """Replace the keys of a few records by index lookups (real time): ``old`` are their
    rows as stored until now, ``new`` the rows that replace them."""
    gone = sorted({k for row in old for k in stored_keys(row)})
    uids = {row["uid"] for row in new} | {row["uid"] for row in old}
    if gone:
        found = cur.execute(_each_key("SELECT rowid, uid", len(gone)), gone).fetchall()
        rowids = [rowid for rowid, uid in found if uid in uids]
        if rowids:
            marks = ", ".join("?" * len(rowids))
            cur.execute(f"DELETE FROM blocking_keys WHERE rowid IN ({marks})", rowids)
    added = [(key, row["uid"]) for row in new for key in stored_keys(row)]
    if added:
        cur.execute(
            f"INSERT INTO blocking_keys VALUES {', '.join(['(?, ?)'] * len(added))}",
            [value for pair in added for value in pair],
        )


def rebuild(cur: Any) -> int:
    """Rebuild the whole index from ``std_records`` (a store from before it existed, or one
    indexed under other blocking keys)."""
    cur.execute("DELETE FROM blocking_keys")
    cur.execute(f"INSERT INTO blocking_keys {keys_sql('true')}")
    cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [VERSION_KEY, VERSION])
    return int(cur.execute("SELECT count(*) FROM blocking_keys").fetchone()[0])


def ensure_current(cur: Any) -> None:
    """Rebuild the index unless it was made from today's :data:`BLOCKING_KEYS` (on a store
    with no person records yet that only marks it current)."""
    found = cur.execute("SELECT value FROM meta WHERE key = ?", [VERSION_KEY]).fetchall()
    if not (found and found[0][0] == VERSION):
        rebuild(cur)


def candidates(cur: Any, row: dict[str, Any]) -> list[str]:
    """Uids of the stored records that share a blocking key with ``row`` (itself excluded)."""
    keys = lookup_keys(row)
    if not keys:
        return []
    found = cur.execute(_each_key("SELECT uid", len(keys)), keys).fetchall()
    return sorted({uid for (uid,) in found if uid != row["uid"]})


def _each_key(select: str, keys: int) -> str:
    """``select`` from the rows of ``keys`` key parameters, one index lookup per key (an
    ``IN`` list of more than a few keys makes DuckDB fetch far more than it needs)."""
    return " UNION ALL ".join([f"{select} FROM blocking_keys WHERE key = ?"] * keys)
