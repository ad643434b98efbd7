"""Loyalty KPIs per customer, per segment and per period, from the events in the store.

A *customer* is a journey case (golden id, else stitched profile) with at least one order on
or before the end of the window. Over the window ``[since, until]`` (default: the twelve months
up to the last order) each customer has:

- ``orders``, ``purchase_days`` (one purchase per day), ``revenue``, ``avg_basket_value``;
- ``purchase_frequency``: orders per year over the part of the window they were a customer
  (at least 30 days, so a first order last week is not "50 a year");
- ``repeat_purchaser``: two or more purchase days in the window;
- ``referrals`` and ``reviews`` (word of mouth);
- ``wallet_estimate`` (the newest ``wallet_estimate`` trait of the customer's identify calls:
  what they spend a year in our category, anywhere) and ``share_of_wallet``: our revenue of the
  last 365 days over it. B2B wallets belong to the account (the ``wallet_estimate`` trait of a
  group call); the account's share is its orders (``groupId``) over its wallet;
- ``status``: ``closed`` (a churn event such as ``Account Closed``), ``lapsed`` (no order for
  ``inactive_days``), else ``active``.

Retention is counted per period (month, quarter or year): the customers at the start of a
period are those who bought in the one before; ``retained`` bought again, ``churned`` did not
(``churn_rate = churned / customers_at_start``); a segment's retention and churn rate are
those of the complete periods inside the window together. Retention costs come from the
``retention_costs`` table (any date range per segment, ``all`` for every customer; spread over
periods by days of overlap) and give the ``retention_cost_per_retained`` customer, per period
and over the complete periods of the window.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from journeyhub.analytics.clv import US_PER_DAY, day_date, day_number, last_event_day
from journeyhub.analytics.logs import json_number, lit, lits, persona_sql
from journeyhub.journey.model import Journey
from journeyhub.store import Database

Period = Literal["month", "quarter", "year"]
PERIOD_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
By = Literal["segment", "persona"]


@dataclass(frozen=True)
class LoyaltyOptions:
    """Which events mean what, and the window the KPIs are measured over."""

    order_event: str = "Order Completed"
    revenue_property: str = "revenue"
    referral_events: tuple[str, ...] = ("Referral Sent",)
    review_events: tuple[str, ...] = ("Review Submitted",)
    churn_events: tuple[str, ...] = ("Account Closed",)
    wallet_trait: str = "wallet_estimate"
    since: date | None = None  # default: 365 days before ``until``
    until: date | None = None  # inclusive; default: the day of the last order
    period: Period = "quarter"
    inactive_days: int = 365
    by: By = "segment"
    journey: Journey | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.period not in PERIOD_MONTHS:
            raise ValueError(f"period must be month, quarter or year (got {self.period!r})")
        if self.by not in ("segment", "persona"):
            raise ValueError(f"by must be segment or persona (got {self.by!r})")
        if self.by == "persona" and self.journey is None:
            raise ValueError("loyalty by persona needs a journey with personas")
        if self.inactive_days < 1:
            raise ValueError("inactive_days must be at least 1")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")


@dataclass(frozen=True)
class Window:
    """The measured window as day numbers (days since 1970-01-01, both inclusive)."""

    since_day: int
    until_day: int

    def to_dict(self) -> dict[str, str]:
        return {
            "since": day_date(self.since_day).isoformat(),
            "until": day_date(self.until_day).isoformat(),
        }


def window(db: Database, options: LoyaltyOptions) -> Window:
    """The window of ``options``, its defaults filled in from the order events."""
    if options.until is not None:
        until_day = day_number(options.until)
    else:
        last = last_event_day(db, options.order_event)
        if last is None:
            raise LookupError(f"no {options.order_event!r} events in the store")
        until_day = int(last)
    since_day = day_number(options.since) if options.since is not None else until_day - 364
    return Window(since_day, until_day)


def _group_sql(options: LoyaltyOptions) -> tuple[str, str]:
    """The customer's group column and the join it needs."""
    if options.by == "persona":
        assert options.journey is not None
        return (
            "coalesce(pe.persona, '(none)')",
            f"LEFT JOIN ({persona_sql(options.journey)}) pe ON pe.case_id = s.case_id",
        )
    return "CASE WHEN s.b2b THEN 'b2b' ELSE 'b2c' END", ""


