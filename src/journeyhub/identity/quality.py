"""Data-quality report per source and field: completeness, validity, standardisation, duplicates.

For each field a source maps, over that source's records:

- ``completeness``: share of records where the source has a value at all;
- ``validity``: share of those values that standardisation could read (a parseable phone, a
  well-formed email, a date, a postcode of the right shape…);
- ``standardised``: share of the readable values that standardisation had to change (case,
  spelling, format) — how much cleaning the source needs;

and per source the ``duplicate_rate``: share of its records that belong to a golden record
holding another record of the same source (the source's own duplicates).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from journeyhub.identity.sources import get_source
from journeyhub.identity.standardize.reference import POSTCODE_PATTERNS
from journeyhub.store import Database
from journeyhub.store.sql import quote_literal

# The standardised column that holds what a mapped field became (same name unless listed).
STANDARD_COLUMN = {"full_name": "nullif(concat_ws(' ', s.given_name, s.family_name), '')"}


# Fields kept as given even when malformed, with the test a readable value must pass.
VALIDITY_SQL = {
    "postcode": "CASE s.country "
    + " ".join(
        f"WHEN {quote_literal(c)} THEN regexp_full_match(s.postcode, {quote_literal(p[1:-1])})"
        for c, p in POSTCODE_PATTERNS.items()
    )
    + " ELSE true END",
}


@dataclass
class FieldQuality:
    """Quality of one mapped field of one source."""

    source: str
    field: str
    records: int
    filled: int
    valid: int
    changed: int

    @property
    def completeness(self) -> float:
        return _share(self.filled, self.records)

    @property
    def validity(self) -> float:
        return _share(self.valid, self.filled)

    @property
    def standardised(self) -> float:
        return _share(self.changed, self.valid)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "completeness": self.completeness, "validity": self.validity,
                "standardised": self.standardised}  # fmt: skip


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _raw_value_sql(columns: list[str]) -> str:
    """The record's first non-empty value among ``columns`` (JSON text, trimmed)."""
    parts = [f"nullif(trim(r.record->>{quote_literal(c)}), '')" for c in columns]
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def field_quality(db: Database, source: str) -> list[FieldQuality]:
    """Completeness, validity and standardisation of every field ``source`` maps."""
    mapping = get_source(db, source)
    selects = []
    for name, spec in mapping.fields.items():
        raw = _raw_value_sql(spec.columns)
        std = STANDARD_COLUMN.get(name, f"s.{name}")
        if name == "street" and "house_number" not in mapping.fields:
            std = "nullif(concat_ws(' ', s.street, s.house_number), '')"  # number in the street
        valid = f"{std} IS NOT NULL AND coalesce({VALIDITY_SQL.get(name, 'true')}, false)"
        selects.append(
            f'count({raw}) AS "{name}:filled", '
            f'count({raw}) FILTER (WHERE {valid}) AS "{name}:valid", '
            f'count({raw}) FILTER (WHERE {valid} AND {std}::VARCHAR <> {raw}) AS "{name}:changed"'
        )
    if not selects:
        return []
    row = db.query(
        f"""SELECT count(*) AS records, {", ".join(selects)}
            FROM source_records r JOIN std_records s
              ON s.uid = r.source || '/' || r.record_id
            WHERE r.source = ?""",
        [source],
    )[0]
    return [
        FieldQuality(
            source,
            name,
            row["records"],
            row[f"{name}:filled"],
            row[f"{name}:valid"],
            row[f"{name}:changed"],
        )
        for name in mapping.fields
    ]


def source_summary(db: Database) -> list[dict[str, Any]]:
    """Per source: records, golden records they make, and the share that are duplicates."""
    rows = db.query(
        """WITH per AS (
               SELECT s.source, m.golden_id, count(*) AS n
               FROM std_records s LEFT JOIN golden_members m USING (uid)
               GROUP BY ALL)
           SELECT source, sum(n)::BIGINT AS records,
                  count(golden_id) AS golden_records,
                  coalesce(sum(n) FILTER (WHERE golden_id IS NOT NULL AND n > 1), 0)::BIGINT
                      AS duplicated
           FROM per GROUP BY source ORDER BY source"""
    )
    return [{**r, "duplicate_rate": _share(r["duplicated"], r["records"])} for r in rows]


def quality_report(db: Database, source: str | None = None) -> dict[str, Any]:
    """The whole report (plain data): per-source summary and per-field quality."""
    names = [source] if source else [r["name"] for r in db.query(
        "SELECT name FROM sources ORDER BY name")]  # fmt: skip
    fields = [q.as_dict() for name in names for q in field_quality(db, name)]
    summary = [s for s in source_summary(db) if s["source"] in names]
    return {"sources": summary, "fields": fields}


def write_html(report: dict[str, Any], out: str | Path) -> Path:
    """A standalone HTML page (charts included, works offline) of a quality report."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    sources = sorted({f["source"] for f in report["fields"]})
    fields = sorted({f["field"] for f in report["fields"]})
    cells = {(f["source"], f["field"]): f for f in report["fields"]}
    figure = make_subplots(
        rows=3, cols=1, vertical_spacing=0.08,
        subplot_titles=("Completeness (share of records with a value)",
                        "Validity (share of values standardisation could read)",
                        "Duplicate rate per source"),
    )  # fmt: skip
    for row, metric in ((1, "completeness"), (2, "validity")):
        z = [[cells[(s, f)][metric] if (s, f) in cells else None for f in fields] for s in sources]
        figure.add_trace(
            go.Heatmap(z=z, x=fields, y=sources, zmin=0, zmax=1, colorscale="RdYlGn",
                       showscale=row == 1, texttemplate="%{z:.0%}", hoverongaps=False),
            row=row, col=1,
        )  # fmt: skip
    figure.add_trace(
        go.Bar(x=[s["source"] for s in report["sources"]],
               y=[s["duplicate_rate"] for s in report["sources"]],
               text=[f"{s['duplicate_rate']:.1%}" for s in report["sources"]]),
        row=3, col=1,
    )  # fmt: skip
    figure.update_layout(title="journeyhub — data quality per source and field", height=1100)
    out = Path(out)
    figure.write_html(out, include_plotlyjs=True, full_html=True)
    return out
