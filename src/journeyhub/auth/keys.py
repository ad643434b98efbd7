"""API keys: shown once at creation, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from journeyhub.store import Database

PREFIX = "jh_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(db: Database, name: str = "default") -> dict[str, str]:
    """Create a key; returns ``{"id", "name", "key"}`` — the only time the key is visible."""
    key = PREFIX + secrets.token_urlsafe(24)
    key_id = "key_" + secrets.token_hex(6)
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO api_keys (id, name, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)",
            [key_id, name, _hash(key), key[:7], datetime.now(UTC)],
        )
    return {"id": key_id, "name": name, "key": key}


def active_key_id(db: Database, key: str) -> str | None:
    """The id of ``key`` when it was created here and is not revoked, else None."""
    if not key.startswith(PREFIX):
        return None
    found = db.scalar(
        "SELECT id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", [_hash(key)]
    )
    return str(found) if found is not None else None


def is_valid_key(db: Database, key: str) -> bool:
    """True when ``key`` was created here and is not revoked."""
    return active_key_id(db, key) is not None


def list_keys(db: Database) -> list[dict[str, Any]]:
    """Keys without their secret: id, name, prefix, created, revoked."""
    return db.query(
        "SELECT id, name, prefix, created_at, revoked_at FROM api_keys ORDER BY created_at"
    )


def revoke_key(db: Database, key_id: str) -> bool:
    """Revoke a key by id; False when there is no such active key."""
    with db.transaction() as cur:
        rows = cur.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id",
            [datetime.now(UTC), key_id],
        ).fetchall()
    return bool(rows)