def customers_sql(options: LoyaltyOptions, win: Window) -> str:
    """One row per customer with the KPIs of the window (see the module docstring)."""
    since, until = win.since_day, win.until_day
    end_us = (until + 1) * US_PER_DAY
    revenue = json_number("e.properties", options.revenue_property)
    wallet = json_number("e.traits", options.wallet_trait)
    order = f"name = {lit(options.order_event)}"
    refs, reviews, churn = (
        lits(list(options.referral_events)),
        lits(list(options.review_events)),
        lits(list(options.churn_events)),
    )
    names = lits(
        [
            options.order_event,
            *options.referral_events,
            *options.review_events,
            *options.churn_events,
        ]
    )
    group, join = _group_sql(options)
    return f"""
        WITH ev AS (
            SELECT k.case_id, k.b2b, e.name, epoch_us(e.timestamp) // {US_PER_DAY} AS day,
                   CASE WHEN e.type = 'track' THEN coalesce({revenue}, 0) END AS value,
                   CASE WHEN e.type = 'identify' THEN {wallet} END AS wallet
            FROM events e JOIN case_keys k USING (person_key)
            WHERE epoch_us(e.timestamp) < {end_us}
              AND ((e.type = 'track' AND e.name IN {names})
                   OR (e.type = 'identify' AND {wallet} IS NOT NULL))
        ), s AS (
            SELECT case_id, bool_or(b2b) AS b2b,
                   min(day) FILTER (WHERE {order}) AS first_day,
                   max(day) FILTER (WHERE {order}) AS last_day,
                   count(*) FILTER (WHERE {order} AND day >= {since}) AS orders,
                   count(DISTINCT day) FILTER (WHERE {order} AND day >= {since}) AS purchase_days,
                   coalesce(sum(value) FILTER (WHERE {order} AND day >= {since}), 0) AS revenue,
                   coalesce(sum(value) FILTER (WHERE {order} AND day > {until - 365}), 0)
                       AS revenue_12m,
                   count(*) FILTER (WHERE name IN {refs} AND day >= {since}) AS referrals,
                   count(*) FILTER (WHERE name IN {reviews} AND day >= {since}) AS reviews,
                   min(day) FILTER (WHERE name IN {churn}) AS closed_day,
                   arg_max(wallet, day) FILTER (WHERE wallet IS NOT NULL) AS wallet_estimate
            FROM ev GROUP BY case_id
        )
        SELECT s.case_id AS customer_id, {group} AS segment,
               DATE '1970-01-01' + s.first_day::INTEGER AS first_order,
               DATE '1970-01-01' + s.last_day::INTEGER AS last_order,
               s.orders, s.purchase_days, s.revenue,
               s.revenue / nullif(s.orders, 0) AS avg_basket_value,
               s.orders * 365.25 / greatest({until} - greatest(s.first_day, {since}) + 1, 30)
                   AS purchase_frequency,
               s.purchase_days >= 2 AS repeat_purchaser,
               s.referrals, s.reviews,
               s.wallet_estimate, s.revenue_12m,
               s.revenue_12m / nullif(s.wallet_estimate, 0) AS share_of_wallet,
               ({until} - s.last_day)::INTEGER AS days_since_last_order,
               CASE WHEN s.closed_day IS NOT NULL THEN 'closed'
                    WHEN {until} - s.last_day > {options.inactive_days} THEN 'lapsed'
                    ELSE 'active' END AS status
        FROM s {join}
        WHERE s.first_day IS NOT NULL
    """


