"""Why pairs are missed: what links each stray record to the rest of its person's records.

For every person whose records ended in more than one golden record, each record outside the
person's largest cluster is put in one class by the strongest evidence it shares with that
cluster (same email, same phone, an email near miss, the same full name, a mailbox that
spells the name, nothing), and counted apart when it also shares a postcode or birth
year. A class's missed pairs are the pairs to the main cluster it loses;
their share of all true pairs is the recall that class holds back. That is how to tell
what a better model could still win from what no model can (a newsletter sign-up with only
a first name and a mailbox nobody else uses).

    python -m benchmarks.missed_evidence --db RESOLVED.duckdb --data DEMO_DIR
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import duckdb

from journeyhub.identity.standardize.text import ascii_fold

SHARED_MAILBOX = "same email, a mailbox other people's records hold too"
SAME_EMAIL = "same email"
SAME_PHONE = "same phone"
EMAIL_NEAR_MISS = "email near miss (one half of the address agrees)"
SAME_NAME_ONLY = "same full name, nothing else shared"
MAILBOX_SPELLS_NAME = "no family name; the mailbox spells their name"
FIRST_NAME_AT_MOST = "no family name; a first name at most"
OTHER_SPELLING_ONLY = "different name spelling, nothing else shared"
CLASSES = (SHARED_MAILBOX, SAME_EMAIL, SAME_PHONE, EMAIL_NEAR_MISS, SAME_NAME_ONLY,
           MAILBOX_SPELLS_NAME, FIRST_NAME_AT_MOST, OTHER_SPELLING_ONLY)  # fmt: skip
_not_letter = re.compile(r"[^a-z]")
RECORDS_SQL = """
    SELECT s.uid, m.golden_id, s.given_name, s.family_name, s.given_key, s.family_key,
           s.email_key, s.email_head, s.email_tail, s.phone, s.postcode, s.birth_year
    FROM std_records s JOIN golden_members m USING (uid) WHERE s.kind = 'person'
    ORDER BY s.uid"""


def _letters(text: str) -> str:
    return _not_letter.sub("", ascii_fold(text))


def _spellings(given: str | None, family: str | None) -> set[str]:
    if not given or not family or not given.split():
        return set()
    first, last = _letters(given.split()[0]), _letters(family)
    return {first + last, first[:1] + last, last + first} if first and last else set()


def _evidence(record: dict[str, Any], main: list[dict[str, Any]], others: set[str]) -> str:
    """The class of a stray ``record`` against its person's ``main`` cluster; ``others``: the
    golden ids of other people that hold the record's email."""
    emails = {r["email_key"] for r in main if r["email_key"]}
    if record["email_key"] and record["email_key"] in emails:
        return SHARED_MAILBOX if others else SAME_EMAIL
    if record["phone"] and record["phone"] in {r["phone"] for r in main}:
        return SAME_PHONE
    halves = {r[h] for r in main for h in ("email_head", "email_tail") if r[h]}
    if record["email_head"] in halves or record["email_tail"] in halves:
        return EMAIL_NEAR_MISS
    if record["family_key"]:
        names = {(r["given_key"], r["family_key"]) for r in main}
        pair = (record["given_key"], record["family_key"])
        return SAME_NAME_ONLY if pair in names or pair[::-1] in names else OTHER_SPELLING_ONLY
    mailbox = _letters(record["email_key"].rpartition("@")[0]) if record["email_key"] else ""
    spelled = set().union(*(_spellings(r["given_name"], r["family_name"]) for r in main))
    return MAILBOX_SPELLS_NAME if mailbox and mailbox in spelled else FIRST_NAME_AT_MOST


def missed_by_evidence(con: duckdb.DuckDBPyConnection, truth: dict[str, str]) -> dict[str, Any]:
    """Missed pairs of a resolved store by the evidence their stray record shares."""
    cursor = con.execute(RECORDS_SQL)
    columns = [d[0] for d in cursor.description]
    records = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    records = {u: r for u, r in records.items() if u in truth}
    holders: dict[str, set[str]] = defaultdict(set)
    for r in records.values():
        if r["email_key"]:
            holders[r["email_key"]].add(r["golden_id"])
    people: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for uid, r in records.items():
        people[truth[uid]].append(r)
    true_pairs = sum(len(rs) * (len(rs) - 1) // 2 for rs in people.values())
    lost: Counter[str] = Counter()
    strays: Counter[str] = Counter()
    near: Counter[str] = Counter()  # strays that also share a postcode or birth year
    examples: dict[str, list[str]] = {}
    for rs in people.values():
        clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rs:
            clusters[r["golden_id"]].append(r)
        if len(clusters) < 2:
            continue
        main = max(clusters.values(), key=len)
        for cluster in clusters.values():
            if cluster is main:
                continue
            for r in cluster:
                others = holders.get(r["email_key"], set()) - set(clusters)
                kind = _evidence(r, main, others)
                lost[kind] += len(main)
                strays[kind] += 1
                near[kind] += any(
                    r[c] is not None and r[c] in {m[c] for m in main}
                    for c in ("postcode", "birth_year")
                )
                examples.setdefault(kind, [r["uid"], main[0]["uid"]])
    return {
        "true_pairs": true_pairs,
        "missed_pairs_to_main_cluster": sum(lost.values()),
        "classes": {
            kind: {"records": strays[kind], "missed_pairs": lost[kind],
                   "records_sharing_postcode_or_birth_year": near[kind],
                   "recall_held_back": round(lost[kind] / true_pairs, 4),
                   "example": examples[kind]}
            for kind in CLASSES if kind in lost
        },
    }  # fmt: skip


def read_truth(folder: Path) -> dict[str, str]:
    """Person id of every person source record, from the generator's ground truth."""
    with (folder / "truth" / "identity.csv").open(encoding="utf-8") as fh:
        return {f"{r['source']}/{r['source_record_id']}": r["person_id"]
                for r in csv.DictReader(fh) if r["person_id"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a resolved store")
    parser.add_argument("--data", type=Path, required=True, help="the demo folder it came from")
    args = parser.parse_args()
    con = duckdb.connect(str(args.db), read_only=True)
    print(json.dumps(missed_by_evidence(con, read_truth(args.data)), indent=2))


if __name__ == "__main__":
    main()
