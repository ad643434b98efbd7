"""Customer lifetime value and churn risk from the order events in the store.

Each customer (the journey *case*: golden id, else stitched profile) is summarised from their
order events up to the end of the calibration period (``until``), one purchase per day:
``x`` repeat purchase days, ``t_x`` the last purchase day after the first, ``T`` the calibration
end after the first, in days or weeks, and ``m`` the mean value of the repeat purchase days.
BG/NBD and Gamma-Gamma (:mod:`journeyhub.analytics.clv_models`) are fitted on these and kept
in ``clv_models``; predictions give each customer's probability of being alive (1 - churn
risk), expected purchases and value over a horizon, and the CLV, per customer and per segment.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from journeyhub.analytics.clv_models import (
    BetaGeoFit,
    FitError,
    GammaGammaFit,
    fit_bgnbd,
    fit_gamma_gamma,
)
from journeyhub.analytics.logs import json_number, lit
from journeyhub.store import Database

Unit = Literal["day", "week"]
UNIT_DAYS: dict[str, int] = {"day": 1, "week": 7}
US_PER_DAY = 86_400_000_000
_HORIZON = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dwmy])\s*$")
_HORIZON_DAYS = {"d": 1.0, "w": 7.0, "m": 365.25 / 12, "y": 365.25}


@dataclass(frozen=True)
class ClvOptions:
    """What counts as an order and how time is measured."""

    order_event: str = "Order Completed"
    revenue_property: str = "revenue"
    until: date | None = None  # end of the calibration period (inclusive); None: last order day
    unit: Unit = "week"

    def __post_init__(self) -> None:
        if self.unit not in UNIT_DAYS:
            raise ValueError(f"unit must be 'day' or 'week' (got {self.unit!r})")


def parse_horizon(text: str) -> float:
    """A horizon such as ``12m`` (months), ``26w``, ``90d`` or ``2y`` in days."""
    match = _HORIZON.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a horizon (expected e.g. 90d, 26w, 12m, 2y)")
    return float(match.group(1)) * _HORIZON_DAYS[match.group(2)]


_EPOCH = date(1970, 1, 1)


def day_number(value: date) -> int:
    """A date as days since 1970-01-01 (what the summary SQL counts in)."""
    return (value - _EPOCH).days


def day_date(day: int) -> date:
    """Inverse of :func:`day_number`."""
    return _EPOCH + timedelta(days=day)


def last_event_day(db: Database, event: str) -> int | None:
    """The day number of the newest ``event`` track call, if there is one."""
    value = db.scalar(
        "SELECT max(epoch_us(timestamp)) // ? FROM events WHERE type = 'track' AND name = ?",
        [US_PER_DAY, event],
    )
    return None if value is None else int(value)


def summary_sql(options: ClvOptions, until_day: int) -> str:
    """Per customer: ``x``, ``t_x``, ``T`` (in the unit), ``m``, orders and revenue."""
    unit = float(UNIT_DAYS[options.unit])
    revenue = json_number("e.properties", options.revenue_property)
    return f"""
        WITH orders AS (
            SELECT k.case_id, k.b2b, epoch_us(e.timestamp) // {US_PER_DAY} AS day,
                   coalesce({revenue}, 0) AS value
            FROM events e JOIN case_keys k USING (person_key)
            WHERE e.type = 'track' AND e.name = {lit(options.order_event)}
              AND epoch_us(e.timestamp) < {(until_day + 1) * US_PER_DAY}
        ), days AS (
            SELECT case_id, bool_or(b2b) AS b2b, day, sum(value) AS value, count(*) AS orders
            FROM orders GROUP BY case_id, day
        )
        SELECT case_id, bool_or(b2b) AS b2b,
               count(*) - 1 AS x,
               (max(day) - min(day)) / {unit} AS t_x,
               ({until_day} - min(day)) / {unit} AS "T",
               CASE WHEN count(*) > 1
                    THEN (sum(value) - arg_min(value, day)) / (count(*) - 1) END AS m,
               sum(orders)::BIGINT AS orders, sum(value) AS revenue
        FROM days GROUP BY case_id ORDER BY case_id
    """


def customer_summary(db: Database, options: ClvOptions) -> tuple[pa.Table, int]:
    """The per-customer summary (Arrow) and the calibration end as a day number."""
    if options.until is not None:
        until_day = day_number(options.until)
    else:
        last = last_event_day(db, options.order_event)
        if last is None:
            raise FitError(f"no {options.order_event!r} events in the store to fit on")
        until_day = last
    table = db.cursor().sql(summary_sql(options, until_day)).to_arrow_table()
    if table.num_rows == 0:
        raise FitError(
            f"no {options.order_event!r} events on or before {day_date(until_day)} to fit on"
        )
    return table, until_day


def _columns(table: pa.Table) -> dict[str, np.ndarray]:
    return {
        name: table.column(name).to_numpy(zero_copy_only=False) for name in ("x", "t_x", "T", "m")
    }


@dataclass(frozen=True)
class ClvModel:
    """A fitted BG/NBD + Gamma-Gamma pair and how it was fitted."""

    bgnbd: BetaGeoFit
    gamma_gamma: GammaGammaFit
    options: ClvOptions
    until_day: int
    customers: int

    @property
    def until(self) -> date:
        return day_date(self.until_day)

    def to_dict(self) -> dict[str, Any]:
        """The contract JSON (``bgnbd``, ``gamma_gamma``, ``customers``) and the fit details."""
        return {
            "bgnbd": self.bgnbd.params(),
            "gamma_gamma": self.gamma_gamma.params(),
            "customers": self.customers,
            "repeat_customers": self.gamma_gamma.customers,
            "log_likelihood": {
                "bgnbd": self.bgnbd.log_likelihood,
                "gamma_gamma": self.gamma_gamma.log_likelihood,
            },
            "order_event": self.options.order_event,
            "revenue_property": self.options.revenue_property,
            "until": self.until.isoformat(),
            "unit": self.options.unit,
        }


def fit(db: Database, options: ClvOptions) -> ClvModel:
    """Fit both models on the store's order events and keep the fit in ``clv_models``."""
    table, until_day = customer_summary(db, options)
    cols = _columns(table)
    bg = fit_bgnbd(cols["x"], cols["t_x"], cols["T"])
    gg = fit_gamma_gamma(cols["x"], cols["m"])
    model = ClvModel(bg, gg, options, until_day, table.num_rows)
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO clv_models VALUES (nextval('clv_model_ids'), ?, ?, ?, ?, ?, ?)",
            [
                datetime.now(UTC),
                orjson.dumps(asdict(options), default=str).decode(),
                orjson.dumps(bg.to_dict()).decode(),
                orjson.dumps(gg.to_dict()).decode(),
                table.num_rows,
                until_day,
            ],
        )
    return model


