"""Load customer records as a source system holds them (CRM, shop, support, POS, newsletter).

Records are kept as they came (JSON of the row) under ``(source, record_id)``; cleansing and
matching read them from there. Re-importing a file updates changed records and leaves the rest;
rows without an id, or repeating an id already seen in the same file, are quarantined whole.
"""

from __future__ import annotations

import codecs
import hashlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from journeyhub.ingest.files import FileImportError, detect_format, jsonl_chunks, read_csv_text
from journeyhub.store import Database

ID_COLUMN_NAMES = (
    "record_id", "id", "customer_id", "customer_no", "kundennr", "kunden_nr", "contact_id",
    "subscriber_id", "loyalty_card", "account_id",
)  # fmt: skip


@dataclass
class RecordsReport:
    """Counts of one records import."""

    source: str
    path: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def encode_record(record: dict[str, Any]) -> tuple[bytes, str]:
    """A record as stored (JSON bytes) and its content hash, the same on every path in."""
    payload = orjson.dumps(record, default=str)
    return payload, hashlib.sha256(payload).hexdigest()


def _read_rows(db: Database, path: Path, fmt: str) -> tuple[list[dict[str, Any]], list[tuple]]:
    """Rows as dicts (with their 1-based row number) and unreadable lines as bytes."""
    bad: list[tuple[int, str, str, bytes]] = []
    if fmt == "parquet":
        rows = pq.read_table(path).to_pylist()
    elif fmt == "jsonl":
        rows = []
        for positions, lines, broken in jsonl_chunks(path, 100_000):
            bad.extend(broken)
            for number, line in zip(positions, lines, strict=True):
                try:
                    value = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    bad.append((number, "malformed_json", f"line {number}: {exc}", line.encode()))
                    continue
                if not isinstance(value, dict):
                    bad.append(
                        (
                            number,
                            "not_an_object",
                            f"line {number}: not a JSON object",
                            line.encode(),
                        )
                    )
                    continue
                value["__row__"] = number
                rows.append(value)
        return rows, bad
    else:
        table, broken_lines = read_csv_text(db.cursor(), path)
        bad.extend(broken_lines)
        rows = table.to_pylist()
    for number, row in enumerate(rows, start=1):
        row.setdefault("__row__", number)
    return rows, bad


UTF8 = {"utf-8", "utf8", "utf_8"}


@contextmanager
def _as_utf8(path: Path, encoding: str | None) -> Iterator[Path]:
    """The file itself when it is UTF-8, else a UTF-8 copy of it (removed afterwards)."""
    if not encoding or encoding.lower() in UTF8:
        yield path
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise FileImportError(
            f"{path}: unknown encoding {encoding!r} (try cp1252 or latin-1)"
        ) from None
    with tempfile.TemporaryDirectory(prefix="journeyhub-") as work:
        copy = Path(work) / path.name
        try:
            with (
                path.open(encoding=encoding, newline="") as src,
                copy.open("w", encoding="utf-8", newline="") as dst,
            ):
                shutil.copyfileobj(src, dst)
        except UnicodeDecodeError as exc:
            raise FileImportError(
                f"{path}: byte {exc.start} ({exc.object[exc.start : exc.start + 1]!r}) is not "
                f"valid {encoding}; nothing was imported"
            ) from exc
        yield copy


def _refuse_wrong_encoding(path: Path, rows: int, bad: list[tuple[int, str, str, bytes]]) -> None:
    """A file that is mostly not UTF-8 was saved in another encoding: say so, write nothing."""
    broken = [b for b in bad if b[1] == "invalid_encoding"]
    if broken and len(broken) * 2 >= rows + len(bad):
        raise FileImportError(
            f"{path}: {len(broken)} of {rows + len(bad)} rows are not UTF-8 (first: line "
            f"{broken[0][0]}); the file was probably saved as Windows-1252 or Latin-1: "
            "import it with --encoding cp1252 (or set `encoding:` in the source's mapping). "
            "Nothing was imported."
        )


