"""Read event files (JSONL, CSV, Parquet) chunk by chunk into the commit pipeline.

Each chunk is its own transaction, recorded in ``imports``: a crash mid-import leaves whole
chunks and a consistent store, and running the same import again only adds what is missing
(events are idempotent on ``message_id``). Rows the parser itself cannot read (bytes that are
not UTF-8, broken CSV lines) are quarantined with their raw bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from journeyhub.ingest.json_events import json_event_table
from journeyhub.ingest.pipeline import ChunkResult, Rejection, commit_json_table, commit_staged
from journeyhub.ingest.staging import typed_stage_sql
from journeyhub.store import Database
from journeyhub.store.maintenance import cluster_events, should_cluster
from journeyhub.store.sql import quote_literal

FileFormat = Literal["jsonl", "csv", "parquet"]
Progress = Callable[[int, int], None]

EXTENSIONS: dict[str, FileFormat] = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".parquet": "parquet", ".pq": "parquet",
}  # fmt: skip


class FileImportError(ValueError):
    """A file cannot be imported at all (missing, unknown format, unreadable header)."""


@dataclass
class ImportReport:
    """What an import did, in totals."""

    import_id: str
    path: str
    format: str
    rows_read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    seconds: float = 0.0
    cluster_seconds: float | None = None
    rejections: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "import_id": self.import_id,
            "path": self.path,
            "format": self.format,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.rows_read / self.seconds) if self.seconds else None,
            "cluster_seconds": None
            if self.cluster_seconds is None
            else round(self.cluster_seconds, 3),
            "first_rejections": [r.as_dict() for r in self.rejections[:20]],
        }


def detect_format(path: Path, explicit: str | None = None) -> FileFormat:
    """The file format from ``explicit`` or the file extension."""
    if explicit:
        if explicit not in ("jsonl", "csv", "parquet"):
            raise FileImportError(f"unknown format {explicit!r}; expected jsonl, csv or parquet")
        return explicit  # type: ignore[return-value]
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise FileImportError(
            f"{path}: cannot tell the format from the extension {path.suffix!r}; "
            "use --format jsonl|csv|parquet"
        )
    return fmt


def _record_quarantine_bytes(
    cur: duckdb.DuckDBPyConnection,
    rows: list[tuple[int, str, str, bytes]],
    source: str,
) -> list[Rejection]:
    """Quarantine rows that never became text: (position, code, reason, raw bytes)."""
    out = []
    now = datetime.now(UTC)
    for position, code, reason, raw in rows:
        qid = "q_" + uuid.uuid4().hex
        cur.execute(
            "INSERT INTO quarantine (id, received_at, source, position, reason_code, reason, "
            "payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [qid, now, source, position, code, reason, raw],
        )
        out.append(Rejection(position, code, reason, qid, position))
    return out


def read_lines(path: Path, numbers: set[int]) -> dict[int, bytes]:
    """The raw bytes of the given 1-based line numbers (without the line break)."""
    wanted, out = set(numbers), dict[int, bytes]()
    if not wanted:
        return out
    last = max(wanted)
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number in wanted:
                out[number] = raw.rstrip(b"\r\n")
            if number >= last:
                break
    return out


def read_csv_text(
    cur: duckdb.DuckDBPyConnection, path: Path, options: str = ""
) -> tuple[pa.Table, list[tuple[int, str, str, bytes]]]:
    """Every readable CSV row as text columns, and the unreadable lines with their raw bytes.

    Rejects go to tables private to this call (DuckDB's default ``reject_errors`` outlives
    the read and would mix in the lines of earlier files).
    """
    tag = uuid.uuid4().hex[:12]
    errors, scans = f"_rejects_{tag}", f"_reject_scans_{tag}"
    extra = f", {options}" if options else ""
    try:
        table = cur.sql(
            f"SELECT * FROM read_csv({quote_literal(str(path))}, all_varchar = true, "
            f"header = true, ignore_errors = true, store_rejects = true, "
            f"rejects_table = '{errors}', rejects_scan = '{scans}'{extra})"
        ).to_arrow_table()
        broken = cur.execute(
            f"SELECT DISTINCT line, error_message FROM {errors} ORDER BY line"
        ).fetchall()
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {errors}")
        cur.execute(f"DROP TABLE IF EXISTS {scans}")
    raw = read_lines(path, {int(line) for line, _ in broken})
    rejects = [
        (
            int(line),
            "invalid_encoding" if "unicode" in message.lower() else "malformed_csv",
            f"line {line}: {message.splitlines()[0]}",
            raw.get(int(line), b""),
        )
        for line, message in broken
    ]
    return table, rejects


def jsonl_chunks(path: Path, chunk_rows: int) -> Iterator[tuple[list[int], list[str], list]]:
    """Yield (line numbers, decoded lines, undecodable lines) per chunk."""
    positions: list[int] = []
    lines: list[str] = []
    bad: list[tuple[int, str, str, bytes]] = []
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            stripped = raw.strip()
            if not stripped:
                continue
            try:
                lines.append(stripped.decode("utf-8"))
                positions.append(number)
            except UnicodeDecodeError as exc:
                bad.append(
                    (
                        number,
                        "invalid_encoding",
                        f"line {number} is not valid UTF-8 (byte {exc.start}: "
                        f"{stripped[exc.start : exc.start + 1]!r})",
                        raw.rstrip(b"\r\n"),
                    )
                )
            if len(lines) + len(bad) >= chunk_rows:
                yield positions, lines, bad
                positions, lines, bad = [], [], []
    if lines or bad:
        yield positions, lines, bad


class EventImporter:
    """Import one events file into a database (see :meth:`run`)."""

    def __init__(
        self,
        db: Database,
        path: str | Path,
        *,
        fmt: str | None = None,
        mapping: Mapping[str, str] | None = None,
        chunk_rows: int = 1_000_000,
        delimiter: str | None = None,
        cluster: bool = True,
    ) -> None:
        self.db = db
        self.path = Path(path)
        if not self.path.exists():
            raise FileImportError(f"{self.path}: no such file")
        self.format = detect_format(self.path, fmt)
        self.mapping = dict(mapping or {})
        self.chunk_rows = chunk_rows
        self.delimiter = delimiter
        self.cluster = cluster
        self.source = f"file:{self.path.name}"

    def run(self, progress: Progress | None = None) -> ImportReport:
        """Import the file; ``progress(done, total)`` is called after each committed chunk."""
        started = datetime.now(UTC)
        report = ImportReport("imp_" + uuid.uuid4().hex[:16], str(self.path), self.format)
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO imports (id, path, format, started_at, status) "
                "VALUES (?, ?, ?, ?, 'running')",
                [report.import_id, str(self.path), self.format, started],
            )
        chunks = {
            "jsonl": self._jsonl,
            "csv": self._csv,
            "parquet": self._parquet,
        }[self.format]
        try:
            for done, total, commit in chunks():
                with self.db.transaction() as cur:
                    result = commit(cur)
                    cur.execute(
                        "UPDATE imports SET rows_read = rows_read + ?, accepted = accepted + ?, "
                        "duplicates = duplicates + ?, rejected = rejected + ? WHERE id = ?",
                        [
                            result.received,
                            result.accepted,
                            result.duplicates,
                            result.rejected,
                            report.import_id,
                        ],
                    )
                report.rows_read += result.received
                report.accepted += result.accepted
                report.duplicates += result.duplicates
                report.rejected += result.rejected
                report.rejections.extend(result.rejections[: max(0, 100 - len(report.rejections))])
                if progress:
                    progress(done, total)
        except BaseException:
            self._finish(report.import_id, "failed")
            raise
        self._finish(report.import_id, "done")
        report.seconds = (datetime.now(UTC) - started).total_seconds()
        if self.cluster and should_cluster(self.db):
            clustering = datetime.now(UTC)
            cluster_events(self.db)
            report.cluster_seconds = (datetime.now(UTC) - clustering).total_seconds()
        return report

    def _finish(self, import_id: str, status: str) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "UPDATE imports SET status = ?, finished_at = ? WHERE id = ?",
                [status, datetime.now(UTC), import_id],
            )

    # -- formats: each yields (rows done, rows total, commit function) ------------------------

    def _jsonl(
        self,
    ) -> Iterator[tuple[int, int, Callable[[duckdb.DuckDBPyConnection], ChunkResult]]]:
        total = max(1, self.path.stat().st_size)
        done_bytes = 0
        for positions, lines, bad in jsonl_chunks(self.path, self.chunk_rows):
            if self.mapping:
                raise FileImportError("column mapping applies to CSV and Parquet, not JSONL")
            table = json_event_table(
                zip(positions, positions, lines, strict=True),
                source=self.source,
                received_at=datetime.now(UTC),
            )
            done_bytes += sum(len(x) + 1 for x in lines) + sum(len(b[3]) for b in bad)

            def commit(cur: duckdb.DuckDBPyConnection, table=table, bad=bad) -> ChunkResult:
                result = ChunkResult()
                if table.num_rows:
                    result = commit_json_table(cur, table)
                if bad:
                    result.rejections.extend(_record_quarantine_bytes(cur, bad, self.source))
                    result.received += len(bad)
                    result.rejected += len(bad)
                return result

            yield min(done_bytes, total), total, commit

    def _parquet(
        self,
    ) -> Iterator[tuple[int, int, Callable[[duckdb.DuckDBPyConnection], ChunkResult]]]:
        try:
            total = pq.ParquetFile(self.path).metadata.num_rows
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise FileImportError(f"{self.path}: not a readable Parquet file ({exc})") from exc
        # DuckDB reads Parquet in parallel and skips row groups outside the row-number range
        source = f"read_parquet({quote_literal(str(self.path))}, file_row_number = true)"
        for start in range(0, total, self.chunk_rows):
            end = min(total, start + self.chunk_rows)
            relation = (
                f"(SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS pos FROM {source} "
                f"WHERE file_row_number >= {start} AND file_row_number < {end})"
            )
            yield end, total, self._typed_commit(relation)

    def _csv(self) -> Iterator[tuple[int, int, Callable[[duckdb.DuckDBPyConnection], ChunkResult]]]:
        cur = self.db.cursor()
        options = ""
        if self.delimiter:
            options = f"delim = {quote_literal(self.delimiter)}"
        elif self.path.suffix.lower() == ".tsv":
            options = "delim = '\\t'"
        try:
            table, bad = read_csv_text(cur, self.path, options)
        except duckdb.Error as exc:
            raise FileImportError(f"{self.path}: cannot read as CSV: {exc}") from exc
        total = table.num_rows + len(bad)
        # data row n (1-based) is line n + 1 when no line was broken before it; that is the
        # common case, and rows keep their order, so "row" numbers stay meaningful.
        table = table.append_column("pos", pa.array(range(1, table.num_rows + 1), pa.int64()))
        if bad:

            def commit_bad(c: duckdb.DuckDBPyConnection) -> ChunkResult:
                rej = _record_quarantine_bytes(c, bad, self.source)
                return ChunkResult(received=len(bad), rejected=len(bad), rejections=rej)

            yield len(bad), total, commit_bad
        for start in range(0, table.num_rows, self.chunk_rows):
            end = min(table.num_rows, start + self.chunk_rows)
            relation = f"(SELECT * FROM _csv_rows WHERE pos > {start} AND pos <= {end})"
            yield len(bad) + end, total, self._typed_commit(relation, {"_csv_rows": table})

    def _typed_commit(
        self, relation: str, arrow: dict[str, pa.Table] | None = None
    ) -> Callable[[duckdb.DuckDBPyConnection], ChunkResult]:
        """Commit function for rows of a typed relation (SQL text) with a ``pos`` column;
        ``arrow`` names Arrow tables the relation reads."""

        def commit(cur: duckdb.DuckDBPyConnection) -> ChunkResult:
            for name, table in (arrow or {}).items():
                cur.register(name, table)
            columns = {
                r[0]: str(r[1])
                for r in cur.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
            }
            try:
                stage = typed_stage_sql(relation, columns, source=self.source, mapping=self.mapping)
            except ValueError as exc:
                raise FileImportError(f"{self.path}: {exc}") from exc
            result = commit_staged(cur, stage, typed_source=relation)
            for name in arrow or {}:
                cur.unregister(name)
            return result

        return commit
