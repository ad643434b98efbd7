"""Load a generated demo company into a database: events plus every source system's records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    return result


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
