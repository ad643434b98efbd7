"""Loyalty KPIs against a small shop whose every figure is worked out by hand below.

Window 2026-01-01 .. 2026-06-30, quarterly retention.

- anna (b2c, wallet 1000): orders 2025-11-10 (100), 2026-02-01 (50 + 30, one purchase day),
  2026-05-05 (120); a referral and a review in the window.
- ben (b2c): one order 2025-12-20 (80), then closes his account 2026-03-01.
- carl (b2c): first order 2026-06-20 (40).
- dora (b2b, account ACC-1 with wallet 10000): orders 2026-01-15 (5000) and 2026-04-10 (3000).

Q4 2025 buyers: anna, ben. Q1 2026: anna, dora (new); Q2: anna, dora, carl (new).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeyhub import Hub
from journeyhub.analytics.loyalty import LoyaltyOptions, RetentionCost, read_costs_csv
from journeyhub.cli.main import app
from tests.conftest import Api

WINDOW = LoyaltyOptions(since=date(2026, 1, 1), until=date(2026, 6, 30))
DAYS_IN_WINDOW = 181  # Jan..Jun 2026


def _order(n: int, user: str, day: str, revenue: float, group: str | None = None) -> dict:
    event: dict[str, Any] = {
        "type": "track",
        "event": "Order Completed",
        "userId": user,
        "messageId": f"o{n}",
        "timestamp": f"{day}T10:00:00Z",
        "properties": {"revenue": revenue, "currency": "EUR"},
    }
    if group:
        event["context"] = {"groupId": group}
        event["groupId"] = group
    return event


def _track(n: int, user: str, day: str, name: str) -> dict:
    return {
        "type": "track",
        "event": name,
        "userId": user,
        "messageId": f"t{n}",
        "timestamp": f"{day}T12:00:00Z",
    }


SHOP = [
    {
        "type": "identify",
        "userId": "anna",
        "messageId": "i1",
        "timestamp": "2025-11-01T09:00:00Z",
        "traits": {"email": "anna@example.de", "wallet_estimate": 1000},
    },
    {
        "type": "group",
        "userId": "dora",
        "groupId": "ACC-1",
        "messageId": "g1",
        "timestamp": "2026-01-10T09:00:00Z",
        "traits": {"name": "Acme GmbH", "wallet_estimate": 10000},
    },
    _order(1, "anna", "2025-11-10", 100),
    _order(2, "anna", "2026-02-01", 50),
    _order(3, "anna", "2026-02-01", 30),
    _order(4, "anna", "2026-05-05", 120),
    _track(1, "anna", "2026-03-01", "Referral Sent"),
    _track(2, "anna", "2026-05-06", "Review Submitted"),
    _order(5, "ben", "2025-12-20", 80),
    _track(3, "ben", "2026-03-01", "Account Closed"),
    _order(6, "carl", "2026-06-20", 40),
    _order(7, "dora", "2026-01-15", 5000, "ACC-1"),
    _order(8, "dora", "2026-04-10", 3000, "ACC-1"),
]


@pytest.fixture
def shop(hub: Hub) -> Hub:
    assert hub.ingest(SHOP)["accepted"] == len(SHOP)
    return hub


def _by(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, rows)
    return found[0]


def test_customer_kpis_are_counted_over_the_window(shop: Hub) -> None:
    anna = shop.analytics.loyalty_customer("anna@example.de", WINDOW)
    assert anna["segment"] == "b2c"
    assert (anna["orders"], anna["purchase_days"], anna["revenue"]) == (3, 2, 200)
    assert anna["avg_basket_value"] == pytest.approx(200 / 3)
    # she was a customer the whole window: 3 orders in 181 days
    assert anna["purchase_frequency"] == pytest.approx(3 * 365.25 / DAYS_IN_WINDOW)
    assert anna["repeat_purchaser"] is True
    assert (anna["referrals"], anna["reviews"]) == (1, 1)
    # share of wallet: the last 365 days (with the November order) over her wallet
    assert anna["revenue_12m"] == 300
    assert anna["share_of_wallet"] == pytest.approx(0.3)
    assert anna["status"] == "active"
    assert anna["first_order"] == date(2025, 11, 10)


def test_new_customers_get_a_frequency_over_at_least_thirty_days(shop: Hub) -> None:
    carl = shop.analytics.loyalty_customer("carl", WINDOW)
    assert carl["purchase_frequency"] == pytest.approx(365.25 / 30)
    assert carl["repeat_purchaser"] is False


def test_a_churn_event_closes_and_silence_lapses(shop: Hub) -> None:
    assert shop.analytics.loyalty_customer("ben", WINDOW)["status"] == "closed"
    strict = LoyaltyOptions(since=date(2026, 1, 1), until=date(2026, 6, 30), inactive_days=60)
    assert shop.analytics.loyalty_customer("dora", strict)["status"] == "lapsed"  # 81 days
    assert shop.analytics.loyalty_customer("anna", strict)["status"] == "active"  # 56 days


def test_segment_kpis(shop: Hub) -> None:
    report = shop.analytics.loyalty_report(WINDOW)
    assert report["window"] == {"since": "2026-01-01", "until": "2026-06-30"}
    b2c = _by(report["segments"], segment="b2c")
    assert (b2c["customers"], b2c["active_customers"], b2c["orders"]) == (3, 2, 4)
    assert b2c["avg_basket_value"] == pytest.approx(240 / 4)
    assert b2c["repeat_purchase_rate"] == pytest.approx(1 / 2)  # anna of anna and carl
    assert b2c["word_of_mouth_rate"] == pytest.approx(1 / 3)
    assert b2c["closed"] == 1
    assert b2c["purchase_frequency"] == pytest.approx(
        (3 * 365.25 / DAYS_IN_WINDOW + 365.25 / 30) / 2
    )
    b2b = _by(report["segments"], segment="b2b")
    assert (b2b["customers"], b2b["revenue"]) == (1, 8000)
    # B2B share of wallet is the account's: its orders over its wallet
    assert b2b["share_of_wallet"] == pytest.approx(0.8)
    everyone = _by(report["segments"], segment="all")
    assert everyone["customers"] == 4
    assert everyone["share_of_wallet"] == pytest.approx((300 + 8000) / (1000 + 10000))
    assert report["accounts"]["accounts"] == 1


def test_retention_and_churn_per_quarter(shop: Hub) -> None:
    report = shop.analytics.loyalty_report(WINDOW)
    q1 = _by(report["periods"], period_start=date(2026, 1, 1), segment="all")
    assert q1["complete"] is True
    assert (q1["customers_at_start"], q1["retained"], q1["churned"]) == (2, 1, 1)  # ben left
    assert (q1["active_customers"], q1["new_customers"]) == (2, 1)  # anna, dora (new)
    assert q1["retention_rate"] == 0.5 and q1["churn_rate"] == 0.5
    q2 = _by(report["periods"], period_start=date(2026, 4, 1), segment="all")
    assert (q2["customers_at_start"], q2["retained"], q2["new_customers"]) == (2, 2, 1)
    everyone = _by(report["segments"], segment="all")
    assert everyone["retention_rate"] == pytest.approx(3 / 4)
    assert everyone["churn_rate"] == pytest.approx(1 / 4)
    assert _by(report["segments"], segment="b2c")["retention_rate"] == pytest.approx(2 / 3)
    assert _by(report["segments"], segment="b2b")["retention_rate"] == 1.0


def test_retention_cost_is_spread_over_periods_by_days(shop: Hub) -> None:
    cost = RetentionCost(date(2026, 1, 1), date(2026, 6, 30), "b2c", 181.0, note="loyalty club")
    shop.analytics.set_retention_costs([cost])
    shop.analytics.set_retention_costs([cost])  # the same range and segment: replaced
    assert len(shop.analytics.retention_costs()) == 1
    report = shop.analytics.loyalty_report(WINDOW)
    q1 = _by(report["periods"], period_start=date(2026, 1, 1), segment="b2c")
    assert q1["retention_cost"] == pytest.approx(90)  # 90 of its 181 days
    assert q1["retention_cost_per_retained"] == pytest.approx(90)  # anna
    b2c = _by(report["segments"], segment="b2c")
    assert b2c["retention_cost_per_retained"] == pytest.approx(181 / 2)
    assert _by(report["segments"], segment="b2b")["retention_cost"] is None  # none recorded
    assert _by(report["segments"], segment="all")["retention_cost_per_retained"] == (
        pytest.approx(181 / 3)
    )


def test_monthly_periods_and_default_window(shop: Hub) -> None:
    report = shop.analytics.loyalty_report(LoyaltyOptions(period="month"))
    # default: the 365 days up to the last order (2026-06-20)
    assert report["window"] == {"since": "2025-06-21", "until": "2026-06-20"}
    feb = _by(report["periods"], period_start=date(2026, 2, 1), segment="all")
    assert (feb["active_customers"], feb["customers_at_start"], feb["reactivated"]) == (1, 1, 1)


def test_bad_options_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="period must be month, quarter or year"):
        LoyaltyOptions(period="week")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="after until"):
        LoyaltyOptions(since=date(2026, 2, 1), until=date(2026, 1, 1))
    with pytest.raises(ValueError, match="needs a journey"):
        LoyaltyOptions(by="persona")
    with pytest.raises(ValueError, match="before period_start"):
        RetentionCost(date(2026, 2, 1), date(2026, 1, 1), "b2c", 1.0)


def test_an_empty_store_says_there_are_no_orders(hub: Hub) -> None:
    with pytest.raises(LookupError, match="no 'Order Completed' events"):
        hub.analytics.loyalty_report()


def test_cost_csv_names_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    path.write_text(
        "period_start,period_end,segment,amount,note\n"
        "2026-01-01,2026-03-31,b2c,1200,club\n"
        "2026-04-01,2026-03-31,b2c,1200,backwards\n"
        "2026-04-01,2026-06-30,b2b,lots,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError) as exc:
        read_costs_csv(path)
    message = str(exc.value)
    assert "costs.csv:3: period_end 2026-03-31 is before period_start 2026-04-01" in message
    assert "costs.csv:4: could not convert string to float: 'lots'" in message
    assert "costs.csv:2" not in message


def test_cli_kpis_json_and_customer_export(shop: Hub, db_path: Path, tmp_path: Path) -> None:
    shop.close()
    runner = CliRunner()
    costs = tmp_path / "costs.csv"
    costs.write_text(
        "period_start,period_end,segment,amount\n2026-01-01,2026-06-30,all,300\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["loyalty", "costs", "import", str(costs), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    args = ["--since", "2026-01-01", "--until", "2026-06-30", "--db", str(db_path)]
    result = runner.invoke(app, ["loyalty", "kpis", "--json", *args])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    everyone = _by(report["segments"], segment="all")
    assert everyone["retention_cost_per_retained"] == pytest.approx(100)  # 300 / 3 retained
    out = tmp_path / "customers.csv"
    result = runner.invoke(app, ["loyalty", "customers", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 5 and lines[0].startswith('"customer_id","segment"')
    result = runner.invoke(app, ["loyalty", "kpis", "--period", "week", *args])
    assert result.exit_code == 2
    assert "period must be month, quarter or year" in result.output


def test_rest_loyalty_customer_and_costs(api: Api) -> None:
    assert api.hub.ingest(SHOP)["accepted"] == len(SHOP)
    query = {"since": "2026-01-01", "until": "2026-06-30"}
    report = api.get("/v1/loyalty", params=query).json()
    assert _by(report["segments"], segment="b2b")["share_of_wallet"] == pytest.approx(0.8)
    anna = api.get("/v1/customers/anna@example.de/loyalty", params=query)
    assert anna.status_code == 200 and anna.json()["orders"] == 3
    assert api.get("/v1/customers/nobody@example.de/loyalty").status_code == 404
    cost = {"period_start": "2026-01-01", "period_end": "2026-03-31", "segment": "b2c", "amount": 9}
    for _ in range(2):  # a retried request replaces, it does not add
        assert api.post("/v1/loyalty/costs", [cost]).json() == {"stored": 1}
    assert len(api.get("/v1/loyalty/costs").json()) == 1
    bad = api.post("/v1/loyalty/costs", [{**cost, "period_end": "2025-01-01"}])
    assert bad.status_code == 400 and "before period_start" in bad.text
    assert api.get("/v1/loyalty", params={"period": "week"}).status_code == 422