def accounts_sql(options: LoyaltyOptions, win: Window) -> str:
    """One row per B2B account with orders (``groupId``): revenue, wallet and its share."""
    since, until = win.since_day, win.until_day
    revenue = json_number("e.properties", options.revenue_property)
    wallet = json_number("e.traits", options.wallet_trait)
    order = f"e.type = 'track' AND e.name = {lit(options.order_event)}"
    return f"""
        WITH ev AS (
            SELECT e.group_id, epoch_us(e.timestamp) // {US_PER_DAY} AS day,
                   e.type = 'track' AS is_order,
                   CASE WHEN e.type = 'track' THEN coalesce({revenue}, 0) END AS value,
                   CASE WHEN e.type = 'group' THEN {wallet} END AS wallet
            FROM events e
            WHERE e.group_id IS NOT NULL
              AND epoch_us(e.timestamp) < {(until + 1) * US_PER_DAY}
              AND (({order}) OR (e.type = 'group' AND {wallet} IS NOT NULL))
        ), a AS (
            SELECT group_id AS account_id,
                   count(*) FILTER (WHERE is_order AND day >= {since}) AS orders,
                   coalesce(sum(value) FILTER (WHERE is_order AND day >= {since}), 0) AS revenue,
                   coalesce(sum(value) FILTER (WHERE is_order AND day > {until - 365}), 0)
                       AS revenue_12m,
                   arg_max(wallet, day) FILTER (WHERE wallet IS NOT NULL) AS wallet_estimate
            FROM ev GROUP BY group_id
            HAVING count(*) FILTER (WHERE is_order) > 0
        )
        SELECT *, revenue_12m / nullif(wallet_estimate, 0) AS share_of_wallet FROM a
    """


def segments_sql(customers: str) -> str:
    """Per segment (and ``all``): KPIs aggregated over the customers relation."""
    return f"""
        SELECT CASE WHEN grouping(segment) = 1 THEN 'all' ELSE segment END AS segment,
               count(*) AS customers,
               count_if(orders > 0) AS active_customers,
               sum(orders)::BIGINT AS orders,
               sum(revenue) AS revenue,
               avg(purchase_frequency) FILTER (WHERE orders > 0) AS purchase_frequency,
               sum(revenue) / nullif(sum(orders), 0) AS avg_basket_value,
               count_if(repeat_purchaser) / nullif(count_if(orders > 0), 0)
                   AS repeat_purchase_rate,
               sum(referrals)::BIGINT AS referrals,
               sum(reviews)::BIGINT AS reviews,
               count_if(referrals + reviews > 0) / count(*) AS word_of_mouth_rate,
               coalesce(sum(revenue_12m) FILTER (WHERE wallet_estimate > 0), 0)
                   AS wallet_revenue,
               coalesce(sum(wallet_estimate) FILTER (WHERE wallet_estimate > 0), 0) AS wallet,
               coalesce(count_if(wallet_estimate > 0), 0) AS wallet_customers,
               count_if(status = 'lapsed') AS lapsed,
               count_if(status = 'closed') AS closed
        FROM ({customers}) c
        GROUP BY GROUPING SETS ((segment), ())
        ORDER BY grouping(segment) DESC, segment
    """


def periods_sql(options: LoyaltyOptions, win: Window, customers: str) -> str:
    """Per period and segment (and ``all``): active, new, reactivated customers, the
    customers at the start (buyers of the period before), retained and churned."""
    months = PERIOD_MONTHS[options.period]
    step = f"INTERVAL {months} MONTH"
    day = f"DATE '1970-01-01' + (epoch_us(e.timestamp) // {US_PER_DAY})::INTEGER"
    trunc = f"date_trunc('{options.period}', {day})::DATE"
    first = day_date(win.since_day)
    last = day_date(win.until_day)
    return f"""
        WITH od AS (
            SELECT DISTINCT k.case_id, {trunc} AS p
            FROM events e JOIN case_keys k USING (person_key)
            WHERE e.type = 'track' AND e.name = {lit(options.order_event)}
              AND epoch_us(e.timestamp) < {(win.until_day + 1) * US_PER_DAY}
        ), firsts AS (
            SELECT case_id, min(p) AS first_p FROM od GROUP BY case_id
        ), flags AS (
            SELECT coalesce(a.p, b.p) AS p, coalesce(a.case_id, b.case_id) AS case_id,
                   a.case_id IS NOT NULL AS active, b.case_id IS NOT NULL AS base
            FROM od a
            FULL OUTER JOIN (SELECT case_id, (p + {step})::DATE AS p FROM od) b
              ON a.case_id = b.case_id AND a.p = b.p
        )
        SELECT f.p AS period_start,
               CASE WHEN grouping(c.segment) = 1 THEN 'all' ELSE c.segment END AS segment,
               count_if(f.active) AS active_customers,
               count_if(f.active AND fi.first_p = f.p) AS new_customers,
               count_if(f.active AND NOT f.base AND fi.first_p < f.p) AS reactivated,
               count_if(f.base) AS customers_at_start,
               count_if(f.base AND f.active) AS retained,
               count_if(f.base AND NOT f.active) AS churned
        FROM flags f
        JOIN firsts fi USING (case_id)
        JOIN ({customers}) c ON c.customer_id = f.case_id
        WHERE f.p >= date_trunc('{options.period}', DATE '{first.isoformat()}')
          AND f.p <= DATE '{last.isoformat()}'
        GROUP BY GROUPING SETS ((f.p, c.segment), (f.p))
        ORDER BY f.p, grouping(c.segment) DESC, segment
    """


