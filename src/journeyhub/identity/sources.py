"""Source systems and their mapping (YAML) from own field names to the canonical model.

A mapping says which column holds which canonical field, how much each field of this source
is trusted (survivorship), how to read national phone numbers and which country an address is
in when the record does not say::

    kind: person              # or organisation
    id_column: KundenNr
    trust: 80                 # 0..100, higher wins
    country: DE               # default country of addresses and phone numbers
    updated_at: KundeSeit     # when the source last changed the record (for "most recent")
    fields:
      given_name: Vorname
      family_name: Nachname
      birth_date: {column: Geburtsdatum, format: "%d.%m.%Y"}
      email: [EMail, EMail2]  # several columns: the first filled one is the primary
    field_trust:
      email: 40
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

from journeyhub.config import ConfigError, load_yaml_model
from journeyhub.store import Database

PERSON_FIELDS = (
    "salutation", "title", "given_name", "family_name", "full_name", "birth_date", "birth_year",
    "email", "phone", "street", "house_number", "postcode", "city", "country",
    "customer_number", "national_id", "organisation_name", "language", "email_opt_in",
)  # fmt: skip
ORGANISATION_FIELDS = (
    "organisation_name", "legal_form", "organisation_type", "vat_id", "email", "phone",
    "street", "house_number", "postcode", "city", "country", "customer_number",
)  # fmt: skip
MULTI_VALUED = frozenset({"email", "phone"})
SOURCES_MEMO = "sources"


class SourceError(ConfigError):
    """A source or its mapping is not usable; the message names the file and the key."""


class FieldSource(BaseModel):
    """Where one canonical field comes from."""

    model_config = ConfigDict(extra="forbid")
    columns: list[str]
    format: str | None = None


class SourceMapping(BaseModel):
    """How one source system's records map to the canonical person or organisation."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["person", "organisation"] = "person"
    id_column: str
    trust: int = Field(50, ge=0, le=100)
    country: str | None = Field(None, min_length=2, max_length=2)
    updated_at: str | None = None
    encoding: str = "utf-8"
    # True when this source's record ids are the userIds its customers' events carry.
    event_user_ids: bool = False
    fields: dict[str, FieldSource]
    field_trust: dict[str, int] = Field(default_factory=dict)

    @field_validator("fields", mode="before")
    @classmethod
    def _columns_forms(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for name, spec in value.items():
            if isinstance(spec, str):
                spec = {"columns": [spec]}
            elif isinstance(spec, list):
                spec = {"columns": spec}
            elif isinstance(spec, dict) and "column" in spec:
                spec = {**spec, "columns": [spec["column"]]}
                del spec["column"]
            out[name] = spec
        return out

    def check_fields(self) -> None:
        """Raise when a field is not in the canonical model of this kind."""
        allowed = PERSON_FIELDS if self.kind == "person" else ORGANISATION_FIELDS
        for name in list(self.fields) + list(self.field_trust):
            if name not in allowed:
                raise SourceError(
                    f"fields.{name}: not a canonical {self.kind} field "
                    f"(expected one of: {', '.join(allowed)})"
                )
        for name, spec in self.fields.items():
            if len(spec.columns) > 1 and name not in MULTI_VALUED:
                raise SourceError(f"fields.{name}: only email and phone may list several columns")

    def trust_of(self, field: str) -> int:
        """Trust rank of one field of this source (field override, else the source's rank)."""
        return self.field_trust.get(field, self.trust)

    def columns(self) -> set[str]:
        """Every source column this mapping reads."""
        used = {self.id_column} | {c for f in self.fields.values() for c in f.columns}
        return used | ({self.updated_at} if self.updated_at else set())


def parse_mapping(text: str, origin: str) -> SourceMapping:
    """Validate a YAML mapping; errors name ``origin``, the key path and what was expected."""
    try:
        mapping, _ = load_yaml_model(text, origin, SourceMapping)
    except ConfigError as exc:
        raise SourceError(str(exc)) from exc
    try:
        mapping.check_fields()
    except SourceError as exc:
        raise SourceError(f"{origin}: {exc}") from exc
    return mapping


def add_source(db: Database, name: str, mapping_path: str | Path) -> SourceMapping:
    """Register (or update) a source with the mapping in ``mapping_path``."""
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise SourceError(f"source name {name!r} must be letters, digits, '-' or '_'")
    path = Path(mapping_path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    from journeyhub.identity.standardizing import delete_std_rows  # (it reads sources)

    mapping = parse_mapping(path.read_text(encoding="utf-8"), str(path))
    now = datetime.now(UTC)
    with db.transaction() as cur:
        # standardised rows follow the mapping: a changed mapping makes the next run redo them
        delete_std_rows(
            cur,
            "s.source = ? AND EXISTS (SELECT 1 FROM sources WHERE name = ? "
            "AND mapping::VARCHAR <> ?)",
            [name, name, mapping.model_dump_json()],
        )
        cur.execute(
            """INSERT INTO sources (name, kind, mapping, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (name) DO UPDATE SET kind = excluded.kind,
                   mapping = excluded.mapping, updated_at = excluded.updated_at""",
            [name, mapping.kind, mapping.model_dump_json(), now, now],
        )
    db.forget(SOURCES_MEMO)
    return mapping


@functools.lru_cache(maxsize=256)
def _parsed(mapping_json: str) -> SourceMapping:
    """A stored mapping, validated once per distinct text (real-time paths read it often)."""
    return SourceMapping.model_validate(orjson.loads(mapping_json))


def get_source(db: Database, name: str) -> SourceMapping:
    """The mapping of a registered source."""
    mapping = get_sources(db).get(name)
    if mapping is None:
        raise SourceError(f"source {name!r} is not registered (journeyhub sources add {name} ...)")
    return mapping


def get_sources(db: Database) -> dict[str, SourceMapping]:
    """The mapping of every registered source, by name (read once per process and kept)."""
    return dict(db.memo(SOURCES_MEMO, lambda: {
        r["name"]: _parsed(r["mapping"]) for r in db.query("SELECT name, mapping FROM sources")
    }))  # fmt: skip


def list_sources(db: Database) -> list[dict[str, Any]]:
    """Registered sources with their kind, trust and record counts."""
    rows = db.query(
        """SELECT s.name, s.kind, s.mapping, s.updated_at,
                  (SELECT count(*) FROM source_records r WHERE r.source = s.name) AS records
           FROM sources s ORDER BY s.name"""
    )
    return [
        {
            "name": r["name"],
            "kind": r["kind"],
            "trust": orjson.loads(r["mapping"])["trust"],
            "records": int(r["records"]),
            "updated_at": r["updated_at"].isoformat(),
        }
        for r in rows
    ]
