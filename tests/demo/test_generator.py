"""The demo company: deterministic, dirty in the ways real systems are, with ground truth."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb

from journeyhub import Hub
from journeyhub.demo.generator import generate
from journeyhub.demo.loader import load_demo


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*.csv")):
        h.update(path.read_bytes())
    table = duckdb.sql(f"SELECT * FROM '{folder}/events.parquet' ORDER BY messageId")
    h.update(str(table.fetchall()).encode())
    return h.hexdigest()


def test_same_seed_same_company_other_seed_other_company(tmp_path: Path) -> None:
    generate(150, 3, tmp_path / "a")
    generate(150, 3, tmp_path / "b")
    generate(150, 4, tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_ground_truth_names_every_source_record(demo_dir: Path) -> None:
    truth = {
        (r["source"], r["source_record_id"]) for r in read_csv(demo_dir / "truth" / "identity.csv")
    }
    for system, id_col in [
        ("crm", "KundenNr"),
        ("webshop", "customer_id"),
        ("support", "contact_id"),
        ("pos", "loyalty_card"),
        ("newsletter", "subscriber_id"),
        ("crm_accounts", "AccountNr"),
    ]:
        rows = read_csv(demo_dir / "records" / f"{system}.csv")
        assert rows, system
        assert {(system, r[id_col]) for r in rows} <= truth


def test_records_carry_real_world_dirt(demo_dir: Path) -> None:
    crm = read_csv(demo_dir / "records" / "crm.csv")
    names = {r["Nachname"] for r in crm}
    assert any(n for n in names if "ue" in n or "oe" in n or "ae" in n), "transliterations"
    assert any("str." in r["Strasse"] for r in crm), "street abbreviations"
    assert any(not r["EMail"] for r in crm), "missing fields"
    phones = {r["Telefon"] for r in crm if r["Telefon"]}
    assert any(p.startswith("+") for p in phones) and any(p.startswith("0") for p in phones)
    truth = read_csv(demo_dir / "truth" / "identity.csv")
    per_person: dict[str, int] = {}
    for row in truth:
        if row["person_id"]:
            per_person[row["person_id"]] = per_person.get(row["person_id"], 0) + 1
    assert max(per_person.values()) >= 3, "people appear in several systems"


def test_events_cover_channels_phases_and_friction(demo_dir: Path) -> None:
    con = duckdb.connect()
    events = dict(
        con.execute(
            f"SELECT event, count(*) FROM '{demo_dir}/events.parquet' GROUP BY 1"
        ).fetchall()
    )
    channels = {
        r[0]
        for r in con.execute(f"SELECT DISTINCT channel FROM '{demo_dir}/events.parquet'").fetchall()
    }
    assert {"web", "app", "email", "sms", "phone", "chat", "store", "social"} <= channels
    for name in (
        "Order Completed",
        "Cart Abandoned",
        "Support Contacted",
        "Return Requested",
        "Survey Answered",
        "Review Submitted",
        "Quote Requested",
        "Form Submitted",
    ):
        assert events.get(name, 0) > 0, name
    surveys = con.execute(
        f"SELECT DISTINCT properties->>'survey', properties->>'language' "
        f"FROM '{demo_dir}/events.parquet' WHERE event = 'Survey Answered'"
    ).fetchall()
    assert {s for s, _ in surveys} == {"nps", "csat", "ces"}
    assert {lang for _, lang in surveys} == {"de", "en"}


def test_demo_loads_and_stitches_web_and_app_devices(demo_dir: Path, tmp_path: Path) -> None:
    with Hub(tmp_path / "demo.duckdb") as hub:
        result = load_demo(hub, demo_dir)
        assert result["events"]["rejected"] == 0
        assert set(result["records"]) == {
            "crm",
            "webshop",
            "support",
            "pos",
            "newsletter",
            "crm_accounts",
        }
        person = hub.db.scalar(
            "SELECT profile_id FROM identity_nodes WHERE kind = 'anonymous' "
            "GROUP BY profile_id HAVING count(*) >= 2 LIMIT 1"
        )
        assert person is not None
        page = hub.timeline(f"profile:{person}", limit=1000)
        assert {"web", "app"} <= {i["channel"] for i in page.items}


def test_jsonl_output_imports_like_parquet(tmp_path: Path) -> None:
    generate(40, 9, tmp_path / "j", fmt="jsonl")
    generate(40, 9, tmp_path / "p")
    with Hub(tmp_path / "j.duckdb") as a, Hub(tmp_path / "p.duckdb") as b:
        ra = a.import_events(tmp_path / "j" / "events.jsonl")
        rb = b.import_events(tmp_path / "p" / "events.parquet")
        assert ra.accepted == rb.accepted > 0
        assert ra.rejected == rb.rejected == 0
