"""The event log an analytic reads, at one of three levels, as a SQL relation.

Every analytic is written against a relation ``(case_id, t_us, ts, message_id, activity,
channel)``: one row per event of one customer (*case*), ordered by ``(t_us, message_id)``.

- ``event``: every event (``journey_log``), the activity is the event's name;
- ``touchpoint`` / ``phase``: the events a journey's touchpoints match (``journey_events``),
  the activity is the touchpoint (or its phase).

The SQL is DuckDB's dialect; :mod:`journeyhub.analytics.engines` runs it on DuckDB as is and
on Spark after sqlglot transpiles it, over the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from journeyhub.journey.model import Journey
from journeyhub.store.sql import quote_literal

Level = Literal["event", "touchpoint", "phase"]
LEVELS: tuple[Level, ...] = ("event", "touchpoint", "phase")
ORDER = "t_us, message_id"  # the one order of events within a case, everywhere


def lit(value: str) -> str:
    """A SQL string literal."""
    return quote_literal(value)


def lits(values: list[str]) -> str:
    """A parenthesised list of SQL string literals."""
    return "(" + ", ".join(lit(v) for v in values) + ")" if values else "(NULL)"


def ts_lit(value: datetime) -> str:
    """A timestamp literal, as epoch microseconds (compared with ``t_us``); a time without a
    zone is UTC, as everywhere in journeyhub."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(int(value.timestamp() * 1_000_000))


def json_text(column: str, key: str) -> str:
    """A top-level JSON property of ``column`` as text (NULL when absent)."""
    return f"json_extract_string({column}, {lit('$.' + key)})"


def json_number(column: str, key: str) -> str:
    """A top-level JSON property of ``column`` as a number (NULL when absent or not numeric)."""
    return f"TRY_CAST({json_text(column, key)} AS DOUBLE)"


def nps_sql(score: str) -> str:
    """Net Promoter Score of the 0..10 answers in ``score``: % promoters (9-10) minus %
    detractors (0-6), over the answers given."""
    return f"100.0 * (count_if({score} >= 9) - count_if({score} <= 6)) / nullif(count({score}), 0)"


@dataclass(frozen=True)
class LogSpec:
    """Which events an analytic reads: the level, the journey (for touchpoint/phase), a time
    range, and optionally only the customers of one persona."""

    level: Level = "event"
    journey: Journey | None = None
    since: datetime | None = None
    until: datetime | None = None
    persona: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {self.level!r}")
        if self.level != "event" and self.journey is None:
            raise ValueError(f"level {self.level!r} needs a journey (journeyhub journey apply)")
        if self.persona is not None:
            if self.journey is None:
                raise ValueError("a persona filter needs a journey")
            known = [p.id for p in self.journey.personas]
            if self.persona not in known:
                raise ValueError(f"unknown persona {self.persona!r} (expected one of: {known})")

    def where(self) -> str:
        """The time-range and persona conditions, for any journey_log-shaped relation."""
        clauses = ["true"]
        if self.since is not None:
            clauses.append(f"t_us >= {ts_lit(self.since)}")
        if self.until is not None:
            clauses.append(f"t_us < {ts_lit(self.until)}")
        if self.persona is not None:
            assert self.journey is not None
            clauses.append(
                f"case_id IN (SELECT case_id FROM ({persona_sql(self.journey)}) "
                f"WHERE persona = {lit(self.persona)})"
            )
        return " AND ".join(clauses)

    def sql(self) -> str:
        """The log relation: ``(case_id, t_us, ts, message_id, activity, channel)``."""
        if self.level == "event":
            return (
                "SELECT case_id, t_us, ts, message_id, activity, channel FROM journey_log "
                f"WHERE {self.where()}"
            )
        assert self.journey is not None
        column = "touchpoint" if self.level == "touchpoint" else "phase"
        return (
            f"SELECT case_id, t_us, ts, message_id, {column} AS activity, channel "
            f"FROM journey_events WHERE journey = {lit(self.journey.name)} AND {self.where()}"
        )


def persona_sql(journey: Journey) -> str:
    """``(case_id, persona)`` for every case of the journey: the first persona (file order)
    whose rules all hold, else NULL. Rules count events over the whole log."""
    if not journey.personas:
        return "SELECT DISTINCT case_id, CAST(NULL AS VARCHAR) AS persona FROM journey_events"
    events = sorted({r.event for p in journey.personas for r in p.rules if r.event})
    traits = sorted({r.trait for p in journey.personas for r in p.rules if r.trait})
    columns = [f"count_if(l.activity = {lit(e)}) AS e{i}" for i, e in enumerate(events)]
    columns += [
        f"arg_max(json_extract_string(ev.traits, {lit('$.' + t)}), l.t_us) "
        f"FILTER (WHERE l.type = 'identify' AND json_extract_string(ev.traits, {lit('$.' + t)})"
        f" IS NOT NULL) AS t{i}"
        for i, t in enumerate(traits)
    ]
    join = "LEFT JOIN events ev ON ev.message_id = l.message_id" if traits else ""
    whens = []
    for persona in journey.personas:
        conds = []
        for r in persona.rules:
            if r.event is not None:
                col = f"e{events.index(r.event)}"
                if r.min_count is not None:
                    conds.append(f"{col} >= {r.min_count}")
                if r.max_count is not None:
                    conds.append(f"{col} <= {r.max_count}")
                if r.min_count is None and r.max_count is None:
                    conds.append(f"{col} >= 1")
            elif r.trait is not None:
                value = str(r.equals).lower() if isinstance(r.equals, bool) else str(r.equals)
                conds.append(f"t{traits.index(r.trait)} = {lit(value)}")
            else:
                conds.append("b2b" if r.b2b else "NOT b2b")
        whens.append(f"WHEN {' AND '.join(conds)} THEN {lit(persona.id)}")
    return f"""
        SELECT case_id, CASE {" ".join(whens)} END AS persona FROM (
            SELECT l.case_id, bool_or(k.b2b) AS b2b{"".join(", " + c for c in columns)}
            FROM journey_log l JOIN case_keys k ON k.person_key = l.person_key {join}
            GROUP BY l.case_id
        )
    """
