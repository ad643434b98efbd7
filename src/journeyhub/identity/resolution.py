"""Batch identity resolution: standardise, match, cluster, keep ids stable, build golden records.

``resolve`` is what ``journeyhub identity resolve`` runs. Persons are matched with the
Fellegi-Sunter model (Splink); organisations by their VAT id or by name and postcode; a
person is linked to the organisation whose name it carries.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa

from journeyhub.identity.clusters import Assignment, assign_ids, cluster_labels
from journeyhub.identity.matching import engine as splink_engine
from journeyhub.identity.matching import spark_engine
from journeyhub.identity.matching.model import MODEL_COLUMNS, Thresholds
from journeyhub.identity.matching.rules import (
    PERSONAL_IDENTIFIERS,
    candidate_pairs_sql,
    eligible_clusters,
    holder_pairs_sql,
    ordered_pair,
)
from journeyhub.identity.matching.scorer import Scorer
from journeyhub.identity.sources import get_sources
from journeyhub.identity.standardizing import standardize_all
from journeyhub.identity.survivorship import identifiers, survive
from journeyhub.store import Database

Progress = Callable[[str], None]
ORG_KEYS = (("vat_id",), ("organisation_key", "postcode"))
FULL_SCAN_ABOVE = 50_000
POINT_LOOKUPS_UP_TO = 500


@dataclass
class ResolveReport:
    """What one batch resolution did, with timings in seconds."""

    engine: str
    standardized: int = 0
    person_records: int = 0
    organisation_records: int = 0
    pairs_scored: int = 0
    pairs_merged: int = 0
    reviews_open: int = 0
    golden_records: int = 0
    created: int = 0
    merged: int = 0
    split: int = 0
    updated: int = 0
    trained: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_model(db: Database, kind: str = "person") -> dict[str, Any] | None:
    """The saved matching model of this workspace, if one was trained."""

    def load() -> dict[str, Any] | None:
        row = db.query("SELECT model FROM match_models WHERE kind = ?", [kind])
        return orjson.loads(row[0]["model"]) if row else None

    model: dict[str, Any] | None = db.memo(f"model:{kind}", load)
    return model


def load_scorer(db: Database, kind: str = "person") -> Scorer | None:
    """The saved model, compiled for scoring single pairs (kept until the model changes)."""

    def load() -> Scorer | None:
        model = load_model(db, kind)
        return Scorer(model) if model else None

    scorer: Scorer | None = db.memo(f"model:{kind}:scorer", load)
    return scorer


def save_model(db: Database, model: dict[str, Any], kind: str = "person") -> None:
    """Keep a trained model (Splink JSON) as this workspace's model."""
    with db.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO match_models VALUES (?, ?, ?)",
            [kind, orjson.dumps(model).decode(), datetime.now(UTC)],
        )
    db.forget(f"model:{kind}", f"model:{kind}:scorer")


def _model_records(db: Database) -> pa.Table:
    cols = ", ".join(MODEL_COLUMNS)
    return (
        db.cursor()
        .sql(f"SELECT {cols} FROM std_records WHERE kind = 'person' ORDER BY uid")
        .to_arrow_table()
    )


def _decisions(db: Database) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    rows = db.query("SELECT uid_l, uid_r, decision FROM match_decisions")
    merges = [(r["uid_l"], r["uid_r"]) for r in rows if r["decision"] == "merge"]
    never = {(r["uid_l"], r["uid_r"]) for r in rows if r["decision"] == "never"}
    return merges, never


def _organisation_pairs(db: Database) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for keys in ORG_KEYS:
        cond = " AND ".join(f"l.{k} = r.{k}" for k in keys)
        pairs += (
            db.cursor()
            .execute(
                f"""SELECT l.uid, r.uid FROM std_records l JOIN std_records r ON {cond}
                AND l.uid < r.uid WHERE l.kind = 'organisation' AND r.kind = 'organisation'"""
            )
            .fetchall()
        )
    return pairs


