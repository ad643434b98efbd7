"""JSON events (REST bodies, JSONL lines, replayed payloads) to typed Arrow columns.

Only what is specific to JSON is checked here — is it valid JSON, an object, are the fields of
the right JSON type, are there unknown top-level fields. Every other rule is applied later in
SQL to all inputs alike (:mod:`journeyhub.ingest.rules`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

from journeyhub.ingest.rules import KNOWN_FIELDS

STRING_FIELDS = ("messageId", "type", "event", "name", "userId", "anonymousId", "groupId",
                 "previousId", "timestamp", "originalTimestamp", "sentAt", "channel")
OBJECT_FIELDS = ("properties", "traits", "context")
_KNOWN = frozenset(KNOWN_FIELDS)
_KIND = {str: "a string", bool: "a boolean", int: "a number", float: "a number",
         list: "an array", dict: "an object", type(None): "null"}
COLUMNS = ("pos", "position", "raw", "size_bytes", "pre_code", "pre_reason", "default_type",
           "source", "received_at", *STRING_FIELDS, *OBJECT_FIELDS)


def _kind(value: Any) -> str:
    return _KIND.get(type(value), type(value).__name__)


def _problems(event: dict[str, Any]) -> tuple[str, str] | None:
    wrong = [f"{f} must be a string, got {_kind(event[f])}"
             for f in STRING_FIELDS if event.get(f) is not None and not isinstance(event[f], str)]
    wrong += [f"{f} must be a JSON object, got {_kind(event[f])}"
              for f in OBJECT_FIELDS if event.get(f) is not None and not isinstance(event[f], dict)]
    if wrong:
        return "wrong_type", "; ".join(wrong)
    unknown = [k for k in event if k not in _KNOWN]
    if unknown:
        return ("unknown_field", "unknown top-level field(s) " + ", ".join(unknown)
                + "; custom data belongs in properties, traits or context")
    return None


def json_event_table(
    items: Iterable[tuple[int, int, Any]],
    *,
    source: str | list[str],
    received_at: datetime,
    default_type: str | list[str | None] | None = None,
) -> pa.Table:
    """Typed columns for ``(pos, position, event)`` items; an event may be a parsed value, or
    ``str``/``bytes`` JSON text to parse. ``source`` and ``default_type`` are one value or one
    per item."""
    cols: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    for n, (pos, position, event) in enumerate(items):
        if isinstance(event, (bytes, str)):
            text = event if isinstance(event, str) else event.decode("utf-8", "replace")
            try:
                event = orjson.loads(event)
            except orjson.JSONDecodeError as exc:
                event, problem = None, ("malformed_json", f"not valid JSON: {exc}")
                raw = text
            else:
                raw = None
        else:
            raw = None
        if event is not None or raw is None:
            raw = orjson.dumps(event).decode()
            problem = (
                _problems(event) if isinstance(event, dict)
                else ("not_an_object", f"an event must be a JSON object, got {_kind(event)}")
            )
        cols["pos"].append(pos)
        cols["position"].append(position)
        cols["raw"].append(raw)
        cols["size_bytes"].append(len(raw.encode()))
        cols["pre_code"].append(problem[0] if problem else None)
        cols["pre_reason"].append(problem[1] if problem else None)
        cols["default_type"].append(
            default_type if not isinstance(default_type, list) else default_type[n])
        cols["source"].append(source if isinstance(source, str) else source[n])
        cols["received_at"].append(received_at)
        ok = isinstance(event, dict) and problem is None
        for f in STRING_FIELDS:
            cols[f].append(event.get(f) if ok else None)
        for f in OBJECT_FIELDS:
            value = event.get(f) if ok else None
            cols[f].append(orjson.dumps(value).decode() if value is not None else None)
        if ok and not event.get("messageId"):
            # no messageId: the content decides, so a retried identical event is a duplicate
            cols["messageId"][-1] = "jh-" + hashlib.md5(raw.encode()).hexdigest()
    schema = pa.schema([
        ("pos", pa.int64()), ("position", pa.int64()), ("raw", pa.string()),
        ("size_bytes", pa.int64()), ("pre_code", pa.string()), ("pre_reason", pa.string()),
        ("default_type", pa.string()), ("source", pa.string()),
        ("received_at", pa.timestamp("us", tz="UTC")),
        *[(f, pa.string()) for f in (*STRING_FIELDS, *OBJECT_FIELDS)],
    ])
    return pa.table(cols, schema=schema)
