"""Process views of the log: directly-follows graph, variants, paths around a touchpoint.

Each function builds DuckDB-dialect SQL over a :class:`~journeyhub.analytics.logs.LogSpec`
and runs it on an engine; results are plain lists/dicts, ready for JSON and plots.
"""

from __future__ import annotations

import itertools
from typing import Any

from journeyhub.analytics.engines import Engine
from journeyhub.analytics.logs import ORDER, LogSpec, lit

SEPARATOR = " > "  # joins activities into one variant/path string


def dfg_sql(spec: LogSpec) -> str:
    """Directly-follows pairs with frequency and median transition time (seconds)."""
    return f"""
        WITH log AS ({spec.sql()}), steps AS (
            SELECT activity AS a,
                   lead(activity) OVER (PARTITION BY case_id ORDER BY {ORDER}) AS b,
                   lead(t_us) OVER (PARTITION BY case_id ORDER BY {ORDER}) - t_us AS d
            FROM log
        )
        SELECT a AS "from", b AS "to", count(*) AS count, median(d) / 1000000.0 AS median_seconds
        FROM steps WHERE b IS NOT NULL
        GROUP BY a, b ORDER BY count DESC, "from", "to"
    """


def dfg(engine: Engine, spec: LogSpec) -> list[dict[str, Any]]:
    """``[{"from", "to", "count", "median_seconds"}]``, most frequent first."""
    return engine.rows(dfg_sql(spec))


def variants_sql(spec: LogSpec, limit: int) -> str:
    """The ``limit`` most frequent activity sequences (a case's whole trace) with their
    number of cases, each row also carrying the totals: cases and distinct variants."""
    return f"""
        WITH log AS ({spec.sql()}), traces AS (
            SELECT string_agg(activity, {lit(SEPARATOR)} ORDER BY {ORDER}) AS variant
            FROM log GROUP BY case_id
        ), counted AS (
            SELECT variant, count(*) AS cases FROM traces GROUP BY variant
        )
        SELECT variant, cases, sum(cases) OVER () AS total_cases,
               count(*) OVER () AS total_variants
        FROM counted ORDER BY cases DESC, variant LIMIT {int(limit)}
    """


def variants(engine: Engine, spec: LogSpec, limit: int = 20) -> dict[str, Any]:
    """Top variants with their cases and share, plus how many variants and cases there are."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    rows = engine.rows(variants_sql(spec, limit))
    total = int(rows[0]["total_cases"]) if rows else 0
    shaped = []
    for r in rows:
        steps = r["variant"].split(SEPARATOR)
        shaped.append(
            {
                "variant": steps,
                "length": len(steps),
                "cases": r["cases"],
                "share": r["cases"] / total if total else 0.0,
            }
        )
    return {
        "cases": total,
        "variants": int(rows[0]["total_variants"]) if rows else 0,
        "top": shaped,
    }


def paths_sql(spec: LogSpec, anchor: str, direction: str, length: int) -> str:
    """Per case, the ``length`` activities after (``out``) or before (``in``) its first
    ``anchor``, as one path string with ``(end)``/``(start)`` where the journey stops."""
    if direction not in ("in", "out"):
        raise ValueError(f"direction must be 'in' or 'out', got {direction!r}")
    if not 1 <= length <= 20:
        raise ValueError(f"path length must be 1..20, got {length}")
    window = (
        f"l.pos > a.pos AND l.pos <= a.pos + {length}"
        if direction == "out"
        else f"l.pos < a.pos AND l.pos >= a.pos - {length}"
    )
    edge = lit("(end)") if direction == "out" else lit("(start)")
    joined = (
        f"{lit(anchor)} || coalesce({lit(SEPARATOR)} || p.steps, '') || "
        f"CASE WHEN coalesce(p.n, 0) < {length} THEN {lit(SEPARATOR)} || {edge} ELSE '' END"
        if direction == "out"
        else f"CASE WHEN coalesce(p.n, 0) < {length} THEN {edge} || {lit(SEPARATOR)} ELSE '' END"
        f" || coalesce(p.steps || {lit(SEPARATOR)}, '') || {lit(anchor)}"
    )
    return f"""
        WITH log AS (
            SELECT case_id, activity, row_number() OVER (PARTITION BY case_id ORDER BY {ORDER})
                   AS pos
            FROM ({spec.sql()})
        ), a AS (
            SELECT case_id, min(pos) AS pos FROM log WHERE activity = {lit(anchor)}
            GROUP BY case_id
        ), p AS (
            SELECT l.case_id, string_agg(l.activity, {lit(SEPARATOR)} ORDER BY l.pos) AS steps,
                   count(*) AS n
            FROM log l JOIN a ON a.case_id = l.case_id AND {window}
            GROUP BY l.case_id
        )
        SELECT {joined} AS path, count(*) AS customers
        FROM a LEFT JOIN p ON p.case_id = a.case_id
        GROUP BY path ORDER BY customers DESC, path
    """


def sankey(paths: list[dict[str, Any]]) -> dict[str, Any]:
    """Sankey nodes and links from path rows: node = (position, activity)."""
    index: dict[tuple[int, str], int] = {}
    links: dict[tuple[int, int], int] = {}
    for row in paths:
        steps = row["path"]
        ids = []
        for pos, activity in enumerate(steps):
            ids.append(index.setdefault((pos, activity), len(index)))
        for a, b in itertools.pairwise(ids):
            links[(a, b)] = links.get((a, b), 0) + row["customers"]
    nodes = [{"id": i, "step": pos, "label": act} for (pos, act), i in index.items()]
    return {
        "nodes": nodes,
        "links": [{"source": a, "target": b, "value": v} for (a, b), v in links.items()],
    }


def paths(
    engine: Engine,
    spec: LogSpec,
    anchor: str,
    *,
    direction: str = "out",
    length: int = 3,
    limit: int = 20,
) -> dict[str, Any]:
    """Top paths into or out of ``anchor`` (an activity at the spec's level), the share of the
    anchor's customers each covers, and Sankey data of the top ``limit * 10`` paths."""
    rows = engine.rows(paths_sql(spec, anchor, direction, length))
    total = sum(r["customers"] for r in rows)
    shaped = [
        {
            "path": r["path"].split(SEPARATOR),
            "customers": r["customers"],
            "share": r["customers"] / total if total else 0.0,
        }
        for r in rows
    ]
    return {
        "anchor": anchor,
        "direction": direction,
        "length": length,
        "customers": total,
        "distinct_paths": len(rows),
        "top": shaped[:limit],
        "sankey": sankey(shaped[: limit * 10]),
    }
