"""Surveys as code: questions, texts in German and English, triggers, delivery rules.

A survey file (YAML, validated here; errors name the file, key path and line)::

    id: post_purchase
    name: {de: Nach dem Kauf, en: After your purchase}
    touchpoint: post_purchase        # the journey touchpoint label its answers rate
    questions:
      - {id: nps, type: nps, required: true, text: {de: "...", en: "..."}}
      - {id: comment, type: text, text: {de: "...", en: "..."}}
    triggers:
      - {event: Order Delivered, delay: 2h}
    sampling: 0.5                    # invite half of the triggered customers
    fatigue_days: 30                 # at most one survey per customer in 30 days (any survey)
    quiet_hours: {start: "21:00", end: "08:00", timezone: Europe/Berlin}
    consent: feedback                # the consent purpose needed; null: none needed
    expires_after: 14d

Question types: ``nps`` (0-10), ``csat`` (1-5), ``ces`` (1-7, 1 = very low effort), ``yes_no``,
``single_choice`` / ``multiple_choice`` (``options``), ``text``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from journeyhub.config import ConfigError, describe, load_yaml_model
from journeyhub.journey.model import IDENT, Duration, EventRule, Strict, Text

QuestionType = Literal[
    "nps", "csat", "ces", "yes_no", "single_choice", "multiple_choice", "text"
]  # fmt: skip
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Option(Strict):
    """One answer option of a choice question."""

    id: str = Field(pattern=IDENT)
    text: Text


class Question(Strict):
    """One question; scale questions (nps, csat, ces) give the scores."""

    id: str = Field(pattern=IDENT)
    type: QuestionType
    text: Text
    required: bool = False
    options: list[Option] = Field(default_factory=list)
    # labels of the scale ends, e.g. {de: "sehr unwahrscheinlich", en: "not at all likely"}
    low_label: Text | None = None
    high_label: Text | None = None

    @model_validator(mode="after")
    def _options_fit_the_type(self) -> Question:
        choice = self.type in ("single_choice", "multiple_choice")
        if choice and len(self.options) < 2:
            raise ValueError(f"a {self.type} question needs at least 2 options")
        if not choice and self.options:
            raise ValueError(f"a {self.type} question has no options")
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")
        return self


class AnswerCondition(Strict):
    """A follow-up trigger: an answer to another survey within a score range."""

    survey: str = Field(pattern=IDENT)
    question: str = Field(pattern=IDENT)
    min: float | None = None
    max: float | None = None


class TraitChange(Strict):
    """A trigger on a trait changing (identify calls), e.g. a plan downgrade."""

    trait: str
    to: str | int | float | bool | None = None  # the new value (any change when not given)
    from_: str | int | float | bool | None = Field(default=None, alias="from")

    model_config = Strict.model_config | {"populate_by_name": True}


class Trigger(Strict):
    """When to invite: exactly one of an event, a trait change or an earlier answer."""

    event: EventRule | None = None
    trait: TraitChange | None = None
    answer: AnswerCondition | None = None
    delay: Duration = timedelta(0)

    @field_validator("event", mode="before")
    @classmethod
    def _event_name(cls, value: Any) -> Any:
        return {"event": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_kind(self) -> Trigger:
        if sum(x is not None for x in (self.event, self.trait, self.answer)) != 1:
            raise ValueError("a trigger is exactly one of: event, trait, answer")
        return self


class QuietHours(Strict):
    """No invitation goes out between ``start`` and ``end`` (local time): it waits for ``end``."""

    start: str = "21:00"
    end: str = "08:00"
    timezone: str = "Europe/Berlin"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"{value!r} is not a time of day (expected HH:MM, e.g. 21:00)")
        return value


class Invitation(Strict):
    """The invitation texts; ``{name}``, ``{link}``, ``{survey}`` and ``{expires}`` are filled."""

    subject: Text = Text(
        de="Ihre Meinung ist uns wichtig: {survey}", en="We value your opinion: {survey}"
    )
    email: Text = Text(
        de="Hallo {name},\n\nwie war Ihre Erfahrung? Die Umfrage dauert nur eine Minute:\n"
        "{link}\n\nDer Link gilt bis {expires}.\n",
        en="Hello {name},\n\nhow was your experience? The survey takes one minute:\n"
        "{link}\n\nThe link is valid until {expires}.\n",
    )
    sms: Text = Text(
        de="Wie war Ihre Erfahrung? Kurze Umfrage: {link}",
        en="How was your experience? Short survey: {link}",
    )


class Survey(Strict):
    """A survey definition."""

    id: str = Field(pattern=IDENT)
    name: Text
    kind: Literal["nps", "csat", "ces", "custom"] | None = None  # default: first scale question
    touchpoint: str | None = None  # label of the journey touchpoint the answers rate
    intro: Text | None = None
    thanks: Text = Text(de="Vielen Dank für Ihr Feedback!", en="Thank you for your feedback!")
    questions: list[Question] = Field(min_length=1)
    triggers: list[Trigger] = Field(default_factory=list)
    channel: Literal["email", "sms"] = "email"
    sampling: float = Field(default=1.0, gt=0, le=1)
    fatigue_days: float = Field(default=30, ge=0)
    quiet_hours: QuietHours | None = QuietHours()
    consent: str | None = "feedback"
    expires_after: Duration = timedelta(days=14)
    default_language: Literal["de", "en"] = "de"
    invitation: Invitation = Invitation()

    @model_validator(mode="after")
    def _consistent(self) -> Survey:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"question ids must be unique ({dup!r} twice)")
        if self.kind is None:
            scale = next((q.type for q in self.questions if q.type in SCALES), None)
            object.__setattr__(self, "kind", scale or "custom")
        elif self.kind != "custom" and self.main_question is None:
            raise ValueError(f"kind {self.kind} needs a question of type {self.kind}")
        return self

    @property
    def main_question(self) -> Question | None:
        """The question whose score is the survey's headline metric (NPS, CSAT or CES)."""
        return next((q for q in self.questions if q.type == self.kind), None)

    def question(self, question_id: str) -> Question:
        """A question by id."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"survey {self.id!r} has no question {question_id!r}")


def parse_survey(text: str, origin: str) -> Survey:
    """Validate a survey YAML document; errors name ``origin``, the key path and the line."""
    survey, root = load_yaml_model(text, origin, Survey)
    for i, trigger in enumerate(survey.triggers):
        if trigger.answer is not None and trigger.answer.survey == survey.id:
            raise ConfigError(
                describe(origin, root, ("triggers", i, "answer", "survey"),
                         "a survey cannot follow up on its own answers")
            )  # fmt: skip
    return survey
