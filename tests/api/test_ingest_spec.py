"""The Segment/RudderStack HTTP spec: every call type, batches, and every way input goes wrong.

Each bad input gets a clear error that names what was wrong, and is kept in quarantine.
"""

from __future__ import annotations

import base64

import pytest

from tests.conftest import Api

CALLS = {
    "track": {"userId": "u1", "event": "Order Completed", "properties": {"revenue": 19.9}},
    "identify": {"userId": "u1", "anonymousId": "a1", "traits": {"email": "anna@example.de"}},
    "page": {"anonymousId": "a1", "name": "Home", "properties": {"path": "/"}},
    "screen": {"userId": "u1", "name": "Cart"},
    "group": {"userId": "u1", "groupId": "ACC-1", "traits": {"name": "Müller GmbH"}},
    "alias": {"userId": "u1", "previousId": "a-old"},
}


@pytest.mark.parametrize("call", list(CALLS))
def test_each_call_type_is_accepted_and_stored_with_its_type(api: Api, call: str) -> None:
    body = {**CALLS[call], "messageId": f"m-{call}", "timestamp": "2026-03-01T10:00:00Z"}
    r = api.post(f"/v1/{call}", body)
    assert r.status_code == 200, r.text
    assert r.json() == {"success": True, "accepted": 1, "duplicates": 0, "rejected": []}
    row = api.hub.db.query(
        "SELECT type, name, timestamp FROM events WHERE message_id = ?", [f"m-{call}"]
    )[0]
    assert row["type"] == call
    assert row["timestamp"].isoformat() == "2026-03-01T10:00:00+00:00"


def test_batch_accepts_good_events_and_reports_bad_ones_by_index(api: Api) -> None:
    batch = [
        {"type": "track", "userId": "u1", "event": "A", "messageId": "b1"},
        {"type": "track", "event": "No id at all"},
        {"type": "page", "anonymousId": "a1", "name": "Home", "messageId": "b3"},
        {"type": "teleport", "userId": "u1"},
        {"type": "track", "userId": "u1"},
    ]
    r = api.post("/v1/batch", {"batch": batch})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 2
    assert [(x["index"], x["code"]) for x in body["rejected"]] == [
        (1, "missing_id"),
        (3, "unknown_type"),
        (4, "missing_event"),
    ]
    assert "teleport" in body["rejected"][1]["message"]
    assert api.hub.db.scalar("SELECT count(*) FROM events") == 2
    kept = {q["id"]: q for q in api.hub.quarantine()}
    for rejected, sent in zip(body["rejected"], (batch[1], batch[3], batch[4]), strict=True):
        assert kept[rejected["quarantine_id"]]["position"] == rejected["index"]
        assert '"type"' in kept[rejected["quarantine_id"]]["payload"]
        assert sent["type"] in kept[rejected["quarantine_id"]]["payload"]


def test_retried_batch_does_not_duplicate_events(api: Api) -> None:
    batch = {
        "batch": [
            {"type": "track", "userId": "u1", "event": "A", "messageId": f"r{i}"} for i in range(20)
        ]
    }
    first = api.post("/v1/batch", batch).json()
    second = api.post("/v1/batch", batch).json()
    assert (first["accepted"], first["duplicates"]) == (20, 0)
    assert (second["accepted"], second["duplicates"]) == (0, 20)
    assert api.hub.db.scalar("SELECT count(*) FROM events") == 20


def test_duplicate_message_ids_within_one_batch_are_stored_once(api: Api) -> None:
    event = {"type": "track", "userId": "u1", "event": "A", "messageId": "same"}
    body = api.post("/v1/batch", {"batch": [event, event, event]}).json()
    assert (body["accepted"], body["duplicates"]) == (1, 2)


def test_events_without_message_id_get_a_content_hash_so_retries_dedupe(api: Api) -> None:
    event = {"userId": "u1", "event": "A", "timestamp": "2026-01-01T00:00:00Z"}
    assert api.post("/v1/track", event).json()["accepted"] == 1
    assert api.post("/v1/track", event).json()["duplicates"] == 1


def test_malformed_json_body_is_a_400_and_kept_whole(api: Api) -> None:
    r = api.post("/v1/batch", content=b'{"batch": [{"type": "track",')
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "malformed_json"
    assert "not valid JSON" in error["message"]
    kept = api.hub.quarantine()[0]
    assert kept["id"] == error["details"]["quarantine_id"]
    assert kept["payload"] == '{"batch": [{"type": "track",'


def test_batch_body_must_hold_a_batch_list(api: Api) -> None:
    r = api.post("/v1/batch", {"events": []})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_batch"


