"""JSON events (REST bodies, JSONL lines, replayed payloads) to typed Arrow columns.

Only what is specific to JSON is checked here — is it valid JSON, an object, are the fields of
the right JSON type, are there unknown top-level fields. Every other rule is applied later in
SQL to all inputs alike (:mod:`journeyhub.ingest.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

from journeyhub.ingest.rules import KNOWN_FIELDS
from journeyhub.ingest.staging import META_COLUMNS
from journeyhub.store.sql import quote_ident

STRING_FIELDS = (
    "messageId",
    "type",
    "event",
    "name",
    "userId",
    "anonymousId",
    "groupId",
    "previousId",
    "timestamp",
    "originalTimestamp",
    "sentAt",
    "channel",
)
OBJECT_FIELDS = ("properties", "traits", "context")
_KNOWN = frozenset(KNOWN_FIELDS)
_KIND = {
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "an array",
    dict: "an object",
    type(None): "null",
}
_NOT_STRINGS = {
    "pos": pa.int64(),
    "position": pa.int64(),
    "size_bytes": pa.int64(),
    "received_at": pa.timestamp("us", tz="UTC"),
}
SCHEMA = pa.schema([(name, _NOT_STRINGS.get(name, pa.string())) for name in META_COLUMNS])
_STRINGS = frozenset(STRING_FIELDS)
_OBJECTS = frozenset(OBJECT_FIELDS)


def _kind(value: Any) -> str:
    return _KIND.get(type(value), type(value).__name__)


def _problems(event: dict[str, Any]) -> tuple[str, str] | None:
    wrong, unknown = [], []
    for key, value in event.items():
        if key in _STRINGS:
            if value is not None and type(value) is not str:
                wrong.append(f"{key} must be a string, got {_kind(value)}")
        elif key in _OBJECTS:
            if value is not None and type(value) is not dict:
                wrong.append(f"{key} must be a JSON object, got {_kind(value)}")
        elif key not in _KNOWN:
            unknown.append(key)
    if wrong:
        return "wrong_type", "; ".join(wrong)
    if unknown:
        return (
            "unknown_field",
            "unknown top-level field(s) "
            + ", ".join(unknown)
            + "; custom data belongs in properties, traits or context",
        )
    return None


def json_event_table(
    items: Iterable[tuple[int, int, Any]],
    *,
    source: str | list[str],
    received_at: datetime,
    default_type: str | list[str | None] | None = None,
) -> pa.Table:
    """One row per ``(pos, position, event)`` item: its JSON text and what is wrong with its
    JSON structure, if anything. An event may be a parsed value or ``str``/``bytes`` JSON.
    ``source`` and ``default_type`` are one value or one per item. Fields are extracted from
    ``raw`` in SQL (:func:`json_fields_sql`)."""
    pos_col, position_col, raw_col, size_col, code_col, reason_col = [], [], [], [], [], []
    dumps, loads = orjson.dumps, orjson.loads
    for pos, position, event in items:
        problem = None
        if isinstance(event, (bytes, str)):
            try:
                value = loads(event)
            except orjson.JSONDecodeError as exc:
                raw = event if isinstance(event, str) else event.decode("utf-8", "replace")
                problem = ("malformed_json", f"not valid JSON: {exc}")
            else:
                raw = event if isinstance(event, str) else event.decode("utf-8")
                event = value
        else:
            raw = dumps(event).decode()
        if problem is None:
            if type(event) is dict:
                problem = _problems(event)
            else:
                problem = ("not_an_object", f"an event must be a JSON object, got {_kind(event)}")
        pos_col.append(pos)
        position_col.append(position)
        raw_col.append(raw)
        size_col.append(len(raw))
        code_col.append(problem[0] if problem else None)
        reason_col.append(problem[1] if problem else None)
    n = len(pos_col)
    return pa.table(
        [
            pa.array(pos_col, pa.int64()),
            pa.array(position_col, pa.int64()),
            pa.array(raw_col, pa.string()),
            pa.array(size_col, pa.int64()),
            pa.array(code_col, pa.string()),
            pa.array(reason_col, pa.string()),
            pa.array(
                default_type if isinstance(default_type, list) else [default_type] * n, pa.string()
            ),
            pa.array(source if isinstance(source, list) else [source] * n, pa.string()),
            pa.array([received_at] * n, pa.timestamp("us", tz="UTC")),
        ],
        schema=SCHEMA,
    )


def json_fields_sql(table: str) -> str:
    """The event fields of a :func:`json_event_table` as typed columns, extracted in one pass.

    Rows with a structural problem get NULL fields (their ``pre_code`` rejects them anyway).
    Events without a messageId get a hash of their content, so identical retries dedupe.
    The object fields need no second check (:func:`json_event_table` saw that they are
    objects), and ``context_channel`` comes out of the same parse; see ``json_checked`` in
    :func:`journeyhub.ingest.staging.typed_stage_sql`.
    """
    paths = [*STRING_FIELDS, "context.channel"]
    strings = "[" + ", ".join(f"'$.{f}'" for f in paths) + "]"
    objects = "[" + ", ".join(f"'$.{f}'" for f in OBJECT_FIELDS) + "]"
    fields = [
        f"s[{i}] AS {quote_ident(f)}"
        for i, f in enumerate(STRING_FIELDS, start=1)
        if f != "messageId"
    ]
    fields.append(f"s[{len(paths)}] AS context_channel")
    # an object field given as JSON null is absent (json_extract keeps it as the text 'null')
    fields += [
        f"nullif(o[{i}]::VARCHAR, 'null') AS {quote_ident(f)}"
        for i, f in enumerate(OBJECT_FIELDS, start=1)
    ]
    return f"""(
        SELECT {", ".join(META_COLUMNS)},
            coalesce(s[1], 'jh-' || md5(raw)) AS "messageId", {", ".join(fields)}
        FROM (
            SELECT *,
                json_extract_string(j, {strings}) AS s, json_extract(j, {objects}) AS o
            FROM (SELECT *, CASE WHEN pre_code IS NULL THEN raw ELSE '{{}}' END AS j
                  FROM {table})
        )
    )"""
