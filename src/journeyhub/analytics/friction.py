"""Friction: where customers struggle, ranked by how many are affected, with examples.

Each detector is a SQL relation of *hits* ``(case_id, touchpoint, detail)``, one per
occurrence, driven by the journey model:

- ``repeat_contact``: a contact (touchpoint with ``contact: true``) about the same matter
  (``matter_property``) as an earlier one within ``friction.repeat_contact_days``;
- ``channel_switch``: such a repeat on another channel than the contact before (chat, then phone);
- ``data_asked_twice``: a form asks for a field (``fields`` property) the customer already gave
  (identify traits or an earlier form);
- ``drop_off``: a ``drop_off`` touchpoint (abandoned cart or form) not followed by the
  conversion touchpoint within ``friction.drop_off_recovery_days``;
- ``long_wait``: ``wait_property`` above the touchpoint's expected ``response_time``;
- ``slow_resolution``: the ``resolved_by`` touchpoint came later than the expected
  ``resolution_time``, or never;
- ``dead_end``: the journey stops at a pre-purchase or purchase touchpoint (not the conversion,
  not in the last phase) and nothing happened for ``friction.dead_end_days``.
"""

from __future__ import annotations

from typing import Any

from journeyhub.analytics.engines import Engine
from journeyhub.analytics.logs import json_number, lit, lits
from journeyhub.journey.model import Journey, format_duration

DETECTORS = (
    "repeat_contact", "channel_switch", "data_asked_twice", "drop_off", "long_wait",
    "slow_resolution", "dead_end",
)  # fmt: skip
DAY_US = 86_400 * 1_000_000


def _events(journey: Journey) -> str:
    return f"SELECT * FROM journey_events WHERE journey = {lit(journey.name)}"


def contacts_sql(journey: Journey) -> str | None:
    """Repeat contacts: each contact with the previous one about the same matter (its time
    ``prev_t`` and channel) within the repeat window."""
    contacts = [tp for tp in journey.touchpoints if tp.contact]
    if not contacts:
        return None
    matter = " ".join(
        f"WHEN {lit(tp.id)} THEN "
        f"json_extract_string(e.properties, {lit('$.' + tp.matter_property)})"
        for tp in contacts
        if tp.matter_property
    )
    matter_sql = f"CASE j.touchpoint {matter} END" if matter else "NULL"
    window = int(journey.friction.repeat_contact_days * DAY_US)
    return f"""
        SELECT * FROM (
            SELECT j.case_id, j.t_us, j.touchpoint, j.channel,
                   lag(j.t_us) OVER w AS prev_t, lag(j.channel) OVER w AS prev_channel
            FROM ({_events(journey)}) j JOIN events e ON e.message_id = j.message_id
            WHERE j.touchpoint IN {lits([tp.id for tp in contacts])}
            WINDOW w AS (PARTITION BY j.case_id, coalesce({matter_sql}, j.message_id)
                         ORDER BY j.t_us, j.message_id)
        ) WHERE prev_t IS NOT NULL AND t_us - prev_t <= {window}
    """


def repeat_contact(journey: Journey) -> str | None:
    """Hits of repeat contacts about the same matter."""
    contacts = contacts_sql(journey)
    days = journey.friction.repeat_contact_days
    return contacts and (
        f"SELECT case_id, touchpoint, {lit(f'same matter again within {days:g} days')} "
        f"AS detail FROM ({contacts})"
    )


def channel_switch(journey: Journey) -> str | None:
    """Hits of repeat contacts on another channel than the one before."""
    contacts = contacts_sql(journey)
    return contacts and (
        "SELECT case_id, touchpoint, coalesce(prev_channel, '?') || ' -> ' || "
        f"coalesce(channel, '?') AS detail FROM ({contacts}) "
        "WHERE coalesce(prev_channel, '') <> coalesce(channel, '')"
    )