# -- retention costs -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionCost:
    """Money spent on keeping customers (loyalty programme, win-back, service) over a range."""

    period_start: date
    period_end: date  # inclusive
    segment: str  # a segment name (b2c, b2b, a persona) or "all"
    amount: float
    currency: str = "EUR"
    note: str = ""

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ValueError(
                f"period_end {self.period_end} is before period_start {self.period_start}"
            )
        if self.amount < 0:
            raise ValueError(f"amount must not be negative (got {self.amount})")
        if not self.segment.strip():
            raise ValueError("segment must not be empty (use 'all' for every customer)")


def set_costs(db: Database, costs: list[RetentionCost]) -> None:
    """Add several retention costs in one transaction (same range and segment: replaced)."""
    with db.transaction() as cur:
        cur.executemany(
            "INSERT OR REPLACE INTO retention_costs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    c.period_start,
                    c.period_end,
                    c.segment,
                    c.amount,
                    c.currency,
                    c.note,
                    datetime.now(UTC),
                ]
                for c in costs
            ],
        )


def read_costs_csv(path: Path) -> list[RetentionCost]:
    """Retention costs from a CSV with ``period_start, period_end, segment, amount`` (and
    optionally ``currency, note``); every bad row is named with its line and problem."""
    required = ("period_start", "period_end", "segment", "amount")
    costs: list[RetentionCost] = []
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            try:
                costs.append(
                    RetentionCost(
                        date.fromisoformat(row["period_start"].strip()),
                        date.fromisoformat(row["period_end"].strip()),
                        row["segment"].strip(),
                        float(row["amount"]),
                        (row.get("currency") or "EUR").strip(),
                        (row.get("note") or "").strip(),
                    )
                )
            except (ValueError, TypeError) as exc:
                problems.append(f"{path}:{line}: {exc}")
    if problems:
        raise ValueError("\n".join(problems))
    return costs


def list_costs(db: Database) -> list[dict[str, Any]]:
    """Every retention cost, by start date."""
    cur = db.cursor().execute(
        "SELECT period_start, period_end, segment, amount, currency, note FROM retention_costs "
        "ORDER BY period_start, segment"
    )
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def _allocate(costs: list[dict[str, Any]], segment: str, start: date, end: date) -> float | None:
    """The part of the costs for ``segment`` (``all``: every cost) that falls in
    ``[start, end)``, by days; None when no cost is recorded for the segment."""
    total: float | None = None
    for c in costs:
        if segment != "all" and c["segment"] != segment:
            continue
        span = (c["period_end"] - c["period_start"]).days + 1
        stop = min(end, c["period_end"] + timedelta(days=1))
        overlap = max(0, (stop - max(start, c["period_start"])).days)
        total = (total or 0.0) + c["amount"] * overlap / span
    return total


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


# -- the report ------------------------------------------------------------------------------


