"""Voice of the customer at scale: scores over 10M survey responses, triggers per second.

1. Scores: N ``Survey Answered`` events (NPS, CSAT, CES over 12 touchpoint labels, 6 channels,
   3 years) are written to Parquet and imported; responses are collected once (timed), then
   ``Hub.feedback.scores`` is timed by touchpoint, channel and month. Peer, same run: pandas
   ``groupby`` over the same rows already in memory (loading them is not timed).
2. Triggers: the five survey templates applied, consents for 70% of customers, a history of
   H events; then batches of B new events (5% ``Order Delivered``, 3% ``Support Ticket
   Resolved``, 2% identify with a plan change, the rest page views) are imported and
   ``Hub.feedback.trigger`` is timed per batch: events evaluated per second (without the
   30 s overlap the product re-reads by default, so each batch is evaluated once).

    python -m benchmarks.voc_bench [--responses 10000000] [--batch 100000] [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from common import console, show, write_results
from journeyhub import Hub

LABELS = ["post_purchase", "post_support", "website", "churn", "win_loss", "delivery",
          "returns", "store_visit", "hotline", "chat", "app", "billing"]  # fmt: skip
CHANNELS = ["web", "app", "email", "sms", "phone", "store"]
SCALE = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def _strings(values: np.ndarray, prefix: str) -> pa.Array:
    return pa.array(np.char.add(prefix, values.astype(str)))


def response_events(n: int, path: Path, seed: int = 5) -> None:
    """``n`` survey answer events in the demo's shape, chunked into one Parquet file."""
    rng = np.random.default_rng(seed)
    writer = None
    start = np.datetime64("2024-01-01T00:00:00", "us")
    for offset in range(0, n, 1_000_000):
        m = min(1_000_000, n - offset)
        kind = rng.choice(list(SCALE), m, p=[0.5, 0.3, 0.2])
        score = np.select(
            [kind == "nps", kind == "csat"],
            [rng.integers(0, 11, m), rng.integers(1, 6, m)],
            rng.integers(1, 8, m),
        )
        label = rng.choice(LABELS, m)
        props = np.char.add(
            np.char.add(np.char.add('{"survey": "', kind), '", "score": '), score.astype(str)
        )
        props = np.char.add(np.char.add(np.char.add(props, ', "touchpoint": "'), label), '"}')
        table = pa.table(
            {
                "messageId": _strings(np.arange(offset, offset + m), "r"),
                "type": pa.array(np.full(m, "track")),
                "event": pa.array(np.full(m, "Survey Answered")),
                "userId": _strings(rng.integers(0, n // 4 + 1, m), "c"),
                "timestamp": pa.array(
                    start + rng.integers(0, 3 * 365 * 86_400_000_000, m).astype("timedelta64[us]"),
                    pa.timestamp("us", tz="UTC"),
                ),
                "channel": pa.array(rng.choice(CHANNELS, m)),
                "properties": pa.array(props),
            }
        )
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def scores_at_scale(n: int, work: Path) -> dict[str, Any]:
    events = work / f"responses_{n}.parquet"
    db = work / f"voc_{n}.duckdb"
    if not events.exists():
        response_events(n, events)
    if not db.exists():
        with Hub(db) as hub:
            report = hub.import_events(events)
            console.print(f"imported {report.accepted:,} responses in {report.seconds:.1f} s")
            started = time.perf_counter()
            hub.feedback.collect()
            console.print(f"collected in {time.perf_counter() - started:.1f} s")
    rows: list[dict[str, Any]] = []
    timings: dict[str, float] = {}
    with Hub(db) as hub:
        collect = time.perf_counter()
        hub.feedback.collect()  # nothing new: one count
        timings["collect (nothing new)"] = time.perf_counter() - collect
        for by in ("touchpoint", "channel", "period", "overall"):
            started = time.perf_counter()
            result = hub.feedback.scores(by)
            timings[f"scores by {by}"] = time.perf_counter() - started
        frame = (
            hub.db.cursor()
            .sql("SELECT touchpoint, channel, ts, type, score FROM survey_scores")
            .df()
        )
        total = int(hub.db.scalar("SELECT count(*) FROM survey_scores"))
        check = {r["metric"]: r for r in result}
    started = time.perf_counter()
    nps = frame[frame.type == "nps"]
    peer = (nps.score >= 9).groupby(nps.touchpoint).mean() - (nps.score <= 6).groupby(
        nps.touchpoint
    ).mean()
    rest = frame[frame.type != "nps"].groupby(["touchpoint", "type"]).score.agg(["mean", "std"])
    timings["pandas groupby by touchpoint (peer)"] = time.perf_counter() - started
    assert len(peer) == len(LABELS) and len(rest) == 2 * len(LABELS)
    for what, seconds in timings.items():
        rows.append({"what": what, "seconds": seconds})
    show(f"Scores over {total:,} survey answers", rows)
    return {"responses": total, "timings": timings, "overall": check}


def trigger_rate(batch: int, history: int, work: Path, batches: int = 3) -> dict[str, Any]:
    db = work / "triggers.duckdb"
    db.unlink(missing_ok=True)
    rng = np.random.default_rng(9)
    customers = max(history // 20, 1000)

    def batch_file(n: int, offset: int, name: str) -> Path:
        kind = rng.choice(4, n, p=[0.05, 0.03, 0.02, 0.90])
        user = np.char.add("c", rng.integers(0, customers, n).astype(str))
        event = np.choose(kind, ["Order Delivered", "Support Ticket Resolved", "", "Home"])
        types = np.choose(kind, ["track", "track", "identify", "page"])
        plan = rng.choice(["premium", "basic"], n)
        traits = np.where(
            kind == 2,
            np.char.add(np.char.add(np.char.add('{"plan": "', plan), '", "email": "'),
                        np.char.add(user, '@example.de"}')),
            None,
        )  # fmt: skip
        path = work / f"{name}.parquet"
        pq.write_table(pa.table({
            "messageId": _strings(np.arange(offset, offset + n), "t"),
            "type": pa.array(types), "event": pa.array(np.where(types == "track", event, None)),
            "name": pa.array(np.where(types == "page", event, None)),
            "userId": pa.array(user),
            "timestamp": pa.array(
                np.datetime64("2026-06-01T00:00:00", "us")
                + rng.integers(0, 86_400_000_000 * 30, n).astype("timedelta64[us]"),
                pa.timestamp("us", tz="UTC"),
            ),
            "context": pa.array(np.full(n, '{"locale": "de-DE"}')),
            "traits": pa.array(traits),
        }), path)  # fmt: skip
        return path

    with Hub(db) as hub:
        for name in ("post_purchase", "post_support", "churn", "win_loss", "website_feedback"):
            hub.feedback.apply(name)
        hub.import_events(batch_file(history, 0, "history"))
        with hub.db.transaction() as cur:
            cur.execute(
                "INSERT INTO consents SELECT DISTINCT user_id, 'feedback', true, 'bench', now() "
                "FROM events WHERE hash(user_id) % 10 < 7"
            )
        hub.feedback.trigger()  # the history: not timed
        rows = []
        for i in range(batches):
            hub.import_events(batch_file(batch, history + i * batch, f"batch{i}"))
            started = time.perf_counter()
            result = hub.feedback.trigger(overlap=timedelta(0))  # only the new batch
            seconds = time.perf_counter() - started
            rows.append({
                "batch": i + 1, "events": result["events"], "candidates": result["candidates"],
                "scheduled": result["scheduled"], "seconds": seconds,
                "events_per_second": result["events"] / seconds,
            })  # fmt: skip
    show(f"Triggers: batches of {batch:,} new events on a history of {history:,}", rows)
    return {"batch": batch, "history": history, "runs": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/voc_bench"))
    parser.add_argument("--fresh", action="store_true", help="rebuild the stores")
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True, exist_ok=True)
    results = {
        "scores": scores_at_scale(args.responses, args.work),
        "triggers": trigger_rate(args.batch, args.history, args.work),
    }
    console.print(f"results -> {write_results('voc', results)}")


if __name__ == "__main__":
    main()
