"""Every error leaves the API as ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An error with an HTTP status, a stable code and a human message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or {}
        self.headers = headers


async def run_blocking(call: Callable[[], Any], bad_request: str = "invalid_request") -> Any:
    """Run blocking work off the event loop; an unknown thing (``LookupError``) -> 404
    ``not_found``, bad input (``ValueError``) -> 400 with the code ``bad_request``. Raise an
    :class:`ApiError` inside ``call`` for anything more specific."""
    try:
        return await run_in_threadpool(call)
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc.args[0] if exc.args else exc)) from exc
    except ValueError as exc:
        raise ApiError(400, bad_request, str(exc)) from exc


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception type to the JSON error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), exc.status, headers=exc.headers
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
        ]
        message = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        sent = request.headers.get("content-type", "")
        if any(p["where"].startswith("body") for p in problems) and "json" not in sent:
            # curl -d sends a JSON text as a form unless told otherwise
            message += (
                f" (the body was sent as {sent or 'no content type'}; "
                "send JSON with 'Content-Type: application/json')"
            )
        return JSONResponse(error_body("invalid_request", message, {"problems": problems}), 422)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body("internal_error", f"{type(exc).__name__}: {exc}"), 500)