def _rows(db: Database, sql: str) -> list[dict[str, Any]]:
    cur = db.cursor().execute(sql)
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def report(db: Database, options: LoyaltyOptions) -> dict[str, Any]:
    """Segment KPIs and the retention per period, for the window of ``options``."""
    win = window(db, options)
    customers = customers_sql(options, win)
    segments = _rows(db, segments_sql(customers))
    periods = _rows(db, periods_sql(options, win, customers))
    account_rows = _rows(
        db,
        f"""SELECT count(*) AS accounts, count(wallet_estimate) AS wallet_accounts,
                   sum(revenue) AS revenue,
                   coalesce(sum(revenue_12m) FILTER (WHERE wallet_estimate > 0), 0)
                       AS wallet_revenue,
                   coalesce(sum(wallet_estimate) FILTER (WHERE wallet_estimate > 0), 0) AS wallet
            FROM ({accounts_sql(options, win)}) a""",
    )
    accounts = account_rows[0]
    accounts["share_of_wallet"] = (
        accounts["wallet_revenue"] / accounts["wallet"] if accounts["wallet"] else None
    )
    costs = list_costs(db)
    months = PERIOD_MONTHS[options.period]
    for row in periods:
        start = row["period_start"]
        end = add_months(start, months)
        row["period_end"] = end - timedelta(days=1)
        row["complete"] = end <= day_date(win.until_day + 1) and start >= day_date(win.since_day)
        base = row["customers_at_start"]
        row["retention_rate"] = row["retained"] / base if base else None
        row["churn_rate"] = row["churned"] / base if base else None
        row["retention_cost"] = _allocate(costs, row["segment"], start, end)
        row["retention_cost_per_retained"] = (
            row["retention_cost"] / row["retained"]
            if row["retention_cost"] is not None and row["retained"]
            else None
        )
    for seg in segments:
        with_accounts = "b2b" if options.by == "segment" else None
        if seg["segment"] in ("all", with_accounts):
            seg["wallet_revenue"] += accounts["wallet_revenue"]
            seg["wallet"] += accounts["wallet"]
            seg["wallet_accounts"] = accounts["wallet_accounts"]
        seg["share_of_wallet"] = seg["wallet_revenue"] / seg["wallet"] if seg["wallet"] else None
        complete = [p for p in periods if p["segment"] == seg["segment"] and p["complete"]]
        base = sum(p["customers_at_start"] for p in complete)
        retained = sum(p["retained"] for p in complete)
        seg["retention_rate"] = retained / base if base else None
        seg["churn_rate"] = 1 - retained / base if base else None
        # retention and its cost over the same (complete) periods
        known = [p["retention_cost"] for p in complete if p["retention_cost"] is not None]
        cost = sum(known) if known else None
        seg["complete_periods"] = len(complete)
        seg["retention_cost"] = cost
        seg["retention_cost_per_retained"] = (
            cost / retained if cost is not None and retained else None
        )
    return {
        "window": win.to_dict(),
        "period": options.period,
        "by": options.by,
        "order_event": options.order_event,
        "segments": segments,
        "accounts": accounts,
        "periods": periods,
    }


def customers(db: Database, options: LoyaltyOptions) -> pa.Table:
    """Per customer KPIs of every customer (Arrow; write it with ``clv.write_table``)."""
    sql = customers_sql(options, window(db, options))
    return db.cursor().sql(f"SELECT * FROM ({sql}) c ORDER BY customer_id").to_arrow_table()


def accounts(db: Database, options: LoyaltyOptions) -> pa.Table:
    """Revenue, wallet estimate and share of wallet of every B2B account with orders."""
    sql = accounts_sql(options, window(db, options))
    return db.cursor().sql(f"SELECT * FROM ({sql}) a ORDER BY account_id").to_arrow_table()


def customer(db: Database, options: LoyaltyOptions, case_id: str) -> dict[str, Any] | None:
    """The KPIs of one customer (journey case), or None when they never ordered."""
    sql = customers_sql(options, window(db, options))
    rows = _rows(db, f"SELECT * FROM ({sql}) c WHERE customer_id = {lit(case_id)}")
    return rows[0] if rows else None
