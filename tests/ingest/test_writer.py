"""The group-commit writer: overlapping batches, exact dedupe, futures resolve after commit."""

from __future__ import annotations

from journeyhub import Hub


def events(prefix: str, n: int) -> list[dict]:
    return [
        {"type": "track", "userId": f"u{i % 7}", "event": "A", "messageId": f"{prefix}{i}"}
        for i in range(n)
    ]


def test_same_events_submitted_back_to_back_are_stored_once(hub: Hub) -> None:
    # many requests in flight at once: later batches are validated while earlier ones commit
    futures = [hub.writer.submit(events("m", 500), source="test") for _ in range(12)]
    results = [f.result(timeout=60) for f in futures]
    assert sum(r.accepted for r in results) == 500
    assert sum(r.duplicates for r in results) == 500 * 11
    assert hub.db.scalar("SELECT count(*) FROM events") == 500


def test_every_future_reports_its_own_rejections_by_index(hub: Hub) -> None:
    good, bad = events("g", 3), [{"type": "track", "event": "no id"}]
    futures = [hub.writer.submit(good + bad, source="a"), hub.writer.submit(bad + good, source="b")]
    first, second = (f.result(timeout=60) for f in futures)
    assert [r.position for r in first.rejections] == [3]
    assert [r.position for r in second.rejections] == [0]
    assert (first.accepted, second.duplicates) == (3, 3)


def test_dedupe_holds_for_a_store_whose_id_hashes_are_missing_or_stale(db_path) -> None:
    # the probe reads the hashes in event_ids; a store made before that table (or by another
    # DuckDB version, whose hash may differ) gets them refilled from events when opened
    with Hub(db_path) as hub:
        assert hub.ingest_json(events("old", 50)).accepted == 50
        assert hub.db.scalar("SELECT count(*) FROM event_ids") == 50
        with hub.db.transaction() as cur:
            cur.execute("DELETE FROM event_ids")
            cur.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'event_ids'")
    with Hub(db_path) as hub:
        again = hub.ingest_json(events("old", 50) + events("new", 5))
        assert (again.accepted, again.duplicates) == (5, 50)
        assert hub.db.scalar("SELECT count(*) FROM events") == 55
        assert hub.db.scalar("SELECT count(*) FROM event_ids") == 55


def test_a_reused_message_id_is_a_duplicate_even_from_another_person(hub: Hub) -> None:
    # a retry normally comes from the same person, so the store is probed among that person's
    # events first; an id reused by someone else is still caught by the full comparison
    first = {"type": "track", "userId": "alice", "event": "A", "messageId": "shared-id"}
    assert hub.ingest_json([first]).accepted == 1
    retry = hub.ingest_json([first, {**first, "messageId": "fresh"}])
    assert (retry.accepted, retry.duplicates) == (1, 1)
    reused = hub.ingest_json([{**first, "userId": "bob"}])
    assert (reused.accepted, reused.duplicates) == (0, 1)
    assert hub.db.scalar("SELECT count(*) FROM events") == 2
