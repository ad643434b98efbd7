"""Run the API under uvicorn, announcing the held database in a side file."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path

import uvicorn

from journeyhub.api.app import create_app
from journeyhub.store.database import server_marker


def tune_garbage_collector() -> None:
    """Make Python's cycle collector cheap for a long-running ingest server.

    A batch request allocates hundreds of dicts and strings, so with the default thresholds
    the collector ran every few requests, and now and then walked every object the process
    holds (FastAPI, pydantic, DuckDB and Arrow modules) while holding the GIL: parsing a
    22 KB batch body took ~500 µs in the server against 55 µs alone. Everything made at start
    is frozen out of the collector's sight and the youngest generation is collected every
    50,000 allocations instead of 700: REST batch ingest 45k -> 61k events/s in a same-run
    comparison (benchmarks/rest_bench.py). Request garbage is acyclic and is still freed at
    once by reference counting.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def run_server(db: Path, host: str, port: int) -> None:
    """Open the database, serve until stopped, then flush and release it."""
    marker = server_marker(Path(db))
    app = create_app(db, on_shutdown=[lambda: marker.unlink(missing_ok=True)])
    marker.write_text(json.dumps({"pid": os.getpid(), "url": f"http://{host}:{port}"}))
    tune_garbage_collector()
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    finally:  # also when uvicorn fails to start (port in use)
        marker.unlink(missing_ok=True)
