"""Batch scoring on Apache Spark (local mode on a laptop, a cluster in production), over Parquet.

The model is trained once (on DuckDB) and saved; to score on Spark its comparison SQL is
generated again in Spark's dialect from the same declarations in ``model.py`` and the trained
m/u probabilities are carried over level by level, so both engines judge pairs with the same
model. Splink's similarity functions for Spark (jaro_winkler, damerau_levenshtein) come from
the jar shipped inside the Splink package: nothing is downloaded.
"""

from __future__ import annotations

import copy
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from journeyhub.identity.matching.model import person_settings

SPARK_MASTER_ENV = "JOURNEYHUB_SPARK_MASTER"
CARRIED = ("m_probability", "u_probability")


class SparkUnavailable(RuntimeError):
    """pyspark or Java is missing, so the Spark engine cannot start."""


def model_for_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The trained ``model`` with its SQL generated for ``dialect`` (probabilities kept)."""
    target = person_settings().create_settings_dict(dialect)
    for key, value in model.items():
        if key not in ("comparisons", "blocking_rules_to_generate_predictions", "sql_dialect"):
            target[key] = copy.deepcopy(value)
    for made, trained in zip(target["comparisons"], model["comparisons"], strict=True):
        if made["output_column_name"] != trained["output_column_name"]:
            raise ValueError(
                f"saved model compares {trained['output_column_name']!r} where the current "
                f"model compares {made['output_column_name']!r}: retrain (--retrain)"
            )
        levels = zip(made["comparison_levels"], trained["comparison_levels"], strict=True)
        for level, learned in levels:
            for key in CARRIED:
                if key in learned:
                    level[key] = learned[key]
    return target


def spark_session() -> Any:
    """A Spark session with Splink's similarity functions (``local[*]`` unless configured).

    ``JOURNEYHUB_SPARK_MASTER`` names a cluster master (e.g. ``spark://host:7077``).
    """
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SparkUnavailable(
            "the Spark engine needs pyspark: pip install 'journeyhub[spark]'"
        ) from exc
    builder = (
        SparkSession.builder.master(os.environ.get(SPARK_MASTER_ENV, "local[*]"))
        .appName("journeyhub-identity")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "4g")
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # Java missing or failing to start
        raise SparkUnavailable(f"Spark could not start (is Java 17+ installed?): {exc}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def predict(records: pa.Table, model: dict[str, Any], threshold: float) -> pa.Table:
    """Scored pairs at or over ``threshold``, as :func:`engine.predict` gives them, on Spark.

    The records go to Spark as a Parquet file; pairs come back as Arrow with ``uid_l < uid_r``.
    """
    if records.num_rows < 2:
        return pa.table({"uid_l": [], "uid_r": [], "match_weight": [], "match_probability": []})
    from splink import Linker, SparkAPI

    spark = spark_session()
    with tempfile.TemporaryDirectory(prefix="journeyhub-spark-") as work:
        path = Path(work) / "records.parquet"
        pq.write_table(records, path)
        spark.sparkContext.setCheckpointDir(str(Path(work) / "checkpoints"))
        api = SparkAPI(spark_session=spark)
        linker = Linker(
            api.register(spark.read.parquet(str(path))),
            model_for_dialect(model, "spark"),
            log_level=logging.ERROR,
        )
        scored = linker.inference.predict(threshold_match_probability=threshold)
        scored.as_spark_dataframe().createOrReplaceTempView("journeyhub_scored")
        return spark.sql(
            """SELECT least(uid_l, uid_r) AS uid_l, greatest(uid_l, uid_r) AS uid_r,
                      match_weight, match_probability FROM journeyhub_scored"""
        ).toArrow()
