"""Process-mining interop: the event log as XES, as OCEL 2.0 JSON, or as Parquet tables.

- XES (IEEE 1849): one trace per customer, events with ``concept:name`` (the activity),
  ``time:timestamp``, channel and message id — what pm4py, ProM and Celonis import.
- OCEL 2.0 JSON: events related to objects — the customer, and the orders and support tickets
  their properties name (``order_id``, ``ticket_id``) — for object-centric process mining.
- Parquet: the tables the analytics read, for :class:`~journeyhub.analytics.engines.SparkEngine`.

XES is streamed (constant memory); OCEL is built in memory (it is one JSON document).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import orjson

from journeyhub.analytics.engines import export_tables
from journeyhub.analytics.logs import Level
from journeyhub.analytics.service import Analytics

OBJECT_PROPERTIES = {"order_id": "order", "ticket_id": "ticket"}
XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
"""


def _iso(t_us: int) -> str:
    return datetime.fromtimestamp(t_us / 1_000_000, UTC).isoformat(timespec="milliseconds")


def write_xes(analytics: Analytics, out: Path, level: Level, journey: str | None) -> dict[str, Any]:
    """Stream the log at ``level`` to an XES file."""
    spec = analytics.spec(level, journey)
    cur = analytics.db.cursor().execute(
        f"SELECT case_id, activity, t_us, channel, message_id FROM ({spec.sql()}) "
        "ORDER BY case_id, t_us, message_id"
    )
    events = cases = 0
    current: str | None = None
    with out.open("w", encoding="utf-8") as f:
        f.write(XES_HEAD)
        while rows := cur.fetchmany(50_000):
            for case_id, activity, t_us, channel, message_id in rows:
                if case_id != current:
                    if current is not None:
                        f.write("  </trace>\n")
                    f.write(f'  <trace><string key="concept:name" value={quoteattr(case_id)}/>\n')
                    current, cases = case_id, cases + 1
                f.write(
                    f'    <event><string key="concept:name" value={quoteattr(activity)}/>'
                    f'<date key="time:timestamp" value="{_iso(t_us)}"/>'
                    f'<string key="channel" value={quoteattr(channel or "")}/>'
                    f'<string key="message_id" value={quoteattr(message_id)}/></event>\n'
                )
                events += 1
        if current is not None:
            f.write("  </trace>\n")
        f.write("</log>\n")
    return {"path": str(out), "events": events, "cases": cases}


def write_ocel(
    analytics: Analytics, out: Path, level: Level, journey: str | None
) -> dict[str, Any]:
    """Write the log at ``level`` as OCEL 2.0 JSON: customers, orders and tickets as objects."""
    spec = analytics.spec(level, journey)
    props = ", ".join(
        f"json_extract_string(e.properties, '$.{p}') AS {p}" for p in OBJECT_PROPERTIES
    )
    rows = (
        analytics.db.cursor()
        .execute(
            f"""SELECT l.message_id, l.case_id, l.activity, l.t_us, l.channel, {props}
                FROM ({spec.sql()}) l JOIN events e ON e.message_id = l.message_id
                ORDER BY l.t_us, l.message_id"""
        )
        .fetchall()
    )
    objects: dict[str, str] = {}
    events = []
    types: set[str] = set()
    for message_id, case_id, activity, t_us, channel, *refs in rows:
        objects.setdefault(case_id, "customer")
        related = [{"objectId": case_id, "qualifier": "customer"}]
        for (prop, kind), ref in zip(OBJECT_PROPERTIES.items(), refs, strict=True):
            if ref:
                objects.setdefault(f"{kind}:{ref}", kind)
                related.append({"objectId": f"{kind}:{ref}", "qualifier": prop})
        types.add(activity)
        events.append(
            {
                "id": message_id,
                "type": activity,
                "time": _iso(t_us),
                "attributes": [{"name": "channel", "value": channel or ""}],
                "relationships": related,
            }
        )
    document = {
        "objectTypes": [
            {"name": kind, "attributes": []} for kind in ("customer", *OBJECT_PROPERTIES.values())
        ],
        "eventTypes": [
            {"name": t, "attributes": [{"name": "channel", "type": "string"}]}
            for t in sorted(types)
        ],
        "objects": [{"id": oid, "type": kind, "attributes": []} for oid, kind in objects.items()],
        "events": events,
    }
    out.write_bytes(orjson.dumps(document))
    customers = sum(1 for kind in objects.values() if kind == "customer")
    return {"path": str(out), "events": len(events), "cases": customers}


def export(
    analytics: Analytics,
    out: str | Path,
    *,
    fmt: str | None = None,
    level: Level = "event",
    journey: str | None = None,
) -> dict[str, Any]:
    """Export to ``out`` as ``xes``, ``ocel`` or ``parquet`` (default: from the file name)."""
    path = Path(out)
    if fmt is None:
        suffix = path.suffix.lower()
        fmt = {".xes": "xes", ".jsonocel": "ocel", ".json": "ocel"}.get(suffix, "parquet")
    if fmt == "xes":
        return write_xes(analytics, path, level, journey)
    if fmt == "ocel":
        return write_ocel(analytics, path, level, journey)
    if fmt == "parquet":
        analytics.refresh()
        export_tables(analytics.db, path)
        events = analytics.db.scalar("SELECT count(*) FROM journey_log")
        cases = analytics.db.scalar("SELECT count(DISTINCT case_id) FROM journey_log")
        return {"path": str(path), "events": events, "cases": cases}
    raise ValueError(f"unknown export format {fmt!r} (expected xes, ocel or parquet)")
