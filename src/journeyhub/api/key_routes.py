"""API key management over REST: list, create, revoke.

While a server holds the database the CLI cannot open it, so these are how a leaked key is
revoked without stopping the server. Keys are shown once, at creation; the store keeps only
their SHA-256 hash.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends

from journeyhub.api.auth import KeyChecker
from journeyhub.api.errors import run_blocking
from journeyhub.hub import Hub


def build_router(hub: Hub, require_key: KeyChecker) -> APIRouter:
    """Routes under ``/v1/keys``."""
    router = APIRouter(prefix="/v1/keys", dependencies=[Depends(require_key)], tags=["keys"])

    @router.get("")
    async def list_keys() -> dict[str, Any]:
        """Every key without its secret: id, name, prefix, created_at, revoked_at."""
        return {"items": await run_blocking(hub.list_keys)}

    @router.post("", status_code=201)
    async def create_key(
        name: str = Body("default", embed=True, description="a label, e.g. the sending system"),
    ) -> dict[str, str]:
        """A new key, e.g. for another sending system; ``key`` is shown this once."""
        return await run_blocking(lambda: hub.create_key(name))  # type: ignore[no-any-return]

    @router.delete("/{key_id}")
    async def revoke_key(key_id: str) -> dict[str, str]:
        """Revoke a key: requests sending it are refused from now on (404 when no active key
        has this id). A key may revoke itself."""
        await run_blocking(lambda: hub.revoke_key(key_id))
        require_key.forget(key_id)
        return {"revoked": key_id}

    return router
