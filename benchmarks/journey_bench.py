"""Journey analytics at 100k, 1M and 10M demo events, against pm4py and plain DuckDB SQL.

For each size (whole customers sliced from one demo company) the events are imported into a
fresh store and the retail journey applied (mapping timed). Then, in the same run:

- directly-follows graph and variants: journeyhub (``Hub.analytics``) vs the hand-written
  DuckDB query over the same table vs pm4py (``discover_dfg`` / ``get_variants`` on the same
  log as a pandas DataFrame; building the DataFrame is not timed) — counts must be identical;
- at the largest size: a 5-step ordered funnel with a 30-day window on DuckDB and on Spark
  (local mode, over the Parquet export), and conformance of every journey against the
  critical path, with per-journey fitness compared to pm4py token-based replay on a sample of
  10k journeys of the same log and model. ``--conformance-data`` runs conformance on a bigger
  demo instead (the issue asks for 1M journeys: a demo of 1M customers has 1.17M).

    python -m benchmarks.journey_bench --data /tmp/bench10m     # demo generate --customers 400000
    python -m benchmarks.journey_bench --data /tmp/bench10m --conformance-data /tmp/bench25m
    python -m benchmarks.journey_bench --data /tmp/bench10m --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from common import RESULTS, console, show, write_results
from journeyhub import Hub
from journeyhub.analytics import conformance, funnels
from journeyhub.analytics.engines import SparkEngine, export_tables
from journeyhub.analytics.logs import LogSpec

PLAIN_DFG = """
    SELECT a, b, count(*) AS n, median(d) / 1000000.0 AS median_seconds FROM (
        SELECT activity AS a,
               lead(activity) OVER (PARTITION BY case_id ORDER BY t_us, message_id) AS b,
               lead(t_us) OVER (PARTITION BY case_id ORDER BY t_us, message_id) - t_us AS d
        FROM journey_log
    ) WHERE b IS NOT NULL GROUP BY a, b
"""
PLAIN_VARIANTS = """
    SELECT variant, count(*) AS n FROM (
        SELECT string_agg(activity, ' > ' ORDER BY t_us, message_id) AS variant
        FROM journey_log GROUP BY case_id
    ) GROUP BY variant
