"""``journeyhub``: the command line entry point."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import orjson
import typer

from journeyhub import __version__
from journeyhub.cli.analytics_cmds import analytics_app
from journeyhub.cli.clv_cmds import clv_app
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
from journeyhub.cli.demo_cmds import demo_app
from journeyhub.cli.feedback_cmds import consent_app, feedback_app, scores_command, surveys_app
from journeyhub.cli.hub_cmds import golden_app, identity_app, quality_app, sources_app
from journeyhub.cli.ingest_cmds import events_app, quarantine_app, records_app
from journeyhub.cli.journey_cmds import journey_app
from journeyhub.cli.loyalty_cmds import loyalty_app

app = typer.Typer(
    name="journeyhub",
    help="Customer journeys on one timeline: ingest events and records, stitch identities, "
    "serve the API. Every command takes --db (or JOURNEYHUB_DB).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
keys_app = typer.Typer(help="API keys for the REST API.", no_args_is_help=True)
timeline_app = typer.Typer(help="Customer and account timelines.", no_args_is_help=True)
store_app = typer.Typer(help="Store facts and maintenance.", no_args_is_help=True)
app.add_typer(events_app, name="events")
app.add_typer(records_app, name="records")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(keys_app, name="keys")
app.add_typer(timeline_app, name="timeline")
app.add_typer(store_app, name="store")
app.add_typer(sources_app, name="sources")
app.add_typer(identity_app, name="identity")
app.add_typer(golden_app, name="golden")
app.add_typer(quality_app, name="quality")
app.add_typer(journey_app, name="journey")
app.add_typer(analytics_app, name="analytics")
app.add_typer(clv_app, name="clv")
app.add_typer(loyalty_app, name="loyalty")
app.add_typer(surveys_app, name="surveys")
app.add_typer(feedback_app, name="feedback")
app.add_typer(consent_app, name="consent")
app.command("scores")(scores_command)
app.add_typer(demo_app, name="demo")


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Serve the REST API (docs at /docs, health at /health) over the database.

    While it runs the server holds the database; other commands tell you so.
    """
    from journeyhub.api.serve import run_server
    from journeyhub.store import DatabaseLockedError

    try:
        run_server(db, host, port)
    except DatabaseLockedError as exc:
        fail(str(exc))


@keys_app.command("create")
def keys_create(
    db: DbOption = DEFAULT_DB,
    name: Annotated[str, typer.Option(help="A label, e.g. the sending system.")] = "default",
    as_json: JsonOption = False,
) -> None:
    """Create an API key. It is shown once; send it as 'Authorization: Bearer KEY'."""
    with open_hub(db) as hub:
        created = hub.create_key(name)
    if as_json:
        print_json({"key": created["key"], "id": created["id"], "name": created["name"]})
    else:
        console.print(f"[green]key[/] {created['key']}  (id {created['id']}; shown once)")


@keys_app.command("list")
def keys_list(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List API keys (without their secrets). While a server holds the database: GET /v1/keys."""
    with open_hub(db) as hub:
        rows = hub.list_keys()
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "name", "prefix", "created_at", "revoked_at"])


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id (key_...).")], db: DbOption = DEFAULT_DB
) -> None:
    """Revoke an API key by its id. While a server holds the database, revoke it there
    (DELETE /v1/keys/KEY_ID): the server then refuses the key from the next request on."""
    with open_hub(db) as hub:
        hub.revoke_key(key_id)
    console.print(f"revoked {key_id}")


@timeline_app.command("show")
def timeline_show(
    identifier: Annotated[
        str,
        typer.Argument(help="userId, anonymousId, email or phone (or a groupId with --account)."),
    ],
    db: DbOption = DEFAULT_DB,
    account: Annotated[bool, typer.Option(help="Treat ID as a B2B account (groupId).")] = False,
    limit: Annotated[int, typer.Option(help="Items per page.")] = 50,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page.")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="Only these channels.")] = None,
    event: Annotated[list[str] | None, typer.Option(help="Only these event names.")] = None,
    since: Annotated[datetime | None, typer.Option(help="From this time (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Before this time (UTC).")] = None,
    desc: Annotated[bool, typer.Option("--desc", help="Newest first.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show every event of a customer over all linked identities and channels.

    Example: journeyhub timeline show anna.mueller@example.de --channel web --limit 20
    """
    with open_hub(db) as hub:
        fn = hub.account_timeline if account else hub.timeline
        page = fn(
            identifier,
            limit=limit,
            cursor=cursor,
            channels=channel,
            events=event,
            since=since,
            until=until,
            descending=desc,
        )
    if as_json:
        print_json(page.as_dict())
        return
    ids = ", ".join(f"{i['kind']}:{i['value']}" for i in page.identities) or "(no linked ids)"
    console.print(f"[bold]{identifier}[/] profile {page.profile_id} — {ids}")
    rows = [
        {
            "time": item["timestamp"][:16].replace("T", " "),
            "channel": item["channel"],
            "type": item["type"],
            "what": item.get("event") or item.get("name") or "",
            "who": item.get("userId") or item.get("anonymousId"),
            "properties": orjson.dumps(item["properties"]).decode()[:60],
        }
        for item in page.items
    ]
    print_table(rows, ["time", "channel", "type", "what", "who", "properties"])
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}")


@store_app.command("stats")
def store_stats(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Counts of events, identities, profiles, quarantined inputs."""
    with open_hub(db) as hub:
        stats = hub.stats()
    if as_json:
        print_json(stats)
    else:
        print_table([stats], list(stats))


@store_app.command("optimize")
def store_optimize(db: DbOption = DEFAULT_DB) -> None:
    """Re-cluster events by customer so timelines stay fast after many small writes, and
    rewrite tables an older journeyhub laid out differently (real-time matching reads them
    row by row, and keep their text uncompressed now)."""
    with open_hub(db) as hub:
        done = hub.optimize()
    console.print(f"clustered {done['events_clustered']:,} events")
    if done["tables_rewritten"]:
        console.print(f"rewrote {', '.join(done['tables_rewritten'])} in the current layout")
