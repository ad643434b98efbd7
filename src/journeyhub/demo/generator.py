"""``journeyhub demo generate``: write the demo company to a folder, streaming.

Layout of ``out/``::

    events.parquet (or events.jsonl)   Segment-spec events of every customer
    records/<system>.csv               customer records as crm, webshop, support, pos and
                                       newsletter hold them; records/crm_accounts.csv for B2B
    truth/identity.csv                 which source record is which real person (evaluation
                                       only: the product never reads it)

Memory stays constant: events are flushed to Parquet row groups every ``flush_rows`` rows.
Every person gets a random generator seeded by (seed, person), so output is deterministic.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from journeyhub.demo.journeys import EventRow, Journey
from journeyhub.demo.people import Person, make_account, make_person
from journeyhub.demo.sources import FIELDS, account_record, person_records

EVENT_SCHEMA = pa.schema([
    ("messageId", pa.string()), ("type", pa.string()), ("event", pa.string()),
    ("name", pa.string()), ("userId", pa.string()), ("anonymousId", pa.string()),
    ("groupId", pa.string()), ("timestamp", pa.timestamp("us", tz="UTC")),
    ("channel", pa.string()), ("properties", pa.string()), ("traits", pa.string()),
    ("context", pa.string()),
])  # fmt: skip
START = datetime(2024, 1, 1, tzinfo=UTC)


class _EventSink:
    def __init__(self, path: Path, fmt: str, flush_rows: int) -> None:
        self.fmt, self.flush_rows, self.count = fmt, flush_rows, 0
        self.rows: list[EventRow] = []
        self.parquet = (
            pq.ParquetWriter(path, EVENT_SCHEMA, compression="zstd") if fmt == "parquet" else None
        )
        self.jsonl: IO[bytes] | None = path.open("wb") if fmt == "jsonl" else None

    def add(self, row: EventRow) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        self.count += len(self.rows)
        if self.parquet is not None:
            columns = list(zip(*self.rows, strict=True))
            self.parquet.write_table(
                pa.table(
                    [pa.array(c, type=f.type) for c, f in zip(columns, EVENT_SCHEMA, strict=True)],
                    schema=EVENT_SCHEMA,
                ),
                row_group_size=len(self.rows),
            )
        elif self.jsonl is not None:
            for r in self.rows:
                event: dict[str, Any] = {"messageId": r[0], "type": r[1]}
                for key, value in zip(
                    ("event", "name", "userId", "anonymousId", "groupId"), r[2:7], strict=True
                ):
                    if value is not None:
                        event[key] = value
                event["timestamp"] = r[7].isoformat().replace("+00:00", "Z")
                event["channel"] = r[8]
                for key, value in zip(("properties", "traits", "context"), r[9:12], strict=True):
                    if value is not None:
                        event[key] = orjson.Fragment(value)
                self.jsonl.write(orjson.dumps(event) + b"\n")
        self.rows = []

    def close(self) -> None:
        self.flush()
        if self.parquet is not None:
            self.parquet.close()
        if self.jsonl is not None:
            self.jsonl.close()


@dataclass
class GenerateReport:
    """What was written."""

    out: str
    customers: int
    accounts: int
    events: int = 0
    records: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def generate(
    customers: int,
    seed: int,
    out: str | Path,
    *,
    fmt: str = "parquet",
    intensity: float = 1.0,
    flush_rows: int = 200_000,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateReport:
    """Write the demo company for ``customers`` people (B2C and B2B contacts) to ``out``."""
    if customers < 1:
        raise ValueError("--customers must be at least 1")
    if fmt not in ("parquet", "jsonl"):
        raise ValueError(f"format {fmt!r}: expected parquet or jsonl")
    started = time.perf_counter()
    out = Path(out)
    (out / "records").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    n_accounts = max(1, customers // 40)
    accounts = [make_account(random.Random(f"{seed}:account:{i}"), i) for i in range(n_accounts)]
    report = GenerateReport(str(out), customers, n_accounts)

    files = {
        s: (out / "records" / f"{s}.csv").open("w", newline="", encoding="utf-8") for s in FIELDS
    }
    writers = {s: csv.DictWriter(fh, FIELDS[s]) for s, fh in files.items()}
    for w in writers.values():
        w.writeheader()
    truth_fh = (out / "truth" / "identity.csv").open("w", newline="", encoding="utf-8")
    truth = csv.writer(truth_fh)
    truth.writerow(["source", "source_record_id", "person_id", "account_id"])
    for a in accounts:
        writers["crm_accounts"].writerow(account_record(a))
        truth.writerow(["crm_accounts", a.account_id, "", a.account_id])
    report.records = {s: 0 for s in FIELDS}
    report.records["crm_accounts"] = n_accounts
    sink = _EventSink(out / f"events.{fmt}", fmt, flush_rows)
    try:
        partner: Person | None = None
        for pid in range(1, customers + 1):
            rng = random.Random(f"{seed}:person:{pid}")
            start = START + timedelta(minutes=rng.randint(0, 1000 * 24 * 60))
            account = accounts[rng.randrange(n_accounts)] if rng.random() < 0.12 else None
            person = make_person(
                rng, pid, start, account=account, partner=partner if account is None else None
            )
            partner = person if (account is None and rng.random() < 0.04) else None
            for system, record in person_records(rng, person):
                writers[system].writerow(record)
                report.records[system] += 1
                truth.writerow(
                    [system, record[FIELDS[system][0]], pid, account.account_id if account else ""]
                )
            Journey(rng, person, seed, sink.add, intensity).run()
            if progress and pid % 1000 == 0:
                progress(pid, customers)
    finally:
        sink.close()
        for fh in files.values():
            fh.close()
        truth_fh.close()
    report.events = sink.count
    report.seconds = round(time.perf_counter() - started, 2)
    if progress:
        progress(customers, customers)
    return report
