"""Survey triggers: new events in, invitations out — set-wise SQL, one pass per call.

:func:`evaluate` reads the events received since the last call (a cursor in ``meta``, with an
overlap so late commits are not missed; an invitation is unique per survey and trigger event)
and for every applied survey's triggers — an event (after a delay), a trait change on an
identify call (``plan`` to ``basic``), an earlier answer (a detractor's NPS) — makes one
candidate invitation each. Then, in order, a candidate is *skipped* (kept, with the reason):

1. ``sampling``: outside the survey's sample (a stable hash of survey, customer and event);
2. ``consent``: the customer's newest consent record for the survey's purpose is not a grant;
3. ``no_address``: no email address (or phone for SMS) is known for the customer;
4. ``fatigue``: another invitation (any survey) is due within ``fatigue_days`` of this one.

Quiet hours move the due time to the end of the quiet period, in the survey's time zone.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from journeyhub.analytics.logs import json_text, lit
from journeyhub.feedback.model import Survey, Trigger
from journeyhub.feedback.responses import RESPONSE_EVENT
from journeyhub.journey.mapping import ACTIVITY_SQL, rule_sql

CURSOR_KEY = "survey_trigger_cursor"
OVERLAP = timedelta(seconds=30)  # re-read this much before the cursor: late commits
_US = 1_000_000


def _value(value: object) -> str:
    return lit(str(value).lower() if isinstance(value, bool) else str(value))


def _event_condition(trigger: Trigger) -> str:
    assert trigger.event is not None
    return rule_sql(trigger.event, log="e", props="e")


def _answer_condition(trigger: Trigger) -> str:
    answer = trigger.answer
    assert answer is not None
    score = f"TRY_CAST({json_text('e.properties', 'answers.' + answer.question)} AS DOUBLE)"
    parts = [
        f"e.type = 'track' AND e.name = {lit(RESPONSE_EVENT)}",
        f"{json_text('e.properties', 'survey_id')} = {lit(answer.survey)}",
        f"{score} IS NOT NULL",
    ]
    if answer.min is not None:
        parts.append(f"{score} >= {answer.min}")
    if answer.max is not None:
        parts.append(f"{score} <= {answer.max}")
    return " AND ".join(parts)


def _trigger_sql(survey: Survey, version: int, trigger: Trigger) -> str:
    delay_us = int(trigger.delay.total_seconds() * _US)
    head = f"""SELECT {lit(survey.id)} AS survey_id, {version} AS survey_version,
                      e.message_id AS trigger_id, e.person_key, e.timestamp AS triggered_at,
                      make_timestamptz(epoch_us(e.timestamp) + {delay_us}) AS due_at,
                      coalesce({json_text("e.properties", "language")},
                               left({json_text("e.context", "locale")}, 2)) AS language"""
    if trigger.trait is None:
        condition = (
            _event_condition(trigger) if trigger.event is not None else _answer_condition(trigger)
        )
        return f"{head} FROM _window e WHERE {condition}"
    change = trigger.trait
    trait = json_text("e.traits", change.trait)
    conditions = ["e.in_window", "e.v IS DISTINCT FROM e.prev"]
    if change.to is not None:
        conditions.append(f"e.v = {_value(change.to)}")
    if change.from_ is not None:
        conditions.append(f"e.prev = {_value(change.from_)}")
    # the previous value comes from the customer's whole identify history
    return f"""{head} FROM (
        SELECT h.*, h.message_id IN (SELECT message_id FROM _window) AS in_window,
               lag(h.v) OVER (PARTITION BY h.person_key ORDER BY h.timestamp, h.message_id)
                   AS prev
        FROM (SELECT e.*, {trait} AS v FROM events e
              WHERE e.type = 'identify' AND {trait} IS NOT NULL
                AND e.person_key IN (SELECT person_key FROM _window WHERE type = 'identify')
             ) h
    ) e WHERE {" AND ".join(conditions)}"""


def _quiet(due: str, survey: Survey) -> str:
    """``due`` moved past the survey's quiet hours (local time in its time zone)."""
    q = survey.quiet_hours
    if q is None:
        return due
    tz, start, end = lit(q.timezone), lit(q.start), lit(q.end)
    local = f"timezone({tz}, {due})"
    t = f"CAST({local} AS TIME)"
    overnight = q.start > q.end
    inside = (
        f"({t} >= {start}::TIME OR {t} < {end}::TIME)"
        if overnight
        else f"({t} >= {start}::TIME AND {t} < {end}::TIME)"
    )
    next_day = f"{t} >= {start}::TIME" if overnight else "false"
    hours, minutes = (int(p) for p in q.end.split(":"))
    moved = (
        f"timezone({tz}, CAST(CAST({local} AS DATE) + "
        f"CASE WHEN {next_day} THEN 1 ELSE 0 END AS TIMESTAMP) "
        f"+ INTERVAL {hours * 60 + minutes} MINUTE)"
    )
    return f"CASE WHEN {inside} THEN {moved} ELSE {due} END"


