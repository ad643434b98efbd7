"""Ordered funnels with a conversion window, and the customers at each step.

Semantics (those of the common product-analytics tools): a customer enters at the first
occurrence of step 1; step *k* is reached at the first occurrence of its activity after the
event that reached step *k-1* (events in between do not matter, a repeated step needs a
repeated event), and every step must happen within ``within`` of step 1 (inclusive).
Steps are activities at the spec's level: event names, touchpoints or phases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from journeyhub.analytics.engines import Engine
from journeyhub.analytics.logs import ORDER, LogSpec, lit, lits, persona_sql

MAX_STEPS = 20
Breakdown = Literal["channel", "cohort", "persona"]
TIME_BUCKETS = (  # upper bounds (seconds) of the time-to-convert histogram
    ("< 1 h", 3600), ("1 h - 1 d", 86400), ("1 - 7 d", 7 * 86400),
    ("7 - 30 d", 30 * 86400), ("> 30 d", None),
)  # fmt: skip


@dataclass(frozen=True)
class Funnel:
    """A funnel definition: ordered steps, conversion window, optional breakdown."""

    steps: tuple[str, ...]
    within: timedelta
    by: Breakdown | None = None

    def __post_init__(self) -> None:
        if not 2 <= len(self.steps) <= MAX_STEPS:
            raise ValueError(f"a funnel has 2..{MAX_STEPS} steps, got {len(self.steps)}")
        if self.within <= timedelta(0):
            raise ValueError("the conversion window must be positive")
        if self.by not in (None, "channel", "cohort", "persona"):
            raise ValueError(f"breakdown must be channel, cohort or persona, got {self.by!r}")


def _dimension(funnel: Funnel, spec: LogSpec) -> tuple[str, str]:
    """The breakdown column of step 1 and any join it needs."""
    if funnel.by == "channel":
        return "coalesce(f.channel, '(none)')", ""
    if funnel.by == "cohort":
        return "strftime(f.ts, '%Y-%m')", ""
    if funnel.by == "persona":
        if spec.journey is None:
            raise ValueError("a persona breakdown needs a journey")
        return (
            "coalesce(pe.persona, '(none)')",
            f"LEFT JOIN ({persona_sql(spec.journey)}) pe ON pe.case_id = f.case_id",
        )
    return "'all'", ""


def step_tables_sql(funnel: Funnel, spec: LogSpec) -> str:
    """CTEs ``f`` (the step events with their position) and ``s1``..``sN``: per case that
    reached step k, its dimension, step-1 time ``t1`` and the position/time of step k."""
    window_us = int(funnel.within.total_seconds() * 1_000_000)
    dim, join = _dimension(funnel, spec)
    ctes = [
        f"""f AS (
            SELECT case_id, t_us, ts, channel, activity,
                   row_number() OVER (PARTITION BY case_id ORDER BY {ORDER}) AS pos
            FROM ({spec.sql()}) WHERE activity IN {lits(list(funnel.steps))}
        )""",
        f"""s1 AS (
            SELECT f.case_id, {dim} AS dim, f.t_us AS t1, f.pos AS p, f.t_us AS t
            FROM f {join} WHERE f.activity = {lit(funnel.steps[0])}
            QUALIFY row_number() OVER (PARTITION BY f.case_id ORDER BY f.pos) = 1
        )""",
    ]
    for k, step in enumerate(funnel.steps[1:], start=2):
        ctes.append(
            f"""s{k} AS (
            SELECT s.case_id, s.dim, s.t1, min(f.pos) AS p, arg_min(f.t_us, f.pos) AS t
            FROM s{k - 1} s JOIN f ON f.case_id = s.case_id AND f.activity = {lit(step)}
                 AND f.pos > s.p AND f.t_us <= s.t1 + {window_us}
            GROUP BY s.case_id, s.dim, s.t1
        )"""
        )
    return "WITH " + ",\n".join(ctes)


def funnel_sql(funnel: Funnel, spec: LogSpec) -> str:
    """One query: per breakdown value and step the customers reached and median seconds from
    step 1 (``bucket`` NULL), plus the time-to-convert histogram of customers who reached the
    last step (``step`` NULL, one row per bucket)."""
    parts = [
        f"SELECT dim, {k} AS step, CAST(NULL AS VARCHAR) AS bucket, count(*) AS customers, "
        f"median((t - t1) / 1000000.0) AS median_seconds FROM s{k} GROUP BY dim"
        for k in range(1, len(funnel.steps) + 1)
    ]
    cases, lower = [], 0
    for label, upper in TIME_BUCKETS:
        cond = f"d >= {lower}" + (f" AND d < {upper}" if upper is not None else "")
        cases.append(f"WHEN {cond} THEN {lit(label)}")
        lower = upper or lower
    parts.append(
        f"""SELECT CAST(NULL AS VARCHAR) AS dim, CAST(NULL AS INTEGER) AS step, bucket,
                   count(*) AS customers, CAST(NULL AS DOUBLE) AS median_seconds
            FROM (SELECT CASE {" ".join(cases)} END AS bucket
                  FROM (SELECT (t - t1) / 1000000.0 AS d FROM s{len(funnel.steps)}))
            GROUP BY bucket"""
    )
    return step_tables_sql(funnel, spec) + "\n" + " UNION ALL ".join(parts)


def run_funnel(engine: Engine, funnel: Funnel, spec: LogSpec) -> dict[str, Any]:
    """Conversion per step (overall and per breakdown value), drop-off, time to convert."""
    rows = engine.rows(funnel_sql(funnel, spec))
    buckets = {r["bucket"]: r["customers"] for r in rows if r["step"] is None}
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["step"] is not None:
            groups.setdefault(r["dim"], []).append(r)
    series = []
    for dim, steps in sorted(groups.items()):
        reached = {r["step"]: r for r in steps}
        entered = reached[1]["customers"] if 1 in reached else 0
        out: list[dict[str, Any]] = []
        for k, name in enumerate(funnel.steps, start=1):
            n = reached[k]["customers"] if k in reached else 0
            prev = out[-1]["customers"] if out else n
            out.append(
                {
                    "step": k,
                    "name": name,
                    "customers": n,
                    "conversion": n / entered if entered else 0.0,
                    "from_previous": n / prev if prev else 0.0,
                    "dropped": prev - n,
                    "median_seconds_from_start": reached[k]["median_seconds"]
                    if k in reached
                    else None,
                }
            )
        series.append({"segment": dim, "steps": out})
    return {
        "steps": list(funnel.steps),
        "within_seconds": funnel.within.total_seconds(),
        "by": funnel.by,
        "series": series,
        "time_to_convert": [
            {"bucket": label, "customers": buckets.get(label, 0)} for label, _ in TIME_BUCKETS
        ],
    }


def customers_sql(funnel: Funnel, spec: LogSpec, step: int, dropped: bool) -> str:
    """The customers who reached ``step`` (or reached step-1 but not ``step``)."""
    if not 1 <= step <= len(funnel.steps) or (dropped and step == 1):
        raise ValueError(f"step must be 1..{len(funnel.steps)} (2.. for drop-offs), got {step}")
    if dropped:
        pick = (
            f"SELECT s.case_id, s.t AS t_us FROM s{step - 1} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM s{step} r WHERE r.case_id = s.case_id)"
        )
    else:
        pick = f"SELECT case_id, t AS t_us FROM s{step}"
    return step_tables_sql(funnel, spec) + f", picked AS ({pick})"


def customers(
    engine: Engine,
    funnel: Funnel,
    spec: LogSpec,
    step: int,
    *,
    dropped: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of the customers at a step (or dropped before it), ordered by case id, and
    for drop-offs what they did next (the first event after their last step)."""
    base = customers_sql(funnel, spec, step, dropped)
    total = engine.rows(base + " SELECT count(*) AS n FROM picked")[0]["n"]
    page = engine.rows(
        base + f" SELECT case_id FROM picked ORDER BY case_id LIMIT {limit} OFFSET {offset}"
    )
    result: dict[str, Any] = {
        "step": step,
        "dropped": dropped,
        "total": total,
        "customers": [r["case_id"] for r in page],
        "next_offset": offset + limit if offset + limit < total else None,
    }
    if dropped:
        result["did_next"] = engine.rows(
            base
            + """ SELECT coalesce(n.activity, '(nothing)') AS activity, count(*) AS customers
            FROM picked p LEFT JOIN (
                SELECT l.case_id, l.activity FROM journey_log l JOIN picked q
                  ON q.case_id = l.case_id AND l.t_us > q.t_us
                QUALIFY row_number() OVER (PARTITION BY l.case_id ORDER BY l.t_us, l.message_id) = 1
            ) n ON n.case_id = p.case_id
            GROUP BY 1 ORDER BY customers DESC, activity LIMIT 10"""
        )
    return result
