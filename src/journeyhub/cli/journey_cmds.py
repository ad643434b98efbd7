"""``journeyhub journey ...``: the designed journey as code (YAML), validated and versioned."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from journeyhub.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    console,
    fail,
    open_hub,
    print_json,
    print_table,
)
from journeyhub.config import ConfigError
from journeyhub.journey.model import Journey
from journeyhub.journey.store import diff_journeys, read_journey

journey_app = typer.Typer(
    help="The designed journey as code: phases, touchpoints and the events that mean them, "
    "personas, milestones, expectations (Soll), SMART goals. Templates: retail, b2b.",
    no_args_is_help=True,
)
FileArg = Annotated[
    str, typer.Argument(help="Journey YAML file, or a template name (retail, b2b).")
]
JourneyOption = Annotated[
    str | None, typer.Option("--journey", "-j", help="Journey name (default: the only/retail).")
]


def _read(path: str) -> Journey:
    try:
        return read_journey(path)
    except ConfigError as exc:
        fail(str(exc))


@journey_app.command("validate")
def journey_validate(file: FileArg, as_json: JsonOption = False) -> None:
    """Check a journey file: every error names the file, the key path, the line and what
    was expected. Exit code 2 when it is not valid."""
    journey = _read(file)
    summary = {
        "journey": journey.name,
        "valid": True,
        "phases": len(journey.phases),
        "touchpoints": len(journey.touchpoints),
        "personas": len(journey.personas),
        "goals": len(journey.goals),
    }
    if as_json:
        print_json(summary)
    else:
        console.print(
            f"[green]valid[/]: journey [bold]{journey.name}[/] with {summary['phases']} phases, "
            f"{summary['touchpoints']} touchpoints, {summary['personas']} personas, "
            f"{summary['goals']} goals"
        )


@journey_app.command("apply")
def journey_apply(file: FileArg, db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Validate and apply a journey: it becomes the newest version and all events are mapped
    to its touchpoints again (re-applying an unchanged file changes nothing).

    Example: journeyhub journey apply retail
    """
    with open_hub(db) as hub:
        result = hub.apply_journey(file)
    if as_json:
        print_json(result)
    elif result["changed"]:
        console.print(
            f"journey [bold]{result['journey']}[/] version {result['version']} applied: "
            f"{result['mapped']:,} events mapped to touchpoints"
        )
    else:
        console.print(
            f"journey [bold]{result['journey']}[/] unchanged (version {result['version']})"
        )


@journey_app.command("list")
def journey_list(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Applied journeys with their newest version and mapped events."""
    with open_hub(db) as hub:
        rows = hub.journeys()
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["name", "version", "mapped", "applied_at"], title="Journeys")


@journey_app.command("show")
def journey_show(
    name: Annotated[str | None, typer.Argument(help="Journey name, or a YAML file.")] = None,
    version: Annotated[int | None, typer.Option(help="An older version.")] = None,
    lang: Annotated[str, typer.Option(help="Labels in de or en.")] = "en",
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """A journey: phases with their touchpoints, milestones, personas and goals."""
    if name is not None and (Path(name).suffix in (".yaml", ".yml")):
        journey = _read(name)
    else:
        with open_hub(db) as hub:
            journey = hub.journey(name, version)
    if as_json:
        print_json(journey.model_dump(mode="json"))
        return
    title = journey.title.get(lang) if journey.title else journey.name
    console.print(f"[bold]{title}[/] ({journey.name}, audience {journey.audience})")
    rows = [
        {
            "phase": tp.phase,
            "touchpoint": tp.id,
            "name": tp.name.get(lang),
            "stage": tp.stage,
            "channel": tp.channel or "any",
            "team": tp.team or "",
            "milestone": journey.milestones.index(tp.id) + 1 if tp.id in journey.milestones else "",
        }
        for tp in journey.touchpoints
    ]
    print_table(rows, ["phase", "touchpoint", "name", "stage", "channel", "team", "milestone"])
    if journey.goals:
        goals = [
            {"goal": g.id, "metric": g.metric, "target": f"{g.comparison} {g.target:g}",
             "deadline": g.deadline.isoformat(), "persona": g.persona or ""}
            for g in journey.goals
        ]  # fmt: skip
        print_table(goals, ["goal", "metric", "target", "deadline", "persona"], title="Goals")


@journey_app.command("diff")
def journey_diff(
    file: FileArg,
    against: Annotated[
        str | None,
        typer.Option(help="Another file; default: the applied version of the same journey."),
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """What a journey file changes compared with the applied version (or another file)."""
    new = _read(file)
    if against is not None:
        old = _read(against)
    else:
        with open_hub(db) as hub:
            old = hub.journey(new.name)
    changes = diff_journeys(old, new)
    if as_json:
        print_json(changes)
        return
    if not changes:
        console.print("no changes")
        return
    for c in changes:
        what = f"{c['section']}.{c['id']}" if c["id"] else c["section"]
        extra = f" ({', '.join(c['fields'])})" if c.get("fields") else ""
        console.print(f"{c['change']:>8}  {what}{extra}")


@journey_app.command("customer")
def journey_customer(
    identifier: Annotated[str, typer.Argument(help="Golden id, userId, email, phone, ...")],
    journey: JourneyOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """A customer's current phase and phase history."""
    with open_hub(db) as hub:
        result = hub.analytics.customer_journey(identifier, journey)
    if as_json:
        print_json(result)
        return
    console.print(
        f"[bold]{identifier}[/] ({result['case_id']}): now in [bold]{result['current_phase']}[/]"
    )
    print_table(result["phase_history"], ["phase", "entered_at", "via"])


@journey_app.command("map")
def journey_map(
    out: Annotated[Path, typer.Option("--out", help="FILE.html, FILE.png or FILE.svg")],
    journey: JourneyOption = None,
    lang: Annotated[str, typer.Option(help="Labels in de or en.")] = "en",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Render the journey map: phases x touchpoints with volume, score, friction and the gap
    to expectation per touchpoint, as a standalone HTML page, PNG or SVG."""
    from journeyhub.analytics.journey_map import render_map

    with open_hub(db) as hub:
        path = render_map(hub.analytics, out, journey=journey, lang=lang)
    console.print(f"journey map written to {path}")
