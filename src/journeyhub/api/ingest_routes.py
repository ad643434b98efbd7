"""Ingest endpoints of the Segment / RudderStack HTTP spec."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from journeyhub.api.errors import ApiError
from journeyhub.api.schemas import BATCH_SCHEMA, EVENT_SCHEMA, IngestResponse, Rejected
from journeyhub.hub import Hub
from journeyhub.ingest.quarantine import quarantine_raw

MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_KEPT_BYTES = 64 * 1024 * 1024
CALL_TYPES = ("track", "identify", "page", "screen", "group", "alias")


async def _refuse(
    hub: Hub, source: str, status: int, code: str, reason: str, hint: str, body: bytes
) -> ApiError:
    """Keep a request body that never became events, and the error that says so."""
    qid = await run_in_threadpool(
        quarantine_raw,
        hub.db,
        source=source,
        position=None,
        code=code,
        reason=reason,
        payload=body,
    )
    return ApiError(status, code, reason + hint, {"quarantine_id": qid})


async def _read_body(request: Request, hub: Hub, source: str) -> Any:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_KEPT_BYTES:
            raise ApiError(
                413,
                "payload_too_large",
                f"request body exceeds {MAX_KEPT_BYTES} bytes and was not kept",
            )
    if len(body) > MAX_BODY_BYTES:
        raise await _refuse(
            hub,
            source,
            413,
            "payload_too_large",
            f"request body is {len(body)} bytes; at most {MAX_BODY_BYTES} are accepted",
            ". Split it into smaller batches; this one was kept in quarantine.",
            body,
        )
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise await _refuse(
            hub, source, 400, "malformed_json", f"request body is not valid JSON: {exc}", "", body
        ) from exc


def build_router(hub: Hub, require_key: Any) -> APIRouter:
    """Routes for track, identify, page, screen, group, alias and batch."""
    router = APIRouter(prefix="/v1", tags=["ingest"], dependencies=[Depends(require_key)])

    async def commit(events: list[Any], source: str, default_type: str | None) -> IngestResponse:
        future = hub.writer.submit(events, source=source, default_type=default_type)
        result = await asyncio.wrap_future(future)
        return IngestResponse(
            success=True,
            accepted=result.accepted,
            duplicates=result.duplicates,
            rejected=[
                Rejected(
                    index=r.position, code=r.code, message=r.reason, quarantine_id=r.quarantine_id
                )
                for r in result.rejections
            ],
        )

    def single(call: str) -> Any:
        async def endpoint(request: Request) -> IngestResponse:
            source = f"api:{call}"
            event = await _read_body(request, hub, source)
            if isinstance(event, dict):
                event["type"] = call
            response = await commit([event], source, call)
            if response.rejected:
                r = response.rejected[0]
                raise ApiError(
                    400,
                    r.code,
                    r.message,
                    {"index": r.index, "quarantine_id": r.quarantine_id},
                )
            return response

        endpoint.__name__ = call
        endpoint.__doc__ = (
            f"Record one `{call}` call (Segment spec). Answers 200 once it is committed; "
            "a bad event is answered 400 with the reason and kept in quarantine."
        )
        return endpoint

    for call in CALL_TYPES:
        router.add_api_route(
            f"/{call}",
            single(call),
            methods=["POST"],
            response_model=IngestResponse,
            openapi_extra={
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": EVENT_SCHEMA}},
                }
            },
        )

    @router.post(
        "/batch",
        response_model=IngestResponse,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": BATCH_SCHEMA}},
            }
        },
    )
    async def batch(request: Request) -> IngestResponse:
        """Record many calls at once: ``{"batch": [...]}``. Good events are committed; each bad
        one is listed in ``rejected`` by its index in the batch, with the reason, and kept in
        quarantine. Retrying the same batch does not duplicate events (``messageId``)."""
        body = await _read_body(request, hub, "api:batch")
        if not isinstance(body, dict) or not isinstance(body.get("batch"), list):
            raise ApiError(
                400,
                "invalid_batch",
                'a batch request body must be a JSON object {"batch": [ ...events... ]}',
            )
        shared_context = body.get("context") if isinstance(body.get("context"), dict) else None
        sent_at = body.get("sentAt")
        events = body["batch"]
        for event in events:
            if isinstance(event, dict):
                ctx = event.get("context")
                if shared_context and ctx is None:
                    event["context"] = shared_context
                elif shared_context and isinstance(ctx, dict):
                    event["context"] = {**shared_context, **ctx}
                if sent_at is not None and "sentAt" not in event:
                    event["sentAt"] = sent_at
        if not events:
            return IngestResponse(success=True, accepted=0, duplicates=0, rejected=[])
        return await commit(events, "api:batch", None)

    router.add_api_route(
        "/import", batch, methods=["POST"], response_model=IngestResponse, include_in_schema=False
    )
    return router