class GoldenIds:
    """Fresh golden ids (``G000001`` …) from the store's sequence, reserved in blocks (one
    at a time inside the caller's transaction when given its ``cur``)."""

    def __init__(self, db: Database, block: int = 10_000, cur: Any = None) -> None:
        self._db = db
        self._block = block
        self._cur = cur
        self._next = self._end = 0

    def __call__(self) -> str:
        if self._cur is not None:
            number = int(self._cur.execute("SELECT nextval('golden_ids')").fetchall()[0][0])
            return f"G{number:06d}"
        if self._next >= self._end:
            with self._db.transaction() as cur:
                self._next = int(cur.execute("SELECT nextval('golden_ids')").fetchall()[0][0])
                self._end = self._next + self._block
                cur.execute(f"SELECT setval('golden_ids', {self._end - 1})").fetchall()
        self._next += 1
        return f"G{self._next - 1:06d}"


def _cluster(
    db: Database,
    uids: list[str],
    pairs: list[tuple[str, str]],
    kind: str,
    never: set[tuple[str, str]] | None = None,
) -> Assignment:
    previous = dict(
        db.cursor()
        .execute(
            "SELECT m.uid, m.golden_id FROM golden_members m JOIN std_records s USING (uid) "
            "WHERE s.kind = ?",
            [kind],
        )
        .fetchall()
    )
    labels = cluster_labels(uids, pairs, never or ())
    return assign_ids(uids, labels, previous, GoldenIds(db))


def build_golden(
    db: Database, golden_of: dict[str, str], cur: Any = None
) -> dict[str, dict[str, Any]]:
    """Golden record (attributes, lineage, identifiers) of every golden id in ``golden_of``
    (read through ``cur`` when given: inside the caller's transaction)."""
    field_trust = {name: mapping.field_trust for name, mapping in get_sources(db).items()}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    cur = db.cursor(within=cur)
    if len(golden_of) <= POINT_LOOKUPS_UP_TO:  # real time: index lookups by uid
        wanted = list(golden_of)
        marks = ", ".join("?" * len(wanted))
        cur.execute(f"SELECT * FROM std_records WHERE uid IN ({marks})", wanted)
    elif len(golden_of) <= FULL_SCAN_ABOVE:
        cur.register("_wanted", pa.table({"uid": list(golden_of)}))
        cur.execute("SELECT * FROM std_records WHERE uid IN (SELECT uid FROM _wanted)")
    else:
        cur.execute("SELECT * FROM std_records")
    columns = [d[0] for d in cur.description]
    fetched = cur.fetchall()
    if POINT_LOOKUPS_UP_TO < len(golden_of) <= FULL_SCAN_ABOVE:
        cur.unregister("_wanted")
    for row in fetched:
        member = dict(zip(columns, row, strict=True))
        gid = golden_of.get(member["uid"])
        if gid is not None:
            member["field_trust"] = field_trust.get(member["source"], {})
            groups[gid].append(member)
    golden: dict[str, dict[str, Any]] = {}
    for gid, members in groups.items():
        attributes, lineage = survive(members)
        golden[gid] = {
            "kind": members[0]["kind"],
            "attributes": attributes,
            "lineage": lineage,
            "identifiers": identifiers(members),
            "members": len(members),
            "org_keys": Counter(m["organisation_key"] for m in members if m["organisation_key"]),
        }
    return golden


