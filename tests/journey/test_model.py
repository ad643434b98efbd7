"""The journey model as code: validation errors that point at the spot, versions, diffs."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyhub import Hub
from journeyhub.config import ConfigError
from journeyhub.journey.model import parse_duration, parse_journey
from journeyhub.journey.store import TEMPLATES, diff_journeys, read_journey
from tests.journey.helpers import MINI_JOURNEY


def test_the_shipped_templates_are_valid_and_complete():
    retail, b2b = read_journey("retail"), read_journey("b2b")
    assert retail.phase_ids() == [
        "awareness", "consideration", "conversion", "retention", "advocacy",
    ]  # fmt: skip
    assert b2b.phase_ids() == ["awareness", "consideration", "decision", "purchase", "retention"]
    for journey in (retail, b2b):
        assert journey.personas and journey.goals and journey.milestones
        assert all(tp.name.de and tp.name.en for tp in journey.touchpoints)
    assert {p.stem for p in TEMPLATES.glob("*.yaml")} == {"retail", "b2b"}


def test_an_unknown_phase_names_the_file_the_key_path_the_line_and_the_choices():
    cart = "phase: conversion, stage: purchase,\n     events: [{event: Added}]"
    text = MINI_JOURNEY.replace(cart, cart.replace("conversion", "purchase"))
    with pytest.raises(ConfigError) as err:
        parse_journey(text, "mini.yaml")
    assert str(err.value) == (
        "mini.yaml: touchpoints.1.phase (line 10): 'purchase' is not a phase of this journey "
        "(expected one of: awareness, conversion, retention)"
    )


def test_type_errors_and_typos_are_reported_each_with_its_line():
    text = MINI_JOURNEY.replace("stage: pre-purchase", "stage: before").replace(
        "milestones: [view, cart, order]", "milestones: [view, cart, order]\nmilstones: []"
    )
    with pytest.raises(ConfigError) as err:
        parse_journey(text, "mini.yaml")
    lines = str(err.value).splitlines()
    assert lines[0].startswith("mini.yaml: touchpoints.0.stage (line 8): Input should be")
    assert lines[1] == "mini.yaml: milstones (line 24): Extra inputs are not permitted"


def test_references_to_missing_touchpoints_and_personas_are_errors():
    text = MINI_JOURNEY.replace("milestones: [view, cart, order]", "milestones: [view, basket]")
    text += (
        "goals:\n  - {id: g, name: {de: Z, en: G}, metric: nps, target: 30, "
        "deadline: 2027-01-01, persona: vip}\n"
    )
    with pytest.raises(ConfigError) as err:
        parse_journey(text, "mini.yaml")
    assert "milestones.1 (line 23): 'basket' is not a touchpoint" in str(err.value)
    assert "goals.0.persona (line 29): 'vip' is not a persona of this journey (none defined)" in (
        str(err.value)
    )


def test_not_yaml_and_not_a_mapping_are_clear_errors():
    with pytest.raises(ConfigError, match=r"^x.yaml: not valid YAML"):
        parse_journey("phases: [", "x.yaml")
    with pytest.raises(ConfigError, match=r"^x.yaml: expected a mapping at the top, got list"):
        parse_journey("- a\n- b\n", "x.yaml")


def test_durations_read_the_short_forms():
    assert parse_duration("30d").total_seconds() == 30 * 86400
    assert parse_duration("5m").total_seconds() == 300
    assert parse_duration(90).total_seconds() == 90
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


def test_apply_versions_the_journey_and_is_idempotent(hub: Hub, tmp_path: Path):
    path = tmp_path / "mini.yaml"
    path.write_text(MINI_JOURNEY)
    assert hub.apply_journey(path)["version"] == 1
    assert hub.apply_journey(path) == {
        "journey": "mini", "version": 1, "changed": False, "mapped": None,
    }  # fmt: skip
    path.write_text(MINI_JOURNEY.replace("milestones: [view, cart, order]", "milestones: [view]"))
    assert hub.apply_journey(path)["version"] == 2
    assert hub.journey("mini").milestones == ["view"]
    assert hub.journey("mini", version=1).milestones == ["view", "cart", "order"]


def test_diff_lists_added_removed_and_changed_parts():
    old = parse_journey(MINI_JOURNEY, "old")
    new_text = MINI_JOURNEY.replace("response_time: 5m", "response_time: 2m")
    new_text = new_text.replace("milestones: [view, cart, order]", "milestones: [view, order]")
    changes = diff_journeys(old, parse_journey(new_text, "new"))
    assert {"section": "touchpoints", "id": "ticket", "change": "changed",
            "fields": ["expectations"]} in changes  # fmt: skip
    assert any(c["section"] == "milestones" and c["to"] == ["view", "order"] for c in changes)
