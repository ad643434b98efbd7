"""``journeyhub demo generate|load|run``"""

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
    progress_bar,
)

demo_app = typer.Typer(
    help="The demo company: a DACH retailer with B2C and B2B customers.", no_args_is_help=True
)


@demo_app.command("generate")
def demo_generate(
    customers: Annotated[int, typer.Option(help="How many real people.")] = 2000,
    seed: Annotated[int, typer.Option(help="Same seed, same company.")] = 42,
    out: Annotated[Path, typer.Option(help="Folder to write to.")] = Path("demo-data"),
    fmt: Annotated[str, typer.Option("--format", help="Events as parquet or jsonl.")] = "parquet",
    intensity: Annotated[
        float, typer.Option(help="Scale purchase cycles per customer (more events per customer).")
    ] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Write events, five source systems' records and the ground truth to a folder.

    About 25 events per customer at intensity 1; streams, so 1M customers need no more memory
    than 1,000. Example: journeyhub demo generate --customers 100000 --seed 7 --out demo-data
    """
    from journeyhub.demo.generator import generate

    try:
        with progress_bar("generating customers", enabled=not as_json) as bar:
            report = generate(customers, seed, out, fmt=fmt, intensity=intensity, progress=bar)
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        print_json(report.as_dict())
    else:
        console.print(
            f"[green]wrote[/] {report.events:,} events and "
            f"{sum(report.records.values()):,} source records for {customers:,} "
            f"customers to {out} in {report.seconds} s"
        )


@demo_app.command("load")
def demo_load(
    folder: Annotated[Path, typer.Argument(help="Folder written by demo generate.")] = Path(
        "demo-data"
    ),
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Import a generated demo company (events and all source records) into the database."""
    from journeyhub.demo.loader import load_demo

    with open_hub(db) as hub, progress_bar("importing events", enabled=not as_json) as bar:
        try:
            result = load_demo(hub, folder, progress=bar)
        except FileNotFoundError as exc:
            fail(str(exc))
        stats = hub.stats()
    if as_json:
        print_json({**result, "stats": stats})
    else:
        console.print(
            f"[green]loaded[/] {stats['events']:,} events, "
            f"{stats['source_records']:,} source records; "
            f"{stats['profiles']:,} stitched profiles"
        )


@demo_app.command("run")
def demo_run(
    db: DbOption = DEFAULT_DB,
    customers: Annotated[int, typer.Option(help="How many real people.")] = 2000,
    seed: Annotated[int, typer.Option(help="Same seed, same company.")] = 42,
    out: Annotated[Path, typer.Option(help="Demo data folder.")] = Path("demo-data"),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Generate (if needed) and load the demo company, resolve identities, and serve.

    This is the main job: afterwards open http://127.0.0.1:8000/docs.
    """
    from journeyhub.api.serve import run_server
    from journeyhub.demo.generator import generate
    from journeyhub.demo.loader import example_customer, load_demo

    if not any(out.glob("events.*")):
        with progress_bar("generating customers") as bar:
            generate(customers, seed, out, progress=bar)
    with open_hub(db) as hub:
        if hub.stats()["events"] == 0:
            with progress_bar("importing events") as bar:
                load_demo(hub, out, progress=bar)
        if hub.stats()["golden_records"] == 0:
            report = hub.resolve(progress=lambda m: console.print(f"[dim]…[/] {m}"))
            console.print(f"identities resolved: {report.golden_records:,} golden records")
        key = hub.create_key("demo")["key"]
        stats = hub.stats()
        example = example_customer(hub)
    console.print(
        f"[green]demo company ready[/]: {stats['events']:,} events, "
        f"{stats['source_records']:,} source records, {stats['profiles']:,} profiles"
    )
    console.print(f"API key: [bold]{key}[/]")
    console.print(
        f"try: curl -H 'Authorization: Bearer {key}' "
        f"http://{host}:{port}/v1/customers/{example}/timeline"
    )
    console.print(
        f"     curl -H 'Authorization: Bearer {key}' "
        f"'http://{host}:{port}/v1/golden?email={example}'"
    )
    run_server(db, host, port)
