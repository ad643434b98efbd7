"""The designed journey, as code: phases, touchpoints, personas, milestones, goals (YAML).

A journey file is what a journey-mapping workshop produces, written down so that it can be
versioned, validated and measured against. See ``journey/templates/*.yaml`` for complete
examples. The shape, in brief::

    name: retail
    phases:
      - id: awareness
        name: {de: Aufmerksamkeit, en: Awareness}
        customer_goals: [...]; thoughts: [...]; feelings: [...]; opportunities: [...]
    touchpoints:
      - id: support_ticket
        name: {de: Serviceanfrage, en: Support ticket}
        phase: retention
        stage: post-purchase          # pre-purchase | purchase | post-purchase
        channel: chat
        team: Customer Service
        events:                       # any of these events means this touchpoint
          - {event: Support Ticket Created}
        expectations: {ces: 2.5, response_time: 5m, resolution_time: 2d}
    personas:
      - id: loyal
        rules: [{event: Order Completed, min_count: 3}]
    entry_points: [home]
    milestones: [home, product_view, cart, checkout, order]     # the critical path, in order
    goals:
      - {id: service_level, metric: service_level, touchpoint: support_contact,
         target: 0.9, comparison: ">=", deadline: 2027-06-30}

Cross-references (a touchpoint's phase, a milestone's touchpoint, a goal's persona) are
checked too, and every error names the file, the key path, the line and what was expected.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from journeyhub.config import ConfigError, describe, load_yaml_model

DEFAULT_PHASES = ("awareness", "consideration", "conversion", "retention", "advocacy")
IDENT = r"^[a-z][a-z0-9_]*$"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str | int | float) -> timedelta:
    """``"30d"``, ``"5m"``, ``"2h"``, ``"90s"``, ``"1w"`` (or plain seconds) as a timedelta."""
    if isinstance(text, int | float):
        return timedelta(seconds=float(text))
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration (expected e.g. 90s, 5m, 2h, 30d, 1w)")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def _duration_text(value: Any) -> Any:
    """``"2h"``-style text as a timedelta; anything else (ISO 8601 ``"P1D"``, the stored form,
    or seconds) is left to pydantic."""
    if isinstance(value, str) and not value.startswith("P"):
        return parse_duration(value)
    return value


# a duration field that reads "90s", "5m", "2h", "30d", "1w" as well as pydantic's forms
Duration = Annotated[timedelta, BeforeValidator(_duration_text)]


def format_duration(seconds: float) -> str:
    """Seconds in the short form :func:`parse_duration` reads (``172800`` -> ``"2d"``)."""
    for unit in ("w", "d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not silently do nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A label in German and English."""

    de: str
    en: str

    def get(self, lang: str) -> str:
        """The label in ``lang`` (``de`` or ``en``), falling back to English."""
        return self.de if lang == "de" else self.en


class Phase(Strict):
    """One phase and what the workshop wrote down about the customer in it."""

    id: str = Field(pattern=IDENT)
    name: Text
    customer_goals: list[str] = []
    thoughts: list[str] = []
    feelings: list[str] = []
    opportunities: list[str] = []


class EventRule(Strict):
    """Which events mean a touchpoint: all given conditions must hold.

    ``event`` matches a track call's name, ``page``/``screen`` a page or screen name,
    ``type`` the call type (identify, group, ...); ``properties`` are compared as text.
    """

    event: str | None = None
    page: str | None = None
    screen: str | None = None
    type: Literal["track", "page", "screen", "identify", "group", "alias"] | None = None
    channel: str | None = None
    properties: dict[str, str | int | float | bool] = {}

    @model_validator(mode="after")
    def _something(self) -> EventRule:
        if not (self.event or self.page or self.screen or self.type):
            raise ValueError("give at least one of event, page, screen or type")
        return self


class Expectations(Strict):
    """What the company promised at a touchpoint (Soll)."""

    csat: float | None = Field(default=None, ge=1, le=5)
    ces: float | None = Field(default=None, ge=1, le=7)
    nps: float | None = Field(default=None, ge=-100, le=100)
    response_time: Duration | None = None
    resolution_time: Duration | None = None
    max_steps: int | None = Field(default=None, ge=1)


class Touchpoint(Strict):
    """A moment of contact between customer and company, and the events that mean it."""

    id: str = Field(pattern=IDENT)
    name: Text
    phase: str
    stage: Literal["pre-purchase", "purchase", "post-purchase"]
    channel: str | None = None
    team: str | None = None
    events: list[EventRule] = Field(min_length=1)
    expectations: Expectations = Expectations()
    # friction hints
    matter_property: str | None = None  # contacts about the same matter share this property
    wait_property: str | None = None  # seconds the customer waited, compared to response_time
    resolved_by: str | None = None  # the touchpoint that closes this one (resolution time)
    drop_off: bool = False  # the event means the customer gave up (abandoned cart, form)
    contact: bool = False  # a service contact (repeat contacts, channel switches)
    # survey answers whose touchpoint property names one of these rate this touchpoint
    surveys: list[str] = []


