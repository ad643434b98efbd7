"""``journeyhub loyalty ...``: purchase frequency, basket, share of wallet, word of mouth,
retention, churn and retention cost, per segment, period and customer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from journeyhub.analytics.clv import write_table
from journeyhub.analytics.loyalty import LoyaltyOptions, RetentionCost, read_costs_csv
from journeyhub.analytics.service import Analytics
from journeyhub.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    console,
    open_hub,
    print_json,
    print_table,
)

loyalty_app = typer.Typer(
    help="Loyalty KPIs from the order, review, referral and churn events: purchase frequency, "
    "basket value, repeat-purchase rate, share of wallet, word of mouth, retention and churn "
    "rate, retention cost per retained customer. Per segment (`kpis`), customer (`customer`, "
    "`customers --out`) and B2B account (`accounts --out`).",
    no_args_is_help=True,
)
costs_app = typer.Typer(
    help="Retention costs (loyalty programme, win-back, key account care) per date range and "
    "segment; they give the retention cost per retained customer.",
    no_args_is_help=True,
)
loyalty_app.add_typer(costs_app, name="costs")

DAY = ["%Y-%m-%d"]
ByOption = Annotated[str, typer.Option(help="Group customers by segment (b2c/b2b) or persona.")]
PeriodOption = Annotated[str, typer.Option(help="Retention period: month, quarter or year.")]
SinceOption = Annotated[
    datetime | None,
    typer.Option(formats=DAY, help="First day of the window. Default: 365 days before --until."),
]
UntilOption = Annotated[
    datetime | None,
    typer.Option(formats=DAY, help="Last day of the window (inclusive). Default: last order."),
]
JourneyOption = Annotated[
    str | None, typer.Option(help="Journey whose personas --by persona uses.")
]
OrderOption = Annotated[str, typer.Option(help="The track event that is one order.")]
InactiveOption = Annotated[
    int, typer.Option(help="Days without an order after which a customer counts as lapsed.")
]


def _options(
    an: Analytics,
    by: str,
    period: str,
    since: datetime | None,
    until: datetime | None,
    journey: str | None,
    order_event: str,
    inactive_days: int,
) -> LoyaltyOptions:
    return an.loyalty_options(
        journey,
        by=by,
        period=period,
        since=since.date() if since else None,
        until=until.date() if until else None,
        order_event=order_event,
        inactive_days=inactive_days,
    )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


@loyalty_app.command("kpis")
def kpis_command(
    by: ByOption = "segment",
    period: PeriodOption = "quarter",
    since: SinceOption = None,
    until: UntilOption = None,
    journey: JourneyOption = None,
    order_event: OrderOption = "Order Completed",
    inactive_days: InactiveOption = 365,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Loyalty KPIs per segment and retention per period over a window (default: 12 months).

    Retention: of the customers who bought in one period, the share who buy again in the
    next. Example: journeyhub loyalty kpis --period month --since 2026-01-01 --json
    """
    with open_hub(db) as hub:
        an = hub.analytics
        report = an.loyalty_report(
            _options(an, by, period, since, until, journey, order_event, inactive_days)
        )
    if json:
        print_json(report)
        return
    window = report["window"]
    print_table(
        [
            {
                "segment": s["segment"],
                "customers": f"{s['customers']:,}",
                "active": f"{s['active_customers']:,}",
                "orders/yr": f"{s['purchase_frequency'] or 0:.2f}",
                "basket": _money(s["avg_basket_value"]),
                "repeat": _pct(s["repeat_purchase_rate"]),
                "share of wallet": _pct(s["share_of_wallet"]),
                "word of mouth": _pct(s["word_of_mouth_rate"]),
                "retention": _pct(s["retention_rate"]),
                "churn": _pct(s["churn_rate"]),
                "cost/retained": _money(s["retention_cost_per_retained"]),
            }
            for s in report["segments"]
        ],
        [
            "segment",
            "customers",
            "active",
            "orders/yr",
            "basket",
            "repeat",
            "share of wallet",
            "word of mouth",
            "retention",
            "churn",
            "cost/retained",
        ],
        title=f"Loyalty {window['since']} .. {window['until']} (EUR)",
    )
    print_table(
        [
            {
                "period": f"{p['period_start']}{'' if p['complete'] else '*'}",
                "segment": p["segment"],
                "active": p["active_customers"],
                "new": p["new_customers"],
                "at start": p["customers_at_start"],
                "retained": p["retained"],
                "retention": _pct(p["retention_rate"]),
                "cost/retained": _money(p["retention_cost_per_retained"]),
            }
            for p in report["periods"]
        ],
        [
            "period",
            "segment",
            "active",
            "new",
            "at start",
            "retained",
            "retention",
            "cost/retained",
        ],
        title=f"Retention per {report['period']} (* part of the period outside the window)",
    )