def latest_model(db: Database) -> ClvModel | None:
    """The most recent fit kept in the store, if any."""
    rows = (
        db.cursor()
        .execute(
            "SELECT options, bgnbd, gamma_gamma, customers, until_day FROM clv_models "
            "ORDER BY id DESC LIMIT 1"
        )
        .fetchall()
    )
    if not rows:
        return None
    row = rows[0]
    opts = orjson.loads(row[0])
    opts["until"] = date.fromisoformat(opts["until"]) if opts.get("until") else None
    return ClvModel(
        BetaGeoFit(**orjson.loads(row[1])),
        GammaGammaFit(**orjson.loads(row[2])),
        ClvOptions(**opts),
        int(row[4]),
        int(row[3]),
    )


def predict(
    db: Database,
    model: ClvModel,
    horizon_days: float,
    *,
    annual_discount: float = 0.0,
) -> pa.Table:
    """Per customer: probability alive, churn risk, expected purchases, value and CLV over the
    horizon (discounted monthly at ``annual_discount`` when given)."""
    table, _ = customer_summary(db, replace(model.options, until=model.until))
    cols = _columns(table)
    unit = UNIT_DAYS[model.options.unit]
    x, t_x, T = cols["x"], cols["t_x"], cols["T"]
    bg, gg = model.bgnbd, model.gamma_gamma
    value = gg.expected_value(x, cols["m"])
    purchases = bg.expected_purchases(horizon_days / unit, x, t_x, T)
    if annual_discount > 0:
        months = max(1, round(horizon_days / _HORIZON_DAYS["m"]))
        edges = np.linspace(0, horizon_days / unit, months + 1)
        cumulative = np.stack([bg.expected_purchases(t, x, t_x, T) for t in edges[1:]])
        per_month = np.diff(np.vstack([np.zeros_like(x, dtype=float), cumulative]), axis=0)
        factors = (1 + annual_discount) ** (-np.arange(1, months + 1) / 12)
        clv = (per_month * factors[:, None]).sum(axis=0) * value
    else:
        clv = purchases * value
    alive = bg.probability_alive(x, t_x, T)
    return pa.table(
        {
            "customer_id": table.column("case_id"),
            "segment": pa.array(np.where(table.column("b2b").to_numpy(), "b2b", "b2c")),
            "orders": table.column("orders"),
            "revenue": table.column("revenue"),
            "frequency": x.astype("int64"),
            "recency": t_x,
            "age": T,
            "monetary": cols["m"],
            "probability_alive": alive,
            "churn_risk": 1 - alive,
            "expected_purchases": purchases,
            "expected_order_value": value,
            "clv": clv,
        }
    )


def segment_summary(predictions: pa.Table) -> list[dict[str, Any]]:
    """Customers, mean CLV and churn risk, total CLV and at-risk customers per segment."""
    rows: list[dict[str, Any]] = []
    segments = predictions.column("segment").to_numpy(zero_copy_only=False)
    clv = predictions.column("clv").to_numpy()
    risk = predictions.column("churn_risk").to_numpy()
    purchases = predictions.column("expected_purchases").to_numpy()
    for name in ["all", *sorted(set(segments.tolist()))]:
        mask = np.ones(len(segments), bool) if name == "all" else segments == name
        if not mask.any():
            continue
        rows.append(
            {
                "segment": name,
                "customers": int(mask.sum()),
                "clv_total": float(clv[mask].sum()),
                "clv_mean": float(clv[mask].mean()),
                "expected_purchases_mean": float(purchases[mask].mean()),
                "churn_risk_mean": float(risk[mask].mean()),
                "at_risk": int((risk[mask] >= 0.5).sum()),
            }
        )
    return rows


def write_table(predictions: pa.Table, out: Path) -> None:
    """Write a per-customer table as Parquet, CSV or JSON lines, by the file's extension."""
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        pq.write_table(predictions, out)
    elif suffix == ".csv":
        pacsv.write_csv(predictions, out)
    elif suffix in (".jsonl", ".ndjson"):
        with out.open("wb") as fh:
            for row in predictions.to_pylist():
                fh.write(orjson.dumps(row, option=orjson.OPT_SERIALIZE_NUMPY) + b"\n")
    else:
        raise ValueError(f"{out}: unknown output format (use .parquet, .csv or .jsonl)")
