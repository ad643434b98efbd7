"""Applied surveys, versioned: apply (file, template name or YAML text), list, get."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeyhub.config import ConfigError
from journeyhub.feedback.model import Survey, parse_survey
from journeyhub.store import Database
from journeyhub.store.versions import save_version

TEMPLATES = Path(__file__).parent / "templates"


class SurveyNotFound(LookupError):
    """No survey of that id has been applied."""


def templates() -> list[str]:
    """The survey templates that ship with journeyhub."""
    return sorted(t.stem for t in TEMPLATES.glob("*.yaml"))


def read_survey_file(path: str | Path) -> tuple[Survey, str]:
    """A survey file, or a shipped template by name (``post_purchase``), validated."""
    p = Path(path)
    if not p.exists() and (TEMPLATES / f"{path}.yaml").exists():
        p = TEMPLATES / f"{path}.yaml"
    if not p.exists():
        raise ConfigError(f"{p}: no such file (shipped templates: {', '.join(templates())})")
    text = p.read_text(encoding="utf-8")
    return parse_survey(text, str(path)), text


def apply_survey(db: Database, survey: Survey, text: str) -> dict[str, Any]:
    """Make ``survey`` the newest version of its id (applying it unchanged is a no-op)."""
    with db.transaction() as cur:
        version, changed = save_version(cur, "surveys", survey.id, survey.model_dump_json(), text)
        if changed:
            cur.executemany(
                "INSERT INTO survey_questions VALUES (?, ?, ?, ?, ?)",
                [[survey.id, version, q.id, q.type, i] for i, q in enumerate(survey.questions)],
            )
    return {"survey": survey.id, "version": version, "changed": changed}


def list_surveys(db: Database) -> list[dict[str, Any]]:
    """Every applied survey's newest version, with invitations and responses so far."""
    return db.query(
        """SELECT s.name AS survey, max(s.version) AS version, max(s.applied_at) AS applied_at,
                  (SELECT count(*) FROM survey_invitations i
                   WHERE i.survey_id = s.name AND i.status <> 'skipped') AS invited,
                  (SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.name)
                      AS responses
           FROM surveys s GROUP BY s.name ORDER BY s.name"""
    )


def get_survey(db: Database, survey_id: str, version: int | None = None) -> tuple[Survey, int]:
    """An applied survey and its version (newest unless ``version``)."""
    query, params = "SELECT model, version FROM surveys WHERE name = ?", [survey_id]
    if version is not None:
        query += " AND version = ?"
        params.append(version)  # type: ignore[arg-type]
    rows = db.query(query + " ORDER BY version DESC LIMIT 1", params)
    if not rows:
        applied = [r["survey"] for r in list_surveys(db)]
        raise SurveyNotFound(
            f"survey {survey_id!r} has not been applied (applied: {', '.join(applied) or 'none'};"
            f" templates: {', '.join(templates())})"
        )
    return Survey.model_validate_json(rows[0]["model"]), int(rows[0]["version"])


def all_surveys(db: Database) -> list[tuple[Survey, int]]:
    """The newest version of every applied survey."""
    return [get_survey(db, r["survey"]) for r in list_surveys(db)]
