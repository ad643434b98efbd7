"""Events become an event log of cases, and journey touchpoints and phases.

Three derived tables, kept current by :func:`refresh` (cheap when nothing changed):

- ``case_keys``: each event key (``person_key``) -> its *case*, the customer journeys are
  measured for: the golden id where the Customer Data Hub attributes one, else the stitched
  profile (``P<id>``). ``b2b`` marks cases that belong to an account.
- ``journey_log``: every event once — case, time, activity (the track event's name, ``Page
  <name>``, ``Screen <name>``, or the call type), channel.
- ``journey_events``: per applied journey, the events one of its touchpoints matches (in file
  order, first match wins), with the touchpoint's phase.

New events are mapped when they arrive (the next refresh); applying a changed journey re-maps
every event retroactively; a changed identity (stitching, golden records) moves the case's rows.
"""

from __future__ import annotations

import duckdb

from journeyhub.identity.attribution import PROFILE_GOLDEN_SQL, USER_GOLDEN_SQL
from journeyhub.journey.model import EventRule, Journey
from journeyhub.store.sql import quote_literal

ACTIVITY_SQL = (
    "CASE WHEN e.type = 'track' THEN coalesce(e.name, 'track') "
    "WHEN e.type = 'page' THEN 'Page ' || coalesce(e.name, '') "
    "WHEN e.type = 'screen' THEN 'Screen ' || coalesce(e.name, '') ELSE e.type END"
)


def _case_keys_sql() -> str:
    return f"""
        WITH golden AS ({PROFILE_GOLDEN_SQL}),
        accounts AS (
            SELECT DISTINCT n.profile_id FROM account_members a
            JOIN identity_nodes n ON n.kind = a.kind AND n.value = a.value
        ), profiles AS (
            SELECT p.profile_id, coalesce(g.golden_id, 'P' || p.profile_id) AS case_id,
                   p.profile_id IN (SELECT profile_id FROM accounts) AS b2b
            FROM (SELECT DISTINCT profile_id FROM identity_nodes) p
            LEFT JOIN golden g USING (profile_id)
        ), keyed AS (
            -- keys never linked to anything have no node: their own case (or their golden id)
            SELECT k.person_key,
                   coalesce(p.case_id, u.golden_id, 'K' || k.person_key) AS case_id,
                   coalesce(p.b2b, false)
                       OR k.person_key IN (SELECT value FROM account_members) AS b2b
            FROM (SELECT DISTINCT person_key FROM events) k
            LEFT JOIN identity_nodes n
                   ON n.value = k.person_key AND n.kind IN ('user', 'anonymous', 'alias')
            LEFT JOIN profiles p ON p.profile_id = n.profile_id
            LEFT JOIN ({USER_GOLDEN_SQL}) u ON u.user_id = k.person_key
            QUALIFY row_number() OVER (PARTITION BY k.person_key ORDER BY n.kind) = 1
        )
        SELECT person_key, case_id, bool_or(b2b) OVER (PARTITION BY case_id) AS b2b FROM keyed
    """


def rule_sql(rule: EventRule, log: str = "l", props: str = "e") -> str:
    """The condition of one event rule over a relation ``log`` with ``type``, ``activity``
    (see ``ACTIVITY_SQL``) and ``channel``, and ``props`` with the event's ``properties``."""
    parts: list[str] = []
    if rule.event is not None:
        parts.append(f"{log}.type = 'track' AND {log}.activity = {quote_literal(rule.event)}")
    if rule.page is not None:
        parts.append(
            f"{log}.type = 'page' AND {log}.activity = {quote_literal('Page ' + rule.page)}"
        )
    if rule.screen is not None:
        parts.append(
            f"{log}.type = 'screen' AND {log}.activity = {quote_literal('Screen ' + rule.screen)}"
        )
    if rule.type is not None:
        parts.append(f"{log}.type = {quote_literal(rule.type)}")
    if rule.channel is not None:
        parts.append(f"{log}.channel = {quote_literal(rule.channel)}")
    for key, value in rule.properties.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        parts.append(
            f"json_extract_string({props}.properties, {quote_literal('$.' + key)}) = "
            f"{quote_literal(text)}"
        )
    return "(" + " AND ".join(parts) + ")"


def audience_join(journey: Journey) -> str:
    """The join that keeps only log rows (alias ``l``) of the journey's audience."""
    return {
        "all": "",
        "b2c": "JOIN case_keys k ON k.person_key = l.person_key AND NOT k.b2b",
        "b2b": "JOIN case_keys k ON k.person_key = l.person_key AND k.b2b",
    }[journey.audience]


def touchpoint_sql(journey: Journey, log: str) -> str:
    """SELECT of the rows of ``log`` (a journey_log-shaped relation) the journey's touchpoints
    match, shaped like ``journey_events``."""
    rank = journey.phase_rank()
    tp_case = " ".join(
        f"WHEN {' OR '.join(rule_sql(r) for r in tp.events)} THEN {quote_literal(tp.id)}"
        for tp in journey.touchpoints
    )
    phase_case = " ".join(
        f"WHEN {quote_literal(tp.id)} THEN {quote_literal(tp.phase)}" for tp in journey.touchpoints
    )
    rank_case = " ".join(
        f"WHEN {quote_literal(tp.id)} THEN {rank[tp.phase]}" for tp in journey.touchpoints
    )
    needs_properties = any(r.properties for tp in journey.touchpoints for r in tp.events)
    joins = "LEFT JOIN events e ON e.message_id = l.message_id" if needs_properties else ""
    audience = audience_join(journey)
    return f"""
        SELECT {quote_literal(journey.name)} AS journey, case_id, ts, t_us, message_id,
               activity, channel, touchpoint,
               CASE touchpoint {phase_case} END AS phase,
               CASE touchpoint {rank_case} END AS phase_rank
        FROM (
            SELECT l.case_id, l.ts, l.t_us, l.message_id, l.activity, l.channel,
                   CASE {tp_case} END AS touchpoint
            FROM {log} l {joins} {audience}
        ) WHERE touchpoint IS NOT NULL
    """


