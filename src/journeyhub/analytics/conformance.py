"""Conformance of real journeys to the designed one (the critical path of milestones).

The designed journey is the milestones in order: a sequential Petri net
``p0 -m1-> p1 -m2-> ... -mk-> pk`` with one token in ``p0`` at the start and one expected in
``pk`` at the end. Each customer's milestone events are replayed on it (token-based replay, as
in process mining; events of other touchpoints are not in the model and are skipped):

- firing ``mj`` consumes a token from ``p(j-1)`` — a *missing* token is created first if there
  is none — and produces one into ``pj``;
- at the end the final token is consumed from ``pk`` (missing if absent) and whatever is left
  elsewhere is *remaining*.

``fitness = 0.5 * (1 - missing / consumed) + 0.5 * (1 - remaining / produced)``: 1.0 for a
journey that follows the path exactly once, lower for skipped milestones, loops (a milestone
repeated) and wrong order. Because the net is sequential, replay needs no search: per place,
the missing tokens are the deepest dip of its running token balance — one window function.
"""

from __future__ import annotations

from typing import Any

from journeyhub.analytics.engines import Engine
from journeyhub.analytics.logs import ORDER, LogSpec, json_number, json_text, lit, nps_sql
from journeyhub.journey.model import Journey


def _milestone_values(journey: Journey) -> str:
    rows = ", ".join(f"({lit(m)}, {i})" for i, m in enumerate(journey.milestones, start=1))
    return f"(VALUES {rows}) AS ms(touchpoint, idx)"


def cases_sql(spec: LogSpec) -> str:
    """Per case: milestone events, missing/consumed/remaining/produced tokens, fitness, and the
    deviations (skipped milestones as a bitmask of indexes, loops, wrong order)."""
    journey = spec.journey
    if journey is None or not journey.milestones:
        raise ValueError("conformance needs a journey with milestones (the critical path)")
    k = len(journey.milestones)
    places = ", ".join(f"({j})" for j in range(k + 1))
    return f"""
        WITH log AS ({spec.sql()}),
        cases AS (SELECT DISTINCT case_id FROM log),
        m AS (
            SELECT l.case_id, l.t_us, l.message_id, ms.idx
            FROM log l JOIN {_milestone_values(journey)} ON l.activity = ms.touchpoint
        ),
        deltas AS (
            SELECT case_id, t_us, message_id, idx AS place, 1 AS delta FROM m
            UNION ALL
            SELECT case_id, t_us, message_id, idx - 1 AS place, -1 AS delta FROM m
        ),
        running AS (
            SELECT case_id, place, delta,
                   CASE WHEN place = 0 THEN 1 ELSE 0 END + sum(delta) OVER (
                       PARTITION BY case_id, place ORDER BY {ORDER}
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS balance
            FROM deltas
        ),
        per_place AS (
            SELECT case_id, place, sum(delta) AS net, greatest(0, -min(balance)) AS missing
            FROM running GROUP BY case_id, place
        ),
        tokens AS (
            SELECT c.case_id, p.place,
                   CASE WHEN p.place = 0 THEN 1 ELSE 0 END + coalesce(pp.net, 0)
                       + coalesce(pp.missing, 0) AS final,
                   coalesce(pp.missing, 0) AS missing
            FROM cases c CROSS JOIN (VALUES {places}) AS p(place)
            LEFT JOIN per_place pp ON pp.case_id = c.case_id AND pp.place = p.place
        ),
        replay AS (
            SELECT case_id,
                   sum(missing) + max(CASE WHEN place = {k} AND final = 0 THEN 1 ELSE 0 END)
                       AS missing,
                   sum(CASE WHEN place < {k} THEN final ELSE greatest(final - 1, 0) END)
                       AS remaining
            FROM tokens GROUP BY case_id
        ),
        firsts AS (
            SELECT case_id, idx, min(t_us) AS first_t, count(*) AS n FROM m
            GROUP BY case_id, idx
        ),
        shape AS (
            SELECT case_id, count(*) AS reached, sum(n) AS fired, max(idx) AS furthest,
                   sum(CAST(pow(2, idx - 1) AS BIGINT)) AS reached_mask,
                   bool_or(n > 1) AS loops
            FROM firsts GROUP BY case_id
        ),
        orders AS (
            SELECT case_id, bool_or(idx < prev) AS wrong_order FROM (
                SELECT case_id, idx,
                       lag(idx) OVER (PARTITION BY case_id ORDER BY first_t, idx) AS prev
                FROM firsts
            ) GROUP BY case_id
        )
        SELECT r.case_id, coalesce(s.fired, 0) AS fired, r.missing, r.remaining,
               coalesce(s.fired, 0) + 1 AS consumed, coalesce(s.fired, 0) + 1 AS produced,
               0.5 * (1 - r.missing / (coalesce(s.fired, 0) + 1.0))
                 + 0.5 * (1 - r.remaining / (coalesce(s.fired, 0) + 1.0)) AS fitness,
               coalesce(s.reached, 0) AS reached, coalesce(s.furthest, 0) AS furthest,
               coalesce(s.reached_mask, 0) AS reached_mask,
               coalesce(s.loops, false) AS loops, coalesce(o.wrong_order, false) AS wrong_order
        FROM replay r LEFT JOIN shape s USING (case_id) LEFT JOIN orders o USING (case_id)
    """


