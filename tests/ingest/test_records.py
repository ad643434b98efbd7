"""Importing source-system customer records."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyhub import Hub
from journeyhub.ingest.files import FileImportError


def test_records_are_kept_per_source_and_reimport_only_updates_changes(
    hub: Hub, tmp_path: Path
) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("KundenNr,Vorname,Nachname\nK-1,Anna,Müller\nK-2,Hans,Schmidt\n")
    first = hub.import_records("crm", path)
    assert (first.inserted, first.updated, first.rejected) == (2, 0, 0)
    path.write_text("KundenNr,Vorname,Nachname\nK-1,Anna,Mueller\nK-2,Hans,Schmidt\n")
    second = hub.import_records("crm", path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 1)
    record = hub.db.scalar(
        "SELECT record->>'Nachname' FROM source_records WHERE source='crm' AND record_id='K-1'"
    )
    assert record == "Mueller"


def test_duplicate_and_missing_ids_are_quarantined_not_lost(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "pos.csv"
    path.write_text('loyalty_card,name\nL1,"Müller, Anna"\nL1,"Muller, Anna"\n,Nobody\n')
    report = hub.import_records("pos", path)
    assert (report.inserted, report.rejected) == (1, 2)
    reasons = sorted(q["reason"] for q in hub.quarantine())
    assert "already appeared in row 1" in reasons[1] or "already appeared in row 1" in reasons[0]
    assert any("is empty" in r for r in reasons)


def test_unknown_id_column_is_a_clear_error(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(FileImportError, match="name it with --id-column"):
        hub.import_records("x", path)
    with pytest.raises(FileImportError, match="'zz' is not a column"):
        hub.import_records("x", path, id_column="zz")


def test_jsonl_and_parquet_records(hub: Hub, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    jsonl = tmp_path / "support.jsonl"
    jsonl.write_text('{"contact_id": "S-1", "full_name": "Anna Müller"}\n{broken\n')
    report = hub.import_records("support", jsonl)
    assert (report.inserted, report.rejected) == (1, 1)
    parquet = tmp_path / "pos.parquet"
    pq.write_table(pa.table({"loyalty_card": ["L1", "L2"], "name": ["A", "B"]}), parquet)
    assert hub.import_records("pos", parquet).inserted == 2
    assert hub.db.scalar("SELECT count(*) FROM source_records") == 3


def test_a_file_in_another_encoding_is_refused_whole_then_imported_with_its_encoding(
    hub: Hub, tmp_path: Path
) -> None:
    path = tmp_path / "crm.csv"
    path.write_bytes(
        "KundenNr,Vorname,Nachname\nK-1,Jürgen,Weiß\nK-2,Anna,Müller\n".encode("cp1252")
    )
    with pytest.raises(
        FileImportError, match=r"not UTF-8.*--encoding cp1252.*Nothing was imported"
    ):
        hub.import_records("crm", path)
    assert hub.db.scalar("SELECT count(*) FROM source_records") == 0
    assert hub.import_records("crm", path, encoding="cp1252").inserted == 2
    name = hub.db.scalar("SELECT record->>'Nachname' FROM source_records WHERE record_id = 'K-1'")
    assert name == "Weiß"
    with pytest.raises(FileImportError, match="unknown encoding 'klingon'"):
        hub.import_records("crm", path, encoding="klingon")


def test_one_stray_byte_is_quarantined_with_its_line_and_the_rest_imported(
    hub: Hub, tmp_path: Path
) -> None:
    path = tmp_path / "crm.csv"
    good = "".join(f"K-{i},Anna,Müller\n" for i in range(1, 6))
    path.write_bytes(b"KundenNr,Vorname,Nachname\n" + good.encode() + b"K-9,J\xfcrgen,Wei\xdf\n")
    report = hub.import_records("crm", path)
    assert (report.inserted, report.rejected) == (5, 1)
    (kept,) = hub.quarantine()
    assert kept["reason_code"] == "invalid_encoding" and kept["reason"].startswith("line 7")
