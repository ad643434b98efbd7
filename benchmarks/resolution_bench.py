"""Demo company identity resolution: batch time, pairwise precision/recall, incremental latency.

Generates (or reuses) a demo company, loads only its source records into a fresh DuckDB
file, runs batch resolution, compares the golden ids with the generator's ground truth
(pairwise precision and recall), then times single-record upserts (new records of known
people, through the same path as POST /v1/records) against the resolved store.

    python benchmarks/resolution_bench.py --customers 400000   # about 1M source records
    python -m benchmarks.resolution_bench --resolved DB        # upsert latency only
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import machine
from benchmarks.missed_evidence import missed_by_evidence

from journeyhub import Hub
from journeyhub.demo.generator import generate
from journeyhub.demo.loader import MAPPINGS
from journeyhub.demo.sources import FIELDS

RESULTS = Path(__file__).parent / "results" / "resolution.json"
ERRORS = RESULTS.with_name("resolution_errors.json")
INCREMENTAL = RESULTS.with_name("resolution_incremental.json")


def pairwise(truth: dict[str, str], found: dict[str, str]) -> dict[str, float]:
    """Pairwise precision and recall from cluster labels, via the contingency table."""
    both = Counter((truth[u], found[u]) for u in found)
    agree = sum(n * (n - 1) // 2 for n in both.values())
    pairs = lambda labels: sum(n * (n - 1) // 2 for n in Counter(labels).values())  # noqa: E731
    return {"precision": round(agree / pairs(found.values()), 4),
            "recall": round(agree / pairs(truth[u] for u in found), 4)}  # fmt: skip


def pair_errors(truth: dict[str, str], found: dict[str, str], examples: int = 3) -> dict:
    """Missed and false pairs counted by the two source systems involved, with examples.

    Says where recall and precision are lost: e.g. ``pos~crm`` missed pairs are POS records
    (name, postcode, birth year) not joined to the CRM record of the same person.
    """

    def by_system(groups: dict[str, list[str]], other: dict[str, str]) -> dict:
        counts: Counter[str] = Counter()
        samples: dict[str, list[list[str]]] = {}
        for members in groups.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    if other[a] == other[b]:
                        continue
                    key = "~".join(sorted((a.split("/")[0], b.split("/")[0])))
                    counts[key] += 1
                    if len(samples.setdefault(key, [])) < examples:
                        samples[key].append([a, b])
        return {k: {"pairs": n, "examples": samples[k]} for k, n in counts.most_common()}

    def groups_of(labels: dict[str, str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for uid, label in labels.items():
            out.setdefault(label, []).append(uid)
        return out

    known = {u: truth[u] for u in found}
    return {"missed": by_system(groups_of(known), found),
            "false": by_system(groups_of(found), known)}  # fmt: skip


def time_upserts(hub: Hub, upserts: int, warmup: int = 0) -> dict[str, float] | None:
    """Latency of single-record upserts (new webshop records of known crm people); the
    first ``warmup`` are not counted (none by default: a fresh process's first lookups
    count too)."""
    sample = hub.db.query(
        "SELECT given_name, family_name, email, postcode FROM std_records "
        "WHERE source = 'crm' AND email IS NOT NULL USING SAMPLE 3000 ROWS"
    )
    random.Random(1).shuffle(sample)
    latencies = []
    for i, person in enumerate(sample[: warmup + upserts]):
        record = {"customer_id": f"BENCH-{i}", "email": person["email"],
                  "first_name": person["given_name"], "last_name": person["family_name"],
                  "zip": person["postcode"]}  # fmt: skip
        t = time.perf_counter()
        hub.upsert_record("webshop", record)
        if i >= warmup:
            latencies.append((time.perf_counter() - t) * 1000)
    if not latencies:
        return None
    latencies.sort()
    return {"upserts": len(latencies), "warmup": warmup,
            "p50": round(statistics.median(latencies), 1),
            "p95": round(latencies[int(len(latencies) * 0.95) - 1], 1)}  # fmt: skip


def incremental_only(resolved: Path, upserts: int, warmup: int) -> None:
    """Time upserts against a copy of a store resolved by an earlier run of this script."""
    db = Path(tempfile.mkdtemp(prefix="jh-res-inc-")) / "resolution.duckdb"
    shutil.copy(resolved, db)
    with Hub(db) as hub:
        golden = hub.db.scalar("SELECT count(*) FROM golden_records")
        records = hub.db.scalar("SELECT count(*) FROM golden_members")
        result = {"machine": machine(), "source_records": records, "golden_records": golden,
                  "incremental_ms": time_upserts(hub, upserts, warmup)}  # fmt: skip
    INCREMENTAL.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    shutil.rmtree(db.parent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, help="an existing demo folder")
    parser.add_argument("--upserts", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=0, help="upserts run first, not timed")
    parser.add_argument(
        "--explain", action="store_true",
        help="also count missed and false pairs by source systems (results/resolution_errors.json)",
    )  # fmt: skip
    parser.add_argument(
        "--resolved", type=Path,
        help="only time incremental upserts, on a copy of this resolved store "
        "(results/resolution_incremental.json)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.resolved:
        incremental_only(args.resolved, args.upserts, args.warmup)
        return
    folder = args.data or Path(tempfile.mkdtemp(prefix="jh-res-"))
    if not (folder / "records").exists():
        generate(args.customers, args.seed, folder)
    db = Path(tempfile.mkdtemp(prefix="jh-res-db-")) / "resolution.duckdb"
    with Hub(db) as hub:
        started = time.perf_counter()
        for system in FIELDS:
            hub.add_source(system, MAPPINGS / f"{system}.yaml")
            hub.import_records(system, folder / "records" / f"{system}.csv")
        loaded = time.perf_counter()
        report = hub.resolve(progress=print)
        resolved = time.perf_counter()
        found = dict(
            hub.db.cursor().execute("SELECT uid, golden_id FROM golden_members").fetchall()
        )
        with (folder / "truth" / "identity.csv").open(encoding="utf-8") as fh:
            truth = {f"{r['source']}/{r['source_record_id']}": r["person_id"] or r["account_id"]
                     for r in csv.DictReader(fh)}  # fmt: skip
        quality = pairwise(truth, found)
        if args.explain:
            errors = pair_errors(truth, found)
            errors["missed_by_evidence"] = missed_by_evidence(hub.db.cursor(), truth)
            ERRORS.write_text(json.dumps(errors, indent=2))
            print(json.dumps({k: {s: v["pairs"] for s, v in errors[k].items()}
                              for k in ("missed", "false")}))  # fmt: skip
            print(json.dumps(errors["missed_by_evidence"], indent=2))
        incremental = time_upserts(hub, args.upserts, args.warmup)
    result = {
        "machine": machine(),
        "source_records": len(found),
        "load_seconds": round(loaded - started, 1),
        "resolve_seconds": round(resolved - loaded, 1),
        "steps": report.seconds,
        "golden_records": report.golden_records,
        **quality,
        "incremental_ms": incremental,
    }  # fmt: skip
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
