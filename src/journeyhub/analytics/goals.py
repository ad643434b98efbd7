"""SMART goals: each goal's metric now, per month, and whether the trend reaches the target
by the deadline.

*Now* is the last ``CURRENT_DAYS`` of data (up to ``as_of``, by default the newest event);
the trend is one value per calendar month from the goal's start. Status is ``achieved`` /
``missed`` once the deadline passed, else ``on track`` when the target is met now, ``on track
(trend)`` when a least-squares line through the monthly values meets it by the deadline,
else ``off track``.
"""

from __future__ import annotations

import operator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from journeyhub.analytics.conformance import cases_sql
from journeyhub.analytics.engines import Engine
from journeyhub.analytics.friction import contacts_sql
from journeyhub.analytics.logs import LogSpec, json_number, json_text, lit, lits, nps_sql
from journeyhub.journey.model import Goal, Journey

CURRENT_DAYS = 90
COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


def _survey_sql(journey: Journey, goal: Goal, spec: LogSpec, kind: str) -> str:
    s = journey.surveys
    score = json_number("properties", s.score_property)
    where = [f"{json_text('properties', s.kind_property)} = {lit(kind)}", spec.where()]
    if goal.touchpoint:
        where.append(f"{json_text('properties', s.touchpoint_property)} = {lit(goal.touchpoint)}")
    value = {
        "nps": nps_sql(score),
        "csat": f"count_if({score} >= 4) / nullif(count(*), 0)",
        "ces": f"avg({score})",
    }[kind]
    return f"""SELECT {value} AS value, count(*) AS n FROM (
                   SELECT l.case_id, l.t_us, e.properties
                   FROM journey_log l JOIN events e ON e.message_id = l.message_id
                   WHERE l.activity = {lit(s.event)}
               ) WHERE {" AND ".join(where)}"""


def metric_sql(journey: Journey, goal: Goal, spec: LogSpec) -> str:
    """``(value, n)`` of the goal's metric over the spec's time range and persona."""
    jn = lit(journey.name)
    events = f"SELECT * FROM journey_events WHERE journey = {jn} AND {spec.where()}"
    if goal.metric in ("nps", "csat", "ces"):
        return _survey_sql(journey, goal, spec, goal.metric)
    if goal.metric == "service_level":
        tp = journey.touchpoint(goal.touchpoint) if goal.touchpoint else None
        if tp is None or not tp.wait_property or tp.expectations.response_time is None:
            raise ValueError(
                f"goal {goal.id}: service_level needs a touchpoint with wait_property and "
                "expectations.response_time"
            )
        wait = json_number("e.properties", tp.wait_property)
        limit = tp.expectations.response_time.total_seconds()
        return f"""SELECT count_if({wait} <= {limit}) / nullif(count(*), 0) AS value,
                          count(*) AS n
                   FROM ({events}) j JOIN events e ON e.message_id = j.message_id
                   WHERE j.touchpoint = {lit(tp.id)}"""
    if goal.metric == "repeat_contact_rate":
        contacts = [tp.id for tp in journey.touchpoints if tp.contact]
        repeats = contacts_sql(journey) or "SELECT 0 AS t_us, '' AS case_id WHERE false"
        return f"""SELECT (SELECT count(*) FROM ({repeats}) WHERE {spec.where()})
                          / nullif(count(*), 0) AS value, count(*) AS n
                   FROM ({events}) WHERE touchpoint IN {lits(contacts)}"""
    if goal.metric == "conversion_rate":
        entries = lits(journey.entry_points or [journey.touchpoints[0].id])
        return f"""SELECT count(c.case_id) / nullif(count(*), 0) AS value, count(*) AS n
                   FROM (SELECT DISTINCT case_id FROM ({events}) WHERE touchpoint IN {entries}) a
                   LEFT JOIN (SELECT DISTINCT case_id FROM ({events})
                              WHERE touchpoint = {lit(journey.conversion or "")}) c
                        ON c.case_id = a.case_id"""
    if goal.metric == "churn_rate":
        return f"""SELECT count(DISTINCT case_id) FILTER (WHERE touchpoint IN {lits(journey.churn)})
                          / nullif(count(DISTINCT case_id), 0) AS value,
                          count(DISTINCT case_id) AS n
                   FROM ({events})"""
    if goal.metric == "cart_abandonment_rate":
        drops = lits([tp.id for tp in journey.touchpoints if tp.drop_off])
        conv = lit(journey.conversion or "")
        return f"""SELECT count_if(touchpoint IN {drops}) / nullif(count(*), 0) AS value,
                          count(*) AS n
                   FROM ({events}) WHERE touchpoint IN {drops} OR touchpoint = {conv}"""
    if goal.metric == "fitness":
        touch = LogSpec("touchpoint", journey, spec.since, spec.until, spec.persona)
        return f"SELECT avg(fitness) AS value, count(*) AS n FROM ({cases_sql(touch)})"
    raise ValueError(f"unknown metric {goal.metric!r}")


