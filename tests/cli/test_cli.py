"""The command line end to end, on a real DuckDB file, re-opened through the API to check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyhub import Hub
from journeyhub.cli.main import app

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, list(args), env=env or {}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_keys_create_json_prints_a_working_key(db_path: Path) -> None:
    out = json.loads(run("keys", "create", "--db", str(db_path), "--json"))
    assert out["key"].startswith("jh_")
    with Hub(db_path) as hub:
        assert hub.is_valid_key(out["key"])


def test_jsonl_import_timeline_and_quarantine_round_trip(db_path: Path, tmp_path: Path) -> None:
    events = tmp_path / "e.jsonl"
    events.write_text(
        "\n".join(
            json.dumps(e)
            for e in [
                {
                    "type": "identify",
                    "userId": "C1",
                    "anonymousId": "a1",
                    "traits": {"email": "jan@example.de"},
                    "timestamp": "2026-01-01T00:00:00Z",
                    "messageId": "1",
                },
                {
                    "type": "track",
                    "anonymousId": "a1",
                    "event": "Product Viewed",
                    "channel": "web",
                    "timestamp": "2026-01-01T00:01:00Z",
                    "messageId": "2",
                },
                {"type": "track", "event": "orphan", "messageId": "3"},
            ]
        )
        + "\n"
    )
    report = json.loads(run("events", "import", str(events), "--db", str(db_path), "--json"))
    assert (report["accepted"], report["rejected"]) == (2, 1)
    page = json.loads(run("timeline", "show", "jan@example.de", "--db", str(db_path), "--json"))
    assert [i["messageId"] for i in page["items"]] == ["1", "2"]
    web = json.loads(
        run("timeline", "show", "C1", "--channel", "web", "--db", str(db_path), "--json")
    )
    assert [i["messageId"] for i in web["items"]] == ["2"]
    quarantined = json.loads(run("quarantine", "list", "--db", str(db_path), "--json"))
    assert quarantined[0]["reason_code"] == "missing_id"
    fix = tmp_path / "fix.jsonl"
    fix.write_text(
        json.dumps(
            {
                "id": quarantined[0]["id"],
                "payload": {"type": "track", "userId": "C1", "event": "orphan", "messageId": "3"},
            }
        )
        + "\n"
    )
    replay = json.loads(
        run("quarantine", "replay", "--fix", str(fix), "--db", str(db_path), "--json")
    )
    assert replay["replayed"] == 1
    assert json.loads(run("quarantine", "list", "--db", str(db_path), "--json")) == []


def test_db_path_comes_from_the_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.duckdb"
    run("keys", "create", "--json", env={"JOURNEYHUB_DB": str(db)})
    assert db.exists()


def test_default_database_is_a_file_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JOURNEYHUB_DB", raising=False)
    run("store", "stats", "--json")
    assert (tmp_path / "journeyhub.duckdb").exists()


def test_records_import(db_path: Path, tmp_path: Path) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text("KundenNr,Vorname,Nachname\nK-1,Jürgen,Weiß\n")
    out = json.loads(
        run("records", "import", str(crm), "--source", "crm", "--db", str(db_path), "--json")
    )
    assert out["inserted"] == 1


def test_errors_are_clear_and_exit_2(db_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["events", "import", str(tmp_path / "nope.csv"), "--db", str(db_path)]
    )
    assert result.exit_code == 2
    assert "no such file" in result.output
    bad_map = runner.invoke(
        app, ["events", "import", str(tmp_path / "x.csv"), "--map", "userId", "--db", str(db_path)]
    )
    assert bad_map.exit_code == 2
    assert "expected FIELD=COLUMN" in bad_map.output


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["events"],
        ["events", "import"],
        ["records", "import"],
        ["timeline", "show"],
        ["quarantine", "list"],
        ["quarantine", "replay"],
        ["keys", "create"],
        ["serve"],
        ["demo", "generate"],
        ["demo", "load"],
        ["demo", "run"],
        ["store", "optimize"],
    ],
)
def test_every_command_has_help_that_mentions_db(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    text = result.output
    if (command and command[-1] not in ("events",) and len(command) > 1) or command == ["serve"]:
        assert "--db" in text or command[-1] == "generate"
    assert len(text.splitlines()) > 3


def test_account_timeline_and_optimize(db_path: Path) -> None:
    with Hub(db_path) as hub:
        hub.ingest(
            [
                {"type": "group", "userId": "buyer", "groupId": "ACC-9", "messageId": "g"},
                {"type": "track", "userId": "buyer", "event": "Quote Requested", "messageId": "q"},
                {"type": "track", "userId": "other", "event": "Quote Requested", "messageId": "o"},
            ]
        )
    page = json.loads(run("timeline", "show", "ACC-9", "--account", "--db", str(db_path), "--json"))
    assert sorted(i["messageId"] for i in page["items"]) == ["g", "q"]
    assert "clustered 3 events" in run("store", "optimize", "--db", str(db_path))
    with Hub(db_path) as hub:
        keys = [r[0] for r in hub.db.cursor().execute("SELECT person_key FROM events").fetchall()]
        assert keys == sorted(keys), "events are stored in person order after optimize"
        assert hub.db.scalar("SELECT value FROM meta WHERE key = 'unclustered_events'") == "0"
