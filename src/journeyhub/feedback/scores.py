"""NPS, CSAT and CES by touchpoint, phase, channel, persona, segment, survey or period.

Every figure comes with its sample size and a 95% confidence interval, and is flagged when the
sample is too small to trust (``min_sample``, default 30):

- NPS (0-10): % promoters (9-10) - % detractors (0-6); CI from the variance of the
  promoter(+1)/passive(0)/detractor(-1) score, ``sqrt((p + d - (p - d)^2) / n)``.
- CSAT (1-5): mean (normal CI) and top-2-box share (4-5, Wilson interval).
- CES (1-7, 1 = very low effort): mean (normal CI) and share of low effort (1-3, Wilson).

Sums are computed in SQL over ``survey_scores`` (one pass, any size); intervals in Python.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal, get_args

from journeyhub.analytics.logs import lit, persona_sql
from journeyhub.journey.model import Journey

Dimension = Literal[
    "touchpoint", "phase", "channel", "persona", "segment", "survey", "language", "period",
    "overall",
]  # fmt: skip
DIMENSIONS: tuple[str, ...] = get_args(Dimension)
Z95 = 1.959964


def touchpoint_map_sql(journey: Journey | None) -> str:
    """``(label, touchpoint, phase, tp_channel)``: survey touchpoint labels -> the journey's
    touchpoints (a touchpoint's ``surveys`` labels, or its own id)."""
    rows: list[str] = []
    if journey is not None:
        for tp in journey.touchpoints:
            for label in dict.fromkeys([tp.id, *tp.surveys]):
                channel = lit(tp.channel) if tp.channel else "NULL"
                rows.append(f"({lit(label)}, {lit(tp.id)}, {lit(tp.phase)}, {channel})")
    if not rows:
        return (
            "SELECT NULL::VARCHAR AS label, NULL::VARCHAR AS touchpoint, "
            "NULL::VARCHAR AS phase, NULL::VARCHAR AS tp_channel WHERE false"
        )
    # a label used by several touchpoints rates the first (file order)
    return (
        "SELECT label, first(touchpoint) AS touchpoint, first(phase) AS phase, "
        "first(tp_channel) AS tp_channel FROM (VALUES " + ", ".join(rows) + ") "
        "t(label, touchpoint, phase, tp_channel) GROUP BY label"
    )


def _group_sql(by: Dimension, period: str) -> str:
    return {
        "touchpoint": "coalesce(m.touchpoint, s.touchpoint)",
        "phase": "m.phase",
        "channel": "coalesce(m.tp_channel, s.channel)",
        "persona": "pe.persona",
        "segment": "CASE WHEN k.b2b THEN 'b2b' ELSE 'b2c' END",
        "survey": "s.survey_id",
        "language": "s.language",
        "period": f"strftime(date_trunc({lit(period)}, s.ts), '%Y-%m-%d')",
        "overall": "'all'",
    }[by]


def scores_sql(
    by: Dimension,
    journey: Journey | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    period: str = "month",
    metrics: tuple[str, ...] = ("nps", "csat", "ces"),
) -> str:
    """Per group and metric: n, sum, sum of squares and the band counts."""
    where = [f"s.type IN ({', '.join(lit(m) for m in metrics)})"]
    if since is not None:
        where.append(f"s.ts >= {lit(since.isoformat())}::TIMESTAMPTZ")
    if until is not None:
        where.append(f"s.ts < {lit(until.isoformat())}::TIMESTAMPTZ")
    joins = [f"LEFT JOIN ({touchpoint_map_sql(journey)}) m ON m.label = s.touchpoint"]
    if by in ("persona", "segment"):
        joins.append("LEFT JOIN case_keys k ON k.person_key = s.person_key")
    if by == "persona":
        if journey is None:
            raise ValueError("scores by persona need a journey with personas")
        joins.append(f"LEFT JOIN ({persona_sql(journey)}) pe ON pe.case_id = k.case_id")
    return f"""
        SELECT {_group_sql(by, period)} AS grp, s.type AS metric,
               count(*) AS n, sum(s.score) AS total, sum(s.score * s.score) AS squares,
               count_if(s.type = 'nps' AND s.score >= 9
                        OR s.type = 'csat' AND s.score >= 4
                        OR s.type = 'ces' AND s.score <= 3) AS top,
               count_if(s.type = 'nps' AND s.score <= 6) AS bottom
        FROM survey_scores s {" ".join(joins)}
        WHERE {" AND ".join(where)}
        GROUP BY ALL ORDER BY grp NULLS LAST, metric
    """


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def _mean_ci(n: int, total: float, squares: float) -> tuple[float, float, float]:
    mean = total / n
    var = max((squares - n * mean * mean) / (n - 1), 0.0) if n > 1 else math.nan
    half = Z95 * math.sqrt(var / n) if n > 1 else math.nan
    return mean, mean - half, mean + half


def summarise(row: dict[str, Any], min_sample: int = 30) -> dict[str, Any]:
    """One group's metric from its sums: value, interval, bands, sample size and trust flag."""
    n, metric = int(row["n"]), row["metric"]
    top, bottom = int(row["top"]), int(row["bottom"])
    out: dict[str, Any] = {"metric": metric, "n": n, "small_sample": n < min_sample}
    if metric == "nps":
        p, d = top / n, bottom / n
        half = 100 * Z95 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
        nps = 100 * (p - d)
        out |= {
            "value": nps, "ci_low": nps - half, "ci_high": nps + half,
            "promoters": p, "passives": 1 - p - d, "detractors": d,
        }  # fmt: skip
    elif metric in ("csat", "ces"):
        mean, low, high = _mean_ci(n, float(row["total"]), float(row["squares"]))
        share_low, share_high = wilson(top, n)
        share = "top2_share" if metric == "csat" else "low_effort_share"
        out |= {
            "value": mean, "ci_low": low, "ci_high": high,
            share: top / n, f"{share}_ci": [share_low, share_high],
        }  # fmt: skip
    else:  # yes_no
        lo, hi = wilson(int(row["total"]), n)
        out |= {"value": float(row["total"]) / n, "ci_low": lo, "ci_high": hi}
    return out


def scores(rows: list[dict[str, Any]], by: str, min_sample: int = 30) -> list[dict[str, Any]]:
    """The summarised score rows, one per group and metric: ``{by: group, "metric", ...}``."""
    return [{by: r["grp"], **summarise(r, min_sample)} for r in rows]