def link_organisations(db: Database, golden: dict[str, dict[str, Any]], cur: Any = None) -> None:
    """Set each person's ``organisation_id``: the organisation whose name its records carry
    (read through ``cur`` when given)."""
    org_by_key: dict[str, str] = {}
    for gid, g in sorted(golden.items()):
        if g["kind"] == "organisation":
            for key in g["org_keys"]:
                org_by_key.setdefault(key, gid)
    wanted = {k for g in golden.values() if g["kind"] == "person" for k in g["org_keys"]} - set(
        org_by_key
    )
    if wanted:
        cur = db.cursor(within=cur)
        cur.register("_org_keys", pa.table({"k": sorted(wanted)}))
        rows = cur.execute(
            """SELECT s.organisation_key, min(m.golden_id) FROM std_records s
               JOIN golden_members m USING (uid) WHERE s.kind = 'organisation'
               AND s.organisation_key IN (SELECT k FROM _org_keys)
               GROUP BY s.organisation_key"""
        ).fetchall()
        cur.unregister("_org_keys")
        org_by_key.update(dict(rows))
    for g in golden.values():
        g["organisation_id"] = None
        if g["kind"] == "person":
            for key, _ in g["org_keys"].most_common():
                if key in org_by_key:
                    g["organisation_id"] = org_by_key[key]
                    break


def write_golden(
    db: Database,
    golden_of: dict[str, str],
    golden: dict[str, dict[str, Any]],
    changes: list[tuple[str, str, dict[str, Any]]],
    actor: str,
    reason: str,
    *,
    replace_all: bool,
    redirects: dict[str, str] | None = None,
    cur: Any = None,
    assigned: dict[str, str] | None = None,
) -> int:
    """Store memberships, golden records, redirects and change-feed rows in one transaction
    (the caller's ``cur`` when given, else a new one). ``assigned``: the golden id each record
    of ``golden_of`` has now, when the caller knows it (none: a new record), saving a lookup.

    Returns how many golden records changed their attributes.
    """
    with db.transaction(within=cur) as cur:
        now = datetime.now(UTC)
        ids = sorted(golden)
        attributes = [orjson.dumps(golden[g]["attributes"], default=str).decode() for g in ids]
        created, updated = _stored_golden(cur, ids, attributes)
        for gid, old, new in updated:
            before, after = orjson.loads(old), orjson.loads(new)
            diff = {
                k: {"from": before.get(k), "to": after.get(k)}
                for k in sorted(set(before) | set(after))
                if before.get(k) != after.get(k)
            }
            changes.append((gid, "updated", {"attributes": diff}))
        table = pa.table(
            {
                "golden_id": ids,
                "kind": [golden[g]["kind"] for g in ids],
                "attributes": attributes,
                "lineage": [orjson.dumps(golden[g]["lineage"]).decode() for g in ids],
                "identifiers": [orjson.dumps(golden[g]["identifiers"]).decode() for g in ids],
                "members": pa.array([golden[g]["members"] for g in ids], pa.int32()),
                "organisation_id": [golden[g].get("organisation_id") for g in ids],
                "created_at": pa.array(
                    [created.get(g, now) for g in ids], pa.timestamp("us", "UTC")
                ),
            }
        )
        few = max(len(ids), len(golden_of)) <= POINT_LOOKUPS_UP_TO
        if few and not replace_all:
            _write_few(cur, table, set(created), golden_of, now, assigned)
        else:
            _write_many(cur, table, golden_of, now, replace_all=replace_all)
        for old, into in (redirects or {}).items():
            cur.execute("DELETE FROM golden_records WHERE golden_id = ?", [old])
            cur.execute("UPDATE golden_redirects SET into_id = ? WHERE into_id = ?", [into, old])
            cur.execute(
                "INSERT OR REPLACE INTO golden_redirects VALUES (?, ?, ?)", [old, into, now]
            )
        record_changes(cur, changes, actor, reason, now)
    return len(updated)


