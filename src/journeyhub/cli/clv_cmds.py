"""``journeyhub clv ...``: customer lifetime value and churn risk from the order events."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from journeyhub.analytics.clv import ClvOptions, segment_summary, write_table
from journeyhub.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    console,
    open_hub,
    print_json,
    print_table,
)

clv_app = typer.Typer(
    help="Customer lifetime value (BG/NBD + Gamma-Gamma) and churn risk, fitted on the order "
    "events in the store. Fit once (`clv fit`), then predict (`clv predict --horizon 12m`).",
    no_args_is_help=True,
)


@clv_app.command("fit")
def fit_command(
    order_event: Annotated[
        str, typer.Option(help="The track event that is one order.")
    ] = "Order Completed",
    revenue_property: Annotated[
        str, typer.Option(help="The order property with its value (EUR).")
    ] = "revenue",
    until: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="End of the calibration period (inclusive day, UTC). Default: the last order.",
        ),
    ] = None,
    unit: Annotated[str, typer.Option(help="Time unit of the model: day or week.")] = "week",
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Fit BG/NBD (purchase and drop-out) and Gamma-Gamma (spend) on the order events.

    One purchase per customer and day; customers are golden records (else stitched profiles).
    Example: journeyhub clv fit --until 1997-09-30 --unit week --json
    """
    with open_hub(db) as hub:
        options = ClvOptions(
            order_event,
            revenue_property,
            until.date() if until else None,
            unit,  # type: ignore[arg-type]
        )
        model = hub.analytics.fit_clv(options)
    result = model.to_dict()
    if json:
        print_json(result)
        return
    bg, gg = result["bgnbd"], result["gamma_gamma"]
    console.print(
        f"BG/NBD on {result['customers']:,} customers (until {result['until']}, "
        f"unit {result['unit']}): r={bg['r']:.4f} alpha={bg['alpha']:.4f} "
        f"a={bg['a']:.4f} b={bg['b']:.4f}"
    )
    console.print(
        f"Gamma-Gamma on {result['repeat_customers']:,} repeat customers: "
        f"p={gg['p']:.4f} q={gg['q']:.4f} v={gg['v']:.4f}"
    )


@clv_app.command("predict")
def predict_command(
    horizon: Annotated[
        str, typer.Option(help="How far ahead: 90d, 26w, 12m (months) or 2y.")
    ] = "12m",
    out: Annotated[
        Path | None,
        typer.Option(help="Per-customer predictions: .parquet, .csv or .jsonl."),
    ] = None,
    discount_rate: Annotated[
        float, typer.Option(help="Annual discount rate for the CLV (0.1 = 10%), monthly.")
    ] = 0.0,
    refit: Annotated[bool, typer.Option(help="Fit again (defaults) before predicting.")] = False,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Per customer: probability alive, churn risk, expected purchases and CLV over the horizon.

    Uses the latest `clv fit` (fits with the defaults if there is none). Prints a summary per
    segment (b2c, b2b); --out writes every customer.
    """
    with open_hub(db) as hub:
        model, predictions = hub.analytics.predict_clv(
            horizon, annual_discount=discount_rate, refit=refit
        )
    if out is not None:
        write_table(predictions, out)
    segments = segment_summary(predictions)
    if json:
        print_json(
            {
                "horizon": horizon,
                "model": model.to_dict(),
                "segments": segments,
                "out": str(out) if out else None,
            }
        )
        return
    print_table(
        [
            {
                **s,
                "clv_total": f"{s['clv_total']:,.0f}",
                "clv_mean": f"{s['clv_mean']:,.2f}",
                "churn_risk_mean": f"{s['churn_risk_mean']:.1%}",
                "expected_purchases_mean": f"{s['expected_purchases_mean']:.2f}",
            }
            for s in segments
        ],
        [
            "segment",
            "customers",
            "clv_total",
            "clv_mean",
            "expected_purchases_mean",
            "churn_risk_mean",
            "at_risk",
        ],
        title=f"CLV over {horizon} (EUR, model fitted until {model.until})",
    )
    if out is not None:
        console.print(f"{predictions.num_rows:,} customers -> {out}")
