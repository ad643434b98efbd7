"""The same analytics SQL on the embedded DuckDB store and on Spark (local mode) over the
Parquet export of the same tables: identical answers."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest

from journeyhub import Hub
from journeyhub.analytics import conformance, friction, funnels, goals, process, unmapped
from journeyhub.analytics.engines import DuckDBEngine, SparkEngine, export_tables
from journeyhub.analytics.logs import LogSpec


def same(a: Any, b: Any) -> bool:
    """Equal, with floats equal to 9 significant digits."""
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.fixture(scope="module")
def engines(demo_journeys, tmp_path_factory) -> tuple[DuckDBEngine, SparkEngine, Hub]:
    hub = Hub(demo_journeys, read_only=True)
    folder = export_tables(hub.db, tmp_path_factory.mktemp("parquet"))
    yield DuckDBEngine(hub.db), SparkEngine(folder), hub
    hub.close()


def test_both_engines_agree_on_every_analytic(engines):
    duck, spark, hub = engines
    retail, b2b = hub.journey("retail"), hub.journey("b2b")
    touch = LogSpec("touchpoint", retail)
    funnel = funnels.Funnel(("home", "product_view", "cart", "checkout", "order"),
                            timedelta(days=30), by="persona")  # fmt: skip
    cases = {
        "dfg events": lambda e: process.dfg(e, LogSpec()),
        "dfg phases": lambda e: process.dfg(e, LogSpec("phase", retail)),
        "variants": lambda e: process.variants(e, touch, 50),
        "paths": lambda e: process.paths(e, touch, "cart", length=3),
        "funnel": lambda e: funnels.run_funnel(e, funnel, touch),
        "dropped": lambda e: funnels.customers(e, funnel, touch, 3, dropped=True, limit=20),
        "conformance": lambda e: conformance.conformance(e, touch),
        "friction": lambda e: friction.friction(e, retail) + friction.friction(e, b2b),
        "unmapped": lambda e: unmapped.unmapped(e, retail),
        "goals": lambda e: goals.goals(e, retail),
    }
    for name, run in cases.items():
        on_duckdb, on_spark = run(duck), run(spark)
        assert on_duckdb, name
        assert same(on_duckdb, on_spark), name
