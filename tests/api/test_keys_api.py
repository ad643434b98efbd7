"""API keys over REST: a server that holds the store can still hand out and revoke keys."""

from __future__ import annotations

from tests.conftest import Api


def test_a_key_created_over_rest_works_until_it_is_revoked(api: Api) -> None:
    created = api.client.post("/v1/keys", json={"name": "shop"}, headers=api.headers)
    assert created.status_code == 201
    shop = {"Authorization": f"Bearer {created.json()['key']}"}
    track = {"type": "track", "userId": "u1", "event": "Viewed", "messageId": "m1"}
    assert api.client.post("/v1/track", json=track, headers=shop).status_code == 200

    listed = {k["id"]: k for k in api.get("/v1/keys").json()["items"]}
    assert listed[created.json()["id"]]["name"] == "shop"
    assert "key" not in listed[created.json()["id"]]  # the secret is shown once, at creation

    revoked = api.client.delete(f"/v1/keys/{created.json()['id']}", headers=api.headers)
    assert revoked.json() == {"revoked": created.json()["id"]}
    refused = api.client.post("/v1/track", json={**track, "messageId": "m2"}, headers=shop)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "unknown or revoked API key"
    assert api.get("/v1/keys").json()["items"][-1]["revoked_at"] is not None
    assert api.post("/v1/track", {**track, "messageId": "m3"}).status_code == 200  # others work


def test_revoking_an_unknown_or_revoked_key_is_a_404(api: Api) -> None:
    r = api.client.delete("/v1/keys/key_nope", headers=api.headers)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "no active API key with id key_nope"


def test_key_management_needs_a_key(api: Api) -> None:
    assert api.client.get("/v1/keys").status_code == 401
    assert api.client.post("/v1/keys", json={"name": "x"}).status_code == 401
