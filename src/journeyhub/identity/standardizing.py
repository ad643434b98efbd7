"""Keep ``std_records`` in step with ``source_records``: standardise what is new or changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
import pyarrow as pa

from journeyhub.identity.canonical import STANDARDIZER_VERSION, STD_COLUMNS, standardize_record
from journeyhub.identity.matching import blocking_index
from journeyhub.identity.sources import SourceMapping, get_source
from journeyhub.store import Database
from journeyhub.store.sql import dict_rows

CHUNK = 50_000
FEW = 100  # up to this many rows are written by point lookups
Progress = Callable[[int, int], None]

STD_SCHEMA = pa.schema(
    [
        (c, pa.list_(pa.string()) if c in ("emails", "phones") else
         pa.int32() if c in ("trust", "birth_year", "changes") else
         pa.bool_() if c == "email_opt_in" else
         pa.date32() if c == "record_updated_at" else pa.string())
        for c in STD_COLUMNS
    ]
)  # fmt: skip


def std_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Canonical rows as an Arrow table in the column order of ``std_records``."""
    return pa.Table.from_pylist(list(rows), schema=STD_SCHEMA)


def write_std_rows(
    cur: Any, rows: list[dict[str, Any]], old: list[dict[str, Any]] | None = None
) -> None:
    """Replace the standardised rows of these records (inside the caller's transaction);
    ``old``: their rows as stored, when the caller has read them already."""
    if not rows:
        return
    if len(rows) <= FEW:  # real time: every step an index lookup
        uids = [row["uid"] for row in rows]
        marks = ", ".join("?" * len(uids))
        if old is None:
            old = dict_rows(cur, f"SELECT * FROM std_records WHERE uid IN ({marks})", uids)
        if old:
            cur.execute(f"DELETE FROM std_records WHERE uid IN ({marks})", uids)
        one_row = f"({', '.join('?' * len(STD_COLUMNS))})"
        cur.execute(
            f"INSERT INTO std_records ({', '.join(STD_COLUMNS)}) "
            f"VALUES {', '.join([one_row] * len(rows))}",
            [row.get(c) for row in rows for c in STD_COLUMNS],
        )
        blocking_index.replace_few(cur, old, rows)
        return
    table = std_table(rows)
    cur.register("_std_rows", table)
    cur.execute("DELETE FROM std_records WHERE uid IN (SELECT uid FROM _std_rows)")
    cur.execute(f"INSERT INTO std_records ({', '.join(STD_COLUMNS)}) SELECT * FROM _std_rows")
    blocking_index.refresh(cur, "_std_rows")
    cur.unregister("_std_rows")


def delete_std_rows(cur: Any, where: str, params: list[Any]) -> None:
    """Delete the standardised rows matching ``where`` (over ``std_records s``) and their
    blocking keys (inside the caller's transaction)."""
    cur.execute(
        f"DELETE FROM blocking_keys WHERE uid IN (SELECT s.uid FROM std_records s WHERE {where})",
        params,
    )
    cur.execute(f"DELETE FROM std_records s WHERE {where}", params)


def standardize_source(
    db: Database, source: str, mapping: SourceMapping, progress: Progress | None = None
) -> int:
    """Standardise the new and changed records of one source; returns how many."""
    with db.transaction() as cur:
        delete_std_rows(
            cur,
            "s.source = ? AND NOT EXISTS (SELECT 1 FROM source_records r "
            "WHERE r.source = s.source AND r.record_id = s.record_id)",
            [source],
        )
    todo = (
        db.cursor()
        .execute(
            """SELECT r.record_id, r.record, r.content_hash FROM source_records r
           LEFT JOIN std_records s ON s.uid = r.source || '/' || r.record_id
           WHERE r.source = ? AND s.content_hash IS DISTINCT FROM r.content_hash""",
            [source],
        )
        .fetchall()
    )
    done = 0
    for start in range(0, len(todo), CHUNK):
        rows = [
            standardize_record(source, rid, orjson.loads(raw), mapping, digest)
            for rid, raw, digest in todo[start : start + CHUNK]
        ]
        with db.transaction() as cur:
            write_std_rows(cur, rows)
        done += len(rows)
        if progress:
            progress(done, len(todo))
    return done


def _forget_outdated(db: Database) -> None:
    """Mark every standardised row stale when they were made by an older standardiser, so
    the next pass redoes them all (a better parser, a new key column)."""
    found = db.query("SELECT value FROM meta WHERE key = 'standardizer_version'")
    if found and found[0]["value"] == STANDARDIZER_VERSION:
        return
    with db.transaction() as cur:
        cur.execute("UPDATE std_records SET content_hash = ''")
        cur.execute(
            "INSERT OR REPLACE INTO meta VALUES ('standardizer_version', ?)",
            [STANDARDIZER_VERSION],
        )


def standardize_all(db: Database, progress: Progress | None = None) -> dict[str, int]:
    """Standardise every registered source; returns records done per source."""
    _forget_outdated(db)
    with db.transaction() as cur:
        blocking_index.ensure_current(cur)  # rows standardised below then refresh their keys
    names = [r["name"] for r in db.query("SELECT name FROM sources ORDER BY name")]
    return {name: standardize_source(db, name, get_source(db, name), progress) for name in names}
