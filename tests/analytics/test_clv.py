"""Customer lifetime value: BG/NBD + Gamma-Gamma fitted on order events in the store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pytest
from typer.testing import CliRunner

from journeyhub import Hub
from journeyhub.analytics.clv import ClvOptions, parse_horizon
from journeyhub.analytics.clv_models import BetaGeoFit, FitError, fit_bgnbd
from journeyhub.cli.main import app
from tests.analytics.cdnow import (
    CALIBRATION_END,
    PUBLISHED_BGNBD,
    PUBLISHED_GAMMA_GAMMA,
    cdnow_events,
)


@pytest.fixture(scope="module")
def cdnow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.duckdb"
    with Hub(path) as hub:
        assert hub.ingest(cdnow_events())["accepted"] == 6919
    return path


def test_bgnbd_and_gamma_gamma_reproduce_the_published_cdnow_fit(cdnow_db: Path) -> None:
    with Hub(cdnow_db) as hub:
        model = hub.analytics.fit_clv(
            ClvOptions(until=date.fromisoformat(CALIBRATION_END), unit="week")
        )
    fitted = model.to_dict()
    assert fitted["customers"] == 2357
    assert fitted["repeat_customers"] == 946  # customers with a repeat purchase in 39 weeks
    for name, published in PUBLISHED_BGNBD.items():
        assert fitted["bgnbd"][name] == pytest.approx(published, rel=0.01), name
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert fitted["gamma_gamma"][name] == pytest.approx(published, rel=0.01), name


def test_conditional_expectation_matches_the_papers_worked_example() -> None:
    # FHL 2005, section 5: x=2, t_x=30.43, T=38.86 -> 1.226 purchases in the next 39 weeks
    fit = BetaGeoFit(0.243, 4.414, 0.793, 2.426, 0.0, 0, 0)
    expected = fit.expected_purchases(39, np.array([2]), np.array([30.43]), np.array([38.86]))
    assert expected[0] == pytest.approx(1.226, abs=0.002)
    # no repeat purchase: never seen dropping out, so certainly alive under BG/NBD
    assert fit.probability_alive(np.array([0]), np.array([0]), np.array([30]))[0] == 1.0
    # long silence after many purchases: probably gone
    assert fit.probability_alive(np.array([10]), np.array([5]), np.array([38]))[0] < 0.05


def test_fit_recovers_the_parameters_of_simulated_customers() -> None:
    rng = np.random.default_rng(7)
    n, T = 20_000, 52.0
    lam = rng.gamma(0.5, 1 / 6.0, n)  # r=0.5, alpha=6
    p = rng.beta(0.8, 3.0, n)  # a=0.8, b=3
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    fit = fit_bgnbd(x, t_x, np.full(n, T))
    assert fit.r == pytest.approx(0.5, rel=0.1)
    assert fit.alpha == pytest.approx(6.0, rel=0.15)
    assert fit.a == pytest.approx(0.8, rel=0.2)
    assert fit.b == pytest.approx(3.0, rel=0.25)


def test_an_empty_store_says_what_is_missing(hub: Hub) -> None:
    with pytest.raises(FitError, match="no 'Order Completed' events"):
        hub.analytics.fit_clv()
    with pytest.raises(FitError, match="at least 10 customers"):
        fit_bgnbd(np.array([1, 0]), np.array([1.0, 0]), np.array([2.0, 2.0]))
    with pytest.raises(ValueError, match="not a horizon"):
        parse_horizon("12 months")
    assert parse_horizon("2y") == pytest.approx(730.5)


def test_cli_contract_fit_json_and_predict_file(cdnow_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(cdnow_db)]
    result = runner.invoke(
        app, ["clv", "fit", "--json", "--until", CALIBRATION_END, "--unit", "week", *db]
    )
    assert result.exit_code == 0, result.output
    fitted = json.loads(result.output)
    assert set(fitted["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert set(fitted["gamma_gamma"]) == {"p", "q", "v"}
    assert fitted["customers"] == 2357

    out = tmp_path / "clv.csv"
    result = runner.invoke(app, ["clv", "predict", "--horizon", "12m", "--out", str(out), *db])
    assert result.exit_code == 0, result.output
    rows = pacsv.read_csv(out).to_pylist()
    assert len(rows) == 2357
    first = next(r for r in rows if r["customer_id"].endswith("cdnow-00004"))
    # customer 4: 3 purchase days by 1997-09-30 (x=2, t_x=30.43 w, T=38.86 w)
    assert first["frequency"] == 2 and first["recency"] == pytest.approx(30.43, abs=0.01)
    assert 0 < first["probability_alive"] < 1
    assert first["churn_risk"] == pytest.approx(1 - first["probability_alive"])
    assert first["clv"] == pytest.approx(
        first["expected_purchases"] * first["expected_order_value"]
    )

    result = runner.invoke(app, ["clv", "fit", "--unit", "month", *db])
    assert result.exit_code == 2 and "unit must be 'day' or 'week'" in result.output
