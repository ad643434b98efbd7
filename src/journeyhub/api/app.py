"""The FastAPI application: ingest, timelines, quarantine — all over one :class:`Hub`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from journeyhub import __version__
from journeyhub.api import golden_routes, ingest_routes, read_routes
from journeyhub.api.auth import KeyChecker
from journeyhub.api.errors import install_error_handlers
from journeyhub.hub import Hub


def create_app(
    db: str | Path | Hub | None = None,
    *,
    on_shutdown: list[Callable[[], None]] | None = None,
) -> FastAPI:
    """Build the app over a database path (opened now) or an open :class:`Hub`.

    ``on_shutdown`` callables run when the server stops (before uvicorn re-raises a signal).
    """
    hub = db if isinstance(db, Hub) else Hub(db)
    owns_hub = not isinstance(db, Hub)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
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
    return app