def _skipped(mask: int, furthest: int, milestones: list[str]) -> list[str]:
    """Milestones before the furthest one reached that were never reached."""
    return [m for i, m in enumerate(milestones[: max(furthest - 1, 0)]) if not mask & (1 << i)]


def _outcomes_sql(spec: LogSpec) -> str:
    """Per case: churned (a churn touchpoint happened) and the latest NPS answer."""
    journey = spec.journey
    assert journey is not None
    s = journey.surveys
    churn = ", ".join(lit(c) for c in journey.churn) or "NULL"
    return f"""
        SELECT l.case_id,
               bool_or(j.touchpoint IN ({churn})) AS churned,
               arg_max({json_number("e.properties", s.score_property)}, l.t_us)
                   FILTER (WHERE l.activity = {lit(s.event)}
                           AND {json_text("e.properties", s.kind_property)} = 'nps') AS nps_score
        FROM journey_log l
        LEFT JOIN journey_events j ON j.message_id = l.message_id
             AND j.journey = {lit(journey.name)}
        LEFT JOIN events e ON e.message_id = l.message_id AND l.activity = {lit(s.event)}
        GROUP BY l.case_id
    """


def conformance(
    engine: Engine, spec: LogSpec, *, cases_limit: int = 20, cases_offset: int = 0
) -> dict[str, Any]:
    """Fitness of every journey against the critical path, how often each deviation occurs,
    which deviations go with churn and low NPS, and one page of the least-fitting cases."""
    journey = spec.journey
    if journey is None:
        raise ValueError("conformance needs a journey")
    # the replay runs once; every figure below reads its per-case result
    with engine.cached(cases_sql(spec)) as c, engine.cached(_outcomes_sql(spec)) as o:
        base = f"WITH c AS (SELECT * FROM {c}), o AS (SELECT * FROM {o}) "
        return _report(engine, journey, base, cases_limit, cases_offset)


def _report(
    engine: Engine, journey: Journey, base: str, cases_limit: int, cases_offset: int
) -> dict[str, Any]:
    """The conformance report over ``base``: a WITH clause with ``c`` (per-case replay) and
    ``o`` (per-case outcomes)."""
    overall = engine.rows(
        base
        + """SELECT count(*) AS cases, avg(fitness) AS mean_fitness,
                    1 - (0.5 * sum(missing) / sum(consumed) + 0.5 * sum(remaining) / sum(produced))
                        AS log_fitness,
                    count_if(fitness = 1) AS perfect, count_if(loops) AS loops,
                    count_if(wrong_order) AS wrong_order
             FROM c"""
    )[0]
    histogram = engine.rows(
        base + "SELECT least(CAST(floor(fitness * 10) AS INTEGER), 9) AS bucket, count(*) AS cases"
        " FROM c GROUP BY 1 ORDER BY 1"
    )
    milestones = list(journey.milestones)
    skip_cols = ", ".join(
        f"count_if(furthest > {i + 1} AND reached_mask % {2 ** (i + 1)} < {2**i}) AS s{i}"
        for i in range(len(milestones))
    )
    skips = engine.rows(base + f"SELECT {skip_cols} FROM c")[0]
    # which deviations go with churn and low NPS
    deviations = {"loops": "c.loops", "wrong_order": "c.wrong_order"}
    for i, m in enumerate(milestones):
        deviations[f"skipped:{m}"] = (
            f"(c.furthest > {i + 1} AND c.reached_mask % {2 ** (i + 1)} < {2**i})"
        )
    outcome_parts = [
        f"""SELECT {lit(name)} AS deviation, {cond} AS has, count(*) AS cases,
                   avg(CAST(CASE WHEN o.churned THEN 1 ELSE 0 END AS DOUBLE)) AS churn_rate,
                   count(o.nps_score) AS nps_answers,
                   {nps_sql("o.nps_score")} AS nps
            FROM c LEFT JOIN o USING (case_id) GROUP BY 2"""
        for name, cond in deviations.items()
    ]
    outcomes = engine.rows(base + " UNION ALL ".join(outcome_parts))
    by_deviation: dict[str, dict[str, Any]] = {}
    for r in outcomes:
        side = "with" if r["has"] else "without"
        by_deviation.setdefault(r["deviation"], {})[side] = {
            "cases": r["cases"],
            "churn_rate": r["churn_rate"],
            "nps": r["nps"],
            "nps_answers": r["nps_answers"],
        }
    worst = engine.rows(
        base + "SELECT * FROM c ORDER BY fitness, case_id "
        f"LIMIT {cases_limit} OFFSET {cases_offset}"
    )
    return {
        "journey": journey.name,
        "milestones": milestones,
        "cases": overall["cases"],
        "mean_fitness": overall["mean_fitness"],
        "log_fitness": overall["log_fitness"],
        "perfect": overall["perfect"],
        "deviations": {
            "loops": overall["loops"],
            "wrong_order": overall["wrong_order"],
            "skipped": {m: skips[f"s{i}"] for i, m in enumerate(milestones)},
        },
        "outcomes": by_deviation,
        "fitness_histogram": [
            {"from": r["bucket"] / 10, "to": (r["bucket"] + 1) / 10, "cases": r["cases"]}
            for r in histogram
        ],
        "least_fitting": [
            {
                "case_id": r["case_id"],
                "fitness": r["fitness"],
                "skipped": _skipped(r["reached_mask"], r["furthest"], milestones),
                "loops": r["loops"],
                "wrong_order": r["wrong_order"],
            }
            for r in worst
        ],
    }
