"""Stewardship: merge, unmerge and review decisions, each with user and reason, that last.

A steward's decision must survive every later batch run, retraining and real-time upsert;
merge followed by unmerge must give back exactly what was there before.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from journeyhub import Hub
from journeyhub.cli.main import app
from journeyhub.identity.clusters import cluster_labels
from journeyhub.identity.matching.model import Thresholds
from journeyhub.identity.stewardship import StewardshipError
from tests.conftest import Api
from tests.identity.conftest import golden_of

SNAPSHOT = ("attributes", "lineage", "identifiers", "members", "organisation_id")


def _snapshot(hub: Hub, gid: str) -> dict:
    record = hub.golden(gid)
    return {k: record[k] for k in SNAPSHOT}


def _persons(hub: Hub, *, min_members: int = 1, count: int = 2) -> list[str]:
    rows = hub.db.query(
        "SELECT golden_id FROM golden_records WHERE kind = 'person' AND members >= ? "
        "ORDER BY golden_id LIMIT ?",
        [min_members, count],
    )
    return [r["golden_id"] for r in rows]


def _uid_pair_in_different_goldens(hub: Hub) -> tuple[str, str]:
    a, b = _persons(hub)
    return (golden_members(hub, a)[0], golden_members(hub, b)[0])


def golden_members(hub: Hub, gid: str) -> list[str]:
    return [uid for uid, g in sorted(golden_of(hub).items()) if g == gid]


def test_merge_then_unmerge_restores_the_earlier_state(resolved_hub):
    hub = resolved_hub
    first, second = _persons(hub)
    before = {g: _snapshot(hub, g) for g in (first, second)}
    membership = golden_of(hub)

    merged = hub.merge_golden([second, first], actor="anna", reason="same customer, two logins")
    assert merged["golden_id"] == first  # the older id survives
    assert merged["members"] == before[first]["members"] + before[second]["members"]
    assert hub.golden(second)["golden_id"] == first  # the other one redirects
    feed = hub.golden_changes(limit=1_000_000)["changes"]
    change = [h for h in feed if h["golden_id"] == second][-1]
    assert (change["change"], change["actor"], change["reason"]) == (
        "merged", "anna", "same customer, two logins")  # fmt: skip

    result = hub.unmerge_golden(first, actor="ben", reason="wrong merge, different people")
    assert result["split_off"] == second
    assert {g: _snapshot(hub, g) for g in (first, second)} == before
    assert golden_of(hub) == membership
    history = [h["change"] for h in hub.golden(second)["history"]]
    assert history[0] == "restored"


def test_unmerged_records_stay_apart_through_batch_reruns_and_upserts(resolved_hub):
    hub = resolved_hub
    (gid,) = _persons(hub, min_members=3, count=1)
    members = golden_members(hub, gid)
    leaving = members[-1]
    result = hub.unmerge_golden(gid, records=[leaving], actor="anna", reason="twin brother")
    new_id = result["split_off"]
    assert golden_of(hub)[leaving] == new_id and golden_of(hub)[members[0]] == gid

    hub.resolve()
    hub.resolve(retrain=True)
    after = golden_of(hub)
    assert after[leaving] == new_id
    assert {after[u] for u in members if u != leaving} == {gid}

    source, record_id = leaving.split("/", 1)
    raw = hub.db.query(
        "SELECT record FROM source_records WHERE source = ? AND record_id = ?",
        [source, record_id],
    )[0]["record"]
    record = {**json.loads(raw), "note": "changed so it is matched again"}
    assert hub.upsert_record(source, record)["golden_id"] == new_id

    with pytest.raises(StewardshipError, match=r"must never match.*twin brother"):
        hub.merge_golden([gid, new_id], actor="carl", reason="looks the same")


def test_a_manual_merge_survives_rerun_and_retraining(resolved_hub):
    hub = resolved_hub
    first, second = _persons(hub)
    hub.merge_golden([first, second], actor="anna", reason="confirmed by phone")
    hub.resolve(retrain=True)
    after = golden_of(hub)
    together = {after[u] for u in golden_members(hub, first)}
    assert together == {first}
    assert hub.golden(second)["golden_id"] == first


# A cautious workspace: only near-certain pairs merge by themselves, a person judges the rest.
CAUTIOUS = Thresholds(merge=0.999999, review=0.5)


@pytest.fixture
def cautious_hub(resolved_hub: Hub) -> Hub:
    """The resolved demo company, re-resolved with the cautious thresholds."""
    resolved_hub.resolve(thresholds=CAUTIOUS)
    return resolved_hub


def test_review_queue_merge_and_never_decisions_last(cautious_hub):
    hub = cautious_hub
    queue = hub.match_reviews(limit=2)
    assert queue["total"] >= 2, "the demo company has grey-zone pairs"
    never, merge = queue["items"]
    assert never["left"]["family_name"] and 0.5 <= never["match_probability"] < CAUTIOUS.merge

    hub.decide_match(never["uid_l"], never["uid_r"], "never", actor="anna", reason="siblings")
    done = hub.decide_match(merge["uid_l"], merge["uid_r"], "merge", actor="anna",
                            reason="same person, checked the contract")  # fmt: skip
    hub.resolve(thresholds=CAUTIOUS)
    after = golden_of(hub)
    assert after[never["uid_l"]] != after[never["uid_r"]]
    assert after[merge["uid_l"]] == after[merge["uid_r"]] == done["golden_id"]
    assert hub.match_reviews(status="never")["items"][0]["reason"] == "siblings"
    still_open = hub.match_reviews(limit=1000)
    assert still_open["total"] <= queue["total"] - 2
    assert all(after[r["uid_l"]] != after[r["uid_r"]] for r in still_open["items"])


def test_a_record_split_off_by_a_steward_stays_apart_when_it_arrives_again(resolved_hub):
    hub = resolved_hub
    (gid,) = _persons(hub, min_members=3, count=1)
    record = golden_members(hub, gid)[0]
    source, record_id = record.split("/", 1)
    payload = json.loads(hub.db.scalar(
        "SELECT record FROM source_records WHERE source = ? AND record_id = ?",
        [source, record_id]))  # fmt: skip
    email = next(k for k, v in payload.items() if isinstance(v, str) and "@" in v)
    # a changed record is matched again, and stays where it was
    assert hub.upsert_record(source, {**payload, email: "neu@example.org"})["golden_id"] == gid

    split = hub.unmerge_golden(gid, records=[record], actor="anna", reason="two people")
    again = hub.upsert_record(source, {**payload, email: "neuer@example.org"})
    assert again["golden_id"] == split["split_off"] != gid
    assert record not in golden_members(hub, gid)


def test_every_decision_needs_a_user_and_a_reason_and_says_what_is_wrong(resolved_hub):
    hub = resolved_hub
    first, second = _persons(hub)
    with pytest.raises(StewardshipError, match="reason is required"):
        hub.merge_golden([first, second], actor="anna", reason=" ")
    with pytest.raises(StewardshipError, match="two different golden records"):
        hub.merge_golden([first, first], actor="anna", reason="x")
    with pytest.raises(StewardshipError, match=r"no merge to undo.*--record"):
        hub.unmerge_golden(first, actor="anna", reason="x")
    with pytest.raises(StewardshipError, match="not in"):
        hub.unmerge_golden(first, records=["crm/does-not-exist"], actor="anna", reason="x")
    a, b = _uid_pair_in_different_goldens(hub)
    with pytest.raises(StewardshipError, match="decision must be one of"):
        hub.decide_match(a, b, "maybe", actor="anna", reason="x")


def test_never_match_is_a_constraint_on_whole_clusters():
    # a-b and b-c link, but a and c may never be together: the stronger link (a-b) wins.
    uids = ["a", "b", "c", "d"]
    labels = cluster_labels(uids, [("a", "b"), ("b", "c"), ("c", "d")], never=[("a", "c")])
    assert labels[0] == labels[1] != labels[2] == labels[3]
    plain = cluster_labels(uids, [("a", "b"), ("b", "c"), ("c", "d")])
    assert len(np.unique(plain)) == 1


def test_rest_merge_unmerge_and_review(cautious_hub):
    resolved_hub = cautious_hub
    api = Api(resolved_hub)
    first, second = _persons(resolved_hub)
    answer = api.post("/v1/golden/merge", {"golden_ids": [first, second], "user": "crm-bot",
                                           "reason": "same VAT id"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["golden_id"] == first
    answer = api.post(f"/v1/golden/{first}/unmerge", {"reason": "undo"})
    assert answer.json() == {"golden_id": first, "split_off": second,
                             "records": golden_members(resolved_hub, second)}  # fmt: skip
    refused = api.post(f"/v1/golden/{first}/unmerge", {"reason": "again"})
    assert refused.status_code == 409 and "no merge to undo" in refused.json()["error"]["message"]
    assert api.post("/v1/golden/merge", {"golden_ids": [first, second]}).status_code == 422
    queue = api.get("/v1/golden/reviews", params={"limit": 1}).json()
    pair = queue["items"][0]
    decision = {"uid_l": pair["uid_l"], "uid_r": pair["uid_r"], "decision": "never",
                "reason": "siblings"}  # fmt: skip
    decided = api.post("/v1/golden/reviews", decision)
    assert decided.status_code == 200, decided.text
    assert api.get("/v1/golden/reviews").json()["total"] == queue["total"] - 1
    assert api.get("/v1/golden/G999999").status_code == 404


def test_cli_merge_unmerge_review(cautious_hub, tmp_path: Path):
    resolved_hub = cautious_hub
    db = str(resolved_hub.db.path)
    first, second = _persons(resolved_hub)
    resolved_hub.close()
    runner = CliRunner()

    def run(*args: str) -> dict:
        result = runner.invoke(app, [*args, "--db", db, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert run("golden", "merge", first, second, "--reason", "r", "--user", "u")[
        "golden_id"] == first  # fmt: skip
    assert run("golden", "unmerge", first, "--reason", "r", "--user", "u")["split_off"] == second
    queue = run("golden", "review", "--limit", "1")
    pair = queue["items"][0]
    run("golden", "review", "--never", pair["uid_l"], pair["uid_r"], "--reason", "siblings")
    assert run("golden", "review", "--status", "never")["total"] == 1
    missing = runner.invoke(app, ["golden", "merge", first, second, "--db", db])
    assert missing.exit_code != 0 and "--reason" in missing.output
    unknown = runner.invoke(app, ["golden", "unmerge", "G999999", "--reason", "r", "--db", db])
    assert unknown.exit_code == 1 and "no golden record 'G999999'" in unknown.output
    refused = runner.invoke(app, ["golden", "unmerge", first, "--reason", "r", "--db", db])
    assert refused.exit_code == 2 and "no merge to undo" in refused.output
