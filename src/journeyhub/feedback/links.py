"""Signed, expiring one-time survey links.

A token is ``<invitation id>.<expiry, epoch seconds>.<signature>``: an HMAC-SHA256 of the first
two parts with the store's secret (made on first use, kept in ``meta``), so a link cannot be
forged or given a later expiry. "One-time" is enforced by the invitation's status: once
answered, the link only shows that it was used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from journeyhub.store import Database

SECRET_KEY = "survey_link_secret"


class LinkError(ValueError):
    """A survey link that is forged, malformed or expired; ``code`` says which."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _secret(db: Database) -> bytes:
    value = db.scalar("SELECT value FROM meta WHERE key = ?", [SECRET_KEY])
    if value is None:
        with db.transaction() as cur:
            cur.execute(
                "INSERT OR IGNORE INTO meta VALUES (?, ?)", [SECRET_KEY, secrets.token_hex(32)]
            )
        value = db.scalar("SELECT value FROM meta WHERE key = ?", [SECRET_KEY])
    return bytes.fromhex(value)


def _signature(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def make_token(db: Database, invitation_id: str, expires_at: datetime) -> str:
    """The token of an invitation's link."""
    payload = f"{invitation_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{_signature(_secret(db), payload)}"


def read_token(db: Database, token: str, now: datetime | None = None) -> str:
    """The invitation id of a valid, unexpired token; else :class:`LinkError`."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise LinkError("invalid_link", "this survey link is not valid (malformed)")
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_signature(_secret(db), payload), parts[2]):
        raise LinkError("invalid_link", "this survey link is not valid (bad signature)")
    if (now or datetime.now(UTC)).timestamp() > int(parts[1]):
        raise LinkError("link_expired", "this survey link has expired")
    return parts[0]
