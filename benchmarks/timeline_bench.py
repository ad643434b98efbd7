"""Timeline latency: first page (50 events) of one customer, at 10M stored events.

Identifiers are sampled across userIds, emails and anonymousIds; after a warm-up pass the
first page is read in-process (Python API) and over HTTP from a running server. For reference
the same lookup is timed on an unclustered copy of the table (what the store does without
clustering) in the same run.

    python benchmarks/timeline_bench.py --data /tmp/bench10m        # imports it first
    python benchmarks/timeline_bench.py --db existing.duckdb
    python benchmarks/timeline_bench.py --db existing.duckdb --skip-reference   # reruns
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import (
    Server,
    console,
    demo_events,
    percentiles,
    show,
    write_results,
)
from journeyhub import Hub


def sample_ids(hub: Hub, n: int, seed: int) -> list[str]:
    cur = hub.db.cursor()
    rows = cur.execute(
        "SELECT kind, value FROM identity_nodes WHERE kind IN ('user', 'email', 'anonymous') "
        "AND hash(value) % 97 = 3"
    ).fetchall()
    rng = random.Random(seed)
    by_kind: dict[str, list[str]] = {}
    for kind, value in rows:
        by_kind.setdefault(kind, []).append(value)
    plan = {"user": 0.7, "email": 0.2, "anonymous": 0.1}
    return [
        v
        for kind, share in plan.items()
        for v in rng.sample(by_kind[kind], min(len(by_kind[kind]), int(n * share)))
    ]


def time_calls(fn, ids: list[str], warmup: int = 200) -> dict[str, float]:
    for i in ids[:warmup]:
        fn(i)
    samples = []
    for i in ids:
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
    return {"calls": len(samples), **percentiles(samples)}


def unclustered_reference(db: Path, work: Path, ids: list[str]) -> dict[str, float]:
    """The same lookup on a copy of the store whose events are shuffled (no clustering)."""
    unclustered = work / "unclustered.duckdb"
    shutil.copy(db, unclustered)
    with Hub(unclustered) as hub:
        with hub.db.transaction() as cur:
            cur.execute("CREATE TABLE shuffled AS SELECT * FROM events ORDER BY hash(message_id)")
            cur.execute("DROP TABLE events")
            cur.execute("ALTER TABLE shuffled RENAME TO events")
        return time_calls(lambda i: hub.timeline(i, limit=50), ids[:40], warmup=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--data", type=Path, help="demo folder to import when --db is not given")
    parser.add_argument("--customers", type=int, default=400_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument(
        "--skip-reference",
        action="store_true",
        help="do not time the unclustered copy (it rewrites the whole store, ~1 min at 10M)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jh-timeline-"))
    db = args.db
    if db is None:
        events = demo_events(args.customers, 7, args.data or work / "demo")
        db = work / "timeline.duckdb"
        with Hub(db) as hub:
            console.print(f"importing {events} ...")
            hub.import_events(events)
    with Hub(db) as hub:
        stored = hub.db.scalar("SELECT count(*) FROM events")
        ids = sample_ids(hub, args.samples, 1)
        in_process = time_calls(lambda i: hub.timeline(i, limit=50), ids)
        key = hub.create_key("timeline-bench")["key"]
    import httpx2 as httpx

    with Server(db) as server, httpx.Client(base_url=server.url) as client:
        headers = {"Authorization": f"Bearer {key}"}

        def over_http(i: str) -> None:
            r = client.get(f"/v1/customers/{i}/timeline", params={"limit": 50}, headers=headers)
            r.raise_for_status()

        http = time_calls(over_http, ids)
    reference = None if args.skip_reference else unclustered_reference(db, work, ids)
    show(
        f"Timeline first page at {stored:,} events",
        [
            {"path": "Python API (clustered)", **in_process},
            {"path": "REST over loopback (clustered)", **http},
        ]
        + ([{"path": "reference: unclustered table", **reference}] if reference else []),
    )
    path = write_results(
        "timeline",
        {
            "events_stored": stored,
            "in_process": in_process,
            "http": http,
            "unclustered_reference": reference,
            "goal_p99_ms": 10,
        },
    )
    console.print(f"results: {path}")


if __name__ == "__main__":
    main()