class PersonaRule(Strict):
    """One condition of a persona: a trait value, an event count, or B2B membership."""

    trait: str | None = None
    equals: str | int | float | bool | None = None
    event: str | None = None
    min_count: int | None = Field(default=None, ge=0)
    max_count: int | None = Field(default=None, ge=0)
    b2b: bool | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> PersonaRule:
        kinds = [self.trait is not None, self.event is not None, self.b2b is not None]
        if sum(kinds) != 1:
            raise ValueError("a rule is exactly one of: trait (+ equals), event (+ counts), b2b")
        if self.trait is not None and self.equals is None:
            raise ValueError("a trait rule needs equals")
        return self


class Persona(Strict):
    """A segment of customers, described by rules on traits and behaviour (all must hold)."""

    id: str = Field(pattern=IDENT)
    name: Text
    description: str | None = None
    rules: list[PersonaRule] = Field(min_length=1)


Metric = Literal[
    "nps", "csat", "ces", "service_level", "repeat_contact_rate", "conversion_rate",
    "churn_rate", "cart_abandonment_rate", "fitness",
]  # fmt: skip
METRICS: tuple[str, ...] = get_args(Metric)


class Goal(Strict):
    """A SMART goal: metric, target, segment (persona), deadline."""

    id: str = Field(pattern=IDENT)
    name: Text
    metric: Metric
    target: float
    comparison: Literal[">=", "<=", ">", "<"] = ">="
    deadline: date
    start: date | None = None
    persona: str | None = None
    touchpoint: str | None = None  # for service_level / csat / ces at one touchpoint


class Friction(Strict):
    """Thresholds of the friction detectors."""

    repeat_contact_days: float = Field(default=7, gt=0)
    drop_off_recovery_days: float = Field(default=7, gt=0)
    dead_end_days: float = Field(default=30, gt=0)  # quiet this long after the last touchpoint
    # fields a form must not ask again once the customer gave them (identify traits or a
    # form's ``fields`` property)
    fields: list[str] = ["email", "phone", "firstName", "lastName", "street", "postcode", "city"]


class Surveys(Strict):
    """How survey answers appear in the event stream (until the feedback module owns them)."""

    event: str = "Survey Answered"
    kind_property: str = "survey"
    score_property: str = "score"
    touchpoint_property: str = "touchpoint"


class Journey(Strict):
    """A designed journey. Touchpoints are matched in file order: first match wins."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: Text | None = None
    audience: Literal["all", "b2c", "b2b"] = "all"
    phases: list[Phase] = Field(min_length=1)
    touchpoints: list[Touchpoint] = Field(min_length=1)
    personas: list[Persona] = []
    entry_points: list[str] = []
    milestones: list[str] = []
    conversion: str | None = None
    churn: list[str] = []
    goals: list[Goal] = []
    friction: Friction = Friction()
    surveys: Surveys = Surveys()

    # -- lookups -------------------------------------------------------------------------------

    def phase_ids(self) -> list[str]:
        """Phase ids in journey order."""
        return [p.id for p in self.phases]

    def touchpoint(self, tid: str) -> Touchpoint:
        """The touchpoint ``tid`` (KeyError if none)."""
        for tp in self.touchpoints:
            if tp.id == tid:
                return tp
        raise KeyError(tid)

    def phase_rank(self) -> dict[str, int]:
        """Phase id -> its position (0 = first)."""
        return {p: i for i, p in enumerate(self.phase_ids())}


def _references(journey: Journey) -> list[tuple[tuple[Any, ...], str]]:
    """Cross-field problems as (key path, message)."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    phases = journey.phase_ids()
    tps = [t.id for t in journey.touchpoints]
    personas = [p.id for p in journey.personas]

    def dupes(ids: list[str], key: str) -> None:
        seen: set[str] = set()
        for i, x in enumerate(ids):
            if x in seen:
                problems.append(((key, i, "id"), f"duplicate id {x!r}"))
            seen.add(x)

    def known(value: str | None, allowed: list[str], loc: tuple[Any, ...], what: str) -> None:
        if value is not None and value not in allowed:
            choices = f"expected one of: {', '.join(allowed)}" if allowed else "none defined"
            problems.append((loc, f"{value!r} is not a {what} of this journey ({choices})"))

    dupes(phases, "phases")
    dupes(tps, "touchpoints")
    dupes(personas, "personas")
    dupes([g.id for g in journey.goals], "goals")
    for i, tp in enumerate(journey.touchpoints):
        known(tp.phase, phases, ("touchpoints", i, "phase"), "phase")
        known(tp.resolved_by, tps, ("touchpoints", i, "resolved_by"), "touchpoint")
    for key in ("entry_points", "milestones", "churn"):
        for i, tid in enumerate(getattr(journey, key)):
            known(tid, tps, (key, i), "touchpoint")
    dupes(journey.milestones, "milestones")
    known(journey.conversion, tps, ("conversion",), "touchpoint")
    for i, goal in enumerate(journey.goals):
        known(goal.persona, personas, ("goals", i, "persona"), "persona")
        known(goal.touchpoint, tps, ("goals", i, "touchpoint"), "touchpoint")
        if goal.metric == "conversion_rate" and journey.conversion is None:
            problems.append((("goals", i, "metric"), "conversion_rate needs `conversion:`"))
    return problems


def parse_journey(text: str, origin: str) -> Journey:
    """Validate a journey YAML; every error names ``origin``, key path, line and expectation."""
    journey, root = load_yaml_model(text, origin, Journey)
    problems = _references(journey)
    if problems:
        raise ConfigError("\n".join(describe(origin, root, loc, msg) for loc, msg in problems))
    return journey
