"""Fellegi-Sunter training and batch prediction with Splink, on DuckDB or Spark.

Splink works on its own in-memory DuckDB (or Spark session) over the model columns of the
standardised records, so its intermediate tables never touch the store. What comes back is
the trained model (a JSON-able dict) or the scored candidate pairs as an Arrow table.
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, block_on

from journeyhub.identity.matching.model import (
    DETERMINISTIC_RECALL,
    DETERMINISTIC_RULES,
    TRAINING_BLOCKS,
    person_settings,
)

U_SAMPLE_PAIRS = 200_000
EM_MAX_PAIRS = 20_000_000
EM_MIN_PAIRS = 50
M_FLOOR = 0.01
U_FLOOR = 1e-6
ENGINES = ("duckdb", "spark")


class MatchingError(RuntimeError):
    """Matching cannot run on this data (too little of it, or no trained model)."""


def _duckdb_linker(records: pa.Table, settings: Any) -> tuple[Linker, duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.register("_records_arrow", records)
    con.execute("CREATE TABLE records AS SELECT * FROM _records_arrow")
    con.unregister("_records_arrow")
    api = DuckDBAPI(connection=con)
    return Linker(api.register("records"), settings, log_level=logging.ERROR), con


def _pairs_in_block(con: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> int:
    keys = ", ".join(columns)
    filled = " AND ".join(f"{c} IS NOT NULL" for c in columns)
    return int(
        con.execute(
            f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM "
            f"(SELECT count(*) n FROM records WHERE {filled} GROUP BY {keys})"
        ).fetchall()[0][0]
    )


def train(records: pa.Table) -> dict[str, Any]:
    """Train the person model on standardised records; returns Splink's model dict.

    u from random pairs, the prior from sure deterministic rules, m by expectation
    maximisation in as many blocked sessions as it takes to estimate every comparison.
    """
    if records.num_rows < 2:
        raise MatchingError("need at least two person records to train a matching model")
    linker, con = _duckdb_linker(records, person_settings())
    try:
        linker.training.estimate_probability_two_random_records_match(
            [block_on(*rule) for rule in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
        )
        linker.training.estimate_u_using_random_sampling(
            max_pairs=U_SAMPLE_PAIRS, seed=7, min_count_per_level=None, num_chunks=1
        )
        for block in TRAINING_BLOCKS:
            if EM_MIN_PAIRS <= _pairs_in_block(con, block) <= EM_MAX_PAIRS:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*block), estimate_without_term_frequencies=True
                )
        return floor_probabilities(linker.misc.save_model_to_json())
    finally:
        con.close()


def floor_probabilities(model: dict[str, Any]) -> dict[str, Any]:
    """Give levels never seen in training a small m and u instead of none (or zero).

    A zero m would make one disagreeing field veto any match, and a level the training
    data never showed says nothing about the data to come. A level with neither estimate
    (a field the training data never held, e.g. no national ids at all) weighs nothing:
    two floors would make even its "all other comparisons" level count for a match.
    """
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            if not level.get("m_probability") and not level.get("u_probability"):
                level["m_probability"] = level["u_probability"] = 1.0
            if not level.get("m_probability"):
                level["m_probability"] = M_FLOOR
            if not level.get("u_probability"):
                level["u_probability"] = U_FLOOR
    return model


def predict(records: pa.Table, model: dict[str, Any], threshold: float) -> pa.Table:
    """Scored pairs ``(uid_l, uid_r, match_weight, match_probability)`` at or over ``threshold``.

    ``uid_l < uid_r`` in every pair, whichever blocking rule found it.
    """
    if records.num_rows < 2:
        return pa.table({"uid_l": [], "uid_r": [], "match_weight": [], "match_probability": []})
    linker, con = _duckdb_linker(records, model)
    try:
        scored = linker.inference.predict(threshold_match_probability=threshold)
        return con.sql(
            f"""SELECT least(uid_l, uid_r) AS uid_l, greatest(uid_l, uid_r) AS uid_r,
                       match_weight, match_probability
                FROM {scored.physical_name}"""
        ).to_arrow_table()
    finally:
        con.close()
