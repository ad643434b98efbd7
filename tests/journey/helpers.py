"""Small hand-made logs for journey tests: events at given minutes after a fixed start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from journeyhub import Hub

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_ids = count()


def ev(
    user: str, name: str, minute: float, channel: str = "web", **properties: Any
) -> dict[str, Any]:
    """A track event of ``user`` at ``minute`` after START."""
    return {
        "type": "track",
        "userId": user,
        "event": name,
        "timestamp": (START + timedelta(minutes=minute)).isoformat(),
        "messageId": f"m{next(_ids):06d}",
        "context": {"channel": channel},
        "properties": properties,
    }


def load(hub: Hub, events: list[dict[str, Any]]) -> None:
    """Ingest events (all must be accepted)."""
    result = hub.ingest(events)
    assert result["rejected"] == [], result["rejected"]


MINI_JOURNEY = """
name: mini
phases:
  - {id: awareness, name: {de: Aufmerksamkeit, en: Awareness}}
  - {id: conversion, name: {de: Kauf, en: Conversion}}
  - {id: retention, name: {de: Bindung, en: Retention}}
touchpoints:
  - {id: view, name: {de: Ansicht, en: View}, phase: awareness, stage: pre-purchase,
     events: [{event: Viewed}]}
  - {id: cart, name: {de: Warenkorb, en: Cart}, phase: conversion, stage: purchase,
     events: [{event: Added}]}
  - {id: abandoned, name: {de: Abbruch, en: Abandoned}, phase: conversion, stage: purchase,
     drop_off: true, events: [{event: Cart Abandoned}]}
  - {id: order, name: {de: Bestellung, en: Order}, phase: conversion, stage: purchase,
     events: [{event: Ordered}]}
  - {id: form, name: {de: Formular, en: Form}, phase: conversion, stage: purchase,
     events: [{event: Form Submitted}]}
  - {id: ticket, name: {de: Ticket, en: Ticket}, phase: retention, stage: post-purchase,
     contact: true, matter_property: ticket, resolved_by: solved, wait_property: wait,
     expectations: {response_time: 5m, resolution_time: 1d}, events: [{event: Contact}]}
  - {id: solved, name: {de: Gelöst, en: Solved}, phase: retention, stage: post-purchase,
     events: [{event: Solved}]}
milestones: [view, cart, order]
conversion: order
churn: [ticket]
friction: {repeat_contact_days: 7, drop_off_recovery_days: 2, dead_end_days: 1,
           fields: [email, city]}
"""
