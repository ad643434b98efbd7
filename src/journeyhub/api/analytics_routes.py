"""Journey endpoints: apply/list journeys, and ``GET /v1/analytics/...`` over ``Hub.analytics``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from journeyhub.analytics.friction import DETECTORS
from journeyhub.api.errors import ApiError, run_blocking
from journeyhub.config import ConfigError
from journeyhub.hub import Hub
from journeyhub.journey.model import parse_duration, parse_journey

LEVEL = Query("event", pattern="^(event|touchpoint|phase)$", description="event, touchpoint, phase")


async def filters(
    journey: str | None = Query(None, description="journey name (default: the only/retail)"),
    since: datetime | None = Query(None, description="from this time (ISO 8601, inclusive)"),
    until: datetime | None = Query(None, description="before this time (ISO 8601, exclusive)"),
    persona: str | None = Query(None, description="only customers of this persona"),
) -> dict[str, Any]:
    """The filters every analytic takes (a time without a zone is UTC)."""
    return {"journey": journey, "since": since, "until": until, "persona": persona}


async def _run(call: Callable[[], Any]) -> Any:
    """Run an analytic off the event loop; bad input -> 400, unknown journey/customer -> 404."""
    return await run_blocking(call, "invalid_query")


def build_router(hub: Hub, require_key: Any) -> APIRouter:
    """Journey and analytics routes."""
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_key)])
    an = hub.analytics

    yaml_body = {"application/yaml": {"schema": {"type": "string"}}}

    @router.post(
        "/journeys",
        tags=["journeys"],
        openapi_extra={"requestBody": {"required": True, "content": yaml_body}},
    )
    async def apply_journey(request: Request) -> Any:
        """Validate and apply a journey given as YAML (the body); events are re-mapped."""
        yaml_text = (await request.body()).decode("utf-8", errors="replace")
        try:
            parse_journey(yaml_text, "request body")
        except ConfigError as exc:
            raise ApiError(422, "invalid_journey", str(exc)) from exc

        def apply() -> Any:
            import tempfile
            from pathlib import Path

            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "journey.yaml"
                path.write_text(yaml_text, encoding="utf-8")
                return hub.apply_journey(path)

        return await _run(apply)

    @router.get("/journeys", tags=["journeys"])
    async def list_journeys() -> Any:
        """Applied journeys with their newest version."""
        return await _run(hub.journeys)

    @router.get("/journeys/{name}", tags=["journeys"])
    async def show_journey(name: str, version: int | None = None) -> Any:
        """An applied journey model (newest version unless ``version``)."""
        return await _run(lambda: hub.journey(name, version).model_dump(mode="json"))

    @router.get("/customers/{identifier}/journey", tags=["journeys"])
    async def customer_journey(identifier: str, journey: str | None = None) -> Any:
        """A customer's current phase and phase history."""
        return await _run(lambda: an.customer_journey(identifier, journey))

    @router.get("/analytics/dfg", tags=["analytics"])
    async def dfg(level: str = LEVEL, f: dict = Depends(filters)) -> Any:
        """Directly-follows graph: ``[{"from", "to", "count", "median_seconds"}]``."""
        return await _run(lambda: an.dfg(level, **f))  # type: ignore[arg-type]

    @router.get("/analytics/variants", tags=["analytics"])
    async def variants(
        level: str = LEVEL, limit: int = Query(20, ge=1, le=1000), f: dict = Depends(filters)
    ) -> Any:
        """Distinct journeys with their number of customers."""
        return await _run(lambda: an.variants(level, limit, **f))  # type: ignore[arg-type]

    @router.get("/analytics/funnel", tags=["analytics"])
    async def funnel(
        steps: str = Query(..., description="comma-separated ordered steps"),
        within: str = Query("30d", description="conversion window, e.g. 30d, 2h"),
        level: str = LEVEL,
        by: str | None = Query(None, pattern="^(channel|cohort|persona)$"),
        customers_at: int | None = Query(None, ge=1, description="list customers at this step"),
        dropped: bool = Query(False, description="with customers_at: those who dropped off"),
        limit: int = Query(100, ge=1, le=10000),
        offset: int = Query(0, ge=0),
        f: dict = Depends(filters),
    ) -> Any:
        """Ordered funnel; with ``customers_at`` one page of the customers at (or dropped
        before) that step and what the dropped ones did next."""
        step_list = [s.strip() for s in steps.split(",") if s.strip()]

        def run() -> Any:
            window = parse_duration(within)
            if customers_at is not None:
                return an.funnel_customers(
                    step_list, window, customers_at, dropped=dropped, level=level,  # type: ignore[arg-type]
                    limit=limit, offset=offset, **f,
                )  # fmt: skip
            return an.funnel(step_list, window, level, by, **f)  # type: ignore[arg-type]

        return await _run(run)

    @router.get("/analytics/paths", tags=["analytics"])
    async def paths(
        anchor: str = Query(..., description="touchpoint (or event/phase) the paths go through"),
        direction: str = Query("out", pattern="^(in|out)$"),
        length: int = Query(3, ge=1, le=20),
        level: str = Query("touchpoint", pattern="^(event|touchpoint|phase)$"),
        limit: int = Query(20, ge=1, le=1000),
        f: dict = Depends(filters),
    ) -> Any:
        """Top paths into or out of a touchpoint, shares, Sankey data."""
        return await _run(
            lambda: an.paths(anchor, level, direction, length, limit, **f)  # type: ignore[arg-type]
        )

    @router.get("/analytics/conformance", tags=["analytics"])
    async def conformance(
        limit: int = Query(20, ge=0, le=10000),
        offset: int = Query(0, ge=0),
        f: dict = Depends(filters),
    ) -> Any:
        """Fitness against the critical path, deviations, and what they go with."""
        return await _run(lambda: an.conformance(limit, offset, **f))

    @router.get("/analytics/friction", tags=["analytics"])
    async def friction(
        journey: str | None = None,
        detector: list[str] | None = Query(None, description=f"any of {', '.join(DETECTORS)}"),
    ) -> Any:
        """Friction findings ranked by customers affected, with example timelines."""
        return await _run(lambda: an.friction(journey, detector))

    @router.get("/analytics/unmapped", tags=["analytics"])
    async def unmapped(journey: str | None = None, limit: int = Query(20, ge=1, le=1000)) -> Any:
        """Events and sequences no touchpoint matches."""
        return await _run(lambda: an.unmapped(journey, limit))

    @router.get("/analytics/goals", tags=["analytics"])
    async def goals(journey: str | None = None) -> Any:
        """SMART goals: current value, trend, status."""
        return await _run(lambda: an.goals(journey))

    return router
