"""Importing event files: JSONL, CSV, Parquet, column mapping, bad bytes, idempotency."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeyhub import Hub
from journeyhub.ingest.files import FileImportError


def write_jsonl(path: Path, events: list[object]) -> Path:
    path.write_text("\n".join(e if isinstance(e, str) else json.dumps(e) for e in events) + "\n")
    return path


def test_jsonl_import_keeps_good_lines_and_quarantines_bad_ones_with_line_numbers(
    hub: Hub, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "e.jsonl",
        [
            {"type": "track", "userId": "u1", "event": "A", "messageId": "1"},
            '{"type": "track", "userId": "u1", "event": ',
            {"type": "track", "userId": "u1", "event": "B", "messageId": "3"},
            {"type": "track", "event": "C", "messageId": "4"},
        ],
    )
    report = hub.import_events(path)
    assert (report.rows_read, report.accepted, report.rejected) == (4, 2, 2)
    assert [(r.position, r.code) for r in report.rejections] == [
        (2, "malformed_json"),
        (4, "missing_id"),
    ]
    kept = {q["position"]: q for q in hub.quarantine()}
    assert kept[2]["payload"] == '{"type": "track", "userId": "u1", "event":'
    assert kept[2]["source"] == "file:e.jsonl"


def test_reimporting_a_file_never_duplicates(hub: Hub, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "e.jsonl",
        [{"type": "track", "userId": "u1", "event": "A", "messageId": str(i)} for i in range(50)],
    )
    assert hub.import_events(path).accepted == 50
    again = hub.import_events(path)
    assert (again.accepted, again.duplicates) == (0, 50)
    assert hub.db.scalar("SELECT count(*) FROM events") == 50


def test_a_message_id_already_stored_for_another_person_is_a_duplicate(
    hub: Hub, tmp_path: Path
) -> None:
    event = {"type": "track", "userId": "u1", "event": "A", "messageId": "m1"}
    assert hub.import_events(write_jsonl(tmp_path / "a.jsonl", [event])).accepted == 1
    again = hub.import_events(write_jsonl(tmp_path / "b.jsonl", [{**event, "userId": "u2"}]))
    assert (again.accepted, again.duplicates) == (0, 1)


def test_parquet_import_with_typed_timestamps_and_chunked_commits(hub: Hub, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    n = 2500
    base = datetime(2026, 1, 1, tzinfo=UTC)
    table = pa.table(
        {
            "messageId": [f"m{i}" for i in range(n)],
            "type": ["track"] * n,
            "event": ["Viewed"] * n,
            "userId": [f"u{i % 7}" for i in range(n)],
            "timestamp": pa.array(
                [base + timedelta(minutes=i) for i in range(n)], pa.timestamp("us", tz="UTC")
            ),
            "properties": [f'{{"i": {i}}}' for i in range(n)],
        }
    )
    pq.write_table(table, tmp_path / "e.parquet", row_group_size=1000)
    seen = []
    report = hub.import_events(
        tmp_path / "e.parquet",
        chunk_rows=1000,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert report.accepted == n
    assert seen == [(1000, n), (2000, n), (2500, n)]
    assert hub.db.scalar("SELECT min(timestamp) FROM events") == base
    imports = hub.db.query("SELECT status, rows_read, accepted FROM imports")
    assert imports == [{"status": "done", "rows_read": n, "accepted": n}]


def test_csv_with_column_mapping_and_snake_case_names(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text(
        "order_no,customer_no,action,anonymous_id,timestamp,properties\n"
        'o1,C1,Order Completed,,2026-02-01T10:00:00Z,"{""revenue"": 10}"\n'
        "o2,C2,Order Completed,a9,2026-02-02 11:00:00+01:00,\n"
    )
    report = hub.import_events(
        path,
        mapping={
            "messageId": "order_no",
            "userId": "customer_no",
            "event": "action",
            "type": "action",
        },
    )
    # type is mapped to a column holding event names: rejected with the offending value
    assert report.rejected == 2
    assert "order completed" in report.rejections[0].reason.lower()
    path.write_text(
        path.read_text()
        .replace("order_no,", "type_col,order_no,", 1)
        .replace("\no1,", "\ntrack,o1,")
        .replace("\no2,", "\ntrack,o2,")
    )
    report = hub.import_events(
        path,
        mapping={
            "messageId": "order_no",
            "userId": "customer_no",
            "event": "action",
            "type": "type_col",
        },
    )
    assert report.accepted == 2
    rows = hub.db.query("SELECT person_key, name, timestamp FROM events ORDER BY message_id")
    assert [r["person_key"] for r in rows] == ["C1", "C2"]
    assert rows[1]["timestamp"].isoformat() == "2026-02-02T10:00:00+00:00"


def test_mapping_to_a_missing_column_is_a_clear_error(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("type,userId,event\ntrack,u1,A\n")
    with pytest.raises(FileImportError, match="the file has no column 'cust'"):
        hub.import_events(path, mapping={"userId": "cust"})


def test_non_utf8_bytes_in_csv_are_quarantined_as_raw_bytes(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"type,userId,event,messageId\n"
        b"track,u1,Bestellung,m1\n"
        b"track,u2,Gr\xfc\xdfe,m2\n"
        b"track,u3,Ende,m3\n"
    )
    report = hub.import_events(path)
    assert (report.accepted, report.rejected) == (2, 1)
    kept = hub.quarantine()[0]
    assert kept["reason_code"] == "invalid_encoding"
    assert "line 3" in kept["reason"]
    assert kept["payload_encoding"] == "base64"
    import base64

    assert base64.b64decode(kept["payload"]) == b"track,u2,Gr\xfc\xdfe,m2"


def test_quarantined_row_can_be_replayed_after_a_fix(hub: Hub, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "e.jsonl",
        [{"type": "track", "userid": "u1", "event": "A", "messageId": "fixme"}],
    )
    assert hub.import_events(path).rejected == 1
    qid = hub.quarantine()[0]["id"]
    still = hub.replay_quarantine([qid])
    assert still.replayed == 0 and still.still_rejected[0]["code"] == "unknown_field"
    fixed = json.dumps({"type": "track", "userId": "u1", "event": "A", "messageId": "fixme"})
    report = hub.replay_quarantine(fixes={qid: fixed})
    assert report.replayed == 1
    assert hub.quarantine() == []
    assert hub.quarantine(status="replayed")[0]["id"] == qid
    assert hub.db.scalar("SELECT count(*) FROM events WHERE message_id = 'fixme'") == 1


def test_typed_rows_are_replayed_from_their_original_columns(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("type,user_id,event,timestamp\ntrack,u1,A,2999-01-01T00:00:00Z\n")
    assert hub.import_events(path).rejected == 1
    qid = hub.quarantine()[0]["id"]
    payload = json.loads(hub.quarantine()[0]["payload"])
    assert payload["user_id"] == "u1"
    payload["timestamp"] = "2026-01-01T00:00:00Z"
    assert hub.replay_quarantine(fixes={qid: json.dumps(payload)}).replayed == 1
    assert hub.db.scalar("SELECT person_key FROM events") == "u1"


def test_unknown_extension_and_missing_file_are_clear_errors(hub: Hub, tmp_path: Path) -> None:
    (tmp_path / "e.xlsx").write_text("x")
    with pytest.raises(FileImportError, match="cannot tell the format"):
        hub.import_events(tmp_path / "e.xlsx")
    with pytest.raises(FileImportError, match="no such file"):
        hub.import_events(tmp_path / "nope.jsonl")


def test_a_failed_chunk_leaves_earlier_chunks_and_a_consistent_store(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeyhub.ingest import files

    path = write_jsonl(
        tmp_path / "e.jsonl",
        [{"type": "track", "userId": "u1", "event": "A", "messageId": str(i)} for i in range(30)],
    )
    real = files.commit_json_table
    calls = {"n": 0}

    def failing_second_chunk(*args: object, **kw: object):
        calls["n"] += 1
        result = real(*args, **kw)
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return result

    monkeypatch.setattr(files, "commit_json_table", failing_second_chunk)
    with pytest.raises(RuntimeError):
        hub.import_events(path, chunk_rows=10)
    assert hub.db.scalar("SELECT count(*) FROM events") == 10  # chunk 2 rolled back whole
    assert hub.db.query("SELECT status, accepted FROM imports") == [
        {"status": "failed", "accepted": 10}
    ]
    monkeypatch.setattr(files, "commit_json_table", real)
    assert hub.import_events(path, chunk_rows=10).accepted == 20
    assert hub.db.scalar("SELECT count(DISTINCT message_id) FROM events") == 30


def test_non_utf8_line_in_jsonl_is_quarantined_whole(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"type": "track", "userId": "u1", "event": "A", "messageId": "1"}\n'
        b'{"type": "track", "userId": "M\xfcller", "event": "B", "messageId": "2"}\n'
        b'{"type": "track", "userId": "u3", "event": "C", "messageId": "3"}\n'
    )
    report = hub.import_events(path)
    assert (report.accepted, report.rejected) == (2, 1)
    kept = hub.quarantine()[0]
    assert (kept["reason_code"], kept["position"]) == ("invalid_encoding", 2)
    import base64

    raw = base64.b64decode(kept["payload"])
    assert raw == b'{"type": "track", "userId": "M\xfcller", "event": "B", "messageId": "2"}'
