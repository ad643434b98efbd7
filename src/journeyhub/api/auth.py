"""API key check: ``Authorization: Bearer KEY`` or HTTP Basic with the key as user name."""

from __future__ import annotations

import base64

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from journeyhub.api.errors import ApiError
from journeyhub.hub import Hub


def key_from_header(header: str | None) -> str | None:
    """The API key in an Authorization header, in either accepted form."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip() or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.split(":", 1)[0] or None
    return None


class KeyChecker:
    """FastAPI dependency that admits requests with a valid key.

    Valid keys are cached with their id; revoking a key through this server
    (``DELETE /v1/keys/{id}``, see :meth:`forget`) takes effect on the next request.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._valid: dict[str, str] = {}  # key -> key id

    async def __call__(self, request: Request) -> str:
        # async: a plain ``def`` dependency would send every request through the thread pool
        # and back (a thread hand-off per request that showed in REST ingest profiles)
        key = key_from_header(request.headers.get("authorization"))
        if key is None:
            raise ApiError(
                401,
                "unauthorized",
                "missing API key: send 'Authorization: Bearer KEY' or HTTP Basic with the key "
                "as user name (create one with `journeyhub keys create`)",
                headers={"WWW-Authenticate": 'Bearer, Basic realm="journeyhub"'},
            )
        if key not in self._valid:
            key_id = await run_in_threadpool(self.hub.active_key_id, key)
            if key_id is None:
                raise ApiError(401, "unauthorized", "unknown or revoked API key")
            self._valid[key] = key_id
        return key

    def forget(self, key_id: str) -> None:
        """Stop admitting the cached key with this id (after it was revoked)."""
        for key in [k for k, i in self._valid.items() if i == key_id]:
            del self._valid[key]
