"""Touchpoints that happen but are on no map: frequent events and sequences no touchpoint of
the journey matches, ranked by customers — candidates to add to the model.

Only interactions count (track, page and screen calls; identify/group/alias are bookkeeping),
and only customers in the journey's audience (a B2C journey ignores business accounts).
"""

from __future__ import annotations

from typing import Any

from journeyhub.analytics.engines import Engine
from journeyhub.analytics.logs import lit
from journeyhub.journey.mapping import audience_join
from journeyhub.journey.model import Journey


def _log(journey: Journey) -> str:
    audience = audience_join(journey)
    return f"""
        SELECT l.case_id, l.t_us, l.message_id, l.activity, j.touchpoint
        FROM journey_log l {audience}
        LEFT JOIN journey_events j ON j.message_id = l.message_id
             AND j.journey = {lit(journey.name)}
        WHERE l.type IN ('track', 'page', 'screen')
    """


def unmapped(engine: Engine, journey: Journey, limit: int = 20) -> dict[str, Any]:
    """Unmapped activities and directly-following pairs of them, most customers first."""
    base = f"WITH log AS ({_log(journey)}) "
    activities = engine.rows(
        base
        + f"""SELECT activity, count(DISTINCT case_id) AS customers, count(*) AS events
                   FROM log WHERE touchpoint IS NULL GROUP BY activity
                   ORDER BY customers DESC, events DESC, activity LIMIT {limit}"""
    )
    sequences = engine.rows(
        base
        + f"""SELECT a AS "from", b AS "to", count(DISTINCT case_id) AS customers,
                          count(*) AS occurrences
                   FROM (
                       SELECT case_id, activity AS a, touchpoint AS ta,
                              lead(activity) OVER w AS b, lead(touchpoint) OVER w AS tb
                       FROM log WINDOW w AS (PARTITION BY case_id ORDER BY t_us, message_id)
                   ) WHERE b IS NOT NULL AND ta IS NULL AND tb IS NULL
                   GROUP BY a, b ORDER BY customers DESC, occurrences DESC, a, b LIMIT {limit}"""
    )
    totals = engine.rows(
        base + "SELECT count(*) AS events, count_if(touchpoint IS NULL) AS unmapped FROM log"
    )[0]
    share = totals["unmapped"] / totals["events"] if totals["events"] else 0.0
    return {
        "journey": journey.name,
        "events": totals["events"],
        "unmapped_events": totals["unmapped"],
        "unmapped_share": share,
        "activities": activities,
        "sequences": sequences,
    }
