"""Customer lifetime value: the CDNOW fit against the published parameters, and fit time at 1M.

1. CDNOW sample (2,357 customers; Fader, Hardie & Lee 2005): the purchase records are imported
   as ``Order Completed`` events and ``journeyhub clv`` fits BG/NBD on the 39-week calibration
   period (weeks) and Gamma-Gamma on the repeat purchases. Compared with the published values
   (r, alpha, a, b = 0.243, 4.414, 0.793, 2.426) and with ``lifetimes`` (the peer) on the same
   summary, in the same run.
2. 1M customers simulated from BG/NBD with the CDNOW parameters (first purchase spread over
   12 weeks, 52-week calibration): events written to Parquet and imported; then the fit from
   the store (summary SQL + both fits) is timed, and the fit alone vs ``lifetimes`` on the same
   summary arrays. Parameter recovery is reported.

    python -m benchmarks.clv_bench [--customers 1000000] [--work /tmp/clv_bench]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.analytics.cdnow import (
    CALIBRATION_END,
    PUBLISHED_BGNBD,
    PUBLISHED_GAMMA_GAMMA,
    cdnow_events,
)

from common import console, show, write_results
from journeyhub import Hub
from journeyhub.analytics import clv
from journeyhub.analytics.clv_models import fit_bgnbd, fit_gamma_gamma

TRUE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # per week


def _lifetimes_fit(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, m: np.ndarray) -> dict[str, Any]:
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    started = time.perf_counter()
    bg = BetaGeoFitter().fit(x, t_x, T)
    repeat = (x > 0) & (m > 0)
    gg = GammaGammaFitter().fit(x[repeat], m[repeat])
    return {
        "seconds": time.perf_counter() - started,
        "bgnbd": {k: float(v) for k, v in bg.params_.items()},
        "gamma_gamma": {k: float(v) for k, v in gg.params_.items()},
    }


def _arrays(table: pa.Table) -> tuple[np.ndarray, ...]:
    return tuple(
        np.asarray(table.column(c).to_numpy(zero_copy_only=False), dtype=float)
        for c in ("x", "t_x", "T", "m")
    )


def cdnow(work: Path) -> dict[str, Any]:
    db = work / "cdnow.duckdb"
    with Hub(db) as hub:
        hub.ingest(cdnow_events())
        options = clv.ClvOptions(until=date.fromisoformat(CALIBRATION_END), unit="week")
        started = time.perf_counter()
        model = hub.analytics.fit_clv(options)
        seconds = time.perf_counter() - started
        table, _ = clv.customer_summary(hub.db, options)
    x, t_x, T, m = _arrays(table)
    peer = _lifetimes_fit(x, t_x, T, np.nan_to_num(m))
    ours = model.to_dict()
    deviation = {k: abs(ours["bgnbd"][k] - v) / v for k, v in PUBLISHED_BGNBD.items()} | {
        k: abs(ours["gamma_gamma"][k] - v) / v for k, v in PUBLISHED_GAMMA_GAMMA.items()
    }
    rows = [
        {"fit": "published", **PUBLISHED_BGNBD, **PUBLISHED_GAMMA_GAMMA, "seconds": None},
        {"fit": "journeyhub", **ours["bgnbd"], **ours["gamma_gamma"],
         "seconds": seconds},
        {"fit": "lifetimes", **peer["bgnbd"], **peer["gamma_gamma"],
         "seconds": peer["seconds"]},
    ]  # fmt: skip
    show("CDNOW sample, 2,357 customers, 39-week calibration (weeks)", rows)
    console.print(f"largest deviation from the published values: {max(deviation.values()):.3%}")
    return {
        "customers": ours["customers"],
        "journeyhub": ours,
        "journeyhub_seconds": seconds,
        "lifetimes": peer,
        "published": {"bgnbd": PUBLISHED_BGNBD, "gamma_gamma": PUBLISHED_GAMMA_GAMMA},
        "max_relative_deviation": max(deviation.values()),
    }


def simulate(customers: int, path: Path, seed: int = 11) -> int:
    """Order events of ``customers`` simulated from BG/NBD (TRUE, weeks) into Parquet."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], customers)
    drop = rng.beta(TRUE["a"], TRUE["b"], customers)
    start = rng.uniform(0, 12, customers)  # first purchase, weeks after the start
    horizon = 52.0 - start
    ids, times = [np.arange(customers)], [start]
    t = np.zeros(customers)
    active = np.arange(customers)
    while active.size:
        t[active] += rng.exponential(1 / lam[active])
        active = active[t[active] <= horizon[active]]
        ids.append(active)
        times.append(start[active] + t[active])
        active = active[rng.random(active.size) >= drop[active]]
    who, when = np.concatenate(ids), np.concatenate(times)
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    ts = pa.array(
        (
            np.datetime64(origin.replace(tzinfo=None), "us")
            + (when * 7 * 86_400e6).astype("timedelta64[us]")
        ),
        pa.timestamp("us", tz="UTC"),
    )
    value = np.round(rng.gamma(6.25, 1 / rng.gamma(3.74, 1 / 15.44, customers))[who], 2)
    table = pa.table(
        {
            "messageId": pa.array([f"o{i}" for i in range(len(who))]),
            "type": pa.array(["track"] * len(who)),
            "event": pa.array(["Order Completed"] * len(who)),
            "userId": pa.array([f"c{i}" for i in who]),
            "timestamp": ts,
            "properties": pa.array([f'{{"revenue": {v}}}' for v in value]),
        }
    )
    pq.write_table(table, path)
    return len(who)


