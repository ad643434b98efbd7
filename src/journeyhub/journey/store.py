"""Applied journeys, versioned: apply, list, get, and what changed between two versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeyhub.config import ConfigError
from journeyhub.journey import mapping
from journeyhub.journey.model import Journey, parse_journey
from journeyhub.store import Database
from journeyhub.store.versions import save_version

TEMPLATES = Path(__file__).parent / "templates"


class JourneyNotFound(LookupError):
    """No journey of that name (or version) has been applied."""


def journey_path(path: str | Path) -> Path:
    """A journey file, or a shipped template by name (``retail``, ``b2b``)."""
    p = Path(path)
    if not p.exists() and (TEMPLATES / f"{path}.yaml").exists():
        p = TEMPLATES / f"{path}.yaml"
    if not p.exists():
        shipped = ", ".join(sorted(t.stem for t in TEMPLATES.glob("*.yaml")))
        raise ConfigError(f"{p}: no such file (shipped templates: {shipped})")
    return p


def read_journey(path: str | Path) -> Journey:
    """Parse and validate a journey file (or a shipped template by name, e.g. ``retail``)."""
    return parse_journey(journey_path(path).read_text(encoding="utf-8"), str(path))


def apply_journey(db: Database, path: str | Path) -> dict[str, Any]:
    """Validate ``path`` and make it the journey's newest version; events are re-mapped.

    Applying an unchanged file keeps the version (idempotent).
    """
    journey = read_journey(path)
    text = journey_path(path).read_text(encoding="utf-8")
    model_json = journey.model_dump_json()
    with db.transaction() as cur:
        version, changed = save_version(cur, "journeys", journey.name, model_json, text)
        mapping.refresh(cur)
        mapped = mapping.remap(cur, journey) if changed else None
    return {"journey": journey.name, "version": version, "changed": changed, "mapped": mapped}


def list_journeys(db: Database) -> list[dict[str, Any]]:
    """Every applied journey's newest version."""
    return db.query(
        """SELECT name, max(version) AS version, max(applied_at) AS applied_at,
                  (SELECT count(*) FROM journey_events e WHERE e.journey = j.name) AS mapped
           FROM journeys j GROUP BY name ORDER BY name"""
    )


def get_journey(db: Database, name: str | None = None, version: int | None = None) -> Journey:
    """An applied journey (newest version unless ``version``); with no name, the only one,
    else the one called ``retail``."""
    names = [r["name"] for r in list_journeys(db)]
    if name is None:
        if not names:
            raise JourneyNotFound("no journey applied yet (journeyhub journey apply FILE)")
        name = names[0] if len(names) == 1 else "retail" if "retail" in names else None
        if name is None:
            raise JourneyNotFound(f"several journeys applied ({', '.join(names)}): name one")
    query = "SELECT model FROM journeys WHERE name = ?"
    params: list[Any] = [name]
    if version is not None:
        query += " AND version = ?"
        params.append(version)
    rows = db.query(query + " ORDER BY version DESC LIMIT 1", params)
    if not rows:
        which = f"{name!r}" + (f" version {version}" if version is not None else "")
        raise JourneyNotFound(f"journey {which} has not been applied (applied: {names or 'none'})")
    return Journey.model_validate_json(rows[0]["model"])


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def diff_journeys(old: Journey, new: Journey) -> list[dict[str, Any]]:
    """What changed from ``old`` to ``new``: added, removed and changed phases, touchpoints,
    personas and goals (with the changed keys), and changed milestones/entry points."""
    changes: list[dict[str, Any]] = []
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    for section in ("phases", "touchpoints", "personas", "goals"):
        before, after = _by_id(a[section]), _by_id(b[section])
        for key in after.keys() - before.keys():
            changes.append({"section": section, "id": key, "change": "added"})
        for key in before.keys() - after.keys():
            changes.append({"section": section, "id": key, "change": "removed"})
        for key in before.keys() & after.keys():
            fields = sorted(f for f in after[key] if before[key].get(f) != after[key].get(f))
            if fields:
                changes.append(
                    {"section": section, "id": key, "change": "changed", "fields": fields}
                )
    for key in ("milestones", "entry_points", "churn", "conversion", "audience", "friction"):
        if a[key] != b[key]:
            changes.append(
                {"section": key, "id": None, "change": "changed", "from": a[key], "to": b[key]}
            )
    return sorted(changes, key=lambda c: (c["section"], str(c["id"])))
