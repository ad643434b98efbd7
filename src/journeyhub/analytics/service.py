"""``Analytics``: every journey analytic behind one object (``Hub.analytics``).

It keeps the event log and touchpoint mapping current before it reads them, picks the journey
(``journey=None``: the only one applied, else ``retail``), and runs on the store's DuckDB —
or on any other :class:`~journeyhub.analytics.engines.Engine` (Spark) given to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from journeyhub.analytics import (
    clv,
    conformance,
    friction,
    funnels,
    goals,
    loyalty,
    process,
    unmapped,
)
from journeyhub.analytics.engines import DuckDBEngine, Engine
from journeyhub.analytics.logs import Level, LogSpec
from journeyhub.identity import attribution, graph
from journeyhub.journey import mapping
from journeyhub.journey.model import Journey
from journeyhub.journey.store import get_journey
from journeyhub.store import Database


class Analytics:
    """Journey analytics over one database (and optionally another engine)."""

    def __init__(self, db: Database, engine: Engine | None = None) -> None:
        self.db = db
        self.engine = engine or DuckDBEngine(db)

    # -- plumbing ------------------------------------------------------------------------------

    def refresh(self) -> dict[str, int]:
        """Map events that arrived (and identities that changed) since the last call."""
        if self.db.read_only or mapping.is_current(self.db.cursor()):
            return {"moved_keys": 0, "added_events": 0}
        with self.db.transaction() as cur:
            return mapping.refresh(cur)

    def journey(self, name: str | None = None) -> Journey:
        """An applied journey (see :func:`journeyhub.journey.store.get_journey`)."""
        return get_journey(self.db, name)

    def spec(
        self,
        level: Level = "event",
        journey: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        persona: str | None = None,
    ) -> LogSpec:
        """The log an analytic reads; refreshes the mapping first."""
        self.refresh()
        needs_journey = level != "event" or persona is not None
        model = self.journey(journey) if needs_journey or journey else None
        return LogSpec(level, model, since, until, persona)

    def case_of(self, identifier: str) -> str:
        """The journey case (golden id, else profile) of a customer known by any identifier."""
        cur = self.db.cursor()
        case_id = attribution.current_golden(cur, identifier)
        if case_id is None:
            _profile, keys = graph.event_keys(cur, identifier)
            rows = cur.execute(
                "SELECT DISTINCT case_id FROM case_keys WHERE person_key = ANY(?)", [keys]
            ).fetchall()
            case_id = rows[0][0] if rows else None
        if case_id is None:
            raise LookupError(f"no customer known as {identifier!r}")
        return str(case_id)

    # -- analytics -----------------------------------------------------------------------------

    def dfg(self, level: Level = "event", **filters: Any) -> list[dict[str, Any]]:
        """Directly-follows graph: ``[{"from", "to", "count", "median_seconds"}]``."""
        return process.dfg(self.engine, self.spec(level, **filters))

    def variants(self, level: Level = "event", limit: int = 20, **filters: Any) -> dict[str, Any]:
        """Distinct journeys (activity sequences) with their number of customers."""
        return process.variants(self.engine, self.spec(level, **filters), limit)

    def paths(
        self,
        anchor: str,
        level: Level = "touchpoint",
        direction: str = "out",
        length: int = 3,
        limit: int = 20,
        **filters: Any,
    ) -> dict[str, Any]:
        """Top paths into or out of ``anchor``, with shares and Sankey data."""
        spec = self.spec(level, **filters)
        return process.paths(
            self.engine, spec, anchor, direction=direction, length=length, limit=limit
        )

    def funnel(
        self,
        steps: list[str],
        within: timedelta,
        level: Level = "event",
        by: funnels.Breakdown | None = None,
        **filters: Any,
    ) -> dict[str, Any]:
        """An ordered funnel: conversion per step and segment, drop-off, time to convert."""
        funnel = funnels.Funnel(tuple(steps), within, by)
        return funnels.run_funnel(self.engine, funnel, self.spec(level, **filters))

    def funnel_customers(
        self,
        steps: list[str],
        within: timedelta,
        step: int,
        *,
        dropped: bool = False,
        level: Level = "event",
        limit: int = 100,
        offset: int = 0,
        **filters: Any,
    ) -> dict[str, Any]:
        """The customers at a funnel step (or who dropped off before it), one page."""
        funnel = funnels.Funnel(tuple(steps), within)
        spec = self.spec(level, **filters)
        return funnels.customers(
            self.engine, funnel, spec, step, dropped=dropped, limit=limit, offset=offset
        )

    def conformance(self, limit: int = 20, offset: int = 0, **filters: Any) -> dict[str, Any]:
        """Fitness of each journey against the critical path and what deviations cost."""
        spec = self.spec("touchpoint", **filters)
        return conformance.conformance(self.engine, spec, cases_limit=limit, cases_offset=offset)

    def friction(
        self, journey: str | None = None, detectors: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """Friction findings ranked by customers affected, with example timelines."""
        self.refresh()
        return friction.friction(self.engine, self.journey(journey), detectors)

    def unmapped(self, journey: str | None = None, limit: int = 20) -> dict[str, Any]:
        """Frequent events and sequences that no touchpoint of the journey matches."""
        self.refresh()
        return unmapped.unmapped(self.engine, self.journey(journey), limit)

    def goals(
        self, journey: str | None = None, as_of: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Each SMART goal: current value, monthly trend, status."""
        self.refresh()
        return goals.goals(self.engine, self.journey(journey), as_of)

    def customer_journey(self, identifier: str, journey: str | None = None) -> dict[str, Any]:
        """One customer's current phase and phase history in a journey."""
        self.refresh()
        model = self.journey(journey)
        case_id = self.case_of(identifier)
        events = (
            self.db.cursor()
            .execute(
                """SELECT ts, touchpoint, phase FROM journey_events
               WHERE journey = ? AND case_id = ? ORDER BY t_us, message_id""",
                [model.name, case_id],
            )
            .fetchall()
        )
        history: list[dict[str, Any]] = []
        for ts, touchpoint, phase in events:
            if not history or history[-1]["phase"] != phase:
                history.append({"phase": phase, "entered_at": ts.isoformat(), "via": touchpoint})
        return {
            "customer": identifier,
            "case_id": case_id,
            "journey": model.name,
            "current_phase": history[-1]["phase"] if history else None,
            "phase_history": history,
            "touchpoints": len(events),
        }

    # -- customer value ------------------------------------------------------------------------

    def fit_clv(self, options: clv.ClvOptions | None = None) -> clv.ClvModel:
        """Fit BG/NBD + Gamma-Gamma on the order events (kept in the store for predictions)."""
        self.refresh()
        return clv.fit(self.db, options or clv.ClvOptions())

    def predict_clv(
        self, horizon: str = "12m", *, annual_discount: float = 0.0, refit: bool = False
    ) -> tuple[clv.ClvModel, Any]:
        """Per-customer CLV, churn risk and expected purchases over ``horizon`` (an Arrow
        table), from the latest fit (fitted with the defaults when there is none)."""
        self.refresh()
        model = None if refit else clv.latest_model(self.db)
        if model is None:
            model = clv.fit(self.db, clv.ClvOptions())
        days = clv.parse_horizon(horizon)
        return model, clv.predict(self.db, model, days, annual_discount=annual_discount)

    def loyalty_options(self, journey: str | None = None, **options: Any) -> loyalty.LoyaltyOptions:
        """Loyalty options; ``by="persona"`` takes the personas of the journey."""
        model = self.journey(journey) if options.get("by") == "persona" else None
        return loyalty.LoyaltyOptions(journey=model, **options)

    def loyalty_report(self, options: loyalty.LoyaltyOptions | None = None) -> dict[str, Any]:
        """Loyalty KPIs per segment (or persona) and retention per period."""
        self.refresh()
        return loyalty.report(self.db, options or loyalty.LoyaltyOptions())

    def loyalty_customers(self, options: loyalty.LoyaltyOptions | None = None) -> Any:
        """Loyalty KPIs of every customer (an Arrow table)."""
        self.refresh()
        return loyalty.customers(self.db, options or loyalty.LoyaltyOptions())

    def loyalty_accounts(self, options: loyalty.LoyaltyOptions | None = None) -> Any:
        """Revenue, wallet estimate and share of wallet of every B2B account (Arrow)."""
        return loyalty.accounts(self.db, options or loyalty.LoyaltyOptions())

    def loyalty_customer(
        self, identifier: str, options: loyalty.LoyaltyOptions | None = None
    ) -> dict[str, Any]:
        """Loyalty KPIs of the customer known by ``identifier`` (any id, email or golden id)."""
        self.refresh()
        case_id = self.case_of(identifier)
        found = loyalty.customer(self.db, options or loyalty.LoyaltyOptions(), case_id)
        if found is None:
            raise LookupError(f"{identifier!r} has no orders")
        return {"customer": identifier, **found}

    def set_retention_costs(self, costs: list[loyalty.RetentionCost]) -> None:
        """Record retention costs (same range and segment: replaced)."""
        loyalty.set_costs(self.db, costs)

    def retention_costs(self) -> list[dict[str, Any]]:
        """Every recorded retention cost."""
        return loyalty.list_costs(self.db)