def at_scale(customers: int, work: Path) -> dict[str, Any]:
    events = work / f"orders_{customers}.parquet"
    db = work / f"clv_{customers}.duckdb"
    if not events.exists():
        n = simulate(customers, events)
        console.print(f"simulated {n:,} orders of {customers:,} customers")
    if not db.exists():
        with Hub(db) as hub:
            report = hub.import_events(events)
            console.print(f"imported {report.accepted:,} orders in {report.seconds:.1f} s")
    until = date(2025, 1, 1) + timedelta(days=52 * 7)
    options = clv.ClvOptions(until=until, unit="week")
    with Hub(db) as hub:
        hub.analytics.refresh()
        started = time.perf_counter()
        table, _ = clv.customer_summary(hub.db, options)
        summary_seconds = time.perf_counter() - started
        started = time.perf_counter()
        model = hub.analytics.fit_clv(options)
        total_seconds = time.perf_counter() - started
    x, t_x, T, m = _arrays(table)
    started = time.perf_counter()
    bg = fit_bgnbd(x, t_x, T)
    fit_gamma_gamma(x, m)
    fit_seconds = time.perf_counter() - started
    peer = _lifetimes_fit(x, t_x, T, np.nan_to_num(m))
    rows = [
        {"what": "journeyhub: clv fit from the store (summary SQL + both fits)",
         "seconds": total_seconds},
        {"what": "  of which the per-customer summary (SQL)", "seconds": summary_seconds},
        {"what": "journeyhub: both fits on the summary arrays", "seconds": fit_seconds},
        {"what": "lifetimes 0.11: both fits on the same arrays", "seconds": peer["seconds"]},
    ]  # fmt: skip
    show(f"CLV fit on {len(x):,} customers", rows)
    console.print(f"true {TRUE}\nfitted {bg.params()}\nlifetimes {peer['bgnbd']}")
    return {
        "customers": len(x),
        "fit_from_store_seconds": total_seconds,
        "summary_seconds": summary_seconds,
        "fit_seconds": fit_seconds,
        "lifetimes_seconds": peer["seconds"],
        "true": TRUE,
        "fitted": model.to_dict(),
        "lifetimes": peer,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/clv_bench"))
    args = parser.parse_args()
    shutil.rmtree(args.work / "cdnow.duckdb", ignore_errors=True)
    (args.work / "cdnow.duckdb").unlink(missing_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    results = {"cdnow": cdnow(args.work), "scale": at_scale(args.customers, args.work)}
    console.print(f"results -> {write_results('clv', results)}")


if __name__ == "__main__":
    main()
