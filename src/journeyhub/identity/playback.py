"""Play golden records back: read one, look one up by any identifier, export, change feed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from journeyhub.identity import attribution
from journeyhub.identity import standardize as std
from journeyhub.identity.canonical import GOLDEN_ATTRIBUTES
from journeyhub.identity.sources import get_source
from journeyhub.store import Database

EXPORT_FORMATS = ("csv", "parquet")
LOOKUP_KEYS = ("email", "phone", "customer_number", "record", "user_id", "anonymous_id")


class GoldenNotFound(LookupError):
    """No golden record has this id or identifier."""


def current_id(db: Database, golden_id: str) -> str:
    """Follow redirects left by merges: the id a golden record is known by today."""
    row = db.query("SELECT into_id FROM golden_redirects WHERE from_id = ?", [golden_id])
    return row[0]["into_id"] if row else golden_id


def get_golden(db: Database, golden_id: str) -> dict[str, Any]:
    """One golden record with lineage, identifiers, member records and recent history."""
    gid = current_id(db, golden_id)
    rows = db.query("SELECT * FROM golden_records WHERE golden_id = ?", [gid])
    if not rows:
        raise GoldenNotFound(f"no golden record {golden_id!r}")
    row = rows[0]
    history = db.query(
        'SELECT seq, change, changed_at AS "at", actor, reason, details FROM golden_changes '
        "WHERE golden_id = ? ORDER BY seq DESC LIMIT 50",
        [gid],
    )
    return {
        "golden_id": gid,
        "requested_id": golden_id if golden_id != gid else None,
        "kind": row["kind"],
        "attributes": orjson.loads(row["attributes"]),
        "lineage": orjson.loads(row["lineage"]),
        "identifiers": orjson.loads(row["identifiers"]),
        "members": row["members"],
        "organisation_id": row["organisation_id"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
        "history": [
            {**h, "at": h["at"].isoformat(), "details": orjson.loads(h["details"] or "{}")}
            for h in history
        ],
    }


def lookup(db: Database, **identifier: str | None) -> dict[str, Any]:
    """The golden record known by an email, phone, customer number, source record, or an
    event identity (userId, anonymousId) attributed to it."""
    given = {k: v for k, v in identifier.items() if v}
    if len(given) != 1 or next(iter(given)) not in LOOKUP_KEYS:
        raise ValueError(f"look up by exactly one of: {', '.join(LOOKUP_KEYS)}")
    key, raw = next(iter(given.items()))
    value: str | None = raw
    if key in ("user_id", "anonymous_id"):  # an event identity: through the identity graph
        gid = attribution.golden_of(db.cursor(), str(raw))
        if gid is None:
            raise GoldenNotFound(f"no golden record is known by {key} {raw!r}")
        return get_golden(db, gid)
    if key == "email":
        column, value = "email_key", std.email_key(std.standardize_email(value))
    elif key == "phone":
        column, value = "phone", std.standardize_phone(value)
    elif key == "record":
        column = "uid"
    else:
        column = "customer_number"
    if not value:
        raise GoldenNotFound(f"{key} {identifier[key]!r} is not a valid {key}")
    rows = db.query(
        f"""SELECT m.golden_id, count(*) AS n FROM std_records s
            JOIN golden_members m USING (uid) WHERE s.{column} = ?
            GROUP BY m.golden_id ORDER BY n DESC, m.golden_id LIMIT 1""",
        [value],
    )
    if not rows:
        raise GoldenNotFound(f"no golden record with {key} {identifier[key]!r}")
    return get_golden(db, rows[0]["golden_id"])


def export_golden(
    db: Database, out: str | Path, *, fmt: str = "csv", source: str | None = None
) -> int:
    """One row per source record: ``source, source_record_id, golden_id`` + golden attributes.

    With ``source``, only that system's records, and the golden attributes under the
    system's own column names (from its mapping), ready to load back.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}")
    where, params = ("WHERE s.source = ?", [source]) if source else ("", [])
    rows = (
        db.cursor()
        .execute(
            f"""SELECT s.source, s.record_id, m.golden_id, g.attributes FROM std_records s
            JOIN golden_members m USING (uid) JOIN golden_records g USING (golden_id)
            {where} ORDER BY s.source, s.record_id""",
            params,
        )
        .fetchall()
    )
    names = {a: a for a in GOLDEN_ATTRIBUTES}
    own_format: dict[str, Any] = {}
    if source:
        mapping = get_source(db, source)
        names = {f: spec.columns[0] for f, spec in mapping.fields.items() if f in names}
        own_format = _source_formatters(mapping)
    columns: dict[str, list[Any]] = {"source": [], "source_record_id": [], "golden_id": []}
    columns.update({column: [] for column in names.values()})
    for src, rid, gid, attrs in rows:
        values = orjson.loads(attrs)
        columns["source"].append(src)
        columns["source_record_id"].append(rid)
        columns["golden_id"].append(gid)
        for attr, column in names.items():
            value = own_format[attr](values) if attr in own_format else values.get(attr)
            columns[column].append(None if value is None else str(value))
    table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return table.num_rows


def _source_formatters(mapping: Any) -> dict[str, Any]:
    """Write values back the way the source holds them (street with number, its date format)."""
    formatters: dict[str, Any] = {}
    if "street" in mapping.fields and "house_number" not in mapping.fields:
        formatters["street"] = lambda v: (
            " ".join(p for p in (v.get("street"), v.get("house_number")) if p) or None
        )
    birth = mapping.fields.get("birth_date")
    if birth is not None and birth.format:
        pattern = birth.format
        formatters["birth_date"] = lambda v: (
            date.fromisoformat(v["birth_date"]).strftime(pattern) if v.get("birth_date") else None
        )
    return formatters


def changes_since(db: Database, since: int = 0, limit: int = 1000) -> dict[str, Any]:
    """Change-feed entries after cursor ``since``, oldest first, and the next cursor."""
    rows = db.query(
        'SELECT seq, golden_id, change, changed_at AS "at", actor, reason, details '
        "FROM golden_changes WHERE seq > ? ORDER BY seq LIMIT ?",
        [since, limit],
    )
    items = [
        {**r, "at": r["at"].isoformat(), "details": orjson.loads(r["details"] or "{}")}
        for r in rows
    ]
    return {"changes": items, "next": items[-1]["seq"] if items else since}
