"""Helpers shared by the benchmark scripts: demo data on demand, result files, tables."""

from __future__ import annotations

import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).parent / "results"
console = Console()


def demo_events(customers: int, seed: int, folder: Path) -> Path:
    """events.parquet of a demo company, generated once and reused."""
    path = folder / "events.parquet"
    if not path.exists():
        from journeyhub.demo.generator import generate

        console.print(f"generating demo company: {customers:,} customers into {folder} ...")
        started = time.perf_counter()
        report = generate(customers, seed, folder)
        console.print(f"  {report.events:,} events in {time.perf_counter() - started:.1f} s")
    return path


def machine() -> dict[str, Any]:
    import os

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(),
    }


def write_results(name: str, results: dict[str, Any]) -> Path:
    """benchmarks/results/<name>.json"""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **results}, indent=2, default=str))
    return path


def show(title: str, rows: list[dict[str, Any]]) -> None:
    table = Table(title=title)
    for col in rows[0]:
        table.add_column(col)
    for row in rows:
        table.add_row(
            *(
                f"{v:,.0f}"
                if isinstance(v, float) and v > 100
                else f"{v:.3f}"
                if isinstance(v, float)
                else str(v)
                for v in row.values()
            )
        )
    console.print(table)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    s = sorted(samples)

    def at(q: float) -> float:
        return s[min(len(s) - 1, int(q * len(s)))] * 1000

    return {"p50_ms": round(at(0.5), 2), "p95_ms": round(at(0.95), 2), "p99_ms": round(at(0.99), 2)}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``journeyhub serve`` in a subprocess on loopback, for benchmarks."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        import subprocess
        import sys

        import httpx2 as httpx

        self.log = self.db.with_suffix(".log").open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "journeyhub.cli",
                "serve",
                "--db",
                str(self.db),
                "--port",
                str(self.port),
            ],
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start, see {self.log.name}")

    def __exit__(self, *exc: object) -> None:
        import signal

        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        self.log.close()
