"""The quarantine: every rejected input, kept whole with the reason, until it is replayed.

:func:`replay` sends quarantined payloads through the same pipeline again — as stored (after a
rule or mapping was fixed) or replaced by a corrected payload. Rows that now pass are marked
``replayed``; rows that still fail keep their place with the new reason.
"""

from __future__ import annotations

import base64
import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from journeyhub.ingest.json_events import json_event_table
from journeyhub.ingest.pipeline import commit_json_table
from journeyhub.ingest.staging import FIELD_ALIASES, OBJECT_FIELDS
from journeyhub.store import Database

QUARANTINE_COLUMNS = "id, received_at, source, position, reason_code, reason, payload, status"


def quarantine_raw(
    db: Database, *, source: str, position: int | None, code: str, reason: str, payload: bytes
) -> str:
    """Keep an input that never reached the pipeline (unparseable body, oversize request)."""
    qid = "q_" + uuid.uuid4().hex
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO quarantine (id, received_at, source, position, reason_code, reason, "
            "payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [qid, datetime.now(UTC), source, position, code, reason, payload],
        )
    return qid


def _payload_view(payload: bytes | None) -> dict[str, Any]:
    data = payload or b""
    try:
        return {"payload": data.decode("utf-8"), "payload_encoding": "utf-8"}
    except UnicodeDecodeError:
        return {"payload": base64.b64encode(data).decode(), "payload_encoding": "base64"}


def list_quarantine(
    db: Database,
    *,
    status: str | None = "open",
    reason_code: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Quarantined inputs, newest first; payloads as text (base64 when not UTF-8)."""
    clauses, params = ["true"], []
    if status:
        clauses.append("status = ?")
        params.append(status)
    if reason_code:
        clauses.append("reason_code = ?")
        params.append(reason_code)
    rows = (
        db.cursor()
        .execute(
            f"SELECT {QUARANTINE_COLUMNS} FROM quarantine WHERE {' AND '.join(clauses)} "
            "ORDER BY received_at DESC, source, position LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        .fetchall()
    )
    out = []
    for qid, received, source, position, code, reason, payload, st in rows:
        out.append(
            {
                "id": qid,
                "received_at": received.isoformat().replace("+00:00", "Z"),
                "source": source,
                "position": position,
                "reason_code": code,
                "reason": reason,
                "status": st,
                **_payload_view(payload),
            }
        )
    return out


def _as_event_json(payload: bytes, source: str) -> str:
    """The JSON text to re-validate; typed file rows are mapped back to event fields."""
    text = payload.decode("utf-8")  # UnicodeDecodeError: stays quarantined
    if not source.startswith("file:"):
        return text
    try:
        row = orjson.loads(text)
    except orjson.JSONDecodeError:
        return text
    if not isinstance(row, dict) or "pos" not in row:
        return text  # a JSONL line, already an event
    row.pop("pos", None)
    event = {FIELD_ALIASES.get(k, k): v for k, v in row.items() if v not in (None, "")}
    for name in OBJECT_FIELDS:
        if isinstance(event.get(name), str):
            with contextlib.suppress(orjson.JSONDecodeError):
                event[name] = orjson.loads(event[name])
    return orjson.dumps(event).decode()


@dataclass
class ReplayReport:
    """Outcome of a replay: how many now passed, were already stored, or still fail."""

    replayed: int = 0
    duplicates: int = 0
    still_rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "replayed": self.replayed,
            "duplicates": self.duplicates,
            "still_rejected": self.still_rejected,
        }


def replay(
    db: Database,
    ids: list[str] | None = None,
    fixes: Mapping[str, str | bytes] | None = None,
) -> ReplayReport:
    """Re-validate open quarantine rows (``ids``, or all open ones), optionally with fixes."""
    fixes = dict(fixes or {})
    wanted = list(dict.fromkeys([*(ids or []), *fixes]))
    report = ReplayReport()
    with db.transaction() as cur:
        if wanted:
            rows = cur.execute(
                "SELECT id, source, position, payload FROM quarantine "
                "WHERE status = 'open' AND id = ANY(?)",
                [wanted],
            ).fetchall()
            missing = set(wanted) - {r[0] for r in rows}
            if missing:
                raise KeyError("no open quarantine entry with id(s) " + ", ".join(sorted(missing)))
        else:
            rows = cur.execute(
                "SELECT id, source, position, payload FROM quarantine WHERE status = 'open'"
            ).fetchall()
        now = datetime.now(UTC)
        texts, keep = [], []
        for qid, source, position, payload in rows:
            fixed = fixes.get(qid)
            data = fixed.encode() if isinstance(fixed, str) else (fixed or payload or b"")
            try:
                texts.append(_as_event_json(data, source))
                keep.append((qid, source, position, data))
            except UnicodeDecodeError:
                report.still_rejected.append(
                    {"id": qid, "reason": "payload is not valid UTF-8; replay it with a fix"}
                )
        if not keep:
            return report
        table = json_event_table(
            [(pos, k[2], text) for pos, (k, text) in enumerate(zip(keep, texts, strict=True))],
            source=[k[1] for k in keep],
            received_at=now,
        )
        result = commit_json_table(cur, table, max_rejections=len(keep), want_duplicates=True)
        failed = {r.pos: r for r in result.rejections}
        duplicate = set(result.duplicate_positions)
        for pos, (qid, _source, _position, data) in enumerate(keep):
            if pos in failed:
                rej = failed[pos]
                cur.execute("DELETE FROM quarantine WHERE id = ?", [rej.quarantine_id])
                cur.execute(
                    "UPDATE quarantine SET reason_code = ?, reason = ?, payload = ? WHERE id = ?",
                    [rej.code, rej.reason, data, qid],
                )
                report.still_rejected.append({"id": qid, "code": rej.code, "reason": rej.reason})
            else:
                cur.execute(
                    "UPDATE quarantine SET status = 'replayed', replayed_at = ?, payload = ? "
                    "WHERE id = ?",
                    [now, data, qid],
                )
                if pos in duplicate:
                    report.duplicates += 1
                else:
                    report.replayed += 1
    return report
