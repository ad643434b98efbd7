"""The FastAPI application: ingest, timelines, quarantine — all over one :class:`Hub`."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from journeyhub import __version__
from journeyhub.api import (
    analytics_routes,
    feedback_routes,
    golden_routes,
    ingest_routes,
    key_routes,
    read_routes,
    value_routes,
)
from journeyhub.api.auth import KeyChecker
from journeyhub.api.errors import install_error_handlers
from journeyhub.hub import Hub

WEBHOOK_INTERVAL_ENV = "JOURNEYHUB_WEBHOOK_INTERVAL"
log = logging.getLogger("journeyhub.webhooks")


async def _deliver_webhooks(hub: Hub, interval: float) -> None:
    """Push the change feed to webhooks every ``interval`` seconds while the server runs."""
    while True:
        await asyncio.sleep(interval)
        try:
            for delivery in await run_in_threadpool(hub.deliver_webhooks):
                if not delivery.ok:
                    log.warning("webhook %s failed: %s", delivery.hook_id, delivery.error)
        except Exception:  # keep delivering on the next round
            log.exception("webhook delivery round failed")


def create_app(
    db: str | Path | Hub | None = None,
    *,
    on_shutdown: list[Callable[[], None]] | None = None,
) -> FastAPI:
    """Build the app over a database path (opened now) or an open :class:`Hub`.

    ``on_shutdown`` callables run when the server stops (before uvicorn re-raises a signal).
    While it runs, webhooks get the change feed every ``JOURNEYHUB_WEBHOOK_INTERVAL`` seconds
    (default 5; 0 turns delivery off).
    """
    hub = db if isinstance(db, Hub) else Hub(db)
    owns_hub = not isinstance(db, Hub)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        interval = float(os.environ.get(WEBHOOK_INTERVAL_ENV, "5"))
        pusher = asyncio.create_task(_deliver_webhooks(hub, interval)) if interval > 0 else None
        yield
        if pusher is not None:
            pusher.cancel()
        for callback in on_shutdown or []:
            callback()
        if owns_hub:
            hub.close()

    app = FastAPI(
        title="journeyhub",
        version=__version__,
        summary="Customer journey & experience management: ingest, identities, timelines.",
        lifespan=lifespan,
    )
    app.state.hub = hub
    install_error_handlers(app)
    require_key = KeyChecker(hub)

    @app.get("/health", tags=["store"])
    async def health() -> dict[str, Any]:
        """200 when the store is open and accepting writes."""
        return {"status": "ok", "version": __version__, "db": str(hub.db.path)}

    app.include_router(ingest_routes.build_router(hub, require_key))
    app.include_router(read_routes.build_router(hub, require_key))
    app.include_router(golden_routes.build_router(hub, require_key))
    app.include_router(analytics_routes.build_router(hub, require_key))
    app.include_router(feedback_routes.build_router(hub, require_key))
    app.include_router(value_routes.build_router(hub, require_key))
    app.include_router(key_routes.build_router(hub, require_key))
    app.include_router(feedback_routes.build_pages(hub))
    return app
