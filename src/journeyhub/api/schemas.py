"""Response models and the documented request shapes of the REST API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from journeyhub.ingest.rules import EVENT_TYPES


class Rejected(BaseModel):
    index: int = Field(description="position of the event in the request's batch")
    code: str = Field(description="stable machine-readable reason, e.g. missing_id")
    message: str = Field(description="what was wrong and what is expected")
    quarantine_id: str = Field(description="where the event is kept for replay")


class IngestResponse(BaseModel):
    success: bool
    accepted: int = Field(description="events newly committed")
    duplicates: int = Field(description="events already stored (same messageId), not stored again")
    rejected: list[Rejected] = Field(default_factory=list)


class TimelineItem(BaseModel):
    model_config = {"extra": "allow"}
    id: str
    type: str
    timestamp: str
    channel: str | None
    properties: dict[str, Any]


class TimelineResponse(BaseModel):
    subject: str
    golden_id: str | None = None
    profile_id: int | None
    identities: list[dict[str, str]]
    items: list[TimelineItem]
    next_cursor: str | None


_STRING = {"type": "string"}
_OBJECT = {"type": "object", "additionalProperties": True}
EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A Segment/RudderStack call. Needs userId or anonymousId.",
    "properties": {
        "messageId": {**_STRING, "description": "idempotency key; retries with it never duplicate"},
        "type": {"type": "string", "enum": list(EVENT_TYPES)},
        "event": {**_STRING, "description": "event name (track)"},
        "name": {**_STRING, "description": "page or screen name"},
        "userId": _STRING,
        "anonymousId": _STRING,
        "groupId": _STRING,
        "previousId": _STRING,
        "timestamp": {"type": "string", "format": "date-time"},
        "sentAt": {"type": "string", "format": "date-time"},
        "channel": {**_STRING, "description": "web, app, email, sms, phone, chat, store, social"},
        "properties": _OBJECT,
        "traits": _OBJECT,
        "context": _OBJECT,
        "integrations": _OBJECT,
    },
    "example": {
        "type": "track",
        "messageId": "4f1c7d2e-order-1001",
        "userId": "cust-1001",
        "anonymousId": "anon-7f3a",
        "event": "Order Completed",
        "timestamp": "2026-05-01T12:30:00Z",
        "context": {"channel": "web"},
        "properties": {"order_id": "1001", "revenue": 89.9, "currency": "EUR"},
    },
}
BATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["batch"],
    "properties": {
        "batch": {"type": "array", "items": EVENT_SCHEMA},
        "context": _OBJECT,
        "sentAt": {"type": "string", "format": "date-time"},
    },
}
