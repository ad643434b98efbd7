"""Group commit for the REST path: many requests, one transaction, in a two-stage pipeline.

Request handlers hand their events to :meth:`BatchWriter.submit` and wait on the returned
future. A validator thread drains everything queued and validates it as one batch on its own
connection (reading the store, writing nothing); a committer thread stores the validated
batch in one transaction and only then completes the futures — an acknowledged event is a
committed event. The two stages overlap: batch N+1 is validated while batch N commits.

Dedupe stays exact across the overlap: message ids of batches validated but not yet committed
are held in memory, and released only when a validation snapshot is taken after their commit.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from journeyhub.ingest.json_events import json_event_table
from journeyhub.ingest.pipeline import (
    ChunkResult,
    LinkedEdges,
    apply_checked,
    checked_sql,
    json_stage,
    stored_message_ids,
)
from journeyhub.store import Database


@dataclass
class _Pending:
    raws: list[Any]  # parsed events, or their JSON text
    source: str
    default_type: str | None
    received_at: datetime
    future: Future[ChunkResult] = field(default_factory=Future)


@dataclass
class _Validated:
    number: int
    group: list[_Pending]
    offsets: list[int]
    checked: pa.Table


def _also_duplicates(checked: pa.Table, mask: pa.ChunkedArray) -> pa.Table:
    """``checked`` with the rows under ``mask`` marked as duplicates too."""
    dup = pc.or_(checked["is_duplicate"], mask)
    return checked.set_column(checked.schema.get_field_index("is_duplicate"), "is_duplicate", dup)


class BatchWriter:
    """Validator and committer threads that store queued requests in micro-batches."""

    def __init__(
        self, db: Database, *, max_events: int = 50_000, linger_seconds: float = 0.01
    ) -> None:
        self.db = db
        self.max_events = max_events
        # under load (the last batch served several requests) wait this long for more, so
        # that one commit's fixed cost is shared by more events; idle traffic never waits
        self.linger_seconds = linger_seconds
        self._busy = False
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._validated: queue.Queue[_Validated | None] = queue.Queue(maxsize=2)
        self._linked = LinkedEdges()
        self._lock = threading.Lock()
        self._in_flight: dict[int, pa.Array] = {}  # batch number -> accepted message ids
        self._committed: list[int] = []
        self._failed = False
        self._validator = threading.Thread(
            target=self._validate_loop, daemon=True, name="journeyhub-validator"
        )
        self._committer = threading.Thread(
            target=self._commit_loop, daemon=True, name="journeyhub-committer"
        )
        self._validator.start()
        self._committer.start()

    def submit(
        self, raws: list[Any], *, source: str, default_type: str | None = None
    ) -> Future[ChunkResult]:
        """Queue events (parsed, or JSON text); the future resolves once they are committed."""
        pending = _Pending(raws, source, default_type, datetime.now(UTC))
        self._queue.put(pending)
        return pending.future

    def close(self) -> None:
        """Commit what is queued, then stop both threads."""
        self._queue.put(None)
        self._validator.join()
        self._committer.join()

    # -- stage 1: gather and validate -------------------------------------------------------

    def _gather(self, first: _Pending) -> tuple[list[_Pending], bool]:
        group, size = [first], len(first.raws)
        deadline = time.monotonic() + (self.linger_seconds if self._busy else 0.0)
        while size < self.max_events:
            try:
                wait = deadline - time.monotonic()
                item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return group, True
            group.append(item)
            size += len(item.raws)
        self._busy = len(group) > 1
        return group, False

    def _validate_loop(self) -> None:
        cur = self.db.connection()
        number = 0
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            group, stop = self._gather(first)
            number += 1
            try:
                self._validated.put(self._validate(cur, number, group))
            except BaseException as exc:
                for p in group:
                    p.future.set_exception(exc)
        self._validated.put(None)

    def _validate(self, cur: Any, number: int, group: list[_Pending]) -> _Validated:
        offsets: list[int] = []
        items: list[tuple[int, int, Any]] = []
        sources: list[str] = []
        types: list[str | None] = []
        for p in group:
            base = len(items)
            offsets.append(base)
            items.extend((base + i, i, raw) for i, raw in enumerate(p.raws))
            sources.extend([p.source] * len(p.raws))
            types.extend([p.default_type] * len(p.raws))
        table = json_event_table(
            items, source=sources, received_at=group[0].received_at, default_type=types
        )
        with self._lock:
            done = list(self._committed)
        cur.execute("BEGIN TRANSACTION")  # the snapshot sees every batch in `done`
        try:
            with self._lock:
                for n in done:
                    self._in_flight.pop(n, None)
                self._committed = [n for n in self._committed if n not in done]
                pending_ids = [ids for ids in self._in_flight.values() if len(ids)]
            query = checked_sql(json_stage(cur, table), same_person=True)
            checked = cur.sql(query).to_arrow_table()
            # an id hash is stored but the sender's events lack the id: another person used
            # it, or the hash collided (almost never); compare it over the whole table
            unconfirmed = pc.and_(checked["id_hash_seen"], pc.invert(checked["is_duplicate"]))
            if pc.any(unconfirmed).as_py():
                ids = pc.filter(checked["message_id"], unconfirmed).to_pylist()
                stored = pa.array(sorted(stored_message_ids(cur, ids)), pa.string())
                found = pc.and_(unconfirmed, pc.is_in(checked["message_id"], value_set=stored))
                checked = _also_duplicates(checked, found)
        finally:
            cur.execute("ROLLBACK")
            cur.unregister("_json_events")
        if pending_ids:  # also a duplicate of an event validated but not yet committed
            seen = pc.is_in(checked["message_id"], value_set=pa.concat_arrays(pending_ids))
            checked = _also_duplicates(checked, pc.and_(pc.is_null(checked["reason_code"]), seen))
        accepted = pc.filter(
            checked["message_id"],
            pc.and_(pc.is_null(checked["reason_code"]), pc.invert(checked["is_duplicate"])),
        )
        with self._lock:
            self._in_flight[number] = (
                accepted.combine_chunks() if accepted.num_chunks else pa.array([], pa.string())
            )
        return _Validated(number, group, offsets, checked)

    # -- stage 2: commit --------------------------------------------------------------------

    def _commit_loop(self) -> None:
        while True:
            batch = self._validated.get()
            if batch is None:
                return
            if self._failed:
                self._fail(batch, RuntimeError("an earlier batch failed to commit"))
                continue
            self._commit(batch)

    def _fail(self, batch: _Validated, exc: BaseException) -> None:
        with self._lock:
            self._in_flight.pop(batch.number, None)
        for p in batch.group:
            p.future.set_exception(exc)

    def _commit(self, batch: _Validated) -> None:
        n_events = batch.checked.num_rows
        try:
            with self.db.transaction() as cur:
                cur.register("_checked", batch.checked)
                try:
                    result = apply_checked(
                        cur,
                        max_rejections=n_events,
                        want_duplicates=True,
                        linked_edges=self._linked,
                    )
                finally:
                    cur.unregister("_checked")
            self._linked.remember()
        except BaseException as exc:
            # later batches were validated against this one's ids: they cannot be trusted
            self._linked.pending = []
            self._failed = True
            self._fail(batch, exc)
            return
        with self._lock:
            self._committed.append(batch.number)
        for p, start in zip(batch.group, batch.offsets, strict=True):
            end = start + len(p.raws)
            mine = ChunkResult(received=len(p.raws))
            mine.rejections = [r for r in result.rejections if start <= r.pos < end]
            mine.rejected = len(mine.rejections)
            mine.duplicates = sum(1 for d in result.duplicate_positions if start <= d < end)
            mine.accepted = mine.received - mine.rejected - mine.duplicates
            p.future.set_result(mine)
