"""Turn every kind of input into one staged relation that :mod:`rules` can check.

Two shapes come in:

* JSON text, one event per row (REST calls, JSONL files): fields are pulled out with DuckDB's
  JSON functions, and JSON-level problems (malformed, wrong types, unknown top-level fields)
  become ``pre_code``/``pre_reason``.
* Typed columns (Parquet, CSV): columns are mapped to the canonical field names, with
  snake_case aliases and a user mapping; timestamps and JSON columns are parsed with TRY_CAST.

Both produce the same columns: pos, source, received_at, raw, pre_code, pre_reason,
message_id, type, event, name, user_id, anonymous_id, group_id, previous_id, ts_text, ts_parsed,
sent_text, sent_parsed, channel, properties, traits, context, bad_json, size_bytes.
"""

from __future__ import annotations

from collections.abc import Mapping

from journeyhub.ingest.rules import KNOWN_FIELDS
from journeyhub.store.sql import quote_ident, quote_literal

# canonical field -> staged column, in the order they are extracted from JSON
STRING_FIELDS: dict[str, str] = {
    "messageId": "message_id",
    "type": "type",
    "event": "event",
    "name": "name",
    "userId": "user_id",
    "anonymousId": "anonymous_id",
    "groupId": "group_id",
    "previousId": "previous_id",
    "timestamp": "ts_text",
    "originalTimestamp": "orig_ts_text",
    "sentAt": "sent_text",
    "channel": "channel",
}
OBJECT_FIELDS = ("properties", "traits", "context")
TIMESTAMP_FIELDS = {"timestamp", "originalTimestamp", "sentAt", "receivedAt"}
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


def _json_kind(expr: str) -> str:
    """A readable name for a DuckDB JSON type ('UBIGINT' -> 'a number')."""
    return (
        f"CASE WHEN {expr} IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN 'a number' "
        f"WHEN {expr} = 'ARRAY' THEN 'an array' WHEN {expr} = 'OBJECT' THEN 'an object' "
        f"WHEN {expr} = 'BOOLEAN' THEN 'a boolean' WHEN {expr} = 'VARCHAR' THEN 'a string' "
        f"ELSE lower({expr}) END"
    )