def _survey_sql(survey: Survey, version: int) -> str | None:
    parts = [_trigger_sql(survey, version, t) for t in survey.triggers]
    if not parts:
        return None
    threshold = int(survey.sampling * 10_000)
    consent = (
        f"coalesce((SELECT arg_max(c.granted, c.updated_at) FROM consents c "
        f"JOIN ck ON ck.person_key = c.person_key WHERE ck.case_id = t.case_id "
        f"AND c.purpose = {lit(survey.consent)}), false)"
        if survey.consent
        else "true"
    )
    address = "email" if survey.channel == "email" else "phone"
    return f"""
        SELECT t.*, {_quiet("t.due_at", survey)} AS due,
               CASE WHEN hash(t.survey_id || t.case_id || t.trigger_id) % 10000 >= {threshold}
                        THEN 'sampling'
                    WHEN NOT {consent} THEN 'consent'
                    WHEN a.{address} IS NULL THEN 'no_address' END AS reason,
               a.{address} AS address, a.name, a.language AS known_language,
               {lit(survey.channel)} AS channel, {lit(survey.touchpoint or "")} AS touchpoint,
               {int(survey.expires_after.total_seconds() * _US)} AS expires_us,
               {survey.fatigue_days} AS fatigue_days, {lit(survey.default_language)} AS fallback
        FROM (
            SELECT c.*, coalesce(k.case_id, 'K' || c.person_key) AS case_id
            FROM ({" UNION ALL ".join(parts)}) c
            LEFT JOIN case_keys k ON k.person_key = c.person_key
            WHERE NOT EXISTS (SELECT 1 FROM survey_invitations i
                              WHERE i.survey_id = c.survey_id AND i.trigger_id = c.trigger_id)
            QUALIFY row_number() OVER (PARTITION BY c.trigger_id ORDER BY c.due_at) = 1
        ) t
        LEFT JOIN _addresses a ON a.case_id = t.case_id
    """


_ADDRESSES = f"""
    CREATE OR REPLACE TEMP TABLE _addresses AS
    SELECT coalesce(k.case_id, 'K' || e.person_key) AS case_id,
           arg_max({json_text("e.traits", "email")}, e.timestamp)
               FILTER (WHERE {json_text("e.traits", "email")} IS NOT NULL) AS email,
           arg_max({json_text("e.traits", "phone")}, e.timestamp)
               FILTER (WHERE {json_text("e.traits", "phone")} IS NOT NULL) AS phone,
           arg_max(trim(concat_ws(' ', {json_text("e.traits", "firstName")},
                                  {json_text("e.traits", "lastName")})), e.timestamp)
               FILTER (WHERE {json_text("e.traits", "lastName")} IS NOT NULL) AS name,
           arg_max(left({json_text("e.context", "locale")}, 2), e.timestamp)
               FILTER (WHERE {json_text("e.context", "locale")} IS NOT NULL) AS language
    FROM events e LEFT JOIN case_keys k ON k.person_key = e.person_key
    WHERE e.type = 'identify'
      AND coalesce(k.case_id, 'K' || e.person_key) IN (SELECT case_id FROM _cases)
    GROUP BY 1
"""


