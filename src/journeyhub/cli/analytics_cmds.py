"""``journeyhub analytics ...``: the real journeys measured against the designed one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from journeyhub.analytics.funnels import Breakdown
from journeyhub.analytics.logs import LEVELS, Level
from journeyhub.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    console,
    open_hub,
    print_json,
    print_table,
)
from journeyhub.journey.model import parse_duration

analytics_app = typer.Typer(
    help="Journey analytics: dfg, variants, funnel, paths, conformance, friction, unmapped, "
    "goals. Apply a journey first for touchpoint/phase levels (journeyhub journey apply retail).",
    no_args_is_help=True,
)
LevelOption = Annotated[
    str, typer.Option("--level", help="event (names), touchpoint or phase (journey model).")
]
JourneyOption = Annotated[
    str | None, typer.Option("--journey", "-j", help="Journey name (default: the only/retail).")
]
SinceOption = Annotated[datetime | None, typer.Option(help="Only events from this time on.")]
UntilOption = Annotated[datetime | None, typer.Option(help="Only events before this time.")]
PersonaOption = Annotated[str | None, typer.Option(help="Only customers of this persona.")]


def _level(level: str) -> Level:
    if level not in LEVELS:
        raise ValueError(f"--level must be one of {', '.join(LEVELS)}, got {level!r}")
    return cast(Level, level)


def _by(by: str | None) -> Breakdown | None:
    if by not in (None, "channel", "cohort", "persona"):
        raise ValueError(f"--by must be channel, cohort or persona, got {by!r}")
    return cast(Breakdown | None, by)


def _filters(journey: str | None, since: Any, until: Any, persona: str | None) -> dict[str, Any]:
    return {"journey": journey, "since": since, "until": until, "persona": persona}


@analytics_app.command("dfg")
def analytics_dfg(
    level: LevelOption = "event",
    journey: JourneyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    persona: PersonaOption = None,
    top: Annotated[int, typer.Option(help="Rows to print (JSON has all).")] = 25,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Directly-follows graph: how often activity B directly follows A, and the median time
    between them. JSON: [{"from", "to", "count", "median_seconds"}]."""
    with open_hub(db) as hub:
        rows = hub.analytics.dfg(_level(level), **_filters(journey, since, until, persona))
    if as_json:
        print_json(rows)
    else:
        print_table(rows[:top], ["from", "to", "count", "median_seconds"], title="Directly follows")


@analytics_app.command("variants")
def analytics_variants(
    level: LevelOption = "touchpoint",
    journey: JourneyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    persona: PersonaOption = None,
    limit: Annotated[int, typer.Option(help="Top variants to return.")] = 20,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Variants: distinct journeys (whole activity sequences) and how many customers took each."""
    with open_hub(db) as hub:
        result = hub.analytics.variants(
            _level(level), limit, **_filters(journey, since, until, persona)
        )
    if as_json:
        print_json(result)
        return
    console.print(f"{result['variants']:,} variants over {result['cases']:,} customers")
    rows = [{**v, "variant": " > ".join(v["variant"]), "share": f"{v['share']:.1%}"}
            for v in result["top"]]  # fmt: skip
    print_table(rows, ["cases", "share", "length", "variant"])


@analytics_app.command("funnel")
def analytics_funnel(
    steps: Annotated[str, typer.Option(help="Comma-separated ordered steps, e.g. a,b,c.")],
    within: Annotated[str, typer.Option(help="Conversion window from step 1, e.g. 30d, 2h.")] = (
        "30d"
    ),
    level: LevelOption = "event",
    by: Annotated[str | None, typer.Option(help="Breakdown: channel, cohort or persona.")] = None,
    customers_at: Annotated[
        int | None, typer.Option("--customers-at", help="List the customers at this step.")
    ] = None,
    dropped: Annotated[
        bool, typer.Option(help="With --customers-at: those who dropped off before it.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Page size of --customers-at.")] = 100,
    offset: Annotated[int, typer.Option(help="Page offset of --customers-at.")] = 0,
    journey: JourneyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    persona: PersonaOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Ordered funnel with a conversion window: customers per step, conversion, drop-off and
    time to convert; --customers-at N [--dropped] lists the people (paginated).

    Example: journeyhub analytics funnel --steps "Product Viewed,Product Added,Order Completed"
    --within 30d
    """
    step_list = [s.strip() for s in steps.split(",") if s.strip()]
    window = parse_duration(within)
    filters = _filters(journey, since, until, persona)
    with open_hub(db) as hub:
        if customers_at is not None:
            page = hub.analytics.funnel_customers(
                step_list, window, customers_at, dropped=dropped, level=_level(level),
                limit=limit, offset=offset, **filters,
            )  # fmt: skip
            if as_json:
                print_json(page)
            else:
                console.print(f"{page['total']:,} customers; this page:")
                for cid in page["customers"]:
                    console.print(f"  {cid}")
                if page.get("did_next"):
                    print_table(page["did_next"], ["activity", "customers"], title="Did next")
            return
        result = hub.analytics.funnel(step_list, window, _level(level), _by(by), **filters)
    if as_json:
        print_json(result)
        return
    for series in result["series"]:
        rows = [{**s, "conversion": f"{s['conversion']:.1%}"} for s in series["steps"]]
        print_table(rows, ["step", "name", "customers", "conversion", "dropped"],
                    title=f"Funnel ({series['segment']})")  # fmt: skip
    print_table(result["time_to_convert"], ["bucket", "customers"], title="Time to convert")


@analytics_app.command("paths")
def analytics_paths(
    anchor: Annotated[str, typer.Option(help="The touchpoint (or event/phase) paths go through.")],
    direction: Annotated[str, typer.Option(help="out (after the anchor) or in (before).")] = "out",
    length: Annotated[int, typer.Option(help="Steps after/before the anchor.")] = 3,
    level: LevelOption = "touchpoint",
    limit: Annotated[int, typer.Option(help="Top paths.")] = 20,
    journey: JourneyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    persona: PersonaOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Top paths into or out of a touchpoint, with the share of customers each covers and
    Sankey data (JSON)."""
    with open_hub(db) as hub:
        result = hub.analytics.paths(
            anchor,
            _level(level),
            direction,
            length,
            limit,
            **_filters(journey, since, until, persona),
        )
    if as_json:
        print_json(result)
        return
    rows = [
        {**p, "path": " > ".join(p["path"]), "share": f"{p['share']:.1%}"} for p in result["top"]
    ]
    print_table(rows, ["customers", "share", "path"], title=f"Paths {direction} of {anchor}")


@analytics_app.command("conformance")
def analytics_conformance(
    journey: JourneyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    persona: PersonaOption = None,
    limit: Annotated[int, typer.Option(help="Least-fitting customers to list.")] = 20,
    offset: Annotated[int, typer.Option(help="Page offset of that list.")] = 0,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Each customer journey against the critical path (milestones): fitness (token replay),
    skipped milestones, loops, wrong order — and which deviations go with churn and low NPS."""
    with open_hub(db) as hub:
        result = hub.analytics.conformance(
            limit, offset, **_filters(journey, since, until, persona)
        )
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result['cases']:,} journeys; mean fitness {result['mean_fitness']:.3f}, log fitness "
        f"{result['log_fitness']:.3f}; {result['perfect']:,} follow the path exactly"
    )
    rows = []
    for name, sides in result["outcomes"].items():
        w = sides.get("with", {})
        wo = sides.get("without", {})
        rows.append({"deviation": name, "customers": w.get("cases", 0),
                     "churn with": w.get("churn_rate"), "churn without": wo.get("churn_rate"),
                     "NPS with": w.get("nps"), "NPS without": wo.get("nps")})  # fmt: skip
    print_table(rows, ["deviation", "customers", "churn with", "churn without", "NPS with",
                       "NPS without"], title="Deviations")  # fmt: skip