@pytest.mark.parametrize(
    ("event", "code", "words"),
    [
        ({"userId": 42, "event": "A"}, "wrong_type", "userId must be a string, got a number"),
        (
            {"userId": "u1", "event": "A", "properties": [1, 2]},
            "wrong_type",
            "properties must be a JSON object, got an array",
        ),
        (
            {"userId": "u1", "event": "A", "timestamp": 1700000000},
            "wrong_type",
            "timestamp must be a string",
        ),
        ({"event": "A"}, "missing_id", "neither userId nor anonymousId"),
        ({"userId": "", "anonymousId": "  ", "event": "A"}, "missing_id", "neither userId"),
        ({"userId": "u1"}, "missing_event", "needs an event name"),
        (
            {"userId": "u1", "event": "A", "timestamp": "2999-01-01T00:00:00Z"},
            "timestamp_in_future",
            "more than 24 hours after",
        ),
        (
            {"userId": "u1", "event": "A", "timestamp": "1970-01-01T00:00:00Z"},
            "timestamp_too_old",
            "before 1990-01-01",
        ),
        (
            {"userId": "u1", "event": "A", "timestamp": "last tuesday"},
            "bad_timestamp",
            "not an ISO 8601 date-time",
        ),
        ({"userid": "u1", "event": "A"}, "unknown_field", "unknown top-level field(s) userid"),
        (
            {"userId": "u1", "event": "A", "properties": {"blob": "x" * 40_000}},
            "event_too_large",
            "bytes; at most 32768",
        ),
        ({"userId": "u" * 300, "event": "A"}, "id_too_long", "userId is 300 characters"),
    ],
)
def test_bad_event_gets_clear_error_and_quarantine(
    api: Api, event: dict, code: str, words: str
) -> None:
    r = api.post("/v1/track", event)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == code
    assert words in error["message"]
    kept = api.hub.quarantine()
    assert [k["id"] for k in kept] == [error["details"]["quarantine_id"]]
    assert kept[0]["reason_code"] == code
    assert api.hub.db.scalar("SELECT count(*) FROM events") == 0


def test_oversize_request_is_413_and_kept(api: Api) -> None:
    big = {
        "batch": [
            {"type": "track", "userId": "u1", "event": "A", "properties": {"x": "y" * 30_000}}
            for _ in range(150)
        ]
    }
    r = api.post("/v1/batch", big)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    assert api.hub.quarantine()[0]["reason_code"] == "payload_too_large"


def test_clock_skew_is_corrected_with_sent_at(api: Api) -> None:
    # the device clock is 2 hours behind: timestamp and sentAt are both 2h early
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    sent = (now - timedelta(hours=2)).isoformat()
    happened = (now - timedelta(hours=2, minutes=5)).isoformat()
    api.post(
        "/v1/track",
        {"userId": "u1", "event": "A", "timestamp": happened, "sentAt": sent, "messageId": "skew"},
    )
    stored = api.hub.db.scalar("SELECT timestamp FROM events WHERE message_id = 'skew'")
    assert abs((stored - (now - timedelta(minutes=5))).total_seconds()) < 60


def test_batch_level_context_applies_to_each_event(api: Api) -> None:
    api.post(
        "/v1/batch",
        {
            "context": {"channel": "app"},
            "batch": [{"type": "track", "userId": "u1", "event": "A", "messageId": "c1"}],
        },
    )
    assert api.hub.db.scalar("SELECT channel FROM events WHERE message_id = 'c1'") == "app"


def test_channel_comes_from_context_and_browser_means_web(api: Api) -> None:
    api.post(
        "/v1/track",
        {"userId": "u1", "event": "A", "messageId": "w", "context": {"channel": "browser"}},
    )
    api.post("/v1/page", {"userId": "u1", "name": "Home", "messageId": "p"})
    channels = dict(
        api.hub.db.cursor().execute("SELECT message_id, channel FROM events").fetchall()
    )
    assert channels == {"w": "web", "p": "web"}


def test_requests_need_a_valid_key_as_bearer_or_basic_user(api: Api) -> None:
    event = {"userId": "u1", "event": "A"}
    assert api.client.post("/v1/track", json=event).status_code == 401
    bad = api.client.post("/v1/track", json=event, headers={"Authorization": "Bearer jh_nope"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "unauthorized"
    basic = base64.b64encode(f"{api.key}:".encode()).decode()
    ok = api.client.post("/v1/track", json=event, headers={"Authorization": f"Basic {basic}"})
    assert ok.status_code == 200, ok.text


def test_health_and_openapi_docs(api: Api) -> None:
    assert api.client.get("/health").json()["status"] == "ok"
    spec = api.client.get("/openapi.json").json()
    for path in (
        "/v1/track",
        "/v1/batch",
        "/v1/customers/{customer_id}/timeline",
        "/v1/quarantine",
    ):
        assert path in spec["paths"], path
    assert "batch" in str(spec["paths"]["/v1/batch"]["post"]["requestBody"])


def test_object_fields_sent_as_null_count_as_absent(api: Api) -> None:
    # many tracking libraries send "properties": null rather than leaving it out
    r = api.post(
        "/v1/track",
        {"userId": "u1", "event": "A", "messageId": "n", "properties": None, "context": None},
    )
    assert r.status_code == 200, r.text
    stored = api.hub.db.query("SELECT properties, context, channel FROM events")
    assert stored == [{"properties": None, "context": None, "channel": None}]
