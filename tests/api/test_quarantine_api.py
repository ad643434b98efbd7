"""Quarantine over REST: list with reasons, replay after a fix, stats."""

from __future__ import annotations

from tests.conftest import Api


def test_quarantine_list_and_replay_with_a_fix(api: Api) -> None:
    bad = {"type": "track", "userid": "u1", "event": "Signed Up", "messageId": "q1"}
    rejected = api.post("/v1/batch", {"batch": [bad]}).json()["rejected"][0]
    listed = api.get("/v1/quarantine").json()["items"]
    assert [(q["id"], q["reason_code"]) for q in listed] == [
        (rejected["quarantine_id"], "unknown_field")
    ]
    still = api.post("/v1/quarantine/replay", {"ids": [rejected["quarantine_id"]]}).json()
    assert still["replayed"] == 0 and still["still_rejected"][0]["code"] == "unknown_field"
    fixed = {**bad, "userId": "u1"}
    del fixed["userid"]
    done = api.post("/v1/quarantine/replay", {"fixes": {rejected["quarantine_id"]: fixed}}).json()
    assert done["replayed"] == 1
    assert api.get("/v1/quarantine").json()["items"] == []
    assert api.get("/v1/quarantine", params={"status": "replayed"}).json()["items"]
    stats = api.get("/v1/stats").json()
    assert (stats["events"], stats["quarantined"]) == (1, 0)


def test_replaying_an_unknown_id_is_a_404(api: Api) -> None:
    r = api.post("/v1/quarantine/replay", {"ids": ["q_nope"]})
    assert r.status_code == 404
    assert "q_nope" in r.json()["error"]["message"]