@analytics_app.command("friction")
def analytics_friction(
    journey: JourneyOption = None,
    detector: Annotated[
        list[str] | None, typer.Option(help="Only these detectors (repeatable).")
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Friction ranked by customers affected: repeat contacts, channel switches, data asked
    twice, drop-offs, long waits, slow resolution, dead ends — with example timelines."""
    with open_hub(db) as hub:
        rows = hub.analytics.friction(journey, detector)
    if as_json:
        print_json(rows)
        return
    shown = [{**r, "example": r["examples"][0]["timeline"] if r["examples"] else ""}
             for r in rows]  # fmt: skip
    print_table(shown, ["detector", "touchpoint", "detail", "customers", "occurrences", "example"],
                title="Friction")  # fmt: skip


@analytics_app.command("unmapped")
def analytics_unmapped(
    journey: JourneyOption = None,
    limit: Annotated[int, typer.Option(help="Top activities and sequences.")] = 20,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Events and sequences no touchpoint of the journey matches: candidates for the map."""
    with open_hub(db) as hub:
        result = hub.analytics.unmapped(journey, limit)
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result['unmapped_events']:,} of {result['events']:,} interactions "
        f"({result['unmapped_share']:.1%}) match no touchpoint of {result['journey']}"
    )
    print_table(result["activities"], ["activity", "customers", "events"], title="Unmapped")
    print_table(result["sequences"], ["from", "to", "customers"], title="Unmapped sequences")


@analytics_app.command("goals")
def analytics_goals(
    journey: JourneyOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """SMART goals: current value (last 90 days), target, deadline, monthly trend, status."""
    with open_hub(db) as hub:
        rows = hub.analytics.goals(journey)
    if as_json:
        print_json(rows)
        return
    shown = [{**g, "current": None if g["current"] is None else round(g["current"], 3),
              "target": f"{g['comparison']} {g['target']:g}"} for g in rows]  # fmt: skip
    print_table(shown, ["id", "metric", "current", "target", "deadline", "status"], title="Goals")


@analytics_app.command("export")
def analytics_export(
    out: Annotated[Path, typer.Option("--out", help="FILE.xes, FILE.jsonocel (OCEL 2.0) or DIR")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="xes, ocel or parquet (default: from --out).")
    ] = None,
    level: LevelOption = "event",
    journey: JourneyOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Export the event log for process mining: XES (pm4py, ProM, Celonis), OCEL 2.0 JSON
    (customers, orders, tickets as objects), or the Parquet tables Spark analytics read."""
    from journeyhub.analytics import export

    with open_hub(db) as hub:
        result = export.export(hub.analytics, out, fmt=fmt, level=_level(level), journey=journey)
    console.print(
        f"{result['events']:,} events of {result['cases']:,} customers -> {result['path']}"
    )
