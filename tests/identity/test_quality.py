"""The data-quality report: numbers checked against a file small enough to count by hand."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from journeyhub.cli.main import app
from journeyhub.identity.standardizing import standardize_all
from tests.identity.conftest import golden_of

MAPPING = """
id_column: id
country: DE
fields:
  given_name: vorname
  family_name: name
  email: mail
  phone: tel
  postcode: plz
"""
SHOP = """id,vorname,name,mail,tel,plz
1,anna,Müller,Anna@Example.de,030 1234567,10115
2,Anna,Müller,not-an-email,,10115
3,Hans,,,abc,8033
4,Petra,Schmidt,petra@example.de,+49 30 7654321,80331
"""


def test_completeness_validity_and_standardisation_per_field(hub, tmp_path: Path):
    (tmp_path / "shop.yaml").write_text(MAPPING)
    (tmp_path / "shop.csv").write_text(SHOP)
    hub.add_source("shop", tmp_path / "shop.yaml")
    hub.import_records("shop", tmp_path / "shop.csv")
    standardize_all(hub.db)
    fields = {f["field"]: f for f in hub.quality_report()["fields"]}
    counts = {name: (f["filled"], f["valid"], f["changed"]) for name, f in fields.items()}
    assert counts == {
        "given_name": (4, 4, 1),  # "anna" -> "Anna"
        "family_name": (3, 3, 0),
        "email": (3, 2, 1),  # "not-an-email" is not valid; "Anna@Example.de" lower-cased
        "phone": (3, 2, 2),  # "abc" is no phone; both others rewritten to E.164
        "postcode": (4, 3, 0),  # "8033" is no German postcode
    }
    assert fields["email"]["completeness"] == 0.75
    assert fields["email"]["validity"] == round(2 / 3, 4)
    assert fields["phone"]["standardised"] == 1.0


def test_duplicate_rate_is_the_share_of_a_sources_records_it_holds_twice(resolved_hub):
    report = resolved_hub.quality_report()
    members = golden_of(resolved_hub)
    per_golden = Counter((uid.split("/")[0], gid) for uid, gid in members.items())
    for row in report["sources"]:
        mine = [uid for uid in members if uid.startswith(row["source"] + "/")]
        twice = sum(1 for uid in mine if per_golden[(row["source"], members[uid])] > 1)
        assert (row["records"], row["duplicated"]) == (len(mine), twice)
    assert any(row["duplicated"] for row in report["sources"])


def test_cli_table_json_and_html_with_charts(resolved_hub, tmp_path: Path):
    db = str(resolved_hub.db.path)
    resolved_hub.close()
    html = tmp_path / "quality.html"
    runner = CliRunner()
    result = runner.invoke(app, ["quality", "report", "--db", db, "--json", "--html", str(html)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {s["source"] for s in report["sources"]} >= {"crm", "webshop", "pos"}
    page = html.read_text(encoding="utf-8")
    assert "Completeness" in page and "Duplicate rate per source" in page
    assert "<script src=" not in page and "Plotly.newPlot" in page  # charts work offline
    table = runner.invoke(app, ["quality", "report", "--db", db, "--source", "pos"])
    assert table.exit_code == 0 and "birth_year" in table.stdout and "crm" not in table.stdout
