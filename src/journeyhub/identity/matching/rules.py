"""Deterministic matching rules and the household guard, as SQL over ``std_records``.

Fellegi-Sunter weighs evidence as if fields were independent; households break that (one
mailbox, one address, one family name, two people). Two rules make up for it:

* **Personal identifiers link.** Records sharing an email (or phone) link when that email is
  personal: every record holding it that names a given name names the same one. A newsletter
  record with only an email then joins its owner; a family mailbox links nobody by itself.
* **A lone record joins the one golden record holding its email.** A record that matched
  nothing (a newsletter sign-up with only a mailbox) joins the golden record whose records
  hold its email or phone, when exactly one golden record does so without naming a different
  person. This covers the mailbox the first rule cannot call personal because two of its
  owner's own records spell the given name differently ("Luesa", "Lrisa"), and a family
  mailbox when the record names whose it is.
* **Different given names never link.** Two records naming given names that are neither the
  same (after nicknames), nor a typo of each other, nor swapped with the family name, are
  different people however much else they share (mailbox, address, family name), unless
  they share what family members do not: the birth date or a national id. A given name that
  is the other record's family name is a swap, not another person (a newsletter record
  with "Lustberger" as its only name belongs to Melanie Lustberger).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from journeyhub.identity.matching.evaluate import Compiled, Values, compile_condition

# Pair-level predicate over aliases l and r: true when the two records name different people.
CONFLICT_SQL = """(
    l.given_key IS NOT NULL AND r.given_key IS NOT NULL AND l.given_key <> r.given_key
    AND jaro_winkler_similarity(l.given_key, r.given_key) < 0.8
    AND NOT coalesce(
        (jaro_winkler_similarity(l.given_key, r.family_key) >= 0.8
         AND coalesce(jaro_winkler_similarity(l.family_key, r.given_key) >= 0.8, true))
        OR (jaro_winkler_similarity(r.given_key, l.family_key) >= 0.8
            AND coalesce(jaro_winkler_similarity(r.family_key, l.given_key) >= 0.8, true)),
        false)
    AND NOT coalesce(l.birth_date = r.birth_date, false)
    AND NOT coalesce(l.national_id = r.national_id, false)
)"""

PERSONAL_IDENTIFIERS = ("email_key", "phone")
CONFLICT_COLUMNS = ("given_key", "family_key", "birth_date", "national_id")
MAX_HOLDERS = 50  # more records than this sharing an email/phone: not a personal one


@cache
def _conflict() -> Compiled:
    return compile_condition(CONFLICT_SQL)


def names_different_people(pair: Values) -> bool:
    """:data:`CONFLICT_SQL` for one pair (``given_key_l``, ``given_key_r`` … values)."""
    holds: Any = _conflict()(pair)
    return holds is True


def _holders_ctes(column: str, source: str) -> str:
    """CTEs ``holders`` (the person records of ``source`` with their ``column`` value and
    what tells people apart) and ``shared`` (values 2 to :data:`MAX_HOLDERS` of them hold)."""
    return f"""holders AS (
        SELECT uid, {column} AS value, given_key, family_key, birth_date, national_id
        FROM {source}
    ),
    shared AS (
        SELECT value FROM holders GROUP BY value HAVING count(*) BETWEEN 2 AND {MAX_HOLDERS}
    )"""


def ordered_pair(a: str, b: str) -> tuple[str, str]:
    """A record pair as stored and looked up: the smaller uid first."""
    return (min(a, b), max(a, b))


def deterministic_pairs_sql(column: str, *, one_value: bool = False) -> str:
    """Pairs of person records sharing a personal ``column`` value (``uid_l < uid_r``).

    A value is personal when no two records holding it name different people. With
    ``one_value`` the query takes that value as its one parameter (real-time matching).
    """
    # one value: an index lookup, fenced off so no other filter turns it into a table scan
    source = (
        "one_value WHERE kind = 'person'"
        if one_value
        else f"std_records WHERE kind = 'person' AND {column} IS NOT NULL"
    )
    lookup = (
        f"one_value AS MATERIALIZED (SELECT * FROM std_records WHERE {column} = ?),"
        if one_value
        else ""
    )
    return f"""
    WITH {lookup} {_holders_ctes(column, source)},
    holder_pairs AS (
        SELECT l.value, l.uid AS uid_l, r.uid AS uid_r, {CONFLICT_SQL} AS conflict
        FROM holders l JOIN holders r ON l.value = r.value AND l.uid < r.uid
        WHERE l.value IN (SELECT value FROM shared)
    )
    SELECT uid_l, uid_r, '{column}' AS rule FROM holder_pairs
    WHERE value NOT IN (SELECT value FROM holder_pairs WHERE conflict)"""


def holder_pairs_sql(column: str, records: str) -> str:
    """Every pair ``(uid, holder, conflict)`` where ``uid`` (from the relation ``records``,
    one ``uid`` column) shares a personal ``column`` value, held by 2 to :data:`MAX_HOLDERS`
    records, with the person record ``holder`` (for :func:`eligible_clusters`)."""
    source = f"std_records WHERE kind = 'person' AND {column} IS NOT NULL"
    return f"""
    WITH {_holders_ctes(column, source)}
    SELECT l.uid, r.uid AS holder, {CONFLICT_SQL} AS conflict
    FROM holders l JOIN holders r ON l.value = r.value AND l.uid <> r.uid
    WHERE l.value IN (SELECT value FROM shared) AND l.uid IN (SELECT uid FROM {records})"""


def eligible_clusters(holders: Iterable[tuple[str, str, bool]]) -> dict[str, str]:
    """Where a lone record may go: each cluster (golden record) holding one of its personal
    identifiers, none of whose holders names a different person, with one of those holders.

    ``holders``: ``(cluster, holder uid, conflict)`` for every other record sharing one of
    the lone record's emails or phones. It joins a cluster when that is the only one; when
    that cluster is another lone record, only if the record is that one's only place too.
    """
    clusters: dict[str, str] = {}
    refused: set[str] = set()
    for cluster, holder, conflict in holders:
        if conflict:
            refused.add(cluster)
        clusters.setdefault(cluster, holder)
    return {c: h for c, h in clusters.items() if c not in refused}


def candidate_pairs_sql(scored_table: str) -> str:
    """Scored pairs and deterministic pairs together, each with its conflict flag.

    Columns: ``uid_l, uid_r, match_probability, rule, conflict`` (rule ``model`` for pairs
    only the probabilistic model found).
    """
    deterministic = " UNION ALL ".join(
        f"SELECT * FROM ({deterministic_pairs_sql(c)})" for c in PERSONAL_IDENTIFIERS
    )
    return f"""
    WITH det AS (
        SELECT uid_l, uid_r, min(rule) AS rule FROM ({deterministic}) GROUP BY uid_l, uid_r
    ),
    pairs AS (
        SELECT coalesce(s.uid_l, d.uid_l) AS uid_l, coalesce(s.uid_r, d.uid_r) AS uid_r,
               CASE WHEN d.rule IS NOT NULL THEN 1.0 ELSE s.match_probability END
                   AS match_probability,
               coalesce(d.rule, 'model') AS rule
        FROM {scored_table} s FULL OUTER JOIN det d
          ON s.uid_l = d.uid_l AND s.uid_r = d.uid_r
    )
    SELECT p.uid_l, p.uid_r, p.match_probability, p.rule, {CONFLICT_SQL} AS conflict
    FROM pairs p JOIN std_records l ON l.uid = p.uid_l JOIN std_records r ON r.uid = p.uid_r
    ORDER BY p.uid_l, p.uid_r"""
