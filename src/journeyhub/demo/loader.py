"""Load a generated demo company into a database: events plus every source system's records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from journeyhub.analytics.loyalty import RetentionCost, add_months
from journeyhub.demo.sources import FIELDS
from journeyhub.feedback.store import templates
from journeyhub.hub import Hub

MAPPINGS = Path(__file__).parent / "mappings"
DEMO_JOURNEYS = ("retail", "b2b")  # the shipped journey templates the demo company uses


def load_demo(
    hub: Hub, folder: str | Path, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Import ``events.*`` and ``records/*.csv`` from a demo folder and apply the retail and
    B2B journeys; returns the reports."""
    folder = Path(folder)
    events = next(iter(sorted(folder.glob("events.*"))), None)
    if events is None:
        raise FileNotFoundError(f"{folder}: no events.parquet or events.jsonl (generate first)")
    result: dict[str, Any] = {"events": hub.import_events(events, progress=progress).as_dict()}
    result["records"] = {}
    for system, fields in FIELDS.items():
        path = folder / "records" / f"{system}.csv"
        if path.exists():
            hub.add_source(system, MAPPINGS / f"{system}.yaml")
            result["records"][system] = hub.import_records(
                system, path, id_column=fields[0]
            ).as_dict()
    result["journeys"] = [hub.apply_journey(name) for name in DEMO_JOURNEYS]
    result["surveys"] = [hub.feedback.apply(name) for name in templates()]
    result["consents"] = grant_demo_consents(hub)
    result["retention_costs"] = add_demo_retention_costs(hub)
    return result


def add_demo_retention_costs(hub: Hub) -> int:
    """What the demo retailer spends on keeping customers, per calendar quarter with orders:
    loyalty programme and win-back mailings for consumers (EUR 2.50 per buyer), key account
    care for B2B (EUR 300 per account)."""
    row = (
        hub.db.cursor()
        .execute(
            """SELECT min(timestamp)::DATE, max(timestamp)::DATE,
                  count(DISTINCT user_id) FILTER (WHERE group_id IS NULL),
                  count(DISTINCT group_id)
           FROM events WHERE type = 'track' AND name = 'Order Completed'"""
        )
        .fetchone()
    )
    if row is None or row[0] is None:
        return 0
    first, last, buyers, accounts = row
    costs: list[RetentionCost] = []
    start = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    while start <= last:
        end = add_months(start, 3)
        stop = end - timedelta(days=1)
        costs.append(
            RetentionCost(start, stop, "b2c", round(buyers * 2.5, 2), note="loyalty programme")
        )
        costs.append(RetentionCost(start, stop, "b2b", accounts * 300.0, note="key account care"))
        start = end
    hub.analytics.set_retention_costs(costs)
    return len(costs)


def grant_demo_consents(hub: Hub, share: int = 70) -> int:
    """Most demo customers agreed to feedback requests (a stable ``share`` percent of user
    ids); the others never answered the consent question."""
    with hub.db.transaction() as cur:
        cur.execute(
            "INSERT INTO consents SELECT DISTINCT user_id, 'feedback', true, 'demo', now() "
            "FROM events WHERE user_id IS NOT NULL AND hash(user_id) % 100 < ? "
            "AND user_id NOT IN (SELECT person_key FROM consents WHERE purpose = 'feedback')",
            [share],
        )
    return int(hub.db.scalar("SELECT count(*) FROM consents WHERE purpose = 'feedback'"))


def example_customer(hub: Hub) -> str | None:
    """An email address the demo knows, for the "try it" hint."""
    return hub.db.scalar(
        "SELECT value FROM identity_nodes WHERE kind = 'email' ORDER BY value LIMIT 1"
    )
