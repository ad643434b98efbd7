"""Voice-of-the-customer endpoints over ``Hub.feedback``, and the hosted survey pages.

- ``/v1/surveys`` (apply YAML, list, show), ``POST /v1/surveys/{id}/responses`` (answers
  collected elsewhere), ``/v1/scores``, ``/v1/feedback/{gaps,drivers,themes,recurring}``,
  ``POST /v1/consents`` — with the API key;
- ``GET|POST /s/{token}``: the answer page of an invitation link — the signed token is the
  credential, no key; plain HTML form, works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from journeyhub.api.errors import ApiError, run_blocking
from journeyhub.config import ConfigError
from journeyhub.feedback.answers import AnswerError
from journeyhub.feedback.links import LinkError
from journeyhub.feedback.page import form_page, message_page
from journeyhub.feedback.service import AlreadyAnswered, InvitationNotFound
from journeyhub.hub import Hub


class ResponseIn(BaseModel):
    """Answers collected outside journeyhub (a web widget, a call centre, another tool)."""

    answers: dict[str, Any]
    userId: str | None = None
    anonymousId: str | None = None
    messageId: str | None = Field(None, description="idempotency key: a retry is no duplicate")
    touchpoint: str | None = None
    channel: str = "api"
    language: str | None = Field(None, pattern="^(de|en)$")
    timestamp: datetime | None = None


class ConsentIn(BaseModel):
    """A customer's consent decision for one purpose (e.g. ``feedback``)."""

    person: str = Field(description="user id or anonymous id")
    purpose: str
    granted: bool


async def _run(call: Callable[[], Any]) -> Any:
    """Run off the event loop: bad answers or a bad survey -> 422, unknown survey -> 404."""

    def guarded() -> Any:
        try:
            return call()
        except AnswerError as exc:
            raise ApiError(422, "invalid_answers", str(exc), {"problems": exc.problems}) from exc
        except ConfigError as exc:
            raise ApiError(422, "invalid_survey", str(exc)) from exc

    return await run_blocking(guarded)


def build_router(hub: Hub, require_key: Any) -> APIRouter:
    """Survey, score and feedback routes (with the API key)."""
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_key)])
    fb = hub.feedback
    yaml_body = {"application/yaml": {"schema": {"type": "string"}}}

    @router.post(
        "/surveys",
        tags=["surveys"],
        openapi_extra={"requestBody": {"required": True, "content": yaml_body}},
    )
    async def apply_survey(request: Request) -> Any:
        """Validate and apply a survey given as YAML (or JSON) in the body (versioned)."""
        text = (await request.body()).decode("utf-8", errors="replace")
        return await _run(lambda: fb.apply_text(text))

    @router.get("/surveys", tags=["surveys"])
    async def list_surveys() -> Any:
        """Applied surveys with invitation and response counts."""
        return await _run(fb.surveys)

    @router.get("/surveys/{survey_id}", tags=["surveys"])
    async def show_survey(survey_id: str) -> Any:
        """One survey definition (newest version)."""
        survey, version = await _run(lambda: fb.survey(survey_id))
        return {"version": version, **survey.model_dump(mode="json")}

    @router.post("/surveys/{survey_id}/responses", tags=["surveys"], status_code=201)
    async def post_response(survey_id: str, body: ResponseIn) -> Any:
        """Record answers collected elsewhere; validated against the survey, idempotent on
        ``messageId``; they become a ``Survey Answered`` event on the customer's timeline."""
        identity = {k: v for k, v in (("userId", body.userId), ("anonymousId", body.anonymousId))
                    if v}  # fmt: skip
        return await _run(
            lambda: fb.respond(
                survey_id,
                body.answers,
                identity,
                message_id=body.messageId,
                touchpoint=body.touchpoint,
                channel=body.channel,
                language=body.language,
                timestamp=body.timestamp,
            )
        )

    @router.get("/scores", tags=["feedback"])
    async def get_scores(
        by: str = Query(
            "touchpoint",
            description="touchpoint, phase, channel, persona, segment, "
            "survey, language, period, overall",
        ),
        metric: list[str] = Query(["nps", "csat", "ces"]),
        period: str = Query("month", description="for by=period: day, week, month, quarter"),
        journey: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        min_sample: int = Query(30, ge=1),
    ) -> Any:
        """NPS / CSAT / CES per group: value, 95% interval, sample size, small-sample flag."""
        return await _run(
            lambda: fb.scores(
                by,
                metrics=tuple(metric),
                period=period,
                journey=journey,
                since=since,
                until=until,
                min_sample=min_sample,
            )
        )

    @router.get("/feedback/gaps", tags=["feedback"])
    async def gaps(journey: str | None = None) -> Any:
        """Soll-Ist: each touchpoint's expectations against measured performance."""
        return await _run(lambda: fb.soll_ist(journey))

    @router.get("/feedback/drivers", tags=["feedback"])
    async def drivers(journey: str | None = None) -> Any:
        """Key drivers of NPS and the importance-performance matrix."""
        return await _run(lambda: fb.drivers(journey))

    @router.get("/feedback/themes", tags=["feedback"])
    async def themes(k: int = Query(8, ge=1, le=50), survey: str | None = None) -> Any:
        """Themes of the free-text answers with volume, sentiment, NPS and examples."""
        return await _run(lambda: fb.themes(k, survey))

    @router.get("/feedback/recurring", tags=["feedback"])
    async def recurring(metric: str = "nps", min_months: float = 3) -> Any:
        """Change of score per customer asked again after some months."""
        return await _run(lambda: fb.recurring(metric, min_months))

    @router.post("/consents", tags=["feedback"], status_code=201)
    async def consent(body: ConsentIn) -> Any:
        """Record a consent decision (the newest one per purpose counts)."""
        return await _run(lambda: hub.set_consent(body.person, body.purpose, body.granted))

    return router


