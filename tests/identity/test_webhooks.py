"""Webhooks push the change feed to a real HTTP receiver: signed, in order, retried."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from journeyhub.api.app import WEBHOOK_INTERVAL_ENV, create_app
from journeyhub.identity import webhooks
from journeyhub.identity.webhooks import SIGNATURE_HEADER, WebhookError, sign


class Receiver:
    """A touchpoint system on loopback that answers 503 for its first ``fail`` requests."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.bodies: list[bytes] = []
        self.signatures: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.fail > 0:
                    receiver.fail -= 1
                    self.send_response(503)
                else:
                    receiver.bodies.append(body)
                    receiver.signatures.append(self.headers[SIGNATURE_HEADER])
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/journeyhub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail=2)
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_changes_arrive_signed_in_order_after_retries_with_backoff(resolved_hub, receiver):
    hub = resolved_hub
    hook = hub.add_webhook(receiver.url, from_start=True)
    (first,) = hub.deliver_webhooks()
    assert not first.ok and "503" in first.error
    state = hub.list_webhooks()[0]
    assert (state["failures"], state["cursor"]) == (1, 0) and "503" in state["last_error"]
    assert hub.deliver_webhooks() == []  # still waiting out its backoff

    later = datetime.now(UTC) + timedelta(seconds=2)
    assert not webhooks.deliver(hub.db, now=later)[0].ok  # second failure: waits 2 s now
    assert hub.list_webhooks()[0]["next_attempt_at"] >= later + timedelta(seconds=2)
    (done,) = hub.deliver_webhooks(force=True)
    total = hub.db.scalar("SELECT count(*) FROM golden_changes")
    assert done.ok and done.sent == total

    seqs = [c["seq"] for body in receiver.bodies for c in json.loads(body)["changes"]]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)) == total
    assert receiver.signatures == [sign(hook["secret"], body) for body in receiver.bodies]
    state = hub.list_webhooks()[0]
    assert (state["failures"], state["delivered"], state["last_error"]) == (0, total, None)

    # a new change goes out on the next round, and nothing is sent twice
    first_id = hub.db.scalar("SELECT min(golden_id) FROM golden_records WHERE kind = 'person'")
    second_id = hub.db.scalar(
        "SELECT min(golden_id) FROM golden_records WHERE kind = 'person' AND golden_id > ?",
        [first_id],
    )
    hub.merge_golden([first_id, second_id], actor="anna", reason="same person")
    (again,) = hub.deliver_webhooks()
    assert again.ok and again.sent >= 1
    last = json.loads(receiver.bodies[-1])["changes"]
    assert {c["seq"] for c in last}.isdisjoint(seqs)
    assert any(c["change"] == "merged" and c["golden_id"] == second_id for c in last)


def test_webhooks_start_from_now_and_reject_bad_urls(resolved_hub, receiver):
    hook = resolved_hub.add_webhook(receiver.url)
    assert hook["cursor"] == resolved_hub.db.scalar("SELECT max(seq) FROM golden_changes")
    receiver.fail = 0
    assert resolved_hub.deliver_webhooks()[0].sent == 0 and receiver.bodies == []
    with pytest.raises(WebhookError, match="http"):
        resolved_hub.add_webhook("ftp://example.org/x")
    assert resolved_hub.remove_webhook(hook["id"]) and resolved_hub.list_webhooks() == []


def test_the_running_server_pushes_changes_by_itself(resolved_hub, receiver, monkeypatch):
    receiver.fail = 0
    resolved_hub.add_webhook(receiver.url, from_start=True)
    monkeypatch.setenv(WEBHOOK_INTERVAL_ENV, "0.1")
    total = resolved_hub.db.scalar("SELECT count(*) FROM golden_changes")
    with TestClient(create_app(resolved_hub)):
        deadline = time.monotonic() + 20
        while resolved_hub.list_webhooks()[0]["delivered"] < total:
            assert time.monotonic() < deadline, "the server did not push the feed"
            time.sleep(0.05)
    assert sum(len(json.loads(b)["changes"]) for b in receiver.bodies) == total


def test_a_touchpoint_subscribes_over_rest_while_the_server_runs(
    resolved_hub, receiver, monkeypatch
):
    receiver.fail = 0
    monkeypatch.setenv(WEBHOOK_INTERVAL_ENV, "0.1")
    auth = {"Authorization": f"Bearer {resolved_hub.create_key('crm')['key']}"}
    total = resolved_hub.db.scalar("SELECT count(*) FROM golden_changes")
    with TestClient(create_app(resolved_hub)) as client:
        bad = client.post("/v1/golden/webhooks", json={"url": "ftp://x/y"}, headers=auth)
        assert bad.status_code == 400 and "http" in bad.json()["error"]["message"]
        made = client.post(
            "/v1/golden/webhooks", json={"url": receiver.url, "from_start": True}, headers=auth
        )
        assert made.status_code == 201 and made.json()["secret"]
        hook_id = made.json()["id"]
        deadline = time.monotonic() + 20
        while (
            client.get("/v1/golden/webhooks", headers=auth).json()["items"][0]["delivered"] < total
        ):
            assert time.monotonic() < deadline, "the server did not push the feed"
            time.sleep(0.05)
        assert receiver.signatures[0] == sign(made.json()["secret"], receiver.bodies[0])
        gone = client.delete(f"/v1/golden/webhooks/{hook_id}", headers=auth)
        assert gone.json() == {"removed": hook_id}
        assert client.delete(f"/v1/golden/webhooks/{hook_id}", headers=auth).status_code == 404
        assert client.get("/v1/golden/webhooks", headers=auth).json()["items"] == []
