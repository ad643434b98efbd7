"""Requests the API cannot read get an error that says what to change."""

from __future__ import annotations

from tests.conftest import Api


def test_a_json_body_sent_as_a_form_says_which_header_is_missing(api: Api) -> None:
    # what `curl -d '{...}'` sends without -H 'Content-Type: application/json'
    form = {**api.headers, "Content-Type": "application/x-www-form-urlencoded"}
    r = api.client.post(
        "/v1/golden/webhooks", content='{"url": "https://x.example/h"}', headers=form
    )
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "application/x-www-form-urlencoded" in message
    assert "send JSON with 'Content-Type: application/json'" in message
    fine = api.post("/v1/golden/webhooks", {"url": "https://x.example/h"})
    assert fine.status_code == 201
