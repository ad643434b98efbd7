"""kill -9 in the middle of an import or of REST ingest: a restart shows a consistent store
with every acknowledged event, and retrying makes it exact — never duplicated."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pyarrow.parquet as pq
import pytest

from journeyhub import Hub
from journeyhub.demo.generator import generate

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "journeyhub.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def events_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crashdemo")
    generate(6000, 5, out)
    return out / "events.parquet"


def test_kill_9_during_import_leaves_whole_chunks_then_reimport_completes(
    events_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "crash.duckdb"
    total = pq.ParquetFile(events_file).metadata.num_rows
    proc = subprocess.Popen(
        [
            *CLI,
            "events",
            "import",
            str(events_file),
            "--db",
            str(db),
            "--chunk-rows",
            "1000",
            "--json",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline and not (db.with_name(db.name + ".wal").exists()):
        time.sleep(0.02)
    time.sleep(0.7)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    with Hub(db) as hub:
        stored = hub.db.scalar("SELECT count(*) FROM events")
        recorded = hub.db.query("SELECT status, accepted FROM imports")[0]
        assert recorded["status"] == "running", "the import was killed mid-way"
        assert 0 < stored < total
        assert stored == recorded["accepted"], "events and import bookkeeping disagree"
        assert stored % 1000 == 0, "only whole chunks are committed"
        report = hub.import_events(events_file)
        assert report.duplicates == stored
        assert hub.db.scalar("SELECT count(*) FROM events") == total
        assert hub.db.scalar("SELECT count(DISTINCT message_id) FROM events") == total


def _start_server(db: Path, port: int) -> subprocess.Popen:
    log = db.with_suffix(".log")
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            [*CLI, "serve", "--db", str(db), "--port", str(port)], stdout=sink, stderr=sink
        )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not become healthy: " + log.read_text())


def test_kill_9_during_rest_ingest_keeps_every_acknowledged_event(tmp_path: Path) -> None:
    db = tmp_path / "rest.duckdb"
    with Hub(db) as hub:
        key = hub.create_key()["key"]
    port = free_port()
    server = _start_server(db, port)
    url = f"http://127.0.0.1:{port}/v1/batch"
    headers = {"Authorization": f"Bearer {key}"}
    sent: dict[str, list[dict]] = {}
    acked: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def client(worker: int) -> None:
        with httpx.Client(timeout=5) as c:
            n = 0
            while not stop.is_set():
                batch = [
                    {
                        "type": "track",
                        "userId": f"u{worker}-{n % 50}",
                        "event": "Tick",
                        "messageId": f"w{worker}-b{n}-{i}",
                    }
                    for i in range(50)
                ]
                with lock:
                    sent[f"{worker}-{n}"] = batch
                try:
                    r = c.post(url, json={"batch": batch}, headers=headers)
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    with lock:
                        acked.update(e["messageId"] for e in batch)
                n += 1

    workers = [threading.Thread(target=client, args=(w,)) for w in range(4)]
    for w in workers:
        w.start()
    time.sleep(2.0)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for w in workers:
        w.join()
    assert len(acked) > 500, "the load ran long enough to matter"

    all_sent = {e["messageId"] for batch in sent.values() for e in batch}
    with Hub(db) as hub:
        stored = {r[0] for r in hub.db.cursor().execute("SELECT message_id FROM events").fetchall()}
        assert hub.db.scalar("SELECT count(*) FROM events") == len(stored), "no duplicates"
    assert acked <= stored, f"{len(acked - stored)} acknowledged events were lost"
    assert stored <= all_sent

    server = _start_server(db, port)  # the client retries whatever it sent
    try:
        with httpx.Client(timeout=10) as c:
            for batch in sent.values():
                assert c.post(url, json={"batch": batch}, headers=headers).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    with Hub(db) as hub:
        assert hub.db.scalar("SELECT count(*) FROM events") == len(all_sent)
        assert hub.db.scalar("SELECT count(DISTINCT message_id) FROM events") == len(all_sent)


def test_cli_says_clearly_when_a_server_holds_the_database(tmp_path: Path) -> None:
    db = tmp_path / "held.duckdb"
    Hub(db).close()
    port = free_port()
    server = _start_server(db, port)
    try:
        result = subprocess.run(
            [*CLI, "store", "stats", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "COLUMNS": "200"},
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert not db.with_name(db.name + ".server.json").exists(), "a stopped server cleans up"
    assert result.returncode == 2
    assert "held by the journeyhub server" in result.stderr
    assert f"http://127.0.0.1:{port}" in result.stderr
