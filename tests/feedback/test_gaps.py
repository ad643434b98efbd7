"""Soll-Ist per touchpoint and key drivers of NPS, against hand-computed cases.

The retail journey promises: order CSAT >= 4.2 and NPS >= 30; support ticket CES <= 2.5 and
resolved within 2 days; a repeat support contact answered within 5 minutes.
"""

from __future__ import annotations

from statistics import correlation
from typing import Any

import pytest

from journeyhub import Hub


def survey(user: str, n: int, kind: str, score: int, touchpoint: str) -> dict[str, Any]:
    return {"type": "track", "event": "Survey Answered", "userId": user,
            "messageId": f"s-{user}-{n}", "timestamp": f"2026-03-0{1 + n}T10:00:00Z",
            "properties": {"survey": kind, "score": score, "touchpoint": touchpoint}}  # fmt: skip


def track(user: str, n: int, event: str, at: str, **props: Any) -> dict[str, Any]:
    return {"type": "track", "event": event, "userId": user, "messageId": f"t-{user}-{n}",
            "timestamp": at, "properties": props}  # fmt: skip


@pytest.fixture
def retail(hub: Hub) -> Hub:
    hub.apply_journey("retail")
    return hub


def test_soll_ist_compares_each_promise_with_what_was_measured(retail: Hub) -> None:
    events = [survey(f"u{i}", 0, "csat", s, "post_purchase") for i, s in enumerate([5, 5, 4, 3])]
    events += [survey(f"v{i}", 0, "ces", s, "post_support") for i, s in enumerate([2, 4, 3])]
    # two tickets: resolved after 1 day and after 4 days -> median 2.5 days, half within 2
    events += [
        track("a", 1, "Support Ticket Created", "2026-03-01T10:00:00Z", ticket_id="T1"),
        track("a", 2, "Support Ticket Resolved", "2026-03-02T10:00:00Z", ticket_id="T1"),
        track("b", 1, "Support Ticket Created", "2026-03-01T10:00:00Z", ticket_id="T2"),
        track("b", 2, "Support Ticket Resolved", "2026-03-05T10:00:00Z", ticket_id="T2"),
    ]
    # repeat contacts waited 2, 10 and 3:20 minutes -> median 200 s, 2 of 3 within 5 minutes
    events += [
        track(c, 3, "Support Contacted", "2026-03-03T10:00:00Z", wait_seconds=w)
        for c, w in (("a", 120), ("b", 600), ("c", 200))
    ]
    assert retail.ingest(events)["accepted"] == len(events)
    rows = {(r["touchpoint"], r["metric"]): r for r in retail.feedback.soll_ist(min_sample=3)}

    csat = rows[("order", "csat")]
    assert (csat["soll"], csat["ist"], csat["n"]) == (4.2, pytest.approx(4.25), 4)
    assert csat["met"] is True
    ces = rows[("support_ticket", "ces")]
    assert ces["ist"] == pytest.approx(3.0) and ces["gap"] == pytest.approx(0.5)
    assert ces["met"] is False  # lower is better for effort
    resolution = rows[("support_ticket", "resolution_time")]
    assert resolution["soll"] == 2 * 86_400
    assert resolution["ist"] == pytest.approx(2.5 * 86_400)
    assert resolution["service_level"] == pytest.approx(0.5)
    assert resolution["met"] is False
    response = rows[("support_contact", "response_time")]
    assert (response["ist"], response["met"]) == (200, True)
    assert response["service_level"] == pytest.approx(2 / 3)
    nps = rows[("order", "nps")]
    assert (nps["ist"], nps["met"], nps["n"]) == (None, None, 0)  # promised, never measured
    # missed promises first, the largest gap first
    order = [(r["touchpoint"], r["metric"]) for r in retail.feedback.soll_ist(min_sample=3)]
    assert order[:2] == [("support_ticket", "resolution_time"), ("support_ticket", "ces")]


def test_key_drivers_correlate_touchpoint_scores_with_nps(retail: Hub) -> None:
    customers = {  # nps, order csat, support ces
        "c1": (10, 5, 1),
        "c2": (8, 4, 3),
        "c3": (3, 2, 2),
        "c4": (6, 3, 7),
    }
    events = []
    for user, (nps, csat, ces) in customers.items():
        events += [
            survey(user, 0, "nps", nps, "relationship"),
            survey(user, 1, "csat", csat, "post_purchase"),
            survey(user, 2, "ces", ces, "post_support"),
        ]
    retail.ingest(events)
    result = retail.feedback.drivers(min_sample=3)
    drivers = {d["touchpoint"]: d for d in result["drivers"]}
    assert set(drivers) == {"order", "support_ticket"}
    nps = [v[0] for v in customers.values()]
    csat_perf = [(v[1] - 1) / 4 for v in customers.values()]
    ces_perf = [(7 - v[2]) / 6 for v in customers.values()]  # low effort performs well
    assert drivers["order"]["importance"] == pytest.approx(correlation(nps, csat_perf))
    assert drivers["support_ticket"]["importance"] == pytest.approx(correlation(nps, ces_perf))
    assert drivers["order"]["performance"] == pytest.approx(100 * sum(csat_perf) / 4)
    shares = [d["share"] for d in drivers.values()]
    assert sum(shares) == pytest.approx(1.0)
    # CSAT at the order explains NPS best; both perform alike (62.5) -> above the middle
    assert result["drivers"][0]["touchpoint"] == "order"
    assert drivers["order"]["quadrant"] == "keep up the good work"
    assert drivers["support_ticket"]["quadrant"] == "possible overkill"
    assert drivers["order"]["small_sample"] is False and drivers["order"]["n"] == 4
