"""Small helpers for building SQL safely: identifiers are quoted here and nowhere else."""

from typing import Any


def quote_ident(name: str) -> str:
    """Quote an identifier for DuckDB (and Spark SQL via sqlglot later)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a string literal; only for DDL-ish places where parameters cannot be bound."""
    return "'" + value.replace("'", "''") + "'"


def first_row(result: Any) -> tuple[Any, ...] | None:
    """The first row of a DuckDB result, consuming it whole (DuckDB 2 refuses unfinished ones)."""
    rows = result.fetchall()
    return rows[0] if rows else None


def dict_rows(cursor: Any, sql: str, params: Any = None) -> list[dict[str, Any]]:
    """Run ``sql`` on a DuckDB cursor and return its rows as dictionaries."""
    result = cursor.execute(sql, params or [])
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
