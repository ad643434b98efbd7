"""The scale-out path: batch resolution on Spark (local mode) gives the DuckDB clusters."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from journeyhub import Hub
from journeyhub.cli.main import app
from journeyhub.identity.matching import engine, spark_engine
from journeyhub.identity.resolution import _model_records, load_model
from tests.identity.conftest import golden_of


def _pairs(table) -> set[tuple[str, str]]:
    return set(zip(table["uid_l"].to_pylist(), table["uid_r"].to_pylist(), strict=True))


def test_spark_scores_the_same_pairs_and_resolution_gives_the_same_clusters(resolved_hub):
    hub = resolved_hub
    records, model = _model_records(hub.db), load_model(hub.db)
    on_duckdb = engine.predict(records, model, 0.5)
    on_spark = spark_engine.predict(records, model, 0.5)
    assert on_spark.num_rows == on_duckdb.num_rows > 100
    assert _pairs(on_spark) == _pairs(on_duckdb)

    duckdb_clusters = golden_of(hub)
    report = hub.resolve(engine="spark")
    assert report.engine == "spark" and report.created == report.merged == report.split == 0
    assert golden_of(hub) == duckdb_clusters  # same clusters, and so the same stable ids


def test_the_spark_model_is_the_trained_model_in_spark_sql(resolved_hub):
    model = load_model(resolved_hub.db)
    spark_model = spark_engine.model_for_dialect(model, "spark")
    name = spark_model["comparisons"][0]
    assert "jaro_winkler(" in json.dumps(name) and '"given_key_l"' not in json.dumps(name)
    for made, trained in zip(spark_model["comparisons"], model["comparisons"], strict=True):
        assert [lv.get("m_probability") for lv in made["comparison_levels"]] == [
            lv.get("m_probability") for lv in trained["comparison_levels"]
        ]
    assert spark_model["probability_two_random_records_match"] == model[
        "probability_two_random_records_match"]  # fmt: skip


def test_cli_resolve_with_the_spark_engine(resolved_hub):
    db = str(resolved_hub.db.path)
    before = golden_of(resolved_hub)
    resolved_hub.close()
    result = CliRunner().invoke(
        app, ["identity", "resolve", "--engine", "spark", "--db", db, "--json"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["engine"] == "spark"
    with Hub(db) as hub:
        assert golden_of(hub) == before
