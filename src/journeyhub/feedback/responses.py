"""Survey responses are events: built here, collected from the event stream into tables.

A response is a ``Survey Answered`` track event on the customer's timeline, so it lives with
everything else the customer did; its properties carry the survey, the answers, the headline
score and the touchpoint it rates. Other survey tools can send the same event (the demo does:
``{"survey": "nps", "score": 9, "touchpoint": "post_purchase", "comment": ...}``).

:func:`collect` copies responses that arrived since the last call into ``survey_responses``
and every scale answer into ``survey_scores`` (the fact table scores read), idempotently.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb

from journeyhub.feedback.model import SCALES, Survey

RESPONSE_EVENT = "Survey Answered"
_COUNT_KEY = "survey_events_collected"


def response_event(
    survey: Survey,
    version: int,
    answers: dict[str, Any],
    *,
    identity: dict[str, str],
    message_id: str,
    language: str,
    touchpoint: str | None = None,
    channel: str = "web",
    invitation_id: str | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """The ``Survey Answered`` event of validated ``answers`` (see :mod:`.answers`)."""
    main = survey.main_question
    texts = [answers[q.id] for q in survey.questions if q.type == "text" and q.id in answers]
    properties: dict[str, Any] = {
        "survey": survey.kind,
        "survey_id": survey.id,
        "survey_version": version,
        "score": answers.get(main.id) if main else None,
        "touchpoint": touchpoint or survey.touchpoint,
        "language": language,
        "answers": answers,
    }
    if texts:
        properties["comment"] = "\n".join(texts)
    if invitation_id:
        properties["invitation_id"] = invitation_id
    return {
        "type": "track",
        "event": RESPONSE_EVENT,
        "messageId": message_id,
        "timestamp": (timestamp or datetime.now(UTC)).isoformat(),
        "channel": channel,
        "properties": properties,
        **identity,
    }


def _prop(key: str) -> str:
    return f"json_extract_string(e.properties, '$.{key}')"


def _in_range(score: str, kind: str) -> str:
    checks = " ".join(
        f"WHEN {kind} = '{k}' THEN {score} BETWEEN {lo} AND {hi}" for k, (lo, hi) in SCALES.items()
    )
    return f"CASE {checks} WHEN {kind} = 'yes_no' THEN {score} IN (0, 1) ELSE false END"


def _survey_event_count(cur: duckdb.DuckDBPyConnection) -> int:
    return int(
        cur.execute(
            "SELECT count(*) FROM events WHERE type = 'track' AND name = ?", [RESPONSE_EVENT]
        ).fetchall()[0][0]
    )


def is_current(cur: duckdb.DuckDBPyConnection) -> bool:
    """True when every response event has been collected (one count, no join)."""
    seen = cur.execute("SELECT value FROM meta WHERE key = ?", [_COUNT_KEY]).fetchall()
    return bool(seen) and int(seen[0][0]) == _survey_event_count(cur)


def collect(cur: duckdb.DuckDBPyConnection) -> int:
    """Copy new response events into ``survey_responses`` / ``survey_scores``; returns how many."""
    cur.execute(
        f"""CREATE OR REPLACE TEMP TABLE _new_responses AS
        SELECT e.message_id AS response_id,
               coalesce({_prop("survey_id")}, {_prop("survey")}, 'survey') AS survey_id,
               TRY_CAST({_prop("survey_version")} AS INTEGER) AS survey_version,
               {_prop("survey")} AS kind, e.person_key, e.timestamp AS ts,
               {_prop("touchpoint")} AS touchpoint, e.channel,
               coalesce({_prop("language")}, json_extract_string(e.context, '$.locale'))
                   AS language,
               TRY_CAST({_prop("score")} AS DOUBLE) AS score, {_prop("comment")} AS comment,
               {_prop("invitation_id")} AS invitation_id,
               json_extract(e.properties, '$.answers') AS answers
        FROM events e
        WHERE e.type = 'track' AND e.name = '{RESPONSE_EVENT}'
          AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.response_id = e.message_id)
        """
    )
    added = int(cur.execute("SELECT count(*) FROM _new_responses").fetchall()[0][0])
    if added:
        cur.execute("INSERT INTO survey_responses SELECT * FROM _new_responses")
        answer = "json_extract_string(n.answers, '$.' || q.question_id)"
        value = (
            f"CASE WHEN q.type = 'yes_no' THEN ({answer} = 'true')::INT "
            f"ELSE TRY_CAST({answer} AS DOUBLE) END"
        )
        cur.execute(
            f"""INSERT INTO survey_scores
            SELECT response_id, survey_id, question_id, type, score, person_key, ts,
                   touchpoint, channel, language FROM (
                SELECT n.response_id, n.survey_id, q.question_id, q.type, {value} AS score,
                       n.person_key, n.ts, n.touchpoint, n.channel, n.language
                FROM _new_responses n
                JOIN survey_questions q
                  ON q.survey_id = n.survey_id AND q.version = n.survey_version
                WHERE q.type IN ('nps', 'csat', 'ces', 'yes_no') AND {answer} IS NOT NULL
                UNION ALL
                SELECT n.response_id, n.survey_id, n.kind, n.kind, n.score, n.person_key, n.ts,
                       n.touchpoint, n.channel, n.language
                FROM _new_responses n
                WHERE n.answers IS NULL AND n.kind IN ('nps', 'csat', 'ces')
            ) s WHERE score IS NOT NULL AND {_in_range("score", "type")}
            """
        )
    cur.execute("DROP TABLE _new_responses")
    cur.execute(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)", [_COUNT_KEY, str(_survey_event_count(cur))]
    )
    return added
