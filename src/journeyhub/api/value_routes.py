"""Customer value endpoints: loyalty KPIs, retention costs and CLV over ``Hub.analytics``."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from journeyhub.analytics.clv import segment_summary
from journeyhub.analytics.loyalty import LoyaltyOptions, RetentionCost
from journeyhub.api.errors import run_blocking
from journeyhub.hub import Hub


class CostIn(BaseModel):
    """One retention cost: money spent on keeping customers of a segment over a date range."""

    period_start: date
    period_end: date = Field(description="inclusive")
    segment: str = Field(description="b2c, b2b, a persona, or all")
    amount: float = Field(ge=0)
    currency: str = "EUR"
    note: str = ""


async def loyalty_query(
    by: str = Query("segment", pattern="^(segment|persona)$"),
    period: str = Query("quarter", pattern="^(month|quarter|year)$"),
    since: date | None = Query(None, description="first day (default: 365 days before until)"),
    until: date | None = Query(None, description="last day, inclusive (default: last order)"),
    journey: str | None = Query(None, description="journey with the personas (by=persona)"),
    order_event: str = Query("Order Completed"),
    revenue_property: str = Query("revenue"),
    inactive_days: int = Query(365, ge=1, description="no order this long: lapsed"),
) -> dict[str, Any]:
    """The loyalty options a request gives."""
    return {
        "by": by,
        "period": period,
        "since": since,
        "until": until,
        "journey": journey,
        "order_event": order_event,
        "revenue_property": revenue_property,
        "inactive_days": inactive_days,
    }


def build_router(hub: Hub, require_key: Any) -> APIRouter:
    """Loyalty, retention cost and CLV routes."""
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_key)], tags=["value"])
    an = hub.analytics

    def options(query: dict[str, Any]) -> LoyaltyOptions:
        return an.loyalty_options(**query)

    @router.get("/loyalty")
    async def loyalty(q: dict = Depends(loyalty_query)) -> Any:
        """Loyalty KPIs per segment (or persona), B2B share of wallet, retention per period."""
        return await run_blocking(lambda: an.loyalty_report(options(q)), "invalid_query")

    @router.get("/customers/{identifier}/loyalty")
    async def customer_loyalty(identifier: str, q: dict = Depends(loyalty_query)) -> Any:
        """One customer's loyalty KPIs (any identifier: user id, email, golden id)."""
        return await run_blocking(
            lambda: an.loyalty_customer(identifier, options(q)), "invalid_query"
        )

    @router.get("/loyalty/costs")
    async def list_costs() -> Any:
        """Every recorded retention cost."""
        return await run_blocking(an.retention_costs)

    @router.post("/loyalty/costs")
    async def set_costs(costs: list[CostIn]) -> Any:
        """Record retention costs; the same range and segment again replaces (idempotent)."""

        def store() -> dict[str, int]:
            an.set_retention_costs([RetentionCost(**c.model_dump()) for c in costs])
            return {"stored": len(costs)}

        return await run_blocking(store, "invalid_cost")

    @router.get("/clv")
    async def clv(
        horizon: str = Query("12m", description="90d, 26w, 12m or 2y"),
        discount_rate: float = Query(0.0, ge=0, le=1),
    ) -> Any:
        """CLV and churn risk per segment from the latest fit (fitted with defaults if none)."""

        def run() -> dict[str, Any]:
            model, predictions = an.predict_clv(horizon, annual_discount=discount_rate)
            return {
                "horizon": horizon,
                "model": model.to_dict(),
                "segments": segment_summary(predictions),
            }

        return await run_blocking(run, "invalid_query")

    return router
