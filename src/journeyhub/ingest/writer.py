"""Group commit for the REST path: many requests, one transaction.

Request handlers hand their events to :meth:`BatchWriter.submit` and wait on the returned
future. One writer thread drains everything queued, stages it as one Arrow table, commits it in
a single transaction and only then completes the futures — so an acknowledged event is a
committed event, and concurrent requests share the cost of a commit.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journeyhub.ingest.json_events import json_event_table
from journeyhub.ingest.pipeline import ChunkResult, LinkedEdges, commit_json_table
from journeyhub.store import Database


@dataclass
class _Pending:
    raws: list[Any]  # parsed events, or their JSON text
    source: str
    default_type: str | None
    received_at: datetime
    future: Future[ChunkResult] = field(default_factory=Future)


class BatchWriter:
    """A single writer thread that commits queued requests in micro-batches."""

    def __init__(
        self, db: Database, *, max_events: int = 50_000, linger_seconds: float = 0.01
    ) -> None:
        self.db = db
        self.max_events = max_events
        # under load (the last commit served several requests) wait this long for more, so
        # that one commit's fixed cost is shared by more events; idle traffic never waits
        self.linger_seconds = linger_seconds
        self._busy = False
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._linked = LinkedEdges()
        self._thread = threading.Thread(target=self._run, name="journeyhub-writer", daemon=True)
        self._thread.start()

    def submit(
        self, raws: list[Any], *, source: str, default_type: str | None = None
    ) -> Future[ChunkResult]:
        """Queue events (parsed, or JSON text); the future resolves once they are committed."""
        pending = _Pending(raws, source, default_type, datetime.now(UTC))
        self._queue.put(pending)
        return pending.future

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            size = len(first.raws)
            stop = False
            deadline = time.monotonic() + (self.linger_seconds if self._busy else 0.0)
            while size < self.max_events:
                try:
                    wait = deadline - time.monotonic()
                    item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                group.append(item)
                size += len(item.raws)
            self._busy = len(group) > 1
            self._commit(group)
            if stop:
                return

    def _commit(self, group: list[_Pending]) -> None:
        offsets, items, sources, types = [], [], [], []
        for p in group:
            base = len(items)
            offsets.append(base)
            items.extend((base + i, i, raw) for i, raw in enumerate(p.raws))
            sources.extend([p.source] * len(p.raws))
            types.extend([p.default_type] * len(p.raws))
        table = json_event_table(items, source=sources, received_at=group[0].received_at,
                                 default_type=types)
        try:
            with self.db.transaction() as cur:
                result = commit_json_table(cur, table, max_rejections=len(items),
                                           want_duplicates=True, linked_edges=self._linked)
            self._linked.remember()
        except BaseException as exc:
            self._linked.pending = []
            for p in group:
                p.future.set_exception(exc)
            return
        for p, start in zip(group, offsets, strict=True):
            end = start + len(p.raws)
            mine = ChunkResult(received=len(p.raws))
            mine.rejections = [r for r in result.rejections if start <= r.pos < end]
            mine.rejected = len(mine.rejections)
            mine.duplicates = sum(1 for d in result.duplicate_positions if start <= d < end)
            mine.accepted = mine.received - mine.rejected - mine.duplicates
            p.future.set_result(mine)