"""
FUNNEL = ("Page Home", "Product Viewed", "Product Added", "Checkout Started", "Order Completed")


def timed(fn: Any, repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def build(data: Path, size: int, total: int, work: Path) -> Path:
    """A store with whole customers adding up to about ``size`` events, retail journey applied."""
    db = work / f"journeys_{size}.duckdb"
    if db.exists():
        return db
    share = max(1, round(100 * size / total))
    part = work / f"events_{size}.parquet"
    duckdb.sql(
        f"""COPY (SELECT * FROM read_parquet('{data}/events.parquet')
                  WHERE hash(split_part(messageId, '-', 2)) % 100 < {share})
            TO '{part}' (FORMAT parquet)"""
    )
    with Hub(db) as hub:
        started = time.perf_counter()
        hub.import_events(part)
        imported = time.perf_counter() - started
        hub.apply_journey("retail")
        console.print(
            f"  {size:,}: imported in {imported:.1f} s, journey mapped in "
            f"{time.perf_counter() - started - imported:.1f} s"
        )
    return db


def pm4py_frame(hub: Hub) -> Any:
    import pandas as pd
    import pm4py

    frame = (
        hub.db.cursor()
        .execute(
            "SELECT case_id, activity, t_us, message_id FROM journey_log "
            "ORDER BY case_id, t_us, message_id"
        )
        .df()
    )
    frame["timestamp"] = pd.to_datetime(frame["t_us"], unit="us", utc=True)
    return pm4py.format_dataframe(
        frame, case_id="case_id", activity_key="activity", timestamp_key="timestamp"
    )


def process_views(hub: Hub, size: int) -> dict[str, Any]:
    """DFG and variants three ways, with the counts checked."""
    import pm4py

    cur = hub.db.cursor()
    events = cur.execute("SELECT count(*) FROM journey_log").fetchall()[0][0]
    hub.analytics.refresh()
    ours_dfg_s, ours_dfg = timed(lambda: hub.analytics.dfg(), 3)
    plain_dfg_s, plain_dfg = timed(lambda: cur.execute(PLAIN_DFG).fetchall(), 3)
    ours_var_s, _top = timed(lambda: hub.analytics.variants(), 3)  # top 20 + totals, as served
    ours_var = hub.analytics.variants(limit=10**9)  # every variant, for the count check
    plain_var_s, plain_var = timed(lambda: cur.execute(PLAIN_VARIANTS).fetchall(), 3)
    frame = pm4py_frame(hub)
    pm_dfg_s, (pm_dfg, _start, _end) = timed(lambda: pm4py.discover_dfg(frame))
    pm_var_s, pm_var = timed(lambda: pm4py.get_variants(frame))
    ours_pairs = {(r["from"], r["to"]): r["count"] for r in ours_dfg}
    ours_variants = {tuple(v["variant"]): v["cases"] for v in ours_var["top"]}
    return {
        "events": events,
        "cases": ours_var["cases"],
        "dfg": {
            "journeyhub_s": ours_dfg_s,
            "plain_duckdb_s": plain_dfg_s,
            "pm4py_s": pm_dfg_s,
            "vs_plain": ours_dfg_s / plain_dfg_s,
            "pm4py_over_journeyhub": pm_dfg_s / ours_dfg_s,
            "pairs": len(ours_pairs),
            "identical_to_pm4py": ours_pairs == dict(pm_dfg),
            "identical_to_plain": ours_pairs == {(a, b): n for a, b, n, _ in plain_dfg},
        },
        "variants": {
            "journeyhub_s": ours_var_s,
            "plain_duckdb_s": plain_var_s,
            "pm4py_s": pm_var_s,
            "vs_plain": ours_var_s / plain_var_s,
            "pm4py_over_journeyhub": pm_var_s / ours_var_s,
            "variants": len(ours_variants),
            "identical_to_pm4py": ours_variants == {k: v for k, v in pm_var.items()},
            "identical_to_plain": sorted(ours_variants.values()) == sorted(n for _, n in plain_var),
        },
    }


def funnel_duckdb_and_spark(hub: Hub, work: Path) -> dict[str, Any]:
    """The 5-step funnel with a 30-day window on DuckDB and on Spark (local)."""
    funnel = funnels.Funnel(FUNNEL, timedelta(days=30))
    spec = LogSpec()
    duck_s, duck_result = timed(lambda: hub.analytics.funnel(list(FUNNEL), funnel.within), 3)
    folder = export_tables(hub.db, work / "parquet")
    spark = SparkEngine(folder)
    funnels.run_funnel(spark, funnel, spec)  # warm-up: JIT, file listing
    spark_s, spark_result = timed(lambda: funnels.run_funnel(spark, funnel, spec))
    return {
        "events": hub.db.scalar("SELECT count(*) FROM journey_log"),
        "duckdb_s": duck_s,
        "spark_local_s": spark_s,
        "spark_identical": spark_result["series"] == duck_result["series"],
        "customers_per_step": [s["customers"] for s in duck_result["series"][0]["steps"]],
    }


def conformance_vs_pm4py(hub: Hub, sample: int) -> dict[str, Any]:
    """Conformance of every journey (fitness alone, and the whole report); pm4py token
    replay on a sample of the same log and the same (sequential) model, fitness compared."""
    import pm4py
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils import petri_utils

    journey = hub.journey("retail")
    touch = LogSpec("touchpoint", journey)
    conf_s, cases = timed(lambda: hub.analytics.engine.rows(conformance.cases_sql(touch)))
    summary_s, _ = timed(lambda: hub.analytics.conformance())
    ids = sorted(c["case_id"] for c in cases)
    chosen = sorted(random.Random(7).sample(ids, min(sample, len(ids))))
    cur = hub.db.cursor()
    cur.register("chosen", duckdb.sql("SELECT unnest($1) AS case_id", params=[chosen]).arrow())
    import pandas as pd

    frame = cur.execute(
        f"SELECT case_id, activity, t_us, message_id FROM ({touch.sql()}) "
        "WHERE case_id IN (SELECT case_id FROM chosen) ORDER BY case_id, t_us, message_id"
    ).df()
    frame["timestamp"] = pd.to_datetime(frame["t_us"], unit="us", utc=True)
    frame = pm4py.format_dataframe(frame, case_id="case_id", activity_key="activity",
                                   timestamp_key="timestamp")  # fmt: skip
    net = PetriNet("critical path")
    places = [PetriNet.Place(f"p{i}") for i in range(len(journey.milestones) + 1)]
    for place in places:
        net.places.add(place)
    for i, name in enumerate(journey.milestones):
        t = PetriNet.Transition(name, name)
        net.transitions.add(t)
        petri_utils.add_arc_from_to(places[i], t, net)
        petri_utils.add_arc_from_to(t, places[i + 1], net)
    im, fm = Marking({places[0]: 1}), Marking({places[-1]: 1})
    pm_s, diagnostics = timed(
        lambda: pm4py.conformance_diagnostics_token_based_replay(frame, net, im, fm)
    )
    log = pm4py.convert_to_event_log(frame)
    ours = {c["case_id"]: c["fitness"] for c in cases}
    diffs = [
        abs(ours[trace.attributes["concept:name"]] - d["trace_fitness"])
        for trace, d in zip(log, diagnostics, strict=True)
    ]
    ours_sample_s = conf_s * len(chosen) / len(ids)
    return {
        "events": hub.db.scalar("SELECT count(*) FROM journey_log"),
        "journeys": len(ids),
        "journeyhub_s": conf_s,
        "with_deviation_report_s": summary_s,
        "pm4py_sample_journeys": len(chosen),
        "pm4py_token_replay_sample_s": pm_s,
        "journeyhub_same_share_s_estimate": ours_sample_s,
        "max_fitness_difference": max(diffs) if diffs else None,
        "journeys_with_different_fitness": sum(1 for d in diffs if d > 1e-9),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a demo company folder")
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/journey_bench"))
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument(
        "--only-largest", action="store_true", help="only funnel and conformance (keep the rest)"
    )
    parser.add_argument(
        "--conformance-data",
        type=Path,
        help="a bigger demo company folder (1M customers) for conformance; default: --data",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    total = duckdb.sql(f"SELECT count(*) FROM '{args.data}/events.parquet'").fetchall()[0][0]
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, Any] = {"sizes": {}}
    if args.only_largest and (RESULTS / "journey_bench.json").exists():
        results["sizes"] = json.loads((RESULTS / "journey_bench.json").read_text())["sizes"]
        sizes = [max(sizes)]
    for size in sizes:
        db = build(args.data, size, total, args.work)
        with Hub(db) as hub:
            if not args.only_largest:
                results["sizes"][str(size)] = process_views(hub, size)
            if size == max(sizes):
                results["largest"] = {"funnel_5_steps": funnel_duckdb_and_spark(hub, args.work)}
                if args.conformance_data is None:
                    results["largest"]["conformance"] = conformance_vs_pm4py(hub, args.sample)
    if args.conformance_data is not None:
        full = duckdb.sql(
            f"SELECT count(*) FROM '{args.conformance_data}/events.parquet'"
        ).fetchall()[0][0]
        with Hub(build(args.conformance_data, full, full, args.work)) as hub:
            hub.analytics.refresh()
            results["largest"]["conformance"] = conformance_vs_pm4py(hub, args.sample)
    rows = []
    for r in results["sizes"].values():
        for view in ("dfg", "variants"):
            v = r[view]
            rows.append({
                "events": f"{r['events']:,}", "view": view, "journeyhub s": v["journeyhub_s"],
                "plain SQL s": v["plain_duckdb_s"], "pm4py s": v["pm4py_s"],
                "vs plain": v["vs_plain"], "pm4py/ours": v["pm4py_over_journeyhub"],
                "same as pm4py": v["identical_to_pm4py"],
            })  # fmt: skip
    show("DFG and variants", rows)
    console.print(results.get("largest"))
    path = write_results("journey_bench", results)
    console.print(f"results: {path}")


if __name__ == "__main__":
    main()