def _write_many(
    cur: Any, table: pa.Table, golden_of: dict[str, str], now: datetime, *, replace_all: bool
) -> None:
    """Upsert golden records and memberships from Arrow tables (batch resolution)."""
    members = pa.table({"uid": list(golden_of), "golden_id": list(golden_of.values())})
    cur.register("_golden", table)
    cur.register("_members", members)
    if replace_all:
        cur.execute("DELETE FROM golden_records WHERE golden_id NOT IN "
                    "(SELECT golden_id FROM _golden)")  # fmt: skip
        cur.execute("DELETE FROM golden_members WHERE uid NOT IN (SELECT uid FROM _members)")
    cur.execute(
        """INSERT INTO golden_records SELECT n.golden_id, n.kind, n.attributes, n.lineage,
               n.identifiers, n.members, n.organisation_id, n.created_at, ? FROM _golden n
           ON CONFLICT (golden_id) DO UPDATE SET kind = excluded.kind,
               attributes = excluded.attributes, lineage = excluded.lineage,
               identifiers = excluded.identifiers, members = excluded.members,
               organisation_id = excluded.organisation_id, updated_at = excluded.updated_at""",
        [now],
    )
    cur.execute(
        """INSERT INTO golden_members SELECT uid, golden_id, ? FROM _members
           ON CONFLICT (uid) DO UPDATE SET golden_id = excluded.golden_id,
               assigned_at = excluded.assigned_at
           WHERE golden_members.golden_id <> excluded.golden_id""",
        [now],
    )
    cur.unregister("_golden")
    cur.unregister("_members")


def _write_few(
    cur: Any,
    table: pa.Table,
    stored: set[str],
    golden_of: dict[str, str],
    now: datetime,
    assigned: dict[str, str] | None,
) -> None:
    """Write a few golden records and memberships by index lookups (real time): an update
    for what is stored, an insert for what is new (an upsert costs DuckDB several times more)."""
    for row in table.to_pylist():
        if row["golden_id"] in stored:
            cur.execute(
                """UPDATE golden_records SET kind = ?, attributes = ?, lineage = ?,
                   identifiers = ?, members = ?, organisation_id = ?, updated_at = ?
                   WHERE golden_id = ?""",
                [row["kind"], row["attributes"], row["lineage"], row["identifiers"],
                 row["members"], row["organisation_id"], now, row["golden_id"]],
            )  # fmt: skip
        else:
            cur.execute(
                "INSERT INTO golden_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*row.values(), now],
            )
    current = assigned
    if current is None:
        uids = list(golden_of)
        marks = ", ".join("?" * len(uids))
        current = dict(
            cur.execute(
                f"SELECT uid, golden_id FROM golden_members WHERE uid IN ({marks})", uids
            ).fetchall()
        )
    moved: dict[str, list[str]] = defaultdict(list)
    for uid, gid in golden_of.items():
        if uid in current and current[uid] != gid:
            moved[gid].append(uid)
    for gid, moving in moved.items():
        cur.execute(
            f"UPDATE golden_members SET golden_id = ?, assigned_at = ? "
            f"WHERE uid IN ({', '.join('?' * len(moving))})",
            [gid, now, *moving],
        )
    new = [(uid, gid) for uid, gid in golden_of.items() if uid not in current]
    if new:
        cur.execute(
            f"INSERT INTO golden_members VALUES {', '.join(['(?, ?, ?)'] * len(new))}",
            [v for uid, gid in new for v in (uid, gid, now)],
        )


def _stored_golden(
    cur: Any, ids: list[str], attributes: list[str]
) -> tuple[dict[str, datetime], list[tuple[str, str, str]]]:
    """For the golden ``ids`` already stored: when each was created, and ``(id, old, new)``
    attributes JSON of those whose attributes change (index lookups for a few ids, one join
    for many)."""
    if len(ids) <= POINT_LOOKUPS_UP_TO:
        if not ids:
            return {}, []
        found = cur.execute(
            "SELECT golden_id, created_at, attributes::VARCHAR FROM golden_records "
            f"WHERE golden_id IN ({', '.join('?' * len(ids))})",
            ids,
        ).fetchall()
        new = dict(zip(ids, attributes, strict=True))
        changed = [(g, old, new[g]) for g, _, old in found if old != new[g]]
        return {g: created for g, created, _ in found}, changed
    cur.register("_new", pa.table({"golden_id": ids, "attributes": attributes}))
    found = cur.execute(
        """SELECT golden_id, o.created_at,
                  CASE WHEN o.attributes::VARCHAR <> n.attributes THEN o.attributes::VARCHAR END,
                  n.attributes
           FROM golden_records o JOIN _new n USING (golden_id)"""
    ).fetchall()
    cur.unregister("_new")
    changed = [(g, old, new) for g, _, old, new in found if old is not None]
    return {g: created for g, created, _, _ in found}, changed


