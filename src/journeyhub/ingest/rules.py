"""What makes an event acceptable: every rule in one list, applied in SQL to every input path.

REST batches, JSONL, CSV and Parquet files are all turned into the same staged relation
(see :mod:`journeyhub.ingest.staging`); :func:`reason_code_sql` then names, for each row,
the first rule it breaks. Messages say what was wrong and what is expected.
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT_TYPES = ("track", "identify", "page", "screen", "group", "alias")
MAX_EVENT_BYTES = 32 * 1024
MAX_ID_LENGTH = 256
MAX_FUTURE = "INTERVAL 1 DAY"
MIN_TIMESTAMP = "1990-01-01"  # history back to 1990 (CDNOW is 1997); 1970 = a unit mix-up

# Top-level fields of the Segment and RudderStack HTTP specs. Anything else at the top level is
# almost always a typo ("userid", "anonymous_id") that would silently lose the identity.
KNOWN_FIELDS = (
    "messageId", "type", "event", "name", "userId", "anonymousId", "groupId", "previousId",
    "timestamp", "originalTimestamp", "sentAt", "receivedAt", "context", "properties", "traits",
    "integrations", "channel", "version", "writeKey", "_metadata", "requestId", "rudderId",
    "category", "options", "projectId", "request_ip",
)  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """One acceptance rule: a SQL condition that flags a bad row and the message it gets."""

    code: str
    condition: str
    message: str
    code_sql: str | None = None  # when the code itself comes from a column


def _id_rules() -> list[Rule]:
    rules = []
    for column, field in (
        ("user_id", "userId"),
        ("anonymous_id", "anonymousId"),
        ("group_id", "groupId"),
        ("message_id", "messageId"),
    ):
        rules.append(
            Rule(
                "id_too_long",
                f"length({column}) > {MAX_ID_LENGTH}",
                f"'{field} is ' || length({column}) || ' characters long; "
                f"at most {MAX_ID_LENGTH} are allowed'",
            )
        )
    return rules


RULES: list[Rule] = [
    Rule("invalid", "pre_code IS NOT NULL", "pre_reason", code_sql="pre_code"),
    Rule(
        "missing_type",
        "type IS NULL",
        "'type is missing; expected one of " + ", ".join(EVENT_TYPES) + "'",
    ),
    Rule(
        "unknown_type",
        "type NOT IN (" + ", ".join(f"'{t}'" for t in EVENT_TYPES) + ")",
        "'type \"' || type || '\" is unknown; expected one of " + ", ".join(EVENT_TYPES) + "'",
    ),
    Rule(
        "missing_id",
        "user_id IS NULL AND anonymous_id IS NULL",
        "'neither userId nor anonymousId is set; every event needs at least one of them'",
    ),
    Rule(
        "missing_event",
        "type = 'track' AND event IS NULL",
        "'a track call needs an event name in \"event\"'",
    ),
    Rule(
        "missing_group_id",
        "type = 'group' AND group_id IS NULL",
        "'a group call needs a groupId'",
    ),
    Rule(
        "missing_previous_id",
        "type = 'alias' AND (previous_id IS NULL OR user_id IS NULL)",
        "'an alias call needs both previousId and userId'",
    ),
    *_id_rules(),
    Rule(
        "bad_timestamp",
        "ts_text IS NOT NULL AND ts_parsed IS NULL",
        "'timestamp \"' || ts_text || '\" is not an ISO 8601 date-time "
        "(expected e.g. 2026-05-01T12:30:00Z)'",
    ),
    Rule(
        "bad_sent_at",
        "sent_text IS NOT NULL AND sent_parsed IS NULL",
        "'sentAt \"' || sent_text || '\" is not an ISO 8601 date-time'",
    ),
    Rule(
        "timestamp_in_future",
        f"ts > received_at + {MAX_FUTURE}",
        "'timestamp ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || "
        "' is more than 24 hours after the time it was received; check the clock or time zone'",
    ),
    Rule(
        "timestamp_too_old",
        f"ts < TIMESTAMPTZ '{MIN_TIMESTAMP}'",
        "'timestamp ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || "
        f"' is before {MIN_TIMESTAMP}; is it in seconds instead of an ISO date-time?'",
    ),
    Rule(
        "bad_json_field",
        "bad_json IS NOT NULL",
        "bad_json || ' is not a JSON object'",
    ),
    Rule(
        "event_too_large",
        f"size_bytes > {MAX_EVENT_BYTES}",
        f"'event is ' || size_bytes || ' bytes; at most {MAX_EVENT_BYTES} are allowed'",
    ),
]


def reason_code_sql() -> str:
    """``reason_code``: the code of the first rule a row breaks, else NULL."""
    code = " ".join(f"WHEN {r.condition} THEN {r.code_sql or repr(r.code)}" for r in RULES)
    return f"CASE {code} END AS reason_code"


def reason_message_sql() -> str:
    """The message of the first rule a row breaks (evaluated only for rejected rows)."""
    message = " ".join(f"WHEN {r.condition} THEN {r.message}" for r in RULES)
    return f"CASE {message} END"
