"""``Feedback``: surveys, responses, invitations, scores and Soll-Ist behind one object
(``Hub.feedback``). CLI and REST call this and nothing below it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from journeyhub.analytics.engines import DuckDBEngine
from journeyhub.analytics.service import Analytics
from journeyhub.feedback import gaps, links, outbox, responses, scores, store, themes, triggers
from journeyhub.feedback.answers import validate_answers
from journeyhub.feedback.model import Survey, parse_survey
from journeyhub.journey.model import Journey
from journeyhub.journey.store import JourneyNotFound
from journeyhub.store import Database

Ingest = Callable[[list[dict[str, Any]]], dict[str, Any]]


class AlreadyAnswered(LookupError):
    """The invitation's link was used already (one answer per link)."""

    def __init__(self, message: str, language: str = "de") -> None:
        self.language = language
        super().__init__(message)


class InvitationNotFound(LookupError):
    """No invitation with that id."""


class Feedback:
    """Voice of the customer over one database; responses are ingested as events."""

    def __init__(self, db: Database, analytics: Analytics, ingest: Ingest) -> None:
        self.db, self.analytics, self._ingest = db, analytics, ingest
        self.engine = DuckDBEngine(db)

    # -- surveys -------------------------------------------------------------------------------

    def apply(self, path: str | Path) -> dict[str, Any]:
        """Validate a survey file (or template name, e.g. ``post_purchase``) and apply it."""
        survey, text = store.read_survey_file(path)
        return store.apply_survey(self.db, survey, text)

    def apply_text(self, text: str, origin: str = "request body") -> dict[str, Any]:
        """Apply a survey given as YAML (or JSON) text."""
        return store.apply_survey(self.db, parse_survey(text, origin), text)

    def surveys(self) -> list[dict[str, Any]]:
        """Applied surveys with invitation and response counts."""
        self.collect()
        return store.list_surveys(self.db)

    def survey(self, survey_id: str) -> tuple[Survey, int]:
        """An applied survey and its version."""
        return store.get_survey(self.db, survey_id)

    # -- responses -----------------------------------------------------------------------------

    def collect(self) -> int:
        """Collect response events that arrived since the last call (cheap when none did)."""
        if self.db.read_only or responses.is_current(self.db.cursor()):
            return 0
        self.analytics.refresh()
        with self.db.transaction() as cur:
            return responses.collect(cur)

    def respond(
        self,
        survey_id: str,
        answers: dict[str, Any],
        identity: dict[str, str],
        *,
        message_id: str | None = None,
        touchpoint: str | None = None,
        channel: str = "api",
        language: str | None = None,
        timestamp: datetime | None = None,
        invitation_id: str | None = None,
    ) -> dict[str, Any]:
        """Validate ``answers`` and record them as a ``Survey Answered`` event (idempotent on
        ``message_id``). ``identity`` is ``{"userId": ...}`` and/or ``{"anonymousId": ...}``."""
        survey, version = self.survey(survey_id)
        if not any(identity.get(k) for k in ("userId", "anonymousId")):
            raise ValueError("a response needs the customer: userId or anonymousId")
        clean = validate_answers(survey, answers)
        response_id = message_id or str(uuid.uuid4())
        event = responses.response_event(
            survey, version, clean, identity=identity, message_id=response_id,
            language=language or survey.default_language, touchpoint=touchpoint,
            channel=channel, invitation_id=invitation_id, timestamp=timestamp,
        )  # fmt: skip
        result = self._ingest([event])
        if result.get("rejected"):
            raise ValueError(f"the response was rejected: {result.get('errors')}")
        return {
            "response_id": response_id,
            "survey": survey.id,
            "version": version,
            "answers": clean,
            "duplicate": bool(result.get("duplicates")),
        }

    # -- invitations ---------------------------------------------------------------------------

    def trigger(
        self, now: datetime | None = None, overlap: timedelta = triggers.OVERLAP
    ) -> dict[str, Any]:
        """Evaluate every survey's triggers over the events received since the last call."""
        self.analytics.refresh()
        surveys = store.all_surveys(self.db)
        with self.db.transaction() as cur:
            return triggers.evaluate(cur, surveys, now, overlap)

    def invitations(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Invitations, newest first (``status``: scheduled, skipped, queued, sent, answered)."""
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        return self.db.query(
            f"SELECT * FROM survey_invitations {where} ORDER BY created_at DESC, due_at DESC "
            "LIMIT ?",
            [*params, limit],
        )

    def queue(self, base_url: str, now: datetime | None = None) -> int:
        """Render due invitations into the outbox (with signed links under ``base_url``)."""
        return outbox.queue_due(self.db, base_url, now)

    def deliver(self, sender: outbox.Sender) -> dict[str, int]:
        """Send pending outbox messages."""
        return outbox.deliver(self.db, sender)

    def link_token(self, invitation_id: str) -> str:
        """The signed token of an invitation's link."""
        row = self._invitation(invitation_id)
        return links.make_token(self.db, invitation_id, row["expires_at"])

    def _invitation(self, invitation_id: str) -> dict[str, Any]:
        rows = self.db.query(
            "SELECT * FROM survey_invitations WHERE invitation_id = ?", [invitation_id]
        )
        if not rows:
            raise InvitationNotFound(f"no invitation {invitation_id!r}")
        return rows[0]

    def open_link(self, token: str, now: datetime | None = None) -> tuple[Survey, dict[str, Any]]:
        """The survey and invitation behind a link; :class:`links.LinkError` when it is forged
        or expired, :class:`AlreadyAnswered` when it was used."""
        invitation = self._invitation(links.read_token(self.db, token, now))
        if invitation["status"] == "answered":
            raise AlreadyAnswered(
                "this survey has already been answered - thank you!", invitation["language"]
            )
        if (now or datetime.now(UTC)) > invitation["expires_at"]:
            raise links.LinkError("link_expired", "this survey link has expired")
        survey, _ = store.get_survey(self.db, invitation["survey_id"], invitation["survey_version"])
        return survey, invitation

    def answer_link(
        self, token: str, answers: dict[str, Any], now: datetime | None = None
    ) -> dict[str, Any]:
        """Record the answers given through a link; the link cannot be used again."""
        survey, inv = self.open_link(token, now)
        # one message id per invitation: a second submission is a duplicate, never a 2nd answer
        result = self.respond(
            survey.id, answers, {"userId": inv["person_key"]},
            message_id=f"resp-{inv['invitation_id']}", touchpoint=inv["touchpoint"],
            channel=inv["channel"], language=inv["language"], timestamp=now,
            invitation_id=inv["invitation_id"],
        )  # fmt: skip
        if result["duplicate"]:
            raise AlreadyAnswered(
                "this survey has already been answered - thank you!", inv["language"]
            )
        with self.db.transaction() as cur:
            cur.execute(
                "UPDATE survey_invitations SET status = 'answered', answered_at = ? "
                "WHERE invitation_id = ?",
                [now or datetime.now(UTC), inv["invitation_id"]],
            )
        return result

    # -- scores --------------------------------------------------------------------------------

    def _journey(self, journey: str | None) -> Journey | None:
        try:
            return self.analytics.journey(journey)
        except JourneyNotFound:
            if journey is not None:
                raise
            return None

    def scores(
        self,
        by: str = "touchpoint",
        *,
        metrics: tuple[str, ...] = ("nps", "csat", "ces"),
        journey: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        period: str = "month",
        min_sample: int = 30,
    ) -> list[dict[str, Any]]:
        """NPS / CSAT / CES per group with sample size, 95% interval and a small-sample flag."""
        if by not in scores.DIMENSIONS:
            raise ValueError(f"by must be one of {', '.join(scores.DIMENSIONS)} (got {by!r})")
        if period not in ("day", "week", "month", "quarter", "year"):
            raise ValueError(f"period must be day, week, month, quarter or year (got {period!r})")
        self.collect()
        if by in ("persona", "segment"):
            self.analytics.refresh()
        sql = scores.scores_sql(
            by, self._journey(journey), since=since, until=until, period=period,  # type: ignore[arg-type]
            metrics=metrics,
        )  # fmt: skip
        return scores.scores(self.engine.rows(sql), by, min_sample)

    def recurring(self, metric: str = "nps", min_months: float = 3) -> dict[str, Any]:
        """Customers asked again at least ``min_months`` after their first answer: their first
        and latest score and the change, with the share who improved or declined."""
        self.collect()
        self.analytics.refresh()
        rows = self.db.query(
            """SELECT k.case_id, arg_min(s.score, s.ts) AS first, arg_max(s.score, s.ts) AS last,
                      min(s.ts) AS first_at, max(s.ts) AS last_at
               FROM survey_scores s JOIN case_keys k ON k.person_key = s.person_key
               WHERE s.type = ? GROUP BY k.case_id
               HAVING max(s.ts) - min(s.ts) >= to_days(CAST(? * 30.4375 AS INTEGER))""",
            [metric, min_months],
        )
        changes = [r["last"] - r["first"] for r in rows]
        n = len(changes)
        return {
            "metric": metric,
            "customers": n,
            "mean_change": sum(changes) / n if n else None,
            "improved": sum(c > 0 for c in changes) / n if n else None,
            "declined": sum(c < 0 for c in changes) / n if n else None,
            "examples": sorted(rows, key=lambda r: r["last"] - r["first"])[:20],
        }

    def soll_ist(self, journey: str | None = None, min_sample: int = 30) -> list[dict[str, Any]]:
        """Each touchpoint's expectations against its measured performance."""
        self.collect()
        self.analytics.refresh()
        return gaps.soll_ist(self.engine, self.analytics.journey(journey), min_sample)

    def drivers(self, journey: str | None = None, min_sample: int = 30) -> dict[str, Any]:
        """Key drivers of NPS and the importance-performance matrix."""
        self.collect()
        self.analytics.refresh()
        return gaps.key_drivers(self.engine, self._journey(journey), min_sample)

    # -- feedback text -------------------------------------------------------------------------

    def themes(self, k: int = 8, survey: str | None = None) -> dict[str, Any]:
        """Themes of the free-text answers with volume, sentiment, NPS and examples."""
        self.collect()
        return themes.themes(self.db, k, survey)
