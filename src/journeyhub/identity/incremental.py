"""Match one new or changed source record against the golden records, in real time.

Candidates are found with the batch blocking keys and scored with the saved model (plus the
personal-identifier rule and the household guard), so a record lands where batch resolution
would put it. The record joins the golden record it matches; if it matches several, they
merge into the oldest id and the others redirect to it; if none, it starts a new one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from journeyhub.identity.canonical import record_uid, standardize_record
from journeyhub.identity.clusters import golden_number
from journeyhub.identity.matching import blocking_index
from journeyhub.identity.matching.model import MODEL_COLUMNS, Thresholds
from journeyhub.identity.matching.rules import (
    CONFLICT_SQL,
    PERSONAL_IDENTIFIERS,
    deterministic_pairs_sql,
)
from journeyhub.identity.matching.scorer import score_candidates
from journeyhub.identity.playback import current_id
from journeyhub.identity.resolution import (
    GoldenIds,
    build_golden,
    link_organisations,
    load_model,
    write_golden,
)
from journeyhub.identity.sources import SourceError, get_source
from journeyhub.identity.standardizing import write_std_rows
from journeyhub.identity.stewardship import members_of, never_between
from journeyhub.ingest.records import encode_record
from journeyhub.store import Database


def _person_matches(
    db: Database, row: dict[str, Any], thresholds: Thresholds
) -> tuple[set[str], list[tuple[str, float]]]:
    """Golden ids the (already stored) person record matches, and grey-zone pairs for review."""
    cur = db.cursor()
    uids = blocking_index.candidates(cur, row)
    if not uids:
        return set(), []
    cols = ", ".join(f"r.{c}" for c in MODEL_COLUMNS)
    marks = ", ".join("?" * len(uids))
    # IN lists of constants and nothing else on the table: index lookups on std_records.uid
    # and golden_members.uid (blocking keys are person records only)
    candidates = cur.sql(
        f"""SELECT {cols}, m.golden_id, {CONFLICT_SQL} AS conflict
            FROM std_records r JOIN golden_members m ON m.uid = r.uid
            JOIN std_records l ON l.uid = ?
            WHERE r.uid IN ({marks}) AND m.uid IN ({marks})""",
        params=[row["uid"], *uids, *uids],
    ).to_arrow_table()
    if candidates.num_rows == 0:
        return set(), []
    model = load_model(db)
    scores = score_candidates(cur, row, candidates, model) if model else {}
    never = {
        (r["uid_l"], r["uid_r"])
        for r in db.query(
            "SELECT uid_l, uid_r FROM match_decisions WHERE decision = 'never' "
            "AND (uid_l = ? OR uid_r = ?)",
            [row["uid"], row["uid"]],
        )
    }
    personal = _personal_links(db, row)
    matched: set[str] = set()
    grey: list[tuple[str, float]] = []
    for cand in candidates.to_pylist():
        uid = cand["uid"]
        pair = (min(uid, row["uid"]), max(uid, row["uid"]))
        if cand["conflict"] or pair in never:
            continue
        p = 1.0 if uid in personal else scores.get(uid, 0.0)
        if p >= thresholds.merge:
            matched.add(cand["golden_id"])
        elif p >= thresholds.review:
            grey.append((uid, p))
    return matched, grey


def _personal_links(db: Database, row: dict[str, Any]) -> set[str]:
    """Records sharing a personal email/phone with the stored ``row`` (the batch rule)."""
    linked: set[str] = set()
    for column in PERSONAL_IDENTIFIERS:
        if row.get(column) is None:
            continue
        pairs = (
            db.cursor()
            .execute(deterministic_pairs_sql(column, one_value=True), [row[column]])
            .fetchall()
        )
        linked |= {b if a == row["uid"] else a for a, b, _ in pairs if row["uid"] in (a, b)}
    return linked


def _organisation_matches(db: Database, row: dict[str, Any]) -> set[str]:
    clauses, params = [], []
    if row.get("vat_id"):
        clauses.append("s.vat_id = ?")
        params.append(row["vat_id"])
    if row.get("organisation_key") and row.get("postcode"):
        clauses.append("(s.organisation_key = ? AND s.postcode = ?)")
        params += [row["organisation_key"], row["postcode"]]
    if not clauses:
        return set()
    return {
        r["golden_id"]
        for r in db.query(
            f"SELECT m.golden_id FROM std_records s JOIN golden_members m USING (uid) "
            f"WHERE s.kind = 'organisation' AND s.uid <> ? AND ({' OR '.join(clauses)})",
            [row["uid"], *params],
        )
    }


def upsert_record(
    db: Database,
    source: str,
    record: dict[str, Any],
    *,
    thresholds: Thresholds | None = None,
    actor: str = "api",
) -> dict[str, Any]:
    """Store, standardise and match one record; returns its ``golden_id`` and what happened.

    Sending the same record again changes nothing and answers the same golden id.
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
    known = db.query(
        "SELECT s.content_hash, m.golden_id FROM std_records s JOIN golden_members m "
        "USING (uid) WHERE s.uid = ?",
        [uid],
    )
    if known and known[0]["content_hash"] == digest:
        return {"golden_id": current_id(db, known[0]["golden_id"]), "record": uid,
                "status": "unchanged"}  # fmt: skip
    row = standardize_record(source, record_id, record, mapping, digest)
    now = datetime.now(UTC)
    with db.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO source_records VALUES (?, ?, ?, ?, ?)",
            [source, record_id, payload.decode(), digest, now],
        )
        write_std_rows(cur, [row])
    if row["kind"] == "person":
        matched, grey = _person_matches(db, row, thresholds)
    else:
        matched, grey = _organisation_matches(db, row), []
    previous = known[0]["golden_id"] if known else None
    return _attach(db, uid, matched, previous, grey, actor)