def data_asked_twice(journey: Journey) -> str | None:
    """Hits of forms asking for a field the customer had already given."""
    fields = journey.friction.fields
    if not fields:
        return None
    cases = f"SELECT case_id FROM journey_events WHERE journey = {lit(journey.name)}"
    given = " UNION ALL ".join(
        f"""SELECT l.case_id, l.t_us, l.message_id, l.type, {lit(f)} AS field,
                   coalesce(j.touchpoint, l.activity) AS touchpoint
            FROM given_events e JOIN journey_log l ON l.message_id = e.message_id
            LEFT JOIN ({_events(journey)}) j ON j.message_id = e.message_id
            WHERE l.case_id IN ({cases})
              AND ((e.type = 'identify'
                    AND json_extract_string(e.traits, {lit("$." + f)}) IS NOT NULL)
                   OR (e.type = 'track' AND contains(json_extract_string(e.properties, '$.fields'),
                                                     {lit(chr(34) + f + chr(34))})))"""
        for f in fields
    )
    return f"""
        WITH given_events AS (
            SELECT message_id, type, traits, properties FROM events
            WHERE type = 'identify' OR (type = 'track' AND contains(properties, '"fields"'))
        )
        SELECT case_id, touchpoint, field AS detail FROM (
            SELECT *, row_number() OVER (PARTITION BY case_id, field ORDER BY t_us, message_id)
                      AS nth
            FROM ({given})
        ) WHERE nth > 1 AND type = 'track'
    """


def drop_off(journey: Journey) -> str | None:
    """Hits of drop-offs the customer did not recover from (no conversion soon after)."""
    drops = [tp.id for tp in journey.touchpoints if tp.drop_off]
    if not drops:
        return None
    days = journey.friction.drop_off_recovery_days
    detail = lit(f"no {journey.conversion} within {days:g} days" if journey.conversion else "")
    if journey.conversion is None:
        return (
            f"SELECT case_id, touchpoint, {detail} AS detail FROM ({_events(journey)}) "
            f"WHERE touchpoint IN {lits(drops)}"
        )
    return f"""
        SELECT d.case_id, d.touchpoint, {detail} AS detail
        FROM ({_events(journey)}) d
        LEFT JOIN ({_events(journey)}) c ON c.case_id = d.case_id
             AND c.touchpoint = {lit(journey.conversion)}
             AND c.t_us > d.t_us AND c.t_us <= d.t_us + {int(days * DAY_US)}
        WHERE d.touchpoint IN {lits(drops)}
        GROUP BY d.case_id, d.touchpoint, d.message_id HAVING count(c.case_id) = 0
    """


def long_wait(journey: Journey) -> str | None:
    """Hits of waits above the touchpoint's expected response time."""
    parts = []
    for tp in journey.touchpoints:
        limit = tp.expectations.response_time
        if tp.wait_property and limit is not None:
            seconds = limit.total_seconds()
            parts.append(
                f"""SELECT j.case_id, j.touchpoint,
                           {lit(f"waited longer than {format_duration(seconds)}")} AS detail
                    FROM ({_events(journey)}) j JOIN events e ON e.message_id = j.message_id
                    WHERE j.touchpoint = {lit(tp.id)}
                      AND {json_number("e.properties", tp.wait_property)} > {seconds}"""
            )
    return " UNION ALL ".join(parts) or None


def slow_resolution(journey: Journey) -> str | None:
    """Hits of matters resolved later than expected (or not at all)."""
    parts = []
    for tp in journey.touchpoints:
        limit = tp.expectations.resolution_time
        if tp.resolved_by and limit is not None:
            limit_us = int(limit.total_seconds() * 1_000_000)
            late = lit(f"resolved later than {format_duration(limit.total_seconds())}")
            parts.append(
                f"""SELECT case_id, touchpoint,
                           CASE WHEN resolved_t IS NULL THEN 'never resolved' ELSE {late} END
                           AS detail
                    FROM (
                        SELECT s.case_id, s.touchpoint, s.t_us, min(r.t_us) AS resolved_t
                        FROM ({_events(journey)}) s
                        LEFT JOIN ({_events(journey)}) r ON r.case_id = s.case_id
                             AND r.touchpoint = {lit(tp.resolved_by)} AND r.t_us >= s.t_us
                        WHERE s.touchpoint = {lit(tp.id)}
                        GROUP BY s.case_id, s.touchpoint, s.t_us, s.message_id
                    ) WHERE resolved_t IS NULL OR resolved_t - t_us > {limit_us}"""
            )
    return " UNION ALL ".join(parts) or None


