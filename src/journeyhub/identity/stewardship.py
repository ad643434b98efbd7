"""Stewardship: people merge, unmerge and judge pairs; every decision names who and why.

A steward's decision outlives the next batch run: a merge is kept as a ``merge`` decision
between the two clusters, an unmerge as ``never`` decisions between the records it split
apart, and clustering treats ``never`` as a constraint on whole clusters. Each decision is in
the change feed (``golden_changes``: actor, reason, time), which is also the audit trail.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product
from typing import Any

import orjson

from journeyhub.identity.clusters import golden_number
from journeyhub.identity.playback import GoldenNotFound, current_id, get_golden
from journeyhub.identity.resolution import (
    GoldenIds,
    build_golden,
    link_organisations,
    write_golden,
)
from journeyhub.store import Database
from journeyhub.store.sql import dict_rows

DECISIONS = ("merge", "never")
MAX_NEVER_PAIRS = 10_000


class StewardshipError(ValueError):
    """A steward's request that cannot be carried out as asked (the message says why)."""


def _require(actor: str, reason: str) -> None:
    if not actor.strip():
        raise StewardshipError("say who decides: the user is empty")
    if not reason.strip():
        raise StewardshipError("say why: a reason is required for every stewardship decision")


def members_of(db: Database, golden_ids: list[str], cur: Any = None) -> dict[str, list[str]]:
    """The records (uids, sorted) of each golden id (read through ``cur`` when given)."""
    rows = dict_rows(
        db.cursor(within=cur),
        f"SELECT uid, golden_id FROM golden_members WHERE golden_id IN "
        f"({', '.join('?' * len(golden_ids))}) ORDER BY uid",
        golden_ids,
    )
    out: dict[str, list[str]] = {g: [] for g in golden_ids}
    for r in rows:
        out[r["golden_id"]].append(r["uid"])
    return out


NEVER_MEMO = "never_decisions"


def never_decisions(db: Database) -> dict[tuple[str, str], dict[str, Any]]:
    """Every ``never`` decision by its pair of uids (sorted), kept in memory: the real-time
    path checks them on every record, and only stewardship writes them (then forgets)."""

    def load() -> dict[tuple[str, str], dict[str, Any]]:
        rows = db.query("SELECT * FROM match_decisions WHERE decision = 'never'")
        return {(r["uid_l"], r["uid_r"]): r for r in rows}

    decisions: dict[tuple[str, str], dict[str, Any]] = db.memo(NEVER_MEMO, load)
    return decisions


def never_between(db: Database, left: list[str], right: list[str]) -> dict[str, Any] | None:
    """A ``never`` decision with one record in ``left`` and one in ``right``, if any."""
    decisions = never_decisions(db)
    if not decisions:
        return None
    a, b = set(left), set(right)
    if len(a) * len(b) < len(decisions):
        pairs = ((min(x, y), max(x, y)) for x in a for y in b)
        return next((decisions[p] for p in pairs if p in decisions), None)
    for (x, y), row in decisions.items():
        if (x in a and y in b) or (x in b and y in a):
            return row
    return None


def _rebuild(
    db: Database,
    golden_of: dict[str, str],
    changes: list[tuple[str, str, dict[str, Any]]],
    actor: str,
    reason: str,
    redirects: dict[str, str] | None = None,
) -> None:
    golden = build_golden(db, golden_of)
    link_organisations(db, golden)
    write_golden(db, golden_of, golden, changes, actor, reason, replace_all=False,
                 redirects=redirects)  # fmt: skip


