"""Turn every input into one staged relation that :mod:`rules` can check.

Inputs arrive as typed columns: Parquet and CSV files as they are, JSON events (REST, JSONL)
after :func:`journeyhub.ingest.json_events.json_event_table`. Columns are mapped to the
canonical Segment field names (snake_case aliases and a user mapping work), timestamps and
JSON columns are parsed with TRY_CAST, and the result has these columns:

pos, position, source, raw, pre_code, pre_reason, message_id, type, event, name, user_id,
anonymous_id, group_id, previous_id, ts_text, ts_parsed, sent_text, sent_parsed, channel,
properties, traits, context, bad_json, size_bytes, received_at.
"""

from __future__ import annotations

from collections.abc import Mapping

from journeyhub.store.sql import quote_ident, quote_literal

OBJECT_FIELDS = ("properties", "traits", "context")
FIELD_ALIASES: dict[str, str] = {
    "message_id": "messageId",
    "user_id": "userId",
    "anonymous_id": "anonymousId",
    "group_id": "groupId",
    "previous_id": "previousId",
    "original_timestamp": "originalTimestamp",
    "sent_at": "sentAt",
    "received_at": "receivedAt",
}
# columns that carry staging metadata rather than event fields
META_COLUMNS = (
    "pos",
    "position",
    "raw",
    "size_bytes",
    "pre_code",
    "pre_reason",
    "default_type",
    "source",
    "received_at",
)


def _blank_to_null(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def typed_stage_sql(
    source_view: str,
    columns: Mapping[str, str],
    *,
    source: str,
    mapping: Mapping[str, str] | None = None,
    json_checked: bool = False,
) -> str:
    """Staged relation over a relation of typed columns that has a ``pos`` column.

    ``columns`` maps each column name to its DuckDB type; ``mapping`` maps canonical field
    names (``userId``) to column names of the input (``customer_no``). ``json_checked``: the
    relation is :func:`~journeyhub.ingest.json_events.json_fields_sql`, whose object fields
    are known to be JSON objects and which brings ``context_channel`` along, so neither is
    parsed again (REST spends most of a batch's validation on JSON).
    """
    meta = {c for c in META_COLUMNS if c in columns}
    resolved: dict[str, str] = {}
    for column in columns:
        if column in meta:
            continue
        resolved.setdefault(FIELD_ALIASES.get(column, column), column)
    for field, column in (mapping or {}).items():
        if column not in columns:
            raise ValueError(
                f"column mapping {field}={column}: the file has no column {column!r} "
                f"(it has: {', '.join(c for c in columns if c != 'pos')})"
            )
        resolved[field] = column

    def col(field: str) -> str | None:
        name = resolved.get(field)
        return quote_ident(name) if name else None

    def kind(field: str) -> str:
        return columns[resolved[field]].upper()

    def text(field: str) -> str:
        c = col(field)
        return _blank_to_null(f"CAST({c} AS VARCHAR)") if c else "NULL::VARCHAR"

    def json_text(field: str) -> str:
        c = col(field)
        if c is None:
            return "NULL::VARCHAR"
        if kind(field).startswith(("STRUCT", "MAP")):
            return f"to_json({c})::VARCHAR"
        return f"nullif(CAST({c} AS VARCHAR), '')"

    def ts_columns(field: str, prefix: str) -> str:
        """``<prefix>_text`` (for messages, NULL when typed) and ``<prefix>_parsed``."""
        c = col(field)
        if c is None:
            return f"NULL::VARCHAR AS {prefix}_text, NULL::TIMESTAMPTZ AS {prefix}_parsed"
        if "TIMESTAMP" in kind(field) or kind(field).startswith("DATE"):
            return f"NULL::VARCHAR AS {prefix}_text, CAST({c} AS TIMESTAMPTZ) AS {prefix}_parsed"
        value = text(field)
        return f"{value} AS {prefix}_text, TRY_CAST({value} AS TIMESTAMPTZ) AS {prefix}_parsed"

    def meta_or(name: str, default: str) -> str:
        return f"{quote_ident(name)} AS {name}" if name in meta else f"{default} AS {name}"

    if json_checked:
        bad_json = "NULL::VARCHAR"
        channel_given = "coalesce(channel, context_channel)"
    else:
        # valid JSON whose first character is "{" is an object: one parse per value
        checks = " ".join(
            f"WHEN {f} IS NOT NULL AND NOT (json_valid({f}) AND ltrim({f}) LIKE '{{%') THEN '{f}'"
            for f in OBJECT_FIELDS
        )
        bad_json = f"CASE {checks} END"
        channel_given = (
            "CASE WHEN channel IS NULL AND context IS NOT NULL AND json_valid(context) "
            "THEN json_extract_string(context, '$.channel') ELSE channel END"
        )
    timestamp_field = "timestamp" if col("timestamp") else "originalTimestamp"
    received = col("receivedAt")
    file_received = f"TRY_CAST({received} AS TIMESTAMPTZ)" if received else "NULL::TIMESTAMPTZ"
    hash_parts = ", ".join(
        text(f) for f in ("type", "event", "name", "userId", "anonymousId", timestamp_field)
    )
    size = (
        "size_bytes"
        if "size_bytes" in meta
        else "coalesce(strlen(properties), 0) + coalesce(strlen(traits), 0)"
        " + coalesce(strlen(context), 0)"
    )
    return f"""
    SELECT pos, position, source, raw, pre_code, pre_reason,
        CASE WHEN message_id IS NULL THEN 'jh-' || md5(coalesce(raw_for_hash, ''))
             ELSE message_id END AS message_id,
        coalesce(type, default_type) AS type,
        event, name, user_id, anonymous_id, group_id, previous_id,
        ts_text, ts_parsed, sent_text, sent_parsed,
        CASE lower(channel_given)
            WHEN 'browser' THEN 'web' WHEN 'mobile' THEN 'app'
            ELSE coalesce(lower(channel_given),
                          CASE coalesce(type, default_type)
                              WHEN 'page' THEN 'web' WHEN 'screen' THEN 'app' END)
        END AS channel,
        properties, traits, context, bad_json, {size} AS size_bytes,
        coalesce(received_given, now_ts) AS received_at
    FROM (
        SELECT *, {bad_json} AS bad_json, {channel_given} AS channel_given
        FROM (
            SELECT pos, {meta_or("position", "pos")}, {meta_or("source", quote_literal(source))},
                {meta_or("raw", "NULL::VARCHAR")}, {meta_or("pre_code", "NULL::VARCHAR")},
                {meta_or("pre_reason", "NULL::VARCHAR")},
                {meta_or("default_type", "NULL::VARCHAR")},
                {meta_or("size_bytes", "NULL::BIGINT")},
                {"received_at::TIMESTAMPTZ" if "received_at" in meta else file_received}
                    AS received_given,
                now()::TIMESTAMPTZ AS now_ts,
                {text("messageId")} AS message_id, lower({text("type")}) AS type,
                {text("event")} AS event, {text("name")} AS name,
                {text("userId")} AS user_id, {text("anonymousId")} AS anonymous_id,
                {text("groupId")} AS group_id, {text("previousId")} AS previous_id,
                {ts_columns(timestamp_field, "ts")}, {ts_columns("sentAt", "sent")},
                {text("channel")} AS channel,{" context_channel," if json_checked else ""}
                {json_text("properties")} AS properties, {json_text("traits")} AS traits,
                {json_text("context")} AS context,
                CASE WHEN {col("messageId") or "NULL"} IS NULL
                     THEN concat_ws('|', {hash_parts}) END AS raw_for_hash
            FROM {source_view}
        )
    )
    """
