"""Read endpoints: timelines, quarantine, stats."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Body, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from journeyhub.analytics.timeline import CursorError, TimelinePage, TimelineQuery
from journeyhub.api.errors import ApiError
from journeyhub.api.schemas import TimelineResponse
from journeyhub.hub import Hub


def _split(values: list[str] | None) -> list[str] | None:
    """Accept both ``?channel=web&channel=app`` and ``?channel=web,app``."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _json(page: TimelinePage) -> Response:
    """The page as JSON, serialised once (the response model documents it, nothing re-checks)."""
    return Response(orjson.dumps(page.as_dict()), media_type="application/json")


async def timeline_query(
    limit: int = Query(50, ge=1, le=1000, description="items per page"),
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
    channel: list[str] | None = Query(
        None, description="only these channels (repeat or comma-separate)"
    ),
    event: list[str] | None = Query(None, description="only these event / page names"),
    since: datetime | None = Query(None, description="from this time (ISO 8601, inclusive)"),
    until: datetime | None = Query(None, description="before this time (ISO 8601, exclusive)"),
    order: str = Query("asc", pattern="^(asc|desc)$", description="asc: oldest first"),
) -> TimelineQuery:
    """The query parameters every timeline endpoint takes (async: a plain ``def`` dependency
    would be run in the thread pool, one more thread hop per request for no I/O)."""
    return TimelineQuery(
        limit, cursor, _split(channel), _split(event), since, until, order == "desc"
    )


def build_router(hub: Hub, require_key: Any) -> APIRouter:
    """Timeline, quarantine and stats routes."""
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_key)])

    async def page(fn: Any, subject: str, q: TimelineQuery) -> TimelinePage:
        try:
            # TimelineQuery's fields are the Hub methods' keyword arguments
            return await run_in_threadpool(fn, subject, **dataclasses.asdict(q))
        except CursorError as exc:
            raise ApiError(400, "invalid_cursor", str(exc)) from exc
        except ValueError as exc:
            raise ApiError(400, "invalid_query", str(exc)) from exc

    @router.get(
        "/customers/{customer_id}/timeline", response_model=TimelineResponse, tags=["timeline"]
    )
    async def customer_timeline(
        customer_id: str, q: TimelineQuery = Depends(timeline_query)
    ) -> Response:
        """Every event of one customer over all linked identities and channels, in time order.
        ``customer_id`` may be a userId, an anonymousId, an email or a phone number."""
        return _json(await page(hub.timeline, customer_id, q))

    @router.get("/accounts/{group_id}/timeline", response_model=TimelineResponse, tags=["timeline"])
    async def account_timeline(
        group_id: str, q: TimelineQuery = Depends(timeline_query)
    ) -> Response:
        """The merged timeline of all contacts of a B2B account (its ``groupId``)."""
        return _json(await page(hub.account_timeline, group_id, q))

    @router.get("/quarantine", tags=["quarantine"])
    async def quarantine_list(
        status: str | None = Query("open", description="open, replayed, or empty for all"),
        reason_code: str | None = Query(None),
        limit: int = Query(100, ge=1, le=10_000),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        """Rejected inputs, kept whole, with the reason each was rejected."""
        items = await run_in_threadpool(
            hub.quarantine,
            status=status or None,
            reason_code=reason_code,
            limit=limit,
            offset=offset,
        )
        return {"items": items}

    @router.post("/quarantine/replay", tags=["quarantine"])
    async def quarantine_replay(
        ids: list[str] | None = Body(None, embed=True),
        fixes: dict[str, Any] | None = Body(
            None, embed=True, description="quarantine id -> corrected event"
        ),
    ) -> dict[str, Any]:
        """Send quarantined inputs through validation again, optionally with corrections."""
        fixed = {
            k: v if isinstance(v, str) else orjson.dumps(v).decode()
            for k, v in (fixes or {}).items()
        }
        try:
            report = await run_in_threadpool(hub.replay_quarantine, ids, fixed)
        except KeyError as exc:
            raise ApiError(404, "not_found", str(exc.args[0])) from exc
        return report.as_dict()

    @router.get("/stats", tags=["store"])
    async def stats() -> dict[str, Any]:
        """Counts of events, identities, profiles and quarantined inputs."""
        return await run_in_threadpool(hub.stats)

    return router