def _apply_fatigue(cur: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Greedy per customer, in due order: skip a candidate due within the survey's fatigue
    window after the customer's previous invitation (already in the table, or accepted now).
    ``rows`` are the ``_candidates`` table's rows."""
    last: dict[str, datetime] = {}
    if any(r["reason"] is None for r in rows):
        for case_id, due in cur.execute(
            "SELECT case_id, max(due_at) FROM survey_invitations WHERE status <> 'skipped' "
            "AND case_id IN (SELECT case_id FROM _candidates WHERE reason IS NULL) "
            "GROUP BY case_id"
        ).fetchall():
            last[case_id] = due
    for row in sorted(rows, key=lambda r: (r["case_id"], r["due"])):
        if row["reason"] is not None:
            continue
        previous = last.get(row["case_id"])
        window = timedelta(days=float(row["fatigue_days"]))
        if previous is not None and abs(row["due"] - previous) < window:
            row["reason"] = "fatigue"
        else:
            last[row["case_id"]] = row["due"]


def _insert_invitations(
    cur: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], now: datetime
) -> None:
    """One set-wise insert of the decided candidates (scheduled or skipped with the reason)."""
    ts = pa.timestamp("us", tz="UTC")
    invitations = pa.table(
        {
            "invitation_id": [str(uuid.uuid4()) for _ in rows],
            "survey_id": [r["survey_id"] for r in rows],
            "survey_version": pa.array([r["survey_version"] for r in rows], pa.int32()),
            "trigger_id": [r["trigger_id"] for r in rows],
            "person_key": [r["person_key"] for r in rows],
            "case_id": [r["case_id"] for r in rows],
            "touchpoint": [r["touchpoint"] or None for r in rows],
            "channel": [r["channel"] for r in rows],
            "address": pa.array([r["address"] for r in rows], pa.string()),
            "name": pa.array([r["name"] for r in rows], pa.string()),
            "language": [r["language"] or r["known_language"] or r["fallback"] for r in rows],
            "triggered_at": pa.array([r["triggered_at"] for r in rows], ts),
            "due_at": pa.array([r["due"] for r in rows], ts),
            "expires_at": pa.array(
                [r["due"] + timedelta(microseconds=r["expires_us"]) for r in rows], ts
            ),
            "status": ["skipped" if r["reason"] else "scheduled" for r in rows],
            "reason": pa.array([r["reason"] for r in rows], pa.string()),
            "sent_at": pa.nulls(len(rows), ts),
            "answered_at": pa.nulls(len(rows), ts),
            "created_at": pa.array([now] * len(rows), ts),
        }
    )
    cur.register("_invitations", invitations)
    cur.execute("INSERT INTO survey_invitations SELECT * FROM _invitations")
    cur.unregister("_invitations")


def evaluate(
    cur: duckdb.DuckDBPyConnection,
    surveys: list[tuple[Survey, int]],
    now: datetime | None = None,
    overlap: timedelta = OVERLAP,
) -> dict[str, Any]:
    """Turn events received since the last call (and ``overlap`` before it: requests received
    earlier may commit later) into invitations; returns counts."""
    now = now or datetime.now(UTC)
    cursor_rows = cur.execute("SELECT value FROM meta WHERE key = ?", [CURSOR_KEY]).fetchall()
    since = datetime.fromisoformat(cursor_rows[0][0]) - overlap if cursor_rows else None
    upper = cur.execute("SELECT max(received_at) FROM events").fetchall()[0][0]
    result: dict[str, Any] = {"events": 0, "candidates": 0, "scheduled": 0, "skipped": {}}
    if upper is None:
        return result
    window = "received_at <= ?" + (" AND received_at > ?" if since else "")
    params: list[Any] = [upper] + ([since] if since else [])
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE _window AS SELECT e.*, {ACTIVITY_SQL} AS activity "
        f"FROM events e WHERE {window}",
        params,
    )
    result["events"] = int(cur.execute("SELECT count(*) FROM _window").fetchall()[0][0])
    cur.execute(
        "CREATE OR REPLACE TEMP VIEW ck AS SELECT person_key, case_id FROM case_keys "
        "UNION ALL SELECT DISTINCT person_key, 'K' || person_key FROM consents "
        "WHERE person_key NOT IN (SELECT person_key FROM case_keys)"
    )
    sqls = [s for s in (_survey_sql(sv, v) for sv, v in surveys) if s]
    rows: list[dict[str, Any]] = []
    if sqls and result["events"]:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE _cases AS SELECT DISTINCT coalesce(k.case_id, "
            "'K' || w.person_key) AS case_id FROM _window w "
            "LEFT JOIN case_keys k ON k.person_key = w.person_key"
        )
        cur.execute(_ADDRESSES)
        cur.execute("CREATE OR REPLACE TEMP TABLE _candidates AS " + " UNION ALL ".join(sqls))
        found = cur.execute("SELECT * FROM _candidates")
        columns = [d[0] for d in found.description]
        rows = [dict(zip(columns, r, strict=True)) for r in found.fetchall()]
    _apply_fatigue(cur, rows)
    for r in rows:
        if r["reason"]:
            result["skipped"][r["reason"]] = result["skipped"].get(r["reason"], 0) + 1
        else:
            result["scheduled"] += 1
    if rows:
        _insert_invitations(cur, rows, now)
    result["candidates"] = len(rows)
    cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [CURSOR_KEY, upper.isoformat()])
    return result