def _blank_to_null(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def _normalised_columns(received_at: str) -> str:
    """Columns derived the same way for both shapes (from the intermediate names)."""
    return f"""
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
        properties, traits, context, bad_json, size_bytes,
        {received_at} AS received_at
    """


def json_stage_sql(raw_table: str) -> str:
    """Staged relation over a table ``(pos, position, raw, received_at, source, default_type)``.

    ``pos`` is unique within the chunk; ``position`` is what the sender sees (index in its batch,
    line in its file).
    """
    string_paths = "[" + ", ".join(f"'$.{f}'" for f in STRING_FIELDS) + "]"
    object_paths = "[" + ", ".join(f"'$.{f}'" for f in OBJECT_FIELDS) + "]"
    type_checks = []
    for i, field in enumerate(STRING_FIELDS, start=1):
        type_checks.append(
            f"CASE WHEN t[{i}] NOT IN ('VARCHAR', 'NULL') THEN "
            f"'{field} must be a string, got ' || {_json_kind(f't[{i}]')} END"
        )
    offset = len(STRING_FIELDS)
    for i, field in enumerate(OBJECT_FIELDS, start=offset + 1):
        type_checks.append(
            f"CASE WHEN t[{i}] NOT IN ('OBJECT', 'NULL') THEN "
            f"'{field} must be a JSON object, got ' || {_json_kind(f't[{i}]')} END"
        )
    type_error_list = "list_filter([" + ", ".join(type_checks) + "], lambda x: x IS NOT NULL)"
    known = "[" + ", ".join(quote_literal(f) for f in KNOWN_FIELDS) + "]"
    all_paths = string_paths[:-1] + ", " + object_paths[1:]
    s = {col: f"s[{i}]" for i, col in enumerate(STRING_FIELDS.values(), start=1)}
    ids = ("message_id", "user_id", "anonymous_id", "group_id", "previous_id", "event", "name")
    id_exprs = ",\n".join(f"{_blank_to_null(s[c])} AS {c}" for c in ids)
    return f"""
    SELECT pos, position, source, raw, pre_code, pre_reason,
        {_normalised_columns("received_at")}
    FROM (
        SELECT pos, position, source, received_at, raw, default_type,
            CASE WHEN NOT ok THEN 'malformed_json'
                 WHEN jt <> 'OBJECT' THEN 'not_an_object'
                 WHEN len(type_errors) > 0 THEN 'wrong_type'
                 WHEN len(unknown) > 0 THEN 'unknown_field' END AS pre_code,
            CASE WHEN NOT ok THEN 'not valid JSON: ' || left(raw, 80)
                 WHEN jt <> 'OBJECT'
                    THEN 'an event must be a JSON object, got ' || {_json_kind("jt")}
                 WHEN len(type_errors) > 0 THEN array_to_string(type_errors, '; ')
                 WHEN len(unknown) > 0 THEN
                    'unknown top-level field(s) ' || array_to_string(unknown, ', ')
                    || '; custom data belongs in properties, traits or context' END AS pre_reason,
            {id_exprs},
            lower({_blank_to_null(s["type"])}) AS type,
            coalesce({s["ts_text"]}, {s["orig_ts_text"]}) AS ts_text,
            TRY_CAST(coalesce({s["ts_text"]}, {s["orig_ts_text"]}) AS TIMESTAMPTZ) AS ts_parsed,
            {s["sent_text"]} AS sent_text, TRY_CAST({s["sent_text"]} AS TIMESTAMPTZ) AS sent_parsed,
            coalesce({s["channel"]}, json_extract_string(jraw, '$.context.channel'))
                AS channel_given,
            o[1] AS properties, o[2] AS traits, o[3] AS context,
            NULL::VARCHAR AS bad_json, strlen(raw) AS size_bytes, raw AS raw_for_hash
        FROM (
            SELECT *,
                json_extract_string(jraw, {string_paths}) AS s,
                json_extract(jraw, {object_paths}) AS o,
                {type_error_list} AS type_errors,
                list_filter(json_keys(jraw), lambda k: NOT list_contains({known}, k)) AS unknown
            FROM (
                SELECT *, json_type(jraw) AS jt, json_type(jraw, {all_paths}) AS t
                FROM (
                    SELECT *, CASE WHEN ok THEN raw ELSE '{{}}' END AS jraw
                    FROM (SELECT *, coalesce(json_valid(raw), false) AS ok FROM {raw_table})
                )
            )
        )
    )
    """


def typed_stage_sql(
    source_view: str,
    columns: Mapping[str, str],
    *,
    source: str,
    mapping: Mapping[str, str] | None = None,
) -> str:
    """Staged relation over a view of typed columns (Parquet, CSV) with a ``pos`` column.

    ``columns`` maps each column name of the view to its DuckDB type; ``mapping`` maps
    canonical field names (``userId``) to column names of the file (``customer_no``).
    """
    resolved: dict[str, str] = {}
    for column in columns:
        canonical = FIELD_ALIASES.get(column, column)
        resolved.setdefault(canonical, column)
    for field, column in (mapping or {}).items():
        if column not in columns:
            raise ValueError(
                f"column mapping {field}={column}: the file has no column {column!r} "
                f"(it has: {', '.join(columns)})"
            )
        resolved[field] = column

    def col(field: str) -> str | None:
        name = resolved.get(field)
        return quote_ident(name) if name else None

    def text(field: str) -> str:
        c = col(field)
        return _blank_to_null(f"CAST({c} AS VARCHAR)") if c else "NULL::VARCHAR"

    def json_text(field: str) -> str:
        c = col(field)
        if c is None:
            return "NULL::VARCHAR"
        kind = columns[resolved[field]].upper()
        if kind.startswith(("STRUCT", "MAP")):
            return f"to_json({c})::VARCHAR"
        return f"nullif(CAST({c} AS VARCHAR), '')"

    def ts_columns(field: str, prefix: str) -> str:
        """``<prefix>_text`` (for messages, NULL when typed) and ``<prefix>_parsed``."""
        c = col(field)
        if c is None:
            return f"NULL::VARCHAR AS {prefix}_text, NULL::TIMESTAMPTZ AS {prefix}_parsed"
        kind = columns[resolved[field]].upper()
        if "TIMESTAMP" in kind or kind.startswith("DATE"):
            return f"NULL::VARCHAR AS {prefix}_text, CAST({c} AS TIMESTAMPTZ) AS {prefix}_parsed"
        value = text(field)
        return f"{value} AS {prefix}_text, TRY_CAST({value} AS TIMESTAMPTZ) AS {prefix}_parsed"

    # valid JSON whose first character is "{" is an object: one parse per value
    json_checks = " ".join(
        f"WHEN {f} IS NOT NULL AND NOT (json_valid({f}) AND ltrim({f}) LIKE '{{%') THEN '{f}'"
        for f in OBJECT_FIELDS
    )
    received = col("receivedAt")
    file_received = f"TRY_CAST({received} AS TIMESTAMPTZ)" if received else "NULL::TIMESTAMPTZ"
    timestamp_field = "timestamp" if col("timestamp") else "originalTimestamp"
    hash_parts = ", ".join(
        text(f) for f in ("type", "event", "name", "userId", "anonymousId", timestamp_field)
    )
    return f"""
    SELECT pos, pos AS position, source, NULL::VARCHAR AS raw,
        NULL::VARCHAR AS pre_code, NULL::VARCHAR AS pre_reason,
        {_normalised_columns("coalesce(file_received_at, now_ts)")}
    FROM (
        SELECT *, CASE {json_checks} END AS bad_json,
            CASE WHEN channel IS NULL AND context IS NOT NULL AND json_valid(context)
                 THEN json_extract_string(context, '$.channel') ELSE channel END AS channel_given,
            coalesce(strlen(properties), 0) + coalesce(strlen(traits), 0)
                + coalesce(strlen(context), 0) AS size_bytes
        FROM (
            SELECT pos, {quote_literal(source)} AS source, now()::TIMESTAMPTZ AS now_ts,
                NULL::VARCHAR AS default_type,
                {text("messageId")} AS message_id, lower({text("type")}) AS type,
                {text("event")} AS event, {text("name")} AS name,
                {text("userId")} AS user_id, {text("anonymousId")} AS anonymous_id,
                {text("groupId")} AS group_id, {text("previousId")} AS previous_id,
                {ts_columns(timestamp_field, "ts")}, {ts_columns("sentAt", "sent")},
                {file_received} AS file_received_at, {text("channel")} AS channel,
                {json_text("properties")} AS properties, {json_text("traits")} AS traits,
                {json_text("context")} AS context,
                CASE WHEN {col("messageId") or "NULL"} IS NULL
                     THEN concat_ws('|', {hash_parts}) END AS raw_for_hash
            FROM {source_view}
        )
    )
    """