def _months(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    months = []
    cur = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while cur <= end:
        nxt = (
            cur.replace(year=cur.year + 1, month=1)
            if cur.month == 12
            else cur.replace(month=cur.month + 1)
        )
        months.append((cur, min(nxt, end)))
        cur = nxt
    return months


def _status(goal: Goal, current: float | None, trend: list[dict[str, Any]], as_of: datetime):
    met = current is not None and COMPARE[goal.comparison](current, goal.target)
    deadline = datetime(goal.deadline.year, goal.deadline.month, goal.deadline.day, tzinfo=UTC)
    if as_of > deadline:
        return ("achieved" if met else "missed"), None
    points = [(i, t["value"]) for i, t in enumerate(trend) if t["value"] is not None]
    projected = None
    if len(points) >= 3:
        xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
        slope, intercept = np.polyfit(xs, ys, 1)
        months_ahead = (deadline - as_of).days / 30.44
        projected = float(intercept + slope * (len(trend) - 1 + months_ahead))
    if met:
        return "on track", projected
    if projected is not None and COMPARE[goal.comparison](projected, goal.target):
        return "on track (trend)", projected
    return "off track", projected


def goals(engine: Engine, journey: Journey, as_of: datetime | None = None) -> list[dict[str, Any]]:
    """Every goal of the journey with its current value, monthly trend and status."""
    if as_of is None:
        newest = engine.rows("SELECT max(t_us) AS t FROM journey_log")[0]["t"]
        as_of = (
            datetime.fromtimestamp(newest / 1e6, UTC) + timedelta(microseconds=1)
            if newest is not None
            else datetime.now(UTC)
        )
    out = []
    for goal in journey.goals:
        since = as_of - timedelta(days=CURRENT_DAYS)
        now = engine.rows(metric_sql(journey, goal, LogSpec("event", journey, since, as_of,
                                                            goal.persona)))[0]  # fmt: skip
        start = (
            datetime(goal.start.year, goal.start.month, goal.start.day, tzinfo=UTC)
            if goal.start
            else as_of - timedelta(days=183)
        )
        trend = []
        for a, b in _months(start, as_of):
            row = engine.rows(
                metric_sql(journey, goal, LogSpec("event", journey, a, b, goal.persona))
            )[0]
            trend.append({"month": a.strftime("%Y-%m"), "value": row["value"], "n": row["n"]})
        status, projected = _status(goal, now["value"], trend, as_of)
        out.append(
            {
                "id": goal.id,
                "name": goal.name.model_dump(),
                "metric": goal.metric,
                "persona": goal.persona,
                "touchpoint": goal.touchpoint,
                "target": goal.target,
                "comparison": goal.comparison,
                "deadline": goal.deadline.isoformat(),
                "current": now["value"],
                "n": now["n"],
                "status": status,
                "projected_at_deadline": projected,
                "trend": trend,
            }
        )
    return out