@loyalty_app.command("customer")
def customer_command(
    identifier: Annotated[str, typer.Argument(help="User id, email, phone or golden id.")],
    since: SinceOption = None,
    until: UntilOption = None,
    order_event: OrderOption = "Order Completed",
    inactive_days: InactiveOption = 365,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """One customer's loyalty KPIs: orders, basket, frequency, share of wallet, status."""
    with open_hub(db) as hub:
        an = hub.analytics
        options = _options(an, "segment", "quarter", since, until, None, order_event, inactive_days)
        result = an.loyalty_customer(identifier, options)
    if json:
        print_json(result)
        return
    for key, value in result.items():
        console.print(f"[bold]{key}[/bold]: {value}")


def _export(
    db: Path, out: Path, what: str, since: datetime | None, until: datetime | None, json: bool
) -> None:
    with open_hub(db) as hub:
        an = hub.analytics
        options = _options(an, "segment", "quarter", since, until, None, "Order Completed", 365)
        table = (
            an.loyalty_customers(options) if what == "customers" else an.loyalty_accounts(options)
        )
        write_table(table, out)
    if json:
        print_json({what: table.num_rows, "out": str(out)})
    else:
        console.print(f"{table.num_rows:,} {what} -> {out}")


OutOption = Annotated[Path, typer.Option(help="Output file: .parquet, .csv or .jsonl.")]


@loyalty_app.command("customers")
def customers_command(
    out: OutOption,
    since: SinceOption = None,
    until: UntilOption = None,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write every customer's loyalty KPIs (one row per golden record or profile)."""
    _export(db, out, "customers", since, until, json)


@loyalty_app.command("accounts")
def accounts_command(
    out: OutOption,
    since: SinceOption = None,
    until: UntilOption = None,
    json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write every B2B account's orders, revenue, wallet estimate and share of wallet."""
    _export(db, out, "accounts", since, until, json)


@costs_app.command("add")
def costs_add_command(
    start: Annotated[datetime, typer.Option("--from", formats=DAY, help="First day.")],
    end: Annotated[datetime, typer.Option("--to", formats=DAY, help="Last day (inclusive).")],
    amount: Annotated[float, typer.Option(help="Money spent on retention in the range.")],
    segment: Annotated[str, typer.Option(help="b2c, b2b, a persona, or all.")] = "all",
    currency: Annotated[str, typer.Option(help="Currency of the amount.")] = "EUR",
    note: Annotated[str, typer.Option(help="What the money was spent on.")] = "",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record one retention cost (the same range and segment again replaces it).

    Example: journeyhub loyalty costs add --from 2026-01-01 --to 2026-03-31 --segment b2c
    --amount 12500 --note "loyalty programme"
    """
    with open_hub(db) as hub:
        cost = RetentionCost(start.date(), end.date(), segment, amount, currency, note)
        hub.analytics.set_retention_costs([cost])
    console.print(f"{segment} {start.date()}..{end.date()}: {amount:,.2f} {currency}")


@costs_app.command("import")
def costs_import_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV with period_start, period_end, segment, amount (optional currency, note)."
        ),
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record retention costs from a CSV; every bad row is named, and none is stored then."""
    with open_hub(db) as hub:
        costs = read_costs_csv(path)
        hub.analytics.set_retention_costs(costs)
    console.print(f"{len(costs)} retention costs from {path}")


@costs_app.command("list")
def costs_list_command(json: JsonOption = False, db: DbOption = DEFAULT_DB) -> None:
    """Every recorded retention cost."""
    with open_hub(db) as hub:
        costs = hub.analytics.retention_costs()
    if json:
        print_json(costs)
        return
    rows: list[dict[str, Any]] = [{**c, "amount": _money(c["amount"])} for c in costs]
    print_table(rows, ["period_start", "period_end", "segment", "amount", "currency", "note"])