def _journeys(cur: duckdb.DuckDBPyConnection) -> list[Journey]:
    rows = cur.execute(
        "SELECT model FROM journeys QUALIFY version = max(version) OVER (PARTITION BY name) "
        "ORDER BY name"
    ).fetchall()
    return [Journey.model_validate_json(r[0]) for r in rows]


def _refresh_case_keys(cur: duckdb.DuckDBPyConnection) -> int:
    cur.execute(f"CREATE OR REPLACE TEMP TABLE _case_keys AS {_case_keys_sql()}")
    cur.execute(
        """CREATE OR REPLACE TEMP TABLE _moved AS
           SELECT n.person_key, n.case_id, n.b2b FROM _case_keys n
           LEFT JOIN case_keys o USING (person_key)
           WHERE o.case_id IS DISTINCT FROM n.case_id OR o.b2b IS DISTINCT FROM n.b2b"""
    )
    moved = cur.execute("SELECT count(*) FROM _moved").fetchall()[0][0]
    if moved:
        cur.execute("INSERT OR REPLACE INTO case_keys SELECT person_key, case_id, b2b FROM _moved")
        cur.execute(
            """UPDATE journey_log l SET case_id = m.case_id FROM _moved m
               WHERE l.person_key = m.person_key AND l.case_id <> m.case_id"""
        )
    cur.execute("DROP TABLE _case_keys")
    return int(moved)


def _remap_moved(cur: duckdb.DuckDBPyConnection, journeys: list[Journey]) -> None:
    """Rows of moved keys: case ids follow; b2b/b2c audiences are re-decided."""
    cur.execute(
        """CREATE OR REPLACE TEMP TABLE _moved_log AS SELECT l.* FROM journey_log l
           WHERE l.person_key IN (SELECT person_key FROM _moved)"""
    )
    cur.execute(
        "DELETE FROM journey_events WHERE message_id IN (SELECT message_id FROM _moved_log)"
    )
    for journey in journeys:
        cur.execute(f"INSERT INTO journey_events {touchpoint_sql(journey, '_moved_log')}")
    cur.execute("DROP TABLE _moved_log")


FINGERPRINT_SQL = """SELECT concat_ws(':',
    (SELECT count(*) FROM events), (SELECT count(*) FROM identity_nodes),
    (SELECT count(*) FROM profile_merges), (SELECT coalesce(max(seq), 0) FROM golden_changes),
    (SELECT count(*) FROM account_members), (SELECT count(*) FROM journeys))"""


def is_current(cur: duckdb.DuckDBPyConnection) -> bool:
    """True when nothing the derived tables depend on changed since the last refresh."""
    now = cur.execute(FINGERPRINT_SQL).fetchall()[0][0]
    seen = cur.execute("SELECT value FROM meta WHERE key = 'journey_fingerprint'").fetchall()
    return bool(seen) and seen[0][0] == now


def refresh(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Bring case keys, the event log and every journey's mapping up to date, inside the
    caller's transaction. Returns how many keys moved and events were added."""
    if is_current(cur):
        return {"moved_keys": 0, "added_events": 0}
    moved = _refresh_case_keys(cur)
    journeys = _journeys(cur)
    if moved:
        _remap_moved(cur, journeys)
    cur.execute("DROP TABLE IF EXISTS _moved")
    events, logged = cur.execute(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM journey_log)"
    ).fetchall()[0]
    added = 0
    if events != logged:
        cur.execute(
            f"""CREATE OR REPLACE TEMP TABLE _new_log AS
                SELECT coalesce(k.case_id, 'K' || e.person_key) AS case_id, e.person_key,
                       e.timestamp AS ts, epoch_us(e.timestamp) AS t_us, e.message_id,
                       {ACTIVITY_SQL} AS activity, e.type, e.channel
                FROM events e LEFT JOIN case_keys k USING (person_key)
                WHERE NOT EXISTS (SELECT 1 FROM journey_log j WHERE j.message_id = e.message_id)
                ORDER BY case_id, ts, message_id"""
        )
        added = cur.execute("SELECT count(*) FROM _new_log").fetchall()[0][0]
        cur.execute("INSERT INTO journey_log SELECT * FROM _new_log")
        for journey in journeys:
            cur.execute(f"INSERT INTO journey_events {touchpoint_sql(journey, '_new_log')}")
        cur.execute("DROP TABLE _new_log")
        if logged + added != events:  # events were erased: their rows go too
            for table in ("journey_log", "journey_events"):
                cur.execute(
                    f"DELETE FROM {table} t WHERE NOT EXISTS "
                    "(SELECT 1 FROM events e WHERE e.message_id = t.message_id)"
                )
    cur.execute(f"INSERT OR REPLACE INTO meta SELECT 'journey_fingerprint', ({FINGERPRINT_SQL})")
    return {"moved_keys": moved, "added_events": int(added)}


def remap(cur: duckdb.DuckDBPyConnection, journey: Journey) -> int:
    """Map every logged event for ``journey`` again (after it changed); returns matched rows."""
    cur.execute("DELETE FROM journey_events WHERE journey = ?", [journey.name])
    cur.execute(
        f"""INSERT INTO journey_events SELECT * FROM ({touchpoint_sql(journey, "journey_log")})
            ORDER BY case_id, ts, message_id"""
    )
    return int(
        cur.execute(
            "SELECT count(*) FROM journey_events WHERE journey = ?", [journey.name]
        ).fetchall()[0][0]
    )
