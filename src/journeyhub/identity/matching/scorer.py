"""Score one record against candidates with a trained model, without Splink's batch machinery.

The comparison levels are the SQL conditions Splink saved with the model, so a pair scores
the same here as in batch prediction: match weight = prior log-odds + the sum of
log2(m/u) of each comparison's level, null levels counting zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

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


def pair_columns_sql(left: str = "l", right: str = "r") -> str:
    """The model columns of two aliased records, named as Splink's conditions expect them
    (``given_key_l``, ``given_key_r`` …)."""
    return ", ".join(
        f'{left}.{c} AS "{c}_l", {right}.{c} AS "{c}_r"' for c in MODEL_COLUMNS if c != "uid"
    )


def levels_sql(model: dict[str, Any]) -> str:
    """One column per comparison: the number of the level a pair falls in, over the columns
    of :func:`pair_columns_sql`."""
    return ", ".join(f"{_case(c)} AS level_{i}" for i, c in enumerate(model["comparisons"]))


class Scorer:
    """Match probability of a pair from its comparison levels (see :func:`levels_sql`)."""

    def __init__(self, model: dict[str, Any]) -> None:
        prior = model["probability_two_random_records_match"]
        self._base = math.log2(prior / (1 - prior))
        self._weights = [_weights(c) for c in model["comparisons"]]

    def probability(self, levels: Sequence[int]) -> float:
        """``1 / (1 + 2^-w)`` of the summed match weight ``w``."""
        w = self._base + sum(self._weights[i][level] for i, level in enumerate(levels))
        return 1.0 / (1.0 + 2.0 ** (-w))
