"""Match one new or changed source record against the golden records, in real time.

Candidates are found with the batch blocking keys and scored with the saved model (plus the
personal-identifier rule and the household guard), so a record lands where batch resolution
would put it. The record joins the golden record it matches; if it matches several, they
merge into the oldest id and the others redirect to it; if none, it starts a new one.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

from journeyhub.identity.canonical import record_uid, standardize_record
from journeyhub.identity.clusters import golden_number
from journeyhub.identity.matching import blocking_index
from journeyhub.identity.matching.evaluate import pair_values
from journeyhub.identity.matching.model import MODEL_COLUMNS, Thresholds
from journeyhub.identity.matching.rules import (
    CONFLICT_COLUMNS,
    MAX_HOLDERS,
    PERSONAL_IDENTIFIERS,
    deterministic_pairs_sql,
    eligible_clusters,
    names_different_people,
    ordered_pair,
)
from journeyhub.identity.matching.scorer import Scorer
from journeyhub.identity.playback import current_id
from journeyhub.identity.resolution import (
    GoldenIds,
    build_golden,
    link_organisations,
    load_scorer,
    write_golden,
)
from journeyhub.identity.sources import SourceError, get_source
from journeyhub.identity.standardizing import write_std_rows
from journeyhub.identity.stewardship import members_of, never_between, never_decisions
from journeyhub.ingest.records import encode_record
from journeyhub.store import Database
from journeyhub.store.sql import dict_rows


@dataclass
class _Candidate:
    uid: str
    golden_id: str
    conflict: bool
    shares: dict[str, bool]  # personal identifier column -> same value as the record
    person: dict[str, Any]  # the columns that tell two people apart (CONFLICT_COLUMNS)
    probability: float


def _candidates(
    cur: Any, row: dict[str, Any], scorer: Scorer | None, awaiting: str | None = None
) -> tuple[list[_Candidate], bool]:
    """The stored records sharing a blocking key with ``row`` that belong to a golden record,
    each scored with the model and flagged when it names a different person; and whether
    every record sharing a key is among them (none awaits its golden record, apart from
    ``awaiting``: the record being matched)."""
    uids = [u for u in blocking_index.candidates(cur, row) if u != awaiting]
    if not uids:
        return [], True
    marks = ", ".join("?" * len(uids))
    columns = ", ".join(f"r.{c}" for c in MODEL_COLUMNS)
    # IN lists of constants and nothing else on the tables: index lookups on std_records.uid
    # and golden_members.uid (blocking keys are person records only)
    found = dict_rows(
        cur,
        f"""SELECT m.golden_id, {columns}
            FROM std_records r JOIN golden_members m ON m.uid = r.uid
            WHERE r.uid IN ({marks}) AND m.uid IN ({marks})""",
        [*uids, *uids],
    )
    candidates = []
    for other in found:
        pair = pair_values(row, other, MODEL_COLUMNS)
        candidates.append(
            _Candidate(
                uid=other["uid"],
                golden_id=other["golden_id"],
                conflict=names_different_people(pair),
                shares={c: _same(row.get(c), other[c]) for c in PERSONAL_IDENTIFIERS},
                person={c: other[c] for c in CONFLICT_COLUMNS},
                probability=scorer.score(pair) if scorer else 0.0,
            )
        )
    return candidates, len(candidates) == len(uids)


def _same(value: Any, other: Any) -> bool:
    return value is not None and value == other


def _person_matches(
    db: Database, cur: Any, row: dict[str, Any], thresholds: Thresholds
) -> tuple[set[str], list[tuple[str, float]]]:
    """Golden ids the (already stored) person record matches, and grey-zone pairs for review."""
    candidates, complete = _candidates(cur, row, load_scorer(db))
    if not candidates:
        return set(), []
    never = never_decisions(db)
    personal = _personal_links(cur, row, candidates, complete)
    matched: set[str] = set()
    grey: list[tuple[str, float]] = []
    for cand in candidates:
        if cand.conflict or ordered_pair(cand.uid, row["uid"]) in never:
            continue
        p = 1.0 if cand.uid in personal else cand.probability
        if p >= thresholds.merge:
            matched.add(cand.golden_id)
        elif p >= thresholds.review:
            grey.append((cand.uid, p))
    if not matched and complete and (place := _lone_record_place(cur, row, candidates, never)):
        matched = {place}
        golden_of = {c.uid: c.golden_id for c in candidates}
        grey = [(uid, p) for uid, p in grey if golden_of[uid] != place]
    return matched, grey


def _lone_record_place(
    cur: Any, row: dict[str, Any], candidates: list[_Candidate], never: Container[tuple[str, str]]
) -> str | None:
    """The golden record a (stored) record that matched nothing joins by the lone-record
    rule, as batch resolution would link it (see
    :func:`~journeyhub.identity.matching.rules.eligible_clusters`), or None."""
    eligible = eligible_clusters(_holders(candidates))
    if len(eligible) != 1:
        return None
    ((golden_id, holder),) = eligible.items()
    if ordered_pair(row["uid"], holder) in never:
        return None
    members = cur.execute(
        "SELECT count(*) FROM golden_members WHERE golden_id = ?", [golden_id]
    ).fetchall()[0][0]
    if members == 1:  # another lone record: only if this record is its only place too
        stored = dict_rows(cur, "SELECT * FROM std_records WHERE uid = ?", [holder])[0]
        others, complete = _candidates(cur, stored, None, awaiting=row["uid"])
        conflict = next(c.conflict for c in candidates if c.uid == holder)
        held = [*_holders(others), ("", row["uid"], conflict)]
        if not complete or set(eligible_clusters(held)) != {""}:
            return None
    return golden_id


def _holders(candidates: list[_Candidate]) -> list[tuple[str, str, bool]]:
    """``(golden id, uid, conflict)`` of the candidates holding one of the record's personal
    identifiers (a value more than :data:`MAX_HOLDERS` records hold is nobody's own)."""
    personal = [
        column
        for column in PERSONAL_IDENTIFIERS
        if sum(c.shares[column] for c in candidates) < MAX_HOLDERS
    ]
    return [
        (c.golden_id, c.uid, c.conflict)
        for c in candidates
        if any(c.shares[column] for column in personal)
    ]


def _personal_links(
    cur: Any, row: dict[str, Any], candidates: list[_Candidate], complete: bool
) -> set[str]:
    """Records sharing a personal email/phone with the stored ``row`` (the batch rule).

    The value is a blocking key, so every holder of it is a candidate (unless a candidate
    awaits its golden record: then the store is asked). With one other holder the value is
    personal unless the two conflict, which the candidate says; with more, the holders'
    names are compared pairwise.
    """
    linked: set[str] = set()
    for column in PERSONAL_IDENTIFIERS:
        if row.get(column) is None:
            continue
        holders = [c for c in candidates if c.shares[column]]
        if not holders:
            continue
        if not complete:
            pairs = cur.execute(
                deterministic_pairs_sql(column, one_value=True), [row[column]]
            ).fetchall()
            linked |= {b if a == row["uid"] else a for a, b, _ in pairs if row["uid"] in (a, b)}
        elif len(holders) == 1:
            linked |= {c.uid for c in holders if not c.conflict}
        elif len(holders) < MAX_HOLDERS:
            people = [row, *(c.person for c in holders)]
            if not any(
                names_different_people(pair_values(a, b, CONFLICT_COLUMNS))
                for a, b in combinations(people, 2)
            ):
                linked |= {c.uid for c in holders}
    return linked


def _organisation_matches(cur: Any, row: dict[str, Any]) -> set[str]:
    clauses, params = [], []
    if row.get("vat_id"):
        clauses.append("s.vat_id = ?")
        params.append(row["vat_id"])
    if row.get("organisation_key") and row.get("postcode"):
        clauses.append("(s.organisation_key = ? AND s.postcode = ?)")
        params += [row["organisation_key"], row["postcode"]]
    if not clauses:
        return set()
    found = cur.execute(
        f"SELECT m.golden_id FROM std_records s JOIN golden_members m USING (uid) "
        f"WHERE s.kind = 'organisation' AND s.uid <> ? AND ({' OR '.join(clauses)})",
        [row["uid"], *params],
    ).fetchall()
    return {golden_id for (golden_id,) in found}


def upsert_record(
    db: Database,
    source: str,
    record: dict[str, Any],
    *,
    thresholds: Thresholds | None = None,
    actor: str = "api",
) -> dict[str, Any]:
    """Store, standardise and match one record; returns its ``golden_id`` and what happened.

    One transaction: the record, its standardised row and its golden record are stored
    together or not at all. Sending the same record again changes nothing and answers the
    same golden id.
    """
    thresholds = thresholds or Thresholds()
    _ensure_blocking_index(db)
    mapping = get_source(db, source)
    value = record.get(mapping.id_column)
    record_id = str(value).strip() if value is not None else ""
    if not record_id:
        raise SourceError(f"record has no {mapping.id_column!r} (the id column of {source!r})")
    payload, digest = encode_record(record)
    uid = record_uid(source, record_id)
    row = standardize_record(source, record_id, record, mapping, digest)
    with db.transaction() as cur:
        known = cur.execute(
            "SELECT 1 FROM source_records WHERE source = ? AND record_id = ?", [source, record_id]
        ).fetchall()
        # a record's standardised row exists only beside its source record
        stored = dict_rows(cur, "SELECT * FROM std_records WHERE uid = ?", [uid]) if known else []
        previous: str | None = None
        if stored:
            found = cur.execute(
                "SELECT golden_id FROM golden_members WHERE uid = ?", [uid]
            ).fetchall()
            previous = found[0][0] if found else None
        if previous is not None and stored[0]["content_hash"] == digest:
            return {"golden_id": current_id(db, previous), "record": uid, "status": "unchanged"}
        _store_source_record(cur, source, record_id, payload.decode(), digest, bool(known))
        write_std_rows(cur, [row], stored)
        if row["kind"] == "person":
            matched, grey = _person_matches(db, cur, row, thresholds)
        else:
            matched, grey = _organisation_matches(cur, row), []
        return _attach(db, cur, uid, matched, previous, grey, actor)


def _store_source_record(
    cur: Any, source: str, record_id: str, payload: str, digest: str, known: bool
) -> None:
    """Update the stored record, or insert a new one (an upsert costs DuckDB three times as
    much as either)."""
    now = datetime.now(UTC)
    if known:
        cur.execute(
            "UPDATE source_records SET record = ?, content_hash = ?, imported_at = ? "
            "WHERE source = ? AND record_id = ?",
            [payload, digest, now, source, record_id],
        )
    else:
        cur.execute(
            "INSERT INTO source_records VALUES (?, ?, ?, ?, ?)",
            [source, record_id, payload, digest, now],
        )


def _ensure_blocking_index(db: Database) -> None:
    """Rebuild ``blocking_keys`` once for a store resolved before it existed, or indexed
    under other blocking keys."""

    def check() -> bool:
        with db.transaction() as cur:
            blocking_index.ensure_current(cur)
        return True

    db.memo("blocking_index_filled", check)


def _attach(
    db: Database,
    cur: Any,
    uid: str,
    matched: set[str],
    previous: str | None,
    grey: list[tuple[str, float]],
    actor: str,
) -> dict[str, Any]:
    """Join the record to the oldest golden id it matched (merging the others into it, as
    far as stewards' "never match" decisions allow), or start a new one."""
    involved = sorted(matched | ({previous} if previous else set()), key=golden_number)
    members = members_of(db, involved, cur) if involved else {}
    matched = _keep_apart(db, uid, sorted(matched, key=golden_number), members)
    changes: list[tuple[str, str, dict[str, Any]]] = []
    if not matched:
        target = previous or GoldenIds(db, cur=cur)()
        status = "updated" if previous else "created"
        if not previous:
            changes.append((target, "created", {"record": uid}))
    else:
        target = min(matched, key=golden_number)
        status = "matched" if len(matched) == 1 else "merged"
    losers = sorted(matched - {target})
    changes += [
        (g, "merged", {"into": target, "record": uid, "members": members[g]}) for g in losers
    ]
    rewritten = sorted({target, *losers, *([previous] if previous else [])}, key=golden_number)
    golden_of = {u: target if g in losers else g for g in rewritten for u in members.get(g, [])}
    golden_of[uid] = target
    golden = build_golden(db, golden_of, cur)
    link_organisations(db, golden, cur)
    assigned = {u: g for g, uids in members.items() for u in uids}
    write_golden(db, golden_of, golden, changes, actor, "record upsert", replace_all=False,
                 redirects=dict.fromkeys(losers, target), cur=cur, assigned=assigned)  # fmt: skip
    for other, p in grey:
        cur.execute(
            "INSERT INTO match_reviews VALUES (?, ?, ?, 'open', ?, NULL, NULL, NULL) "
            "ON CONFLICT DO NOTHING",
            [*ordered_pair(uid, other), p, datetime.now(UTC)],
        )
    return {"golden_id": target, "record": uid, "status": status, "merged": losers}


def _keep_apart(
    db: Database, uid: str, ordered: list[str], members: dict[str, list[str]]
) -> set[str]:
    """The matched golden ids the record may join together, oldest first, honouring every
    steward's "never match" between their records (a constraint on whole clusters)."""
    joined: list[str] = [uid]
    kept: set[str] = set()
    for gid in ordered:
        if never_between(db, joined, members[gid]):
            continue
        joined += members[gid]
        kept.add(gid)
    return kept