def dead_end(journey: Journey) -> str | None:
    """Hits of journeys that stop before the purchase is through, at a touchpoint that should
    lead somewhere (post-purchase ends are the normal end of a journey)."""
    last_rank = len(journey.phases) - 1
    terminal = [*journey.churn, *journey.milestones[-1:]]
    terminal += [journey.conversion] if journey.conversion else []
    terminal += [tp.id for tp in journey.touchpoints if tp.stage == "post-purchase"]
    quiet = int(journey.friction.dead_end_days * DAY_US)
    return f"""
        SELECT case_id, touchpoint, 'journey ends here' AS detail FROM (
            SELECT case_id, touchpoint, phase_rank, t_us FROM ({_events(journey)})
            QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY t_us DESC, message_id DESC)
                    = 1
        ) WHERE phase_rank < {last_rank} AND touchpoint NOT IN {lits(terminal)}
          AND t_us < (SELECT max(t_us) FROM journey_log) - {quiet}
    """


BUILDERS = {
    "repeat_contact": repeat_contact,
    "channel_switch": channel_switch,
    "data_asked_twice": data_asked_twice,
    "drop_off": drop_off,
    "long_wait": long_wait,
    "slow_resolution": slow_resolution,
    "dead_end": dead_end,
}


def hits_sql(journey: Journey, detectors: list[str] | None = None) -> str:
    """All hits of the chosen detectors: ``(detector, case_id, touchpoint, detail)``."""
    chosen = detectors or list(DETECTORS)
    unknown = [d for d in chosen if d not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown detector(s) {unknown} (expected: {', '.join(DETECTORS)})")
    parts = []
    for name in chosen:
        sql = BUILDERS[name](journey)
        if sql:
            parts.append(f"SELECT {lit(name)} AS detector, * FROM ({sql})")
    if not parts:
        return (
            "SELECT CAST(NULL AS VARCHAR) AS detector, CAST(NULL AS VARCHAR) AS case_id, "
            "CAST(NULL AS VARCHAR) AS touchpoint, CAST(NULL AS VARCHAR) AS detail WHERE false"
        )
    return " UNION ALL ".join(parts)


def friction(
    engine: Engine, journey: Journey, detectors: list[str] | None = None, examples: int = 3
) -> list[dict[str, Any]]:
    """Friction findings ranked by customers affected, each with example customers and the
    key to open their timeline."""
    base = f"WITH hits AS ({hits_sql(journey, detectors)}) "
    rows = engine.rows(
        base
        + """SELECT detector, touchpoint, detail, count(DISTINCT case_id) AS customers,
                         count(*) AS occurrences
                  FROM hits GROUP BY detector, touchpoint, detail
                  ORDER BY customers DESC, occurrences DESC, detector, touchpoint, detail"""
    )
    picked = engine.rows(
        base
        + f"""SELECT h.detector, h.touchpoint, h.detail, h.case_id,
                          CASE WHEN h.case_id LIKE 'G%' THEN h.case_id ELSE k.key END AS key
                   FROM (SELECT DISTINCT detector, touchpoint, detail, case_id FROM hits) h
                   LEFT JOIN (SELECT case_id, min(person_key) AS key FROM case_keys
                              GROUP BY case_id) k ON k.case_id = h.case_id
                   QUALIFY row_number() OVER (PARTITION BY h.detector, h.touchpoint, h.detail
                                              ORDER BY h.case_id) <= {examples}"""
    )
    by_finding: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for p in sorted(picked, key=lambda r: r["case_id"]):
        by_finding.setdefault((p["detector"], p["touchpoint"], p["detail"]), []).append(
            {"case_id": p["case_id"], "timeline": f"/v1/customers/{p['key']}/timeline"}
        )
    for r in rows:
        r["examples"] = by_finding.get((r["detector"], r["touchpoint"], r["detail"]), [])
    return rows
