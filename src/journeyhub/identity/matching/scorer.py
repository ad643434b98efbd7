"""Score one record against candidates with a trained model, without Splink's batch machinery.

The comparison levels are the SQL conditions Splink saved with the model, so a pair scores
the same here as in batch prediction: match weight = prior log-odds + the sum of
log2(m/u) of each comparison's level, null levels counting zero.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa

from journeyhub.identity.matching.model import MODEL_COLUMNS


def _case(comparison: dict[str, Any]) -> str:
    branches = " ".join(
        f"ELSE {i}" if level["sql_condition"].strip().upper() == "ELSE"
        else f"WHEN {level['sql_condition']} THEN {i}"
        for i, level in enumerate(comparison["comparison_levels"])
    )  # fmt: skip
    return f"CASE {branches} END"


def _weights(comparison: dict[str, Any]) -> list[float]:
    out = []
    for level in comparison["comparison_levels"]:
        if level.get("is_null_level"):
            out.append(0.0)
        else:
            out.append(math.log2(level["m_probability"] / level["u_probability"]))
    return out


def score_candidates(cur: Any, record: dict[str, Any], candidates: pa.Table, model: dict) -> dict:
    """``{candidate uid: match probability}`` of ``record`` against each candidate row."""
    if candidates.num_rows == 0:
        return {}
    prior = model["probability_two_random_records_match"]
    base = math.log2(prior / (1 - prior))
    comparisons = model["comparisons"]
    left = pa.Table.from_pylist([{c: record.get(c) for c in MODEL_COLUMNS}],
                                schema=candidates.select(list(MODEL_COLUMNS)).schema)  # fmt: skip
    cur.register("_score_l", left)
    cur.register("_score_r", candidates)
    renamed = ", ".join(f'l.{c} AS "{c}_l", r.{c} AS "{c}_r"' for c in MODEL_COLUMNS if c != "uid")
    cases = ", ".join(_case(c) for c in comparisons)
    try:
        rows = cur.execute(
            f"SELECT uid_r, {cases} FROM (SELECT r.uid AS uid_r, {renamed} "
            "FROM _score_l l CROSS JOIN _score_r r)"
        ).fetchall()
    finally:
        cur.unregister("_score_l")
        cur.unregister("_score_r")
    weights = [_weights(c) for c in comparisons]
    scores = {}
    for uid, *levels in rows:
        w = base + sum(weights[i][lv] for i, lv in enumerate(levels))
        scores[uid] = 1.0 / (1.0 + 2.0 ** (-w))
    return scores