def merge(db: Database, golden_ids: list[str], *, actor: str, reason: str) -> dict[str, Any]:
    """Merge golden records into the oldest of them; the others redirect to it.

    Refused when a ``never`` decision stands between them (undo that decision first).
    """
    _require(actor, reason)
    ids = sorted({current_id(db, g) for g in golden_ids}, key=golden_number)
    if len(ids) < 2:
        raise StewardshipError(f"merge needs two different golden records, got {golden_ids}")
    kinds = {r["golden_id"]: r["kind"] for r in db.query(
        f"SELECT golden_id, kind FROM golden_records WHERE golden_id IN "
        f"({', '.join('?' * len(ids))})", ids)}  # fmt: skip
    missing = [g for g in ids if g not in kinds]
    if missing:
        raise GoldenNotFound(f"no golden record {', '.join(missing)}")
    if len(set(kinds.values())) > 1:
        raise StewardshipError(f"cannot merge a person with an organisation: {kinds}")
    members = members_of(db, ids)
    target, losers = ids[0], ids[1:]
    for loser in losers:
        blocking = never_between(db, members[target], members[loser])
        if blocking:
            raise StewardshipError(
                f"{target} and {loser} must never match: {blocking['actor']} decided so for "
                f"{blocking['uid_l']} / {blocking['uid_r']} ({blocking['reason']!r})"
            )
    now = datetime.now(UTC)
    with db.transaction() as cur:
        for loser in losers:
            a, b = sorted((members[target][0], members[loser][0]))
            cur.execute(
                "INSERT OR REPLACE INTO match_decisions VALUES (?, ?, 'merge', ?, ?, ?)",
                [a, b, actor, reason, now],
            )
    db.forget(NEVER_MEMO)  # a merge decision may replace a never decision on the same pair
    golden_of = {uid: target for g in ids for uid in members[g]}
    changes = [
        (loser, "merged", {"into": target, "members": members[loser], "manual": True})
        for loser in losers
    ]
    _rebuild(db, golden_of, changes, actor, reason, dict.fromkeys(losers, target))
    _close_reviews(db, list(golden_of), "merged", actor, reason)
    return get_golden(db, target)


def _last_merge_into(db: Database, golden_id: str, members: set[str]) -> tuple[str, set[str]]:
    """The most recent merge into ``golden_id`` that is still in effect: (old id, its records)."""
    rows = db.query(
        """SELECT c.golden_id, c.details FROM golden_changes c
           JOIN golden_redirects r ON r.from_id = c.golden_id AND r.into_id = ?
           WHERE c.change = 'merged' ORDER BY c.seq DESC""",
        [golden_id],
    )
    for row in rows:
        moved = set(orjson.loads(row["details"]).get("members", [])) & members
        if moved:
            return row["golden_id"], moved
    raise StewardshipError(
        f"{golden_id} has no merge to undo; name the records to split off "
        "(--record SOURCE/ID, as listed by `journeyhub golden show`)"
    )


def unmerge(
    db: Database,
    golden_id: str,
    *,
    records: list[str] | None = None,
    actor: str,
    reason: str,
) -> dict[str, Any]:
    """Split records out of a golden record and keep them apart from now on.

    Without ``records`` the latest merge into this golden record is undone: the records it
    brought get their old golden id back (its redirect is removed), so merge then unmerge
    restores the earlier state. With ``records`` those records form a new golden record.
    """
    _require(actor, reason)
    gid = current_id(db, golden_id)
    members = set(members_of(db, [gid])[gid])
    if not members:
        raise GoldenNotFound(f"no golden record {golden_id!r}")
    restore_id: str | None = None
    if records:
        split = set(records)
        unknown = sorted(split - members)
        if unknown:
            raise StewardshipError(f"{', '.join(unknown)} not in {gid}; its records: "
                                   f"{', '.join(sorted(members))}")  # fmt: skip
    else:
        restore_id, split = _last_merge_into(db, gid, members)
    keep = members - split
    if not keep:
        raise StewardshipError(f"cannot split off every record of {gid}")
    if len(split) * len(keep) > MAX_NEVER_PAIRS:
        raise StewardshipError(
            f"splitting {len(split)} from {len(keep)} records would need more than "
            f"{MAX_NEVER_PAIRS:,} never-match pairs; split smaller groups"
        )
    now = datetime.now(UTC)
    apart = [tuple(sorted(p)) for p in product(sorted(split), sorted(keep))]
    with db.transaction() as cur:
        cur.executemany(
            "INSERT OR REPLACE INTO match_decisions VALUES (?, ?, 'never', ?, ?, ?)",
            [[a, b, actor, reason, now] for a, b in apart],
        )
        if restore_id:
            cur.execute("DELETE FROM golden_redirects WHERE from_id = ?", [restore_id])
    db.forget(NEVER_MEMO)
    new_id = restore_id or GoldenIds(db, block=1)()
    golden_of = {uid: gid for uid in keep} | {uid: new_id for uid in split}
    changes: list[tuple[str, str, dict[str, Any]]] = [
        (gid, "unmerged", {"split_off": new_id, "members": sorted(split)}),
        (new_id, "restored" if restore_id else "created", {"from": gid}),
    ]
    _rebuild(db, golden_of, changes, actor, reason)
    return {"golden_id": gid, "split_off": new_id, "records": sorted(split)}


