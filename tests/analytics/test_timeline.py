"""Timelines: one person over all identities and channels, paginated and filtered."""

from __future__ import annotations

import pytest

from journeyhub import Hub
from journeyhub.analytics.timeline import CursorError
from tests.conftest import Api


def journey(hub: Hub) -> None:
    hub.ingest(
        [
            {
                "type": "page",
                "anonymousId": "web-1",
                "name": "Home",
                "timestamp": "2026-01-01T09:00:00Z",
                "messageId": "e1",
            },
            {
                "type": "screen",
                "anonymousId": "app-1",
                "name": "Product",
                "timestamp": "2026-01-01T12:00:00Z",
                "messageId": "e2",
                "context": {"traits": {"email": "anna@example.de"}},
            },
            {
                "type": "identify",
                "anonymousId": "web-1",
                "userId": "C1",
                "traits": {"email": "anna@example.de"},
                "timestamp": "2026-01-02T10:00:00Z",
                "messageId": "e3",
            },
            {
                "type": "track",
                "userId": "C1",
                "event": "Order Completed",
                "channel": "store",
                "properties": {"revenue": 99.5},
                "timestamp": "2026-01-03T10:00:00Z",
                "messageId": "e4",
            },
            {
                "type": "track",
                "userId": "C1",
                "event": "Support Ticket Created",
                "channel": "chat",
                "timestamp": "2026-01-04T10:00:00Z",
                "messageId": "e5",
            },
            {
                "type": "track",
                "userId": "C1",
                "event": "Support Contacted",
                "channel": "phone",
                "timestamp": "2026-01-04T11:00:00Z",
                "messageId": "e6",
            },
            {
                "type": "track",
                "userId": "someone-else",
                "event": "Order Completed",
                "timestamp": "2026-01-03T10:00:00Z",
                "messageId": "x1",
            },
        ]
    )


@pytest.mark.parametrize(
    "identifier", ["C1", "web-1", "app-1", "anna@example.de", "ANNA@example.de"]
)
def test_timeline_joins_every_identity_and_channel_in_time_order(hub: Hub, identifier: str) -> None:
    journey(hub)
    page = hub.timeline(identifier)
    assert [i["id"] for i in page.items] == ["e1", "e2", "e3", "e4", "e5", "e6"]
    assert [i["channel"] for i in page.items] == ["web", "app", None, "store", "chat", "phone"]
    assert page.items[3]["event"] == "Order Completed"
    assert page.items[0]["name"] == "Home"
    assert page.items[3]["properties"] == {"revenue": 99.5}


def test_cursor_pages_cover_everything_once(hub: Hub) -> None:
    journey(hub)
    seen, cursor = [], None
    while True:
        page = hub.timeline("C1", limit=4, cursor=cursor)
        seen += [i["id"] for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["e1", "e2", "e3", "e4", "e5", "e6"]
    newest_first = hub.timeline("C1", limit=2, descending=True)
    assert [i["id"] for i in newest_first.items] == ["e6", "e5"]
    rest = hub.timeline("C1", limit=10, descending=True, cursor=newest_first.next_cursor)
    assert [i["id"] for i in rest.items] == ["e4", "e3", "e2", "e1"]


def test_filters_by_channel_event_and_time(hub: Hub) -> None:
    from datetime import UTC, datetime

    journey(hub)
    assert [i["id"] for i in hub.timeline("C1", channels=["chat", "phone"]).items] == ["e5", "e6"]
    assert [i["id"] for i in hub.timeline("C1", events=["Order Completed"]).items] == ["e4"]
    window = hub.timeline(
        "C1", since=datetime(2026, 1, 2, tzinfo=UTC), until=datetime(2026, 1, 4, tzinfo=UTC)
    )
    assert [i["id"] for i in window.items] == ["e3", "e4"]


def test_unknown_customer_has_an_empty_timeline_and_bad_cursor_is_rejected(hub: Hub) -> None:
    assert hub.timeline("nobody").items == []
    with pytest.raises(CursorError):
        hub.timeline("nobody", cursor="garbage")


def test_timeline_over_rest_with_contract_fields(api: Api) -> None:
    journey(api.hub)
    r = api.get("/v1/customers/anna@example.de/timeline", params={"limit": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"items", "next_cursor"}
    for item in body["items"]:
        assert {"type", "timestamp", "channel", "properties"} <= set(item)
        assert "event" in item or "name" in item or item["type"] == "identify"
        assert item["timestamp"].endswith("Z")
    r2 = api.get(
        "/v1/customers/anna@example.de/timeline", params={"limit": 3, "cursor": body["next_cursor"]}
    )
    assert [i["id"] for i in body["items"] + r2.json()["items"]] == [
        "e1",
        "e2",
        "e3",
        "e4",
        "e5",
        "e6",
    ]
    assert r2.json()["next_cursor"] is None
    filtered = api.get("/v1/customers/C1/timeline", params={"channel": "chat,phone"}).json()
    assert [i["id"] for i in filtered["items"]] == ["e5", "e6"]
    bad = api.get("/v1/customers/C1/timeline", params={"cursor": "nope"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"


def test_account_timeline_merges_all_contacts(api: Api) -> None:
    api.hub.ingest(
        [
            {
                "type": "group",
                "userId": "buyer",
                "groupId": "ACC-1",
                "messageId": "g1",
                "timestamp": "2026-01-01T00:00:00Z",
            },
            {
                "type": "group",
                "userId": "boss",
                "groupId": "ACC-1",
                "messageId": "g2",
                "timestamp": "2026-01-01T00:00:01Z",
            },
            {
                "type": "track",
                "userId": "buyer",
                "event": "Quote Requested",
                "messageId": "q1",
                "timestamp": "2026-01-02T00:00:00Z",
            },
            {
                "type": "track",
                "userId": "boss",
                "event": "Sales Call",
                "messageId": "q2",
                "timestamp": "2026-01-03T00:00:00Z",
            },
            {
                "type": "track",
                "userId": "stranger",
                "event": "Sales Call",
                "messageId": "q3",
                "timestamp": "2026-01-03T00:00:00Z",
            },
        ]
    )
    body = api.get("/v1/accounts/ACC-1/timeline").json()
    assert [i["id"] for i in body["items"]] == ["g1", "g2", "q1", "q2"]
    assert {i["value"] for i in body["identities"]} == {"buyer", "boss"}
