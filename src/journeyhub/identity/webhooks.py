"""Webhooks: push the golden-record change feed to touchpoint systems, with retries.

Each subscription has its own cursor in the change feed. A delivery POSTs the next batch of
changes as JSON (``{"changes": [...], "next": seq}``), signed with the subscription's secret
(``X-Journeyhub-Signature: sha256=<hex HMAC of the body>``). The cursor moves only when the
receiver answers 2xx, so every change arrives at least once and in order; receivers make it
exactly once by remembering the last ``seq`` they applied. A failed delivery is retried with
exponential backoff (1 s, 2 s, 4 s … capped at 10 minutes); the error is kept for the owner.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import orjson

from journeyhub.identity.playback import changes_since
from journeyhub.store import Database

BATCH = 500
TIMEOUT_SECONDS = 10.0
MAX_BACKOFF = timedelta(minutes=10)
SIGNATURE_HEADER = "X-Journeyhub-Signature"


class WebhookError(ValueError):
    """A webhook that cannot be registered as given."""


def sign(secret: str, body: bytes) -> str:
    """The signature header value of ``body`` (receivers compute the same and compare)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def add_webhook(db: Database, url: str, *, from_start: bool = False) -> dict[str, Any]:
    """Subscribe ``url`` to the change feed (from now on, or ``from_start``); returns its secret."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise WebhookError(f"webhook url must be http(s)://host/..., got {url!r}")
    hook = {"id": "wh_" + secrets.token_hex(6), "url": url, "secret": secrets.token_hex(16)}
    with db.transaction() as cur:
        start = 0 if from_start else cur.execute(
            "SELECT coalesce(max(seq), 0) FROM golden_changes").fetchall()[0][0]  # fmt: skip
        cur.execute(
            "INSERT INTO webhooks (id, url, secret, cursor, created_at) VALUES (?, ?, ?, ?, ?)",
            [hook["id"], url, hook["secret"], start, datetime.now(UTC)],
        )
    return {**hook, "cursor": start}


def list_webhooks(db: Database) -> list[dict[str, Any]]:
    """Subscriptions with their cursor, failures and last error (secrets left out)."""
    return db.query(
        "SELECT id, url, cursor, delivered, failures, next_attempt_at, last_error, created_at "
        "FROM webhooks ORDER BY created_at"
    )


def remove_webhook(db: Database, hook_id: str) -> bool:
    """Unsubscribe; False when there is no such webhook."""
    with db.transaction() as cur:
        return bool(cur.execute("DELETE FROM webhooks WHERE id = ? RETURNING id", [hook_id])
                    .fetchall())  # fmt: skip


@dataclass
class Delivery:
    """What one delivery attempt did."""

    hook_id: str
    sent: int
    ok: bool
    error: str | None = None


def _post(url: str, body: bytes, secret: str) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body),
                 "User-Agent": "journeyhub-webhooks"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()  # release the connection before reporting the failure
        raise OSError(f"HTTP {exc.code} from {url}") from None
    if not 200 <= status < 300:
        raise OSError(f"HTTP {status} from {url}")


def deliver(db: Database, *, now: datetime | None = None, force: bool = False) -> list[Delivery]:
    """One round: each due webhook gets its next batches until it is caught up or fails."""
    now = now or datetime.now(UTC)
    results: list[Delivery] = []
    due = db.query(
        "SELECT * FROM webhooks WHERE ? OR next_attempt_at IS NULL OR next_attempt_at <= ? "
        "ORDER BY created_at",
        [force, now],
    )
    for hook in due:
        cursor, sent = int(hook["cursor"]), 0
        while True:
            batch = changes_since(db, cursor, BATCH)
            if not batch["changes"]:
                results.append(Delivery(hook["id"], sent, True))
                break
            body = orjson.dumps({"webhook": hook["id"], **batch}, default=str)
            try:
                _post(hook["url"], body, hook["secret"])
            except (OSError, urllib.error.URLError) as exc:
                _failed(db, hook, now, f"{type(exc).__name__}: {exc}")
                results.append(Delivery(hook["id"], sent, False, str(exc)))
                break
            cursor = batch["next"]
            sent += len(batch["changes"])
            with db.transaction() as cur:
                cur.execute(
                    "UPDATE webhooks SET cursor = ?, delivered = delivered + ?, failures = 0, "
                    "next_attempt_at = NULL, last_error = NULL WHERE id = ?",
                    [cursor, len(batch["changes"]), hook["id"]],
                )
    return results


def _failed(db: Database, hook: dict[str, Any], now: datetime, error: str) -> None:
    failures = int(hook["failures"]) + 1
    wait = min(timedelta(seconds=2 ** (failures - 1)), MAX_BACKOFF)
    with db.transaction() as cur:
        cur.execute(
            "UPDATE webhooks SET failures = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
            [failures, now + wait, error[:500], hook["id"]],
        )
