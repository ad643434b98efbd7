"""Where analytics SQL runs: the embedded DuckDB store, or Spark over Parquet.

Analytics are written once, in DuckDB's dialect. :class:`DuckDBEngine` runs them as they are;
:class:`SparkEngine` transpiles them with sqlglot and runs them over the Parquet export of the
same tables (:func:`export_tables`), so both give the same answers on the same data.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import sqlglot

from journeyhub.store import Database

# what analytics read; events only with the columns they need
TABLES = {
    "journey_log": "SELECT * FROM journey_log",
    "journey_events": "SELECT * FROM journey_events",
    "case_keys": "SELECT * FROM case_keys",
    "events": "SELECT message_id, type, properties, traits FROM events",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class Engine(Protocol):
    """Runs one analytics query (DuckDB dialect) and returns rows as dictionaries."""

    name: str

    def rows(self, sql: str) -> list[dict[str, Any]]: ...

    def cached(self, sql: str) -> AbstractContextManager[str]:
        """Compute ``sql`` once; inside the block its result is a relation, named by the
        value the block gets, that ``rows`` queries on this thread can read."""
        ...


class DuckDBEngine:
    """The embedded store."""

    name = "duckdb"

    def __init__(self, db: Database) -> None:
        self.db = db
        self._local = threading.local()  # the cursor that holds this thread's cached tables

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Run ``sql`` on the store."""
        cur = getattr(self._local, "cursor", None) or self.db.cursor()
        cur = cur.execute(sql)
        columns = [d[0] for d in cur.description]
        return [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in cur.fetchall()]

    @contextmanager
    def cached(self, sql: str) -> Iterator[str]:
        """A temporary table (on this thread's cursor, which ``rows`` then uses)."""
        outer = getattr(self._local, "cursor", None)
        cur = outer or self.db.cursor()
        name = f"_cached_{uuid.uuid4().hex[:12]}"
        cur.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        self._local.cursor = cur
        try:
            yield name
        finally:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
            self._local.cursor = outer


def to_spark(sql: str) -> str:
    """``sql`` (DuckDB dialect) in Spark SQL."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def export_tables(db: Database, folder: str | Path) -> Path:
    """Write the tables analytics read as Parquet under ``folder`` (one folder per table)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    cur = db.cursor()
    for table, select in TABLES.items():
        target = out / f"{table}.parquet"
        cur.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet)")
    return out


class SparkEngine:
    """Spark (local mode unless ``JOURNEYHUB_SPARK_MASTER`` names a cluster) over Parquet."""

    name = "spark"

    def __init__(self, folder: str | Path, spark: Any = None) -> None:
        if spark is None:
            from journeyhub.identity.matching.spark_engine import spark_session

            spark = spark_session()
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        self.spark = spark
        for table in TABLES:
            spark.read.parquet(str(Path(folder) / f"{table}.parquet")).createOrReplaceTempView(
                table
            )

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Transpile ``sql`` to Spark SQL and run it."""
        frame = self.spark.sql(to_spark(sql))
        return [{k: _plain(v) for k, v in row.asDict().items()} for row in frame.collect()]

    @contextmanager
    def cached(self, sql: str) -> Iterator[str]:
        """A cached temporary view."""
        name = f"_cached_{uuid.uuid4().hex[:12]}"
        frame = self.spark.sql(to_spark(sql)).cache()
        frame.createOrReplaceTempView(name)
        try:
            yield name
        finally:
            self.spark.catalog.dropTempView(name)
            frame.unpersist()
