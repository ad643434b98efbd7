"""REST ingest under load on loopback: batches of 100 for 60 s, then single /v1/track calls.

A real `journeyhub serve` (uvicorn, one process, group commit into DuckDB) in a subprocess;
client processes with keep-alive connections. Reports sustained events/s and request latency
percentiles, and checks that every acknowledged event is stored exactly once.

    python benchmarks/rest_bench.py --seconds 60 --clients 2 --inflight 16
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import Server, console, percentiles, show, write_results
from journeyhub import Hub


def _client(
    url: str, key: str, worker: int, seconds: float, batch: int, inflight: int, out: mp.Queue
) -> None:
    import asyncio

    import httpx2 as httpx
    import orjson

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    path = "/v1/batch" if batch > 1 else "/v1/track"
    latencies: list[float] = []
    counter = {"events": 0}

    # one pre-serialised body per lane; a fixed-width counter makes every messageId unique
    # per request with a single bytes.replace, so the load generator stays cheap
    templates = []
    for lane in range(inflight):
        msgs = [
            {
                "type": "track",
                "messageId": f"{path}-{worker}-{lane}-NNNNNNNNNN-{i}",
                "userId": f"user-{worker}-{lane}-{i % 50}",
                "event": "Product Viewed",
                "timestamp": "2026-05-01T12:00:00Z",
                "context": {"channel": "web"},
                "properties": {"product_id": "P-1001", "price": 649.0},
            }
            for i in range(batch)
        ]
        templates.append(orjson.dumps({"batch": msgs} if batch > 1 else msgs[0]))

    async def sender(client: httpx.AsyncClient, lane: int, end: float) -> None:
        n = 0
        while time.perf_counter() < end:
            n += 1
            body = templates[lane].replace(b"NNNNNNNNNN", b"%010d" % n)
            started = time.perf_counter()
            r = await client.post(path, content=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            if r.status_code != 200:
                raise RuntimeError(r.text)
            counter["events"] += batch

    async def main() -> None:
        limits = httpx.Limits(max_connections=inflight, max_keepalive_connections=inflight)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            end = time.perf_counter() + seconds
            await asyncio.gather(*(sender(client, lane, end) for lane in range(inflight)))

    asyncio.run(main())
    out.put((latencies, counter["events"]))


def load(
    url: str, key: str, clients: int, seconds: float, batch: int, inflight: int
) -> dict[str, float]:
    queue: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=_client, args=(url, key, w, seconds, batch, inflight, queue))
        for w in range(clients)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    latencies = [x for lat, _ in results for x in lat]
    events = sum(e for _, e in results)
    return {
        "events": events,
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "events_per_s": events / elapsed,
        "requests_per_s": len(latencies) / elapsed,
        **percentiles(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--single-seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument(
        "--inflight", type=int, default=16, help="concurrent requests per client process"
    )
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp(prefix="jh-rest-")) / "rest.duckdb"
    with Hub(db) as hub:
        key = hub.create_key("bench")["key"]
    with Server(db) as server:
        console.print(
            f"batch load: {args.clients} processes x {args.inflight} in flight, "
            f"{args.seconds:.0f} s, batches of 100"
        )
        batch = load(server.url, key, args.clients, args.seconds, 100, args.inflight)
        console.print(f"single /v1/track: {args.clients} clients x {args.single_seconds:.0f} s")
        single = load(server.url, key, args.clients, args.single_seconds, 1, args.inflight)
    with Hub(db) as hub:
        stored = hub.db.scalar("SELECT count(*) FROM events")
        distinct = hub.db.scalar("SELECT count(DISTINCT message_id) FROM events")
    assert stored == distinct == batch["events"] + single["events"], (stored, distinct)
    show(
        "REST ingest on loopback",
        [
            {
                "load": "batch of 100",
                "events/s": batch["events_per_s"],
                "req/s": batch["requests_per_s"],
                "p50 ms": batch["p50_ms"],
                "p99 ms": batch["p99_ms"],
            },
            {
                "load": "single /v1/track",
                "events/s": single["events_per_s"],
                "req/s": single["requests_per_s"],
                "p50 ms": single["p50_ms"],
                "p99 ms": single["p99_ms"],
            },
        ],
    )
    path = write_results(
        "rest",
        {
            "batch_100": batch,
            "single_track": single,
            "stored_exactly_once": stored,
            "clients": args.clients,
            "inflight_per_client": args.inflight,
            "goal_events_per_s": 50_000,
        },
    )
    console.print(f"results: {path}")


if __name__ == "__main__":
    main()
