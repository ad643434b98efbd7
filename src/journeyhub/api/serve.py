"""Run the API under uvicorn, announcing the held database in a side file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import uvicorn

from journeyhub.api.app import create_app
from journeyhub.store.database import server_marker


def run_server(db: Path, host: str, port: int) -> None:
    """Open the database, serve until stopped, then flush and release it."""
    marker = server_marker(Path(db))
    app = create_app(db, on_shutdown=[lambda: marker.unlink(missing_ok=True)])
    marker.write_text(json.dumps({"pid": os.getpid(), "url": f"http://{host}:{port}"}))
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    finally:  # also when uvicorn fails to start (port in use)
        marker.unlink(missing_ok=True)