def record_changes(
    cur: Any,
    changes: list[tuple[str, str, dict[str, Any]]],
    actor: str,
    reason: str,
    at: datetime,
) -> None:
    """Append to the change feed (which is also each golden record's history)."""
    if not changes:
        return
    start = int(cur.execute("SELECT nextval('golden_change_seq')").fetchall()[0][0])
    cur.execute(f"SELECT setval('golden_change_seq', {start + len(changes) - 1})").fetchall()
    table = pa.table(
        {
            "seq": pa.array(range(start, start + len(changes)), pa.int64()),
            "golden_id": [c[0] for c in changes],
            "change": [c[1] for c in changes],
            "details": [orjson.dumps(c[2], default=str).decode() for c in changes],
        }
    )
    cur.register("_changes", table)
    cur.execute(
        "INSERT INTO golden_changes SELECT seq, golden_id, change, ?, ?, ?, details::JSON "
        "FROM _changes",
        [at, actor, reason],
    )
    cur.unregister("_changes")


def assignment_changes(result: Assignment) -> list[tuple[str, str, dict[str, Any]]]:
    """Change-feed rows for ids created, merged into others, or split."""
    changes: list[tuple[str, str, dict[str, Any]]] = []
    changes += [(gid, "created", {}) for gid in result.created]
    changes += [
        (old, "merged", {"into": into, "members": result.merged_members.get(old, [])})
        for old, into in result.merged.items()
    ]
    changes += [(gid, "split", {"split_off": others}) for gid, others in result.split.items()]
    return changes


def resolve(
    db: Database,
    *,
    engine: str = "duckdb",
    retrain: bool = False,
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
    actor: str = "system",
) -> ResolveReport:
    """Run batch resolution over every registered source; golden ids stay stable."""
    if engine not in splink_engine.ENGINES:
        raise ValueError(f"engine must be one of {', '.join(splink_engine.ENGINES)}")
    thresholds = thresholds or Thresholds()
    say = progress or (lambda _msg: None)
    report = ResolveReport(engine)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[name] = round(now - clock, 3)
        clock = now

    say("standardising source records")
    report.standardized = sum(standardize_all(db).values())
    lap("standardize")
    records = _model_records(db)
    report.person_records = records.num_rows
    model = None if retrain else load_model(db)
    if model is None and records.num_rows >= 2:
        say(f"training the matching model on {records.num_rows:,} person records")
        model = splink_engine.train(records)
        save_model(db, model)
        report.trained = True
    lap("train")
    say(f"scoring candidate pairs ({engine})")
    if model is None:
        scored = pa.table({"uid_l": [], "uid_r": [], "match_probability": []})
    else:
        predict = spark_engine.predict if engine == "spark" else splink_engine.predict
        scored = predict(records, model, thresholds.review)
    report.pairs_scored = scored.num_rows
    lap("predict")
    say("clustering and assigning golden ids")
    manual, never = _decisions(db)
    pairs = _candidate_pairs(db, scored)
    edges = [
        (a, b)
        for a, b, p, _rule, conflict in sorted(pairs, key=lambda pair: -pair[2])
        if p >= thresholds.merge and not conflict and (a, b) not in never
    ]
    report.pairs_merged = len(edges)
    uids = records.column("uid").to_pylist()
    person_ids = set(uids)
    edges = [(a, b) for a, b in manual if a in person_ids and b in person_ids] + edges
    edges += _lone_record_links(db, uids, edges, never)
    persons = _cluster(db, uids, edges, "person", never)
    org_uids = [
        r[0] for r in db.cursor().execute(
            "SELECT uid FROM std_records WHERE kind = 'organisation' ORDER BY uid").fetchall()
    ]  # fmt: skip
    report.organisation_records = len(org_uids)
    org_ids = set(org_uids)
    org_edges = [(a, b) for a, b in manual if a in org_ids and b in org_ids]
    org_edges += [pair for pair in _organisation_pairs(db) if pair not in never]
    orgs = _cluster(db, org_uids, org_edges, "organisation", never)
    golden_of = {**persons.golden_of, **orgs.golden_of}
    lap("cluster")
    say(f"building {len(set(golden_of.values())):,} golden records")
    golden = build_golden(db, golden_of)
    link_organisations(db, golden)
    changes = assignment_changes(persons) + assignment_changes(orgs)
    report.updated = write_golden(
        db, golden_of, golden, changes, actor, "batch resolution", replace_all=True,
        redirects={**persons.merged, **orgs.merged},
    )  # fmt: skip
    report.golden_records = len(golden)
    report.created = len(persons.created) + len(orgs.created)
    report.merged = len(persons.merged) + len(orgs.merged)
    report.split = len(persons.split) + len(orgs.split)
    lap("golden")
    report.reviews_open = _queue_reviews(db, pairs, thresholds, golden_of, never)
    lap("review")
    return report