def build_pages(hub: Hub) -> APIRouter:
    """The hosted answer pages (``/s/{token}``): the signed link is the credential."""
    router = APIRouter(tags=["survey pages"])
    fb = hub.feedback

    def _error_page(exc: Exception, lang: str = "de") -> HTMLResponse:
        if isinstance(exc, AlreadyAnswered):
            lang = exc.language if exc.language in ("de", "en") else lang
            title = {"de": "Bereits beantwortet", "en": "Already answered"}[lang]
            text = {"de": "Diese Umfrage wurde bereits beantwortet. Vielen Dank!",
                    "en": "This survey has already been answered. Thank you!"}[lang]  # fmt: skip
            return HTMLResponse(message_page(title, text, lang), status_code=409)
        if isinstance(exc, LinkError) and exc.code == "link_expired":
            title = {"de": "Link abgelaufen", "en": "Link expired"}[lang]
            text = {"de": "Dieser Umfrage-Link ist leider abgelaufen.",
                    "en": "Sorry, this survey link has expired."}[lang]  # fmt: skip
            return HTMLResponse(message_page(title, text, lang), status_code=410)
        title = {"de": "Ungültiger Link", "en": "Invalid link"}[lang]
        return HTMLResponse(message_page(title, str(exc), lang), status_code=404)

    @router.get("/s/{token}", response_class=HTMLResponse)
    async def show(token: str) -> HTMLResponse:
        """The survey form of an invitation, in the customer's language."""
        try:
            survey, inv = await run_in_threadpool(fb.open_link, token)
        except (LinkError, AlreadyAnswered, InvitationNotFound) as exc:
            return _error_page(exc)
        return HTMLResponse(form_page(survey, inv["language"], f"/s/{token}"))

    @router.post("/s/{token}", response_class=HTMLResponse)
    async def submit(token: str, request: Request) -> HTMLResponse:
        """Record the form's answers (once); invalid answers show the form again, marked."""
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        try:
            survey, inv = await run_in_threadpool(fb.open_link, token)
        except (LinkError, AlreadyAnswered, InvitationNotFound) as exc:
            return _error_page(exc)
        lang = inv["language"] if inv["language"] in ("de", "en") else "de"
        answers: dict[str, Any] = {}
        for q in survey.questions:
            values = form.get(q.id, [])
            answers[q.id] = (
                values if q.type == "multiple_choice" else (values[0] if values else None)
            )
        try:
            await run_in_threadpool(fb.answer_link, token, answers)
        except AnswerError as exc:
            errors = {p["question"]: p["message"] for p in exc.problems}
            page = form_page(survey, lang, f"/s/{token}", answers, errors)
            return HTMLResponse(page, status_code=422)
        except (LinkError, AlreadyAnswered) as exc:
            return _error_page(exc, lang)
        return HTMLResponse(message_page(survey.name.get(lang), survey.thanks.get(lang), lang))

    return router
