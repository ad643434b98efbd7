"""What training leaves unknown must not count as evidence for a match."""

from __future__ import annotations

import math

from journeyhub.identity.matching.engine import M_FLOOR, U_FLOOR, floor_probabilities


def _level(name: str, m: float | None, u: float | None, null: bool = False) -> dict:
    return {"sql_condition": name, "m_probability": m, "u_probability": u, "is_null_level": null}


def _weights(levels: list[dict]) -> dict[str, float]:
    model = floor_probabilities({"comparisons": [{"comparison_levels": levels}]})
    return {
        level["sql_condition"]: math.log2(level["m_probability"] / level["u_probability"])
        for level in model["comparisons"][0]["comparison_levels"]
        if not level["is_null_level"]
    }


def test_a_field_training_never_saw_weighs_nothing_either_way():
    weights = _weights([_level("null", None, None, null=True), _level("exact", None, None),
                        _level("ELSE", None, None)])  # fmt: skip
    assert weights == {"exact": 0.0, "ELSE": 0.0}


def test_a_level_seen_on_one_side_only_gets_a_small_floor_not_a_veto():
    weights = _weights([_level("exact", 0.9, None), _level("near", None, 0.05),
                        _level("ELSE", 0.1, 0.999)])  # fmt: skip
    assert weights["exact"] == math.log2(0.9 / U_FLOOR)
    assert weights["near"] == math.log2(M_FLOOR / 0.05) < 0
    assert weights["ELSE"] < 0