def _ensure_blocking_index(db: Database) -> None:
    """Fill ``blocking_keys`` once for a store resolved before it existed."""
    if db.scalar("SELECT count(*) FROM blocking_keys") == 0 and db.scalar(
        "SELECT count(*) FROM std_records WHERE kind = 'person'"
    ):
        with db.transaction() as cur:
            blocking_index.rebuild(cur)


def _keep_apart(db: Database, uid: str, matched: set[str]) -> set[str]:
    """The matched golden ids the record may join together, oldest first, honouring every
    steward's "never match" between their records (a constraint on whole clusters)."""
    if not matched:
        return matched
    ordered = sorted(matched, key=golden_number)
    members = members_of(db, ordered)
    joined: list[str] = [uid]
    kept: set[str] = set()
    for gid in ordered:
        if never_between(db, joined, members[gid]):
            continue
        joined += members[gid]
        kept.add(gid)
    return kept


def _attach(
    db: Database,
    uid: str,
    matched: set[str],
    previous: str | None,
    grey: list[tuple[str, float]],
    actor: str,
) -> dict[str, Any]:
    changes: list[tuple[str, str, dict[str, Any]]] = []
    matched = _keep_apart(db, uid, {current_id(db, g) for g in matched})
    if not matched:
        target = previous or GoldenIds(db, block=1)()
        status = "updated" if previous else "created"
        if not previous:
            changes.append((target, "created", {"record": uid}))
    else:
        target = min(matched, key=golden_number)
        status = "matched" if len(matched) == 1 else "merged"
    losers = sorted(matched - {target})
    affected = [target, *([previous] if previous and previous not in matched else [])]
    members = {
        r["uid"]: r["golden_id"]
        for r in db.query(
            "SELECT uid, golden_id FROM golden_members WHERE golden_id IN "
            f"({', '.join('?' * len(affected + losers))})",
            [*affected, *losers],
        )
    }
    changes += [
        (g, "merged", {"into": target, "record": uid,
                       "members": sorted(u for u, m in members.items() if m == g)})
        for g in losers
    ]  # fmt: skip
    golden_of = {u: (target if g in losers else g) for u, g in members.items()}
    golden_of[uid] = target
    golden = build_golden(db, golden_of)
    link_organisations(db, golden)
    write_golden(db, golden_of, golden, changes, actor, "record upsert", replace_all=False,
                 redirects=dict.fromkeys(losers, target))  # fmt: skip
    if grey:
        with db.transaction() as cur:
            for other, p in grey:
                cur.execute(
                    "INSERT INTO match_reviews VALUES (?, ?, ?, 'open', ?, NULL, NULL, NULL) "
                    "ON CONFLICT DO NOTHING",
                    [min(uid, other), max(uid, other), p, datetime.now(UTC)],
                )
    return {"golden_id": target, "record": uid, "status": status, "merged": losers}
