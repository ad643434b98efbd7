"""Journey analytics on small logs whose answers are counted by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from journeyhub import Hub
from journeyhub.analytics import friction
from journeyhub.analytics.engines import DuckDBEngine
from tests.journey.helpers import MINI_JOURNEY, START, ev, load

DAY = 24 * 60


@pytest.fixture
def mini(hub: Hub, tmp_path: Path) -> Hub:
    """Three shoppers: u1 follows the path, u2 views twice and leaves, u3 adds before viewing."""
    load(hub, [
        ev("u1", "Viewed", 0), ev("u1", "Added", 1), ev("u1", "Ordered", 2),
        ev("u2", "Viewed", 0), ev("u2", "Viewed", 1), ev("u2", "Added", 5),
        ev("u3", "Added", 0), ev("u3", "Viewed", 1), ev("u3", "Ordered", 3),
    ])  # fmt: skip
    path = tmp_path / "mini.yaml"
    path.write_text(MINI_JOURNEY)
    hub.apply_journey(path)
    return hub


def test_dfg_counts_pairs_and_median_transition_times(mini: Hub):
    assert mini.analytics.dfg() == [
        {"from": "Viewed", "to": "Added", "count": 2, "median_seconds": 150.0},
        {"from": "Added", "to": "Ordered", "count": 1, "median_seconds": 60.0},
        {"from": "Added", "to": "Viewed", "count": 1, "median_seconds": 60.0},
        {"from": "Viewed", "to": "Ordered", "count": 1, "median_seconds": 120.0},
        {"from": "Viewed", "to": "Viewed", "count": 1, "median_seconds": 60.0},
    ]
    assert {(r["from"], r["to"]) for r in mini.analytics.dfg("phase", journey="mini")} == {
        ("awareness", "conversion"), ("conversion", "conversion"), ("awareness", "awareness"),
        ("conversion", "awareness"),
    }  # fmt: skip


def test_variants_are_whole_sequences_with_their_customers(mini: Hub):
    load(mini, [ev("u4", "Viewed", 0), ev("u4", "Added", 1), ev("u4", "Ordered", 9)])
    result = mini.analytics.variants("touchpoint", journey="mini")
    assert result["cases"] == 4 and result["variants"] == 3
    assert result["top"][0] == {
        "variant": ["view", "cart", "order"], "length": 3, "cases": 2, "share": 0.5,
    }  # fmt: skip


def test_paths_out_of_the_first_occurrence_mark_the_end(mini: Hub):
    result = mini.analytics.paths("Viewed", level="event", length=2)
    assert sorted((r["path"], r["customers"]) for r in result["top"]) == [
        (["Viewed", "Added", "Ordered"], 1),
        (["Viewed", "Ordered", "(end)"], 1),
        (["Viewed", "Viewed", "Added"], 1),
    ]
    into = mini.analytics.paths("Ordered", level="event", direction="in", length=2)
    assert sorted(r["path"] for r in into["top"]) == [
        ["Added", "Viewed", "Ordered"], ["Viewed", "Added", "Ordered"],
    ]  # fmt: skip
    assert {n["label"] for n in into["sankey"]["nodes"]} == {"Added", "Viewed", "Ordered"}


def _reached(result: dict) -> list[int]:
    return [s["customers"] for s in result["series"][0]["steps"]]


def test_funnel_steps_must_come_in_order(mini: Hub):
    result = mini.analytics.funnel(["Viewed", "Added", "Ordered"], timedelta(minutes=10))
    assert _reached(result) == [3, 2, 1]  # u3 added before viewing: only step 1
    steps = result["series"][0]["steps"]
    assert steps[1]["dropped"] == 1 and steps[2]["from_previous"] == 0.5


def test_funnel_window_edges_are_inclusive(mini: Hub):
    funnel = mini.analytics.funnel
    assert _reached(funnel(["Viewed", "Added", "Ordered"], timedelta(minutes=2))) == [3, 1, 1]
    assert _reached(funnel(["Viewed", "Added", "Ordered"], timedelta(seconds=119))) == [3, 1, 0]


def test_a_repeated_step_needs_a_repeated_event(mini: Hub):
    assert _reached(mini.analytics.funnel(["Viewed", "Viewed"], timedelta(hours=1))) == [3, 1]


def test_funnel_lists_the_people_and_what_dropped_ones_did_next(mini: Hub):
    steps, window = ["Viewed", "Added", "Ordered"], timedelta(minutes=10)
    reached = mini.analytics.funnel_customers(steps, window, 2)
    assert reached["total"] == 2 and reached["customers"] == ["Ku1", "Ku2"]
    page = mini.analytics.funnel_customers(steps, window, 2, limit=1, offset=1)
    assert page["customers"] == ["Ku2"] and page["next_offset"] is None
    dropped = mini.analytics.funnel_customers(steps, window, 2, dropped=True)
    assert dropped["customers"] == ["Ku3"]
    assert dropped["did_next"] == [{"activity": "Ordered", "customers": 1}]


def test_funnel_breaks_down_by_channel_of_the_first_step(hub: Hub):
    load(hub, [
        ev("a", "Viewed", 0, "app"), ev("a", "Ordered", 1),
        ev("b", "Viewed", 0, "web"), ev("c", "Viewed", 0, "web"), ev("c", "Ordered", 3),
    ])  # fmt: skip
    result = hub.analytics.funnel(["Viewed", "Ordered"], timedelta(hours=1), by="channel")
    assert {s["segment"]: [x["customers"] for x in s["steps"]] for s in result["series"]} == {
        "app": [1, 1], "web": [2, 1],
    }  # fmt: skip


def test_conformance_fitness_is_token_replay_on_the_critical_path(mini: Hub):
    result = mini.analytics.conformance(journey="mini")
    fitness = {c["case_id"]: c["fitness"] for c in result["least_fitting"]}
    # u1 follows view > cart > order; u3 does cart first (1 missing, 1 remaining of 4 tokens);
    # u2 views twice and never orders (2 missing, 2 remaining of 4)
    assert fitness == {"Ku1": 1.0, "Ku3": 0.75, "Ku2": 0.5}
    assert result["perfect"] == 1 and result["deviations"]["wrong_order"] == 1
    assert result["deviations"]["loops"] == 1
    worst = result["least_fitting"][0]
    assert worst["case_id"] == "Ku2" and worst["skipped"] == [] and worst["loops"]


def test_events_are_mapped_on_arrival_and_again_when_the_model_changes(mini: Hub, tmp_path: Path):
    load(mini, [ev("u5", "Viewed", 0), ev("u5", "Wishlisted", 1)])
    assert mini.analytics.unmapped("mini")["activities"] == [
        {"activity": "Wishlisted", "customers": 1, "events": 1}
    ]
    changed = MINI_JOURNEY.replace(
        "events: [{event: Viewed}]}", "events: [{event: Viewed}, {event: Wishlisted}]}"
    )
    path = tmp_path / "mini.yaml"
    path.write_text(changed)
    assert mini.apply_journey(path)["version"] == 2
    assert mini.analytics.unmapped("mini")["activities"] == []
    journey = mini.analytics.customer_journey("u5", "mini")
    assert journey["current_phase"] == "awareness"
    assert [h["phase"] for h in mini.analytics.customer_journey("u1", "mini")["phase_history"]] == [
        "awareness", "conversion",
    ]  # fmt: skip


def test_identity_stitching_moves_events_to_one_customer(mini: Hub):
    load(mini, [
        {"type": "page", "anonymousId": "anon-9", "name": "Home",
         "timestamp": START.isoformat(), "messageId": "p-anon-9"},
    ])  # fmt: skip
    mini.analytics.refresh()
    cases = mini.db.scalar("SELECT count(DISTINCT case_id) FROM journey_log")
    assert cases == 4
    mini.ingest([{"type": "alias", "userId": "u1", "previousId": "anon-9",
                  "timestamp": START.isoformat(), "messageId": "alias-1"}])  # fmt: skip
    mini.analytics.refresh()
    owner = mini.db.scalar("SELECT case_id FROM journey_log WHERE message_id = 'p-anon-9'")
    assert owner == mini.db.scalar("SELECT case_id FROM journey_log WHERE person_key = 'u1'")


# -- friction: each detector with a case that has it and one that does not --------------------


@pytest.fixture
def rough(hub: Hub, tmp_path: Path) -> dict[tuple[str, str], set[str]]:
    load(hub, [
        # u4: same ticket again within a day, switching chat -> phone, after a long wait;
        # solved two days later (late)
        ev("u4", "Contact", 0, "chat", ticket="T1", wait=30),
        ev("u4", "Contact", 60, "phone", ticket="T1", wait=600),
        ev("u4", "Solved", 2 * DAY, "email"),
        # u5: two different tickets, short waits, solved within the hour
        ev("u5", "Contact", 0, "chat", ticket="T2", wait=60),
        ev("u5", "Contact", 60, "chat", ticket="T3", wait=60),
        ev("u5", "Solved", 90, "email"),
        # u6: the same ticket again, but 8 days later (outside the 7-day window), same channel
        ev("u6", "Contact", 0, "chat", ticket="T4", wait=10),
        ev("u6", "Contact", 8 * DAY, "chat", ticket="T4", wait=10),
        ev("u6", "Solved", 8 * DAY + 10, "email"),
        # u8 gave an email at identify, the form asks again; u9 fills a form once
        {"type": "identify", "userId": "u8", "traits": {"email": "u8@example.de"},
         "timestamp": START.isoformat(), "messageId": "id-u8"},
        ev("u8", "Form Submitted", 5, fields=["email", "street"]),
        ev("u9", "Form Submitted", 5, fields=["city"]),
        # u10 abandons the cart for good; u11 orders an hour after abandoning
        ev("u10", "Added", 0), ev("u10", "Cart Abandoned", 1),
        ev("u11", "Added", 0), ev("u11", "Cart Abandoned", 1), ev("u11", "Ordered", 61),
    ])  # fmt: skip
    path = tmp_path / "mini.yaml"
    path.write_text(MINI_JOURNEY)
    hub.apply_journey(path)
    found: dict[tuple[str, str], set[str]] = {}
    for row in friction.friction(DuckDBEngine(hub.db), hub.journey("mini"), examples=10):
        keys = {e["timeline"].split("/")[3] for e in row["examples"]}
        found.setdefault((row["detector"], row["detail"]), set()).update(keys)
    return found


def test_repeat_contact_about_the_same_matter_within_the_window(rough):
    assert rough[("repeat_contact", "same matter again within 7 days")] == {"u4"}


def test_channel_switch_between_contacts_about_one_matter(rough):
    assert rough[("channel_switch", "chat -> phone")] == {"u4"}
    assert not any(d == "channel_switch" and "u6" in who for (d, _), who in rough.items())


def test_data_asked_twice(rough):
    assert rough[("data_asked_twice", "email")] == {"u8"}
    assert ("data_asked_twice", "city") not in rough  # u9 gave the city once


def test_drop_off_without_recovery(rough):
    assert rough[("drop_off", "no order within 2 days")] == {"u10"}


def test_long_wait_against_the_promised_response_time(rough):
    assert rough[("long_wait", "waited longer than 5m")] == {"u4"}


def test_slow_resolution_against_the_promised_resolution_time(rough):
    assert rough[("slow_resolution", "resolved later than 1d")] == {"u4", "u6"}  # u6: 1st contact
    assert not any(d == "slow_resolution" and "u5" in who for (d, _), who in rough.items())


def test_dead_end_is_a_journey_that_stops_before_the_purchase(rough):
    assert rough[("dead_end", "journey ends here")] == {"u8", "u9", "u10"}  # not u11: it ordered
