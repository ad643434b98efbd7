"""File import: journeyhub vs pandas.read_parquet + DataFrame.to_sql into SQLite.

Both read the same demo events.parquet into a fresh database file. journeyhub validates every
event (quarantine), dedupes on messageId, stitches identities and commits in 1M-row chunks; the
peer does none of that. Then the same file is imported again (idempotency: nothing added).

    python benchmarks/import_bench.py --customers 400000     # about 10M events
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import console, demo_events, show, write_results
from journeyhub import Hub


def run_journeyhub(events: Path, db: Path) -> dict[str, float]:
    with Hub(db) as hub:
        first = hub.import_events(events)
        again = hub.import_events(events, cluster=False)
        stored = hub.db.scalar("SELECT count(*) FROM events")
    return {
        "events": first.rows_read,
        "stored": stored,
        "import_s": first.seconds,
        "events_per_s": first.rows_read / first.seconds,
        "cluster_s": first.cluster_seconds or 0.0,
        "import_plus_cluster_events_per_s": first.rows_read
        / (first.seconds + (first.cluster_seconds or 0.0)),
        "reimport_s": again.seconds,
        "reimport_added": again.accepted,
    }


def run_pandas_sqlite(events: Path, db: Path) -> dict[str, float]:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_parquet(events)
    with sqlite3.connect(db) as con:
        frame.to_sql("events", con, index=False, chunksize=100_000)
    seconds = time.perf_counter() - started
    return {"events": len(frame), "import_s": seconds, "events_per_s": len(frame) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=None, help="demo folder to (re)use")
    parser.add_argument("--skip-peer", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jh-import-"))
    data = args.data or work / "demo"
    events = demo_events(args.customers, args.seed, data)

    console.print("journeyhub import ...")
    ours = run_journeyhub(events, work / "journeyhub.duckdb")
    rows = [
        {
            "system": "journeyhub (validate+dedupe+stitch)",
            "events": ours["events"],
            "seconds": ours["import_s"],
            "events/s": ours["events_per_s"],
        },
        {
            "system": "journeyhub + clustering",
            "events": ours["events"],
            "seconds": ours["import_s"] + ours["cluster_s"],
            "events/s": ours["import_plus_cluster_events_per_s"],
        },
        {
            "system": "journeyhub re-import (all duplicates)",
            "events": ours["events"],
            "seconds": ours["reimport_s"],
            "events/s": ours["events"] / ours["reimport_s"],
        },
    ]
    peer = None
    if not args.skip_peer:
        console.print("peer: pandas.read_parquet + to_sql(SQLite) ...")
        peer = run_pandas_sqlite(events, work / "peer.sqlite")
        rows.append(
            {
                "system": "pandas + SQLite to_sql (no validation)",
                "events": peer["events"],
                "seconds": peer["import_s"],
                "events/s": peer["events_per_s"],
            }
        )
    show("File import (Parquet)", rows)
    path = write_results(
        "import", {"journeyhub": ours, "peer_pandas_sqlite": peer, "goal_events_per_s": 1_000_000}
    )
    console.print(f"results: {path}")


if __name__ == "__main__":
    main()