def _lone_record_links(
    db: Database, uids: list[str], edges: list[tuple[str, str]], never: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Links that bring a record left alone by matching to the one cluster holding its email
    or phone (see :func:`~journeyhub.identity.matching.rules.eligible_clusters`)."""
    labels = [str(label) for label in cluster_labels(uids, edges, never).tolist()]
    size = Counter(labels)
    label_of = dict(zip(uids, labels, strict=True))
    lone = pa.table({"uid": [u for u, label in label_of.items() if size[label] == 1]})
    holders: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    cur = db.cursor()
    cur.register("_lone", lone)
    try:
        for column in PERSONAL_IDENTIFIERS:
            for uid, holder, conflict in cur.execute(holder_pairs_sql(column, "_lone")).fetchall():
                if holder in label_of:
                    holders[uid].append((label_of[holder], holder, bool(conflict)))
    finally:
        cur.unregister("_lone")
    places = {uid: eligible_clusters(held) for uid, held in holders.items()}
    links = []
    for uid, eligible in places.items():
        if len(eligible) != 1:
            continue
        ((cluster, holder),) = eligible.items()
        if size[cluster] == 1 and set(places.get(holder, ())) != {label_of[uid]}:
            continue  # another lone record, which could as well go elsewhere
        if ordered_pair(uid, holder) not in never:
            links.append((uid, holder))
    return links


def _candidate_pairs(db: Database, scored: pa.Table) -> list[tuple[str, str, float, str, bool]]:
    cur = db.cursor()
    cur.register("_scored", scored)
    try:
        return cur.execute(candidate_pairs_sql("_scored")).fetchall()
    finally:
        cur.unregister("_scored")


def _queue_reviews(
    db: Database,
    pairs: list[tuple[str, str, float, str, bool]],
    thresholds: Thresholds,
    golden_of: dict[str, str],
    never: set[tuple[str, str]],
) -> int:
    grey = [
        (a, b, p)
        for a, b, p, _rule, conflict in pairs
        if thresholds.review <= p < thresholds.merge
        and not conflict
        and golden_of.get(a) != golden_of.get(b)
        and (a, b) not in never
    ]
    table = pa.table(
        {"uid_l": [g[0] for g in grey], "uid_r": [g[1] for g in grey],
         "p": pa.array([g[2] for g in grey], pa.float64())}
    )  # fmt: skip
    with db.transaction() as cur:
        cur.register("_grey", table)
        cur.execute(
            """INSERT INTO match_reviews SELECT uid_l, uid_r, p, 'open', ?, NULL, NULL, NULL
               FROM _grey ON CONFLICT DO NOTHING""",
            [datetime.now(UTC)],
        )
        cur.unregister("_grey")
        return int(cur.execute("SELECT count(*) FROM match_reviews WHERE status = 'open'")
                   .fetchall()[0][0])  # fmt: skip
