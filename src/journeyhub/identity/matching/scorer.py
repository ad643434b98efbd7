"""Score one record against candidates with a trained model, without Splink's batch machinery.

The comparison levels are the SQL conditions Splink saved with the model (evaluated in
Python, see :mod:`~journeyhub.identity.matching.evaluate`), so a pair scores the same here as
in batch prediction: match weight = prior log-odds + the sum of log2(m/u) of each
comparison's level, null levels counting zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from journeyhub.identity.matching.evaluate import Compiled, Values, compile_condition


def _weights(comparison: dict[str, Any]) -> list[float]:
    out = []
    for level in comparison["comparison_levels"]:
        if level.get("is_null_level"):
            out.append(0.0)
        else:
            out.append(math.log2(level["m_probability"] / level["u_probability"]))
    return out


def _levels(comparison: dict[str, Any]) -> list[Compiled | None]:
    """Each level's condition, compiled (None for the ELSE level)."""
    return [
        None if level["sql_condition"].strip().upper() == "ELSE"
        else compile_condition(level["sql_condition"])
        for level in comparison["comparison_levels"]
    ]  # fmt: skip


class Scorer:
    """Match probability of a pair of records (``<column>_l`` / ``<column>_r`` values, see
    :func:`~journeyhub.identity.matching.evaluate.pair_values`)."""

    def __init__(self, model: dict[str, Any]) -> None:
        prior = model["probability_two_random_records_match"]
        self._base = math.log2(prior / (1 - prior))
        self._weights = [_weights(c) for c in model["comparisons"]]
        self._conditions = [_levels(c) for c in model["comparisons"]]

    def levels(self, pair: Values) -> list[int]:
        """The level the pair falls in, per comparison: the first whose condition holds."""
        return [
            next(i for i, holds in enumerate(levels) if holds is None or holds(pair) is True)
            for levels in self._conditions
        ]

    def score(self, pair: Values) -> float:
        """The pair's match probability."""
        return self.probability(self.levels(pair))

    def probability(self, levels: Sequence[int]) -> float:
        """``1 / (1 + 2^-w)`` of the summed match weight ``w``."""
        w = self._base + sum(self._weights[i][level] for i, level in enumerate(levels))
        return 1.0 / (1.0 + 2.0 ** (-w))
