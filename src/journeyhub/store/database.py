"""The one gateway to the DuckDB file.

A process opens the file once; readers get their own cursor per thread, and every write goes
through :meth:`Database.transaction`, which serialises writers so that a batch is one commit.
DuckDB allows one writing process per file: when a ``journeyhub serve`` holds it, opening it
again raises :class:`DatabaseLockedError` naming the server and how to reach it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from journeyhub.store.schema import DDL, SCHEMA_VERSION
from journeyhub.store.sql import dict_rows, first_row

DEFAULT_DB_NAME = "journeyhub.duckdb"


def default_db_path() -> Path:
    """``$JOURNEYHUB_DB`` if set, else ``journeyhub.duckdb`` in the current directory."""
    return Path(os.environ.get("JOURNEYHUB_DB") or DEFAULT_DB_NAME)


def server_marker(path: Path) -> Path:
    """The side file a running server writes next to the database it holds."""
    return path.with_name(path.name + ".server.json")


class DatabaseLockedError(RuntimeError):
    """The database file is held by another process (usually a running ``journeyhub serve``)."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        marker = server_marker(path)
        server: dict[str, Any] = {}
        if marker.exists():
            try:
                server = json.loads(marker.read_text())
            except (OSError, ValueError):
                server = {}
        self.server = server
        if server:
            msg = (
                f"The database {path} is held by the journeyhub server (pid {server.get('pid')}) "
                f"at {server.get('url')}. Use its REST API there (docs: {server.get('url')}/docs), "
                "or stop the server and run this command again."
            )
        else:
            msg = (
                f"The database {path} is held by another process ({detail}). "
                "Stop that process or use another --db."
            )
        super().__init__(msg)


class Database:
    """A DuckDB database file with the journeyhub schema applied.

    >>> db = Database(":memory:")
    >>> db.scalar("SELECT count(*) FROM events")
    0
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self._closed = False
        self.read_only = read_only
        try:
            self._con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseLockedError(self.path, str(exc).splitlines()[0]) from exc
            raise
        self._con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            # fewer, larger checkpoints: each one stalls the single writer for a moment
            self._con.execute("SET checkpoint_threshold = '256MB'")
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._memo: dict[str, Any] = {}
        if not read_only:
            self._migrate()

    def _migrate(self) -> None:
        for statement in DDL:
            self._con.execute(statement)
        self._con.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        self._con.execute("INSERT OR IGNORE INTO meta VALUES ('unclustered_events', '0')")
        self._index_event_ids()

    def _index_event_ids(self) -> None:
        """(Re)fill ``event_ids`` from ``events`` when it was made by another DuckDB version
        (``hash`` is not promised stable across versions) or predates the table."""
        made_by = self._con.execute("SELECT value FROM meta WHERE key = 'event_ids'").fetchall()
        if made_by and made_by[0][0] == duckdb.__version__:
            return
        with self.transaction() as cur:
            cur.execute("DELETE FROM event_ids")
            cur.execute("INSERT INTO event_ids SELECT hash(message_id) FROM events")
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('event_ids', ?)", [duckdb.__version__])

    def connection(self) -> duckdb.DuckDBPyConnection:
        """A new connection to the same database, for a thread of its own."""
        cur = self._con.cursor()
        cur.execute("SET TimeZone = 'UTC'")
        return cur

    def cursor(self, within: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread (DuckDB connections are not shared across threads).
        ``within``: a transaction the caller holds, to read inside it instead."""
        if within is not None:
            return within
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            cur.execute("SET TimeZone = 'UTC'")
            self._local.cursor = cur
        return cur

    @contextmanager
    def transaction(
        self, within: duckdb.DuckDBPyConnection | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction; commits on success, rolls back on any error. ``within``: a
        transaction the caller already holds, to be joined instead (its owner commits)."""
        if within is not None:
            yield within
            return
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute("SET TimeZone = 'UTC'")
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def memo(self, key: str, load: Callable[[], Any]) -> Any:
        """``load()``, computed once and kept until :meth:`forget` drops ``key``.

        For small settings read on every real-time call (source mappings, the matching model):
        this process is the file's only writer, and whatever writes them calls ``forget``.
        """
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]

    def forget(self, *keys: str) -> None:
        """Drop memoised values (after writing what they were loaded from)."""
        for key in keys:
            self._memo.pop(key, None)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run a read query and return rows as dictionaries."""
        return dict_rows(self.cursor(), sql, params)

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run a query that returns one value."""
        row = first_row(self.cursor().execute(sql, params or []))
        return None if row is None else row[0]

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file."""
        with self._write_lock:
            self._con.execute("CHECKPOINT")

    @property
    def closed(self) -> bool:
        """True once ``close`` has run."""
        return self._closed

    def close(self) -> None:
        """Close the file; the object is unusable afterwards (closing twice is harmless)."""
        self._closed = True
        self._con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
