"""Scores against hand-computed cases, from responses that arrive as events."""

from __future__ import annotations

import math

import pytest

from journeyhub import Hub


def answers(hub: Hub, kind: str, scores: list[int], touchpoint: str = "post_purchase") -> None:
    hub.ingest([
        {"type": "track", "event": "Survey Answered", "userId": f"{kind}-{i}",
         "messageId": f"{kind}-{touchpoint}-{i}", "timestamp": f"2026-03-0{1 + i % 9}T10:00:00Z",
         "properties": {"survey": kind, "score": s, "touchpoint": touchpoint}}
        for i, s in enumerate(scores)
    ])  # fmt: skip


def by_metric(rows: list[dict]) -> dict[str, dict]:
    return {r["metric"]: r for r in rows}


def test_nps_is_promoters_minus_detractors_with_its_interval(hub: Hub) -> None:
    answers(hub, "nps", [10, 9, 9, 10, 7, 8, 7, 0, 5, 6])
    nps = by_metric(hub.feedback.scores("overall"))["nps"]
    assert nps["n"] == 10
    assert (nps["promoters"], nps["passives"], nps["detractors"]) == pytest.approx((0.4, 0.3, 0.3))
    assert nps["value"] == pytest.approx(10.0)
    half = 100 * 1.959964 * math.sqrt((0.4 + 0.3 - 0.1**2) / 10)  # 51.5
    assert (nps["ci_low"], nps["ci_high"]) == pytest.approx((10 - half, 10 + half))
    assert nps["small_sample"] is True  # 10 < 30


def test_csat_mean_and_top_two_box_and_ces_low_effort(hub: Hub) -> None:
    answers(hub, "csat", [5, 4, 3, 2, 1, 5])
    answers(hub, "ces", [1, 2, 3, 7], touchpoint="post_support")
    rows = by_metric(hub.feedback.scores("overall", min_sample=3))
    csat, ces = rows["csat"], rows["ces"]
    assert csat["value"] == pytest.approx(20 / 6)
    assert csat["top2_share"] == pytest.approx(0.5)
    sd = math.sqrt(sum((x - 20 / 6) ** 2 for x in [5, 4, 3, 2, 1, 5]) / 5)
    assert csat["ci_high"] - csat["value"] == pytest.approx(1.959964 * sd / math.sqrt(6))
    assert ces["value"] == pytest.approx(3.25)
    assert ces["low_effort_share"] == pytest.approx(0.75)
    assert csat["small_sample"] is False


def test_scores_by_touchpoint_follow_the_journey_model_and_skip_bad_scores(hub: Hub) -> None:
    hub.apply_journey("retail")
    answers(hub, "csat", [5, 5, 4, 9])  # 9 is no CSAT answer: kept as a response, not scored
    answers(hub, "ces", [2, 2], touchpoint="post_support")
    rows = hub.feedback.scores("touchpoint", min_sample=1)
    found = {(r["touchpoint"], r["metric"]): r["n"] for r in rows}
    # the retail journey's "order" touchpoint collects post_purchase surveys
    assert found == {("order", "csat"): 3, ("support_ticket", "ces"): 2}
    phases = {(r["phase"], r["metric"]) for r in hub.feedback.scores("phase", min_sample=1)}
    assert phases == {("conversion", "csat"), ("retention", "ces")}
    assert hub.db.scalar("SELECT count(*) FROM survey_responses") == 6


def test_scores_reject_an_unknown_breakdown(hub: Hub) -> None:
    with pytest.raises(ValueError, match="by must be one of"):
        hub.feedback.scores("colour")
