"""Soll-Ist: each touchpoint's promise (journey model expectations) against what it delivers,
and key drivers: which touchpoint scores explain the customers' NPS.

- Scores: measured CSAT / CES / NPS at the touchpoint against the expected value.
- Response time: the touchpoint's ``wait_property`` (seconds) — median and the share within
  the expected ``response_time`` (service level).
- Resolution time: time from the touchpoint to its ``resolved_by`` touchpoint — median and the
  share within ``resolution_time``.

Key drivers (derived importance): per customer, the mean touchpoint score (CSAT, CES reversed,
on 0..1) against the customer's mean NPS answer; importance is the correlation, and each
driver's share of the summed squared correlations. The importance-performance matrix puts
each touchpoint at (importance, performance) with the quadrant it falls in.
"""

from __future__ import annotations

from typing import Any

from journeyhub.analytics.engines import Engine
from journeyhub.analytics.logs import json_number, lit
from journeyhub.feedback.scores import scores, scores_sql, touchpoint_map_sql
from journeyhub.journey.model import Journey

LOWER_IS_BETTER = {"ces", "response_time", "resolution_time"}


def _gap(metric: str, soll: float, ist: float | None) -> dict[str, Any]:
    if ist is None:
        return {"metric": metric, "soll": soll, "ist": None, "gap": None, "met": None}
    gap = ist - soll
    met = gap <= 0 if metric in LOWER_IS_BETTER else gap >= 0
    return {"metric": metric, "soll": soll, "ist": ist, "gap": gap, "met": met}


def _times(engine: Engine, journey: Journey) -> dict[tuple[str, str], dict[str, Any]]:
    """Measured response and resolution times per touchpoint (seconds)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    name = lit(journey.name)
    for tp in journey.touchpoints:
        e = tp.expectations
        if tp.wait_property and e.response_time is not None:
            limit = e.response_time.total_seconds()
            row = engine.rows(
                f"""SELECT median(w) AS median, avg((w <= {limit})::INT) AS within, count(w) AS n
                FROM (SELECT {json_number("ev.properties", tp.wait_property)} AS w
                      FROM journey_events j JOIN events ev ON ev.message_id = j.message_id
                      WHERE j.journey = {name} AND j.touchpoint = {lit(tp.id)})"""
            )[0]
            out[(tp.id, "response_time")] = row
        if tp.resolved_by and e.resolution_time is not None:
            limit = e.resolution_time.total_seconds()
            row = engine.rows(
                f"""SELECT median(d) AS median, avg(coalesce(d <= {limit}, false)::INT) AS within,
                           count(*) AS n
                FROM (SELECT (min(r.t_us) - s.t_us) / 1e6 AS d
                      FROM journey_events s LEFT JOIN journey_events r
                        ON r.journey = s.journey AND r.case_id = s.case_id
                       AND r.touchpoint = {lit(tp.resolved_by)} AND r.t_us >= s.t_us
                      WHERE s.journey = {name} AND s.touchpoint = {lit(tp.id)}
                      GROUP BY s.case_id, s.message_id, s.t_us)"""
            )[0]
            out[(tp.id, "resolution_time")] = row
    return out


def soll_ist(engine: Engine, journey: Journey, min_sample: int = 30) -> list[dict[str, Any]]:
    """One row per touchpoint and expectation: soll, ist, gap, met, n (worst gaps first)."""
    measured = {
        (r["touchpoint"], r["metric"]): r
        for r in scores(engine.rows(scores_sql("touchpoint", journey)), "touchpoint", min_sample)
    }
    times = _times(engine, journey)
    rows: list[dict[str, Any]] = []
    for tp in journey.touchpoints:
        e = tp.expectations
        base = {"touchpoint": tp.id, "name": tp.name.en, "phase": tp.phase}
        for metric in ("csat", "ces", "nps"):
            soll = getattr(e, metric)
            if soll is not None:
                m = measured.get((tp.id, metric))
                row = _gap(metric, soll, m["value"] if m else None)
                rows.append({**base, **row, "n": m["n"] if m else 0,
                             "small_sample": m["small_sample"] if m else True})  # fmt: skip
        for metric in ("response_time", "resolution_time"):
            limit = getattr(e, metric)
            if limit is not None and (tp.id, metric) in times:
                t = times[(tp.id, metric)]
                row = _gap(metric, limit.total_seconds(), t["median"])
                rows.append({**base, **row, "n": int(t["n"]), "service_level": t["within"],
                             "small_sample": int(t["n"]) < min_sample})  # fmt: skip
    rows.sort(key=lambda r: (r["met"] is not False, -(abs(r["gap"]) if r["gap"] else 0)))
    return rows


def drivers_sql(journey: Journey | None) -> str:
    """Per touchpoint: correlation of the customers' touchpoint score with their NPS."""
    return f"""
        WITH s AS (
            SELECT k.case_id, coalesce(m.touchpoint, s.touchpoint) AS touchpoint, s.type,
                   CASE s.type WHEN 'csat' THEN (s.score - 1) / 4.0
                               WHEN 'ces' THEN (7 - s.score) / 6.0 END AS perf,
                   s.score
            FROM survey_scores s JOIN case_keys k ON k.person_key = s.person_key
            LEFT JOIN ({touchpoint_map_sql(journey)}) m ON m.label = s.touchpoint
        ), nps AS (
            SELECT case_id, avg(score) AS nps FROM s WHERE type = 'nps' GROUP BY case_id
        ), tp AS (
            SELECT case_id, touchpoint, avg(perf) AS perf FROM s
            WHERE type IN ('csat', 'ces') AND touchpoint IS NOT NULL GROUP BY case_id, touchpoint
        )
        SELECT tp.touchpoint, count(*) AS n, corr(nps.nps, tp.perf) AS importance,
               100 * avg(tp.perf) AS performance
        FROM tp JOIN nps USING (case_id)
        GROUP BY tp.touchpoint HAVING count(*) >= 3 ORDER BY importance DESC NULLS LAST
    """


def key_drivers(engine: Engine, journey: Journey | None, min_sample: int = 30) -> dict[str, Any]:
    """Key drivers of NPS and the importance-performance matrix."""
    rows = [r for r in engine.rows(drivers_sql(journey)) if r["importance"] is not None]
    total = sum(r["importance"] ** 2 for r in rows) or 1.0
    mid_i = sum(r["importance"] for r in rows) / len(rows) if rows else 0.0
    mid_p = sum(r["performance"] for r in rows) / len(rows) if rows else 0.0
    for r in rows:
        r["share"] = r["importance"] ** 2 / total
        r["small_sample"] = r["n"] < min_sample
        high_i, high_p = r["importance"] >= mid_i, r["performance"] >= mid_p
        r["quadrant"] = (
            "concentrate here" if high_i and not high_p
            else "keep up the good work" if high_i
            else "possible overkill" if high_p
            else "low priority"
        )  # fmt: skip
    return {"target": "nps", "drivers": rows}