def _close_reviews(db: Database, uids: list[str], status: str, actor: str, reason: str) -> None:
    """Close open reviews whose two records now share one golden record."""
    with db.transaction() as cur:
        cur.execute(
            """UPDATE match_reviews SET status = ?, decided_at = ?, actor = ?, reason = ?
               WHERE status = 'open' AND uid_l IN (SELECT unnest(?::VARCHAR[]))
               AND uid_r IN (SELECT unnest(?::VARCHAR[]))""",
            [status, datetime.now(UTC), actor, reason, uids, uids],
        )


def reviews(db: Database, *, status: str = "open", limit: int = 50, offset: int = 0
            ) -> dict[str, Any]:  # fmt: skip
    """Pairs in the grey zone, most likely matches first, with what each record says."""
    total = db.scalar("SELECT count(*) FROM match_reviews WHERE status = ?", [status])
    rows = db.query(
        """SELECT r.uid_l, r.uid_r, r.match_probability, r.status, r.created_at,
                  r.decided_at, r.actor, r.reason,
                  ml.golden_id AS golden_l, mr.golden_id AS golden_r
           FROM match_reviews r
           LEFT JOIN golden_members ml ON ml.uid = r.uid_l
           LEFT JOIN golden_members mr ON mr.uid = r.uid_r
           WHERE r.status = ? ORDER BY r.match_probability DESC, r.uid_l, r.uid_r
           LIMIT ? OFFSET ?""",
        [status, limit, offset],
    )
    uids = sorted({r["uid_l"] for r in rows} | {r["uid_r"] for r in rows})
    shown = _record_summaries(db, uids)
    items = [
        {**r, "left": shown.get(r["uid_l"]), "right": shown.get(r["uid_r"]),
         "created_at": r["created_at"].isoformat(),
         "decided_at": r["decided_at"].isoformat() if r["decided_at"] else None}
        for r in rows
    ]  # fmt: skip
    return {"total": total, "offset": offset, "items": items}


def _record_summaries(db: Database, uids: list[str]) -> dict[str, dict[str, Any]]:
    if not uids:
        return {}
    rows = db.query(
        f"""SELECT uid, source, given_name, family_name, birth_date, email, phone,
                   street, house_number, postcode, city
            FROM std_records WHERE uid IN ({", ".join("?" * len(uids))})""",
        uids,
    )
    return {r.pop("uid"): {k: (str(v) if v is not None else None) for k, v in r.items()}
            for r in rows}  # fmt: skip


def decide(
    db: Database, uid_l: str, uid_r: str, decision: str, *, actor: str, reason: str
) -> dict[str, Any]:
    """Judge a pair of records: ``merge`` their golden records, or ``never`` match them."""
    _require(actor, reason)
    if decision not in DECISIONS:
        raise StewardshipError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    a, b = sorted((uid_l, uid_r))
    golden = {r["uid"]: r["golden_id"] for r in db.query(
        "SELECT uid, golden_id FROM golden_members WHERE uid IN (?, ?)", [a, b])}  # fmt: skip
    for uid in (a, b):
        if uid not in golden:
            raise GoldenNotFound(f"no resolved record {uid!r} (resolve identities first)")
    if decision == "merge":
        result: dict[str, Any] = (
            merge(db, [golden[a], golden[b]], actor=actor, reason=reason)
            if golden[a] != golden[b]
            else get_golden(db, golden[a])
        )
        _set_review(db, a, b, "merged", actor, reason)
        return {"decision": "merge", "golden_id": result["golden_id"]}
    if golden[a] == golden[b]:
        raise StewardshipError(
            f"{a} and {b} are both in {golden[a]}: unmerge one of them instead "
            f"(`journeyhub golden unmerge {golden[a]} --record {b}`)"
        )
    with db.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO match_decisions VALUES (?, ?, 'never', ?, ?, ?)",
            [a, b, actor, reason, datetime.now(UTC)],
        )
    db.forget(NEVER_MEMO)
    _set_review(db, a, b, "never", actor, reason)
    return {"decision": "never", "golden_ids": sorted({golden[a], golden[b]})}


def _set_review(db: Database, a: str, b: str, status: str, actor: str, reason: str) -> None:
    with db.transaction() as cur:
        cur.execute(
            "UPDATE match_reviews SET status = ?, decided_at = ?, actor = ?, reason = ? "
            "WHERE uid_l = ? AND uid_r = ?",
            [status, datetime.now(UTC), actor, reason, a, b],
        )