def _pick_id_column(columns: list[str], explicit: str | None, path: Path) -> str:
    if explicit:
        if explicit not in columns:
            raise FileImportError(
                f"{path}: --id-column {explicit!r} is not a column (columns: {', '.join(columns)})"
            )
        return explicit
    lowered = {c.lower(): c for c in columns}
    for name in ID_COLUMN_NAMES:
        if name in lowered:
            return lowered[name]
    raise FileImportError(
        f"{path}: cannot tell which column is the record id (columns: {', '.join(columns)}); "
        "name it with --id-column"
    )


def import_records(
    db: Database,
    source: str,
    path: str | Path,
    *,
    id_column: str | None = None,
    fmt: str | None = None,
    required_columns: set[str] | None = None,
    encoding: str | None = None,
) -> RecordsReport:
    """Import one source system's records file; one transaction for the whole file.

    ``required_columns`` (from the source's mapping) must all be in the file, else nothing
    is written and the error lists what is missing. ``encoding`` names the file's text
    encoding when it is not UTF-8 (e.g. ``cp1252`` for many Windows exports).
    """
    path = Path(path)
    if not path.exists():
        raise FileImportError(f"{path}: no such file")
    if not source or not source.replace("_", "").replace("-", "").isalnum():
        raise FileImportError(f"source name {source!r} must be letters, digits, '-' or '_'")
    fmt = detect_format(path, fmt)
    with _as_utf8(path, encoding if fmt != "parquet" else None) as readable:
        rows, bad = _read_rows(db, readable, fmt)
    _refuse_wrong_encoding(path, len(rows), bad)
    report = RecordsReport(source, str(path), rows_read=len(rows) + len(bad))
    columns = [c for c in (rows[0].keys() if rows else []) if c != "__row__"]
    if required_columns:
        missing = sorted(required_columns - set(columns)) if rows else []
        if missing:
            raise FileImportError(
                f"{path}: mapped column(s) {', '.join(missing)} not in the file "
                f"(columns: {', '.join(columns)}); fix the file or the mapping of source {source!r}"
            )
    id_col = _pick_id_column(columns, id_column, path) if rows else (id_column or "")
    now = datetime.now(UTC)
    seen: dict[str, int] = {}
    good_ids, good_records, good_hashes = [], [], []
    for row in rows:
        number = row.pop("__row__")
        value = row.get(id_col)
        record_id = str(value).strip() if value is not None else ""
        payload, digest = encode_record(row)
        if not record_id:
            bad.append(
                (number, "missing_id", f"row {number}: the id column {id_col!r} is empty", payload)
            )
        elif record_id in seen:
            bad.append(
                (
                    number,
                    "duplicate_id",
                    f"row {number}: id {record_id!r} already appeared in row {seen[record_id]}",
                    payload,
                )
            )
        else:
            seen[record_id] = number
            good_ids.append(record_id)
            good_records.append(payload.decode())
            good_hashes.append(digest)
    with db.transaction() as cur:
        cur.register(
            "_records",
            pa.table({"record_id": good_ids, "record": good_records, "content_hash": good_hashes}),
        )
        counts = cur.execute(
            """SELECT count(*) FILTER (WHERE s.record_id IS NULL),
                      count(*) FILTER (WHERE s.record_id IS NOT NULL
                                       AND s.content_hash <> r.content_hash),
                      count(*) FILTER (WHERE s.content_hash = r.content_hash)
               FROM _records r LEFT JOIN source_records s
                 ON s.source = ? AND s.record_id = r.record_id""",
            [source],
        ).fetchall()[0]
        report.inserted, report.updated, report.unchanged = (int(c) for c in counts)
        cur.execute(
            """INSERT OR REPLACE INTO source_records
               SELECT ?, r.record_id, r.record::JSON, r.content_hash, ? FROM _records r
               LEFT JOIN source_records s ON s.source = ? AND s.record_id = r.record_id
               WHERE s.record_id IS NULL OR s.content_hash <> r.content_hash""",
            [source, now, source],
        )
        cur.unregister("_records")
        for number, code, reason, raw in bad:
            cur.execute(
                "INSERT INTO quarantine (id, received_at, source, position, reason_code, reason, "
                "payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ["q_" + uuid.uuid4().hex, now, f"records:{source}", number, code, reason, raw],
            )
    report.rejected = len(bad)
    return report
