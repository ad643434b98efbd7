"""Customer Data Hub endpoints: records in, golden records out, change feed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from journeyhub.api.errors import ApiError, run_blocking
from journeyhub.hub import Hub
from journeyhub.identity.playback import LOOKUP_KEYS, GoldenNotFound
from journeyhub.identity.sources import SourceError
from journeyhub.identity.stewardship import StewardshipError

RECORD_EXAMPLE = {
    "source": "webshop",
    "record": {"customer_id": "C123", "email": "anna.mueller@example.de",
               "first_name": "Anna", "last_name": "Müller", "zip": "80331"},
}  # fmt: skip


class Decision(BaseModel):
    """Who decides and why: both are kept in the audit trail."""

    user: str = Field("api", description="Who decides.")
    reason: str = Field(..., min_length=1, description="Why.")


class MergeRequest(Decision):
    golden_ids: list[str] = Field(..., min_length=2, description="Golden ids to merge.")


class UnmergeRequest(Decision):
    records: list[str] | None = Field(
        None, description="Records (source/id) to split off; none: undo the latest merge."
    )


class WebhookRequest(BaseModel):
    url: str = Field(..., description="http(s) URL that receives the change feed (POST, signed).")
    from_start: bool = Field(False, description="Also send every change made before now.")


class ReviewDecision(Decision):
    uid_l: str
    uid_r: str
    decision: str = Field(..., pattern="^(merge|never)$")


async def _steward(call: Any) -> dict:
    try:
        return await run_in_threadpool(call)
    except GoldenNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    except StewardshipError as exc:
        raise ApiError(409, "stewardship_refused", str(exc)) from exc


def build_router(hub: Hub, require_key: Any) -> APIRouter:
    """Routes under /v1 for source records and golden records."""
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_key)], tags=["golden"])

    @router.post("/records", summary="Add or change one source record; answers its golden id")
    async def post_record(body: dict[str, Any] = Body(..., examples=[RECORD_EXAMPLE])) -> dict:
        source, record = body.get("source"), body.get("record")
        if not isinstance(source, str) or not isinstance(record, dict):
            raise ApiError(422, "invalid_record",
                           'expected {"source": NAME, "record": {...fields...}}')  # fmt: skip
        try:
            return await run_in_threadpool(hub.upsert_record, source, record)
        except SourceError as exc:
            raise ApiError(422, "invalid_record", str(exc)) from exc

    @router.get("/golden/changes", summary="Change feed of golden records after a cursor")
    async def changes(
        since: int = Query(0, ge=0, description="the `next` of the previous answer"),
        limit: int = Query(1000, ge=1, le=10000),
    ) -> dict:
        return await run_in_threadpool(hub.golden_changes, since, limit)

    @router.get("/golden", summary="Look up the golden record known by an identifier")
    async def lookup(
        email: str | None = None,
        phone: str | None = None,
        customer_number: str | None = None,
        record: str | None = Query(None, description="source/record_id"),
        user_id: str | None = Query(None, description="userId of events"),
        anonymous_id: str | None = Query(None, description="anonymousId of events"),
    ) -> dict:
        given = {"email": email, "phone": phone, "customer_number": customer_number,
                 "record": record, "user_id": user_id, "anonymous_id": anonymous_id}  # fmt: skip
        if sum(v is not None for v in given.values()) != 1:
            raise ApiError(400, "invalid_query",
                           f"give exactly one of: {', '.join(LOOKUP_KEYS)}")  # fmt: skip
        try:
            return await run_in_threadpool(lambda: hub.golden_lookup(**given))
        except GoldenNotFound as exc:
            raise ApiError(404, "not_found", str(exc)) from exc

    @router.post("/golden/merge", summary="Merge golden records (steward decision)")
    async def merge(body: MergeRequest) -> dict:
        return await _steward(
            lambda: hub.merge_golden(body.golden_ids, actor=body.user, reason=body.reason)
        )

    @router.post("/golden/{golden_id}/unmerge", summary="Split records out of a golden record")
    async def unmerge(golden_id: str, body: UnmergeRequest) -> dict:
        return await _steward(
            lambda: hub.unmerge_golden(
                golden_id, records=body.records, actor=body.user, reason=body.reason
            )
        )

    @router.get("/golden/reviews", summary="Record pairs waiting for a steward (grey zone)")
    async def reviews(
        status: str = Query("open", pattern="^(open|merged|never)$"),
        limit: int = Query(50, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> dict:
        return await run_in_threadpool(
            lambda: hub.match_reviews(status=status, limit=limit, offset=offset)
        )

    @router.post("/golden/reviews", summary="Judge a record pair: merge or never")
    async def decide(body: ReviewDecision) -> dict:
        return await _steward(
            lambda: hub.decide_match(
                body.uid_l, body.uid_r, body.decision, actor=body.user, reason=body.reason
            )
        )

    @router.get("/golden/webhooks", summary="Webhook subscriptions with cursor and failures")
    async def webhooks() -> dict:
        return {"items": await run_blocking(hub.list_webhooks)}

    @router.post(
        "/golden/webhooks",
        status_code=201,
        summary="Subscribe a URL to the change feed; the answer holds its signing secret (once)",
    )
    async def add_webhook(body: WebhookRequest) -> dict:
        return await run_blocking(  # type: ignore[no-any-return]
            lambda: hub.add_webhook(body.url, from_start=body.from_start), "invalid_webhook"
        )

    @router.delete("/golden/webhooks/{hook_id}", summary="Unsubscribe a webhook")
    async def remove_webhook(hook_id: str) -> dict:
        if not await run_blocking(lambda: hub.remove_webhook(hook_id)):
            raise ApiError(404, "not_found", f"no webhook with id {hook_id}")
        return {"removed": hook_id}

    @router.get("/golden/{golden_id}", summary="One golden record with lineage and history")
    async def show(golden_id: str) -> dict:
        try:
            return await run_in_threadpool(hub.golden, golden_id)
        except GoldenNotFound as exc:
            raise ApiError(404, "not_found", str(exc)) from exc

    return router
