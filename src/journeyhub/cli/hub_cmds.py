"""``journeyhub sources|identity|golden ...``: the Customer Data Hub from the command line."""

from __future__ import annotations

import getpass
from dataclasses import asdict
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
from journeyhub.identity.quality import write_html
from journeyhub.identity.sources import SourceError

sources_app = typer.Typer(
    help="Source systems and their mapping (YAML) to the canonical customer model.",
    no_args_is_help=True,
)
identity_app = typer.Typer(
    help="Identity resolution: match source records into golden records.", no_args_is_help=True
)
quality_app = typer.Typer(
    help="Data quality of the source systems, per source and field.", no_args_is_help=True
)
golden_app = typer.Typer(
    help="Golden records: show, look up, export, change feed, stewardship.", no_args_is_help=True
)
webhooks_app = typer.Typer(
    help="Push the golden-record change feed to touchpoint systems (signed, retried).",
    no_args_is_help=True,
)
golden_app.add_typer(webhooks_app, name="webhooks")


@sources_app.command("add")
def sources_add(
    name: Annotated[str, typer.Argument(help="Source name, e.g. crm, webshop, pos.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="YAML mapping file.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Register (or update) a source with its field mapping, trust rank and defaults.

    Example: journeyhub sources add crm --mapping crm.yaml
    """
    with open_hub(db) as hub:
        try:
            result = hub.add_source(name, mapping)
        except SourceError as exc:
            fail(str(exc))
        if as_json:
            print_json({"name": name, **result.model_dump()})
        else:
            console.print(
                f"source [bold]{name}[/] registered ({result.kind}, trust {result.trust})"
            )


@sources_app.command("list")
def sources_list(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Registered sources with kind, trust rank and number of records."""
    with open_hub(db) as hub:
        rows = hub.sources()
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["name", "kind", "trust", "records", "updated_at"], title="Sources")


@sources_app.command("show")
def sources_show(
    name: Annotated[str, typer.Argument(help="Source name.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """The mapping of one source: which column feeds which canonical field."""
    with open_hub(db) as hub:
        try:
            mapping = hub.source(name)
        except SourceError as exc:
            fail(str(exc))
    if as_json:
        print_json({"name": name, **mapping.model_dump()})
        return
    console.print(f"[bold]{name}[/]: {mapping.kind}, id column {mapping.id_column}, "
                  f"trust {mapping.trust}, default country {mapping.country or '-'}")  # fmt: skip
    rows = [
        {"field": f, "columns": ", ".join(s.columns), "trust": mapping.trust_of(f)}
        for f, s in mapping.fields.items()
    ]
    print_table(rows, ["field", "columns", "trust"])


@identity_app.command("resolve")
def identity_resolve(
    db: DbOption = DEFAULT_DB,
    engine: Annotated[str, typer.Option(help="duckdb (embedded) or spark (local/cluster).")] = (
        "duckdb"
    ),
    retrain: Annotated[bool, typer.Option(help="Train the matching model anew.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Standardise, match and cluster all source records into golden records.

    The first run trains the matching model and keeps it in the database; later runs reuse
    it (--retrain to train anew). Golden ids stay stable across runs.
    """
    with open_hub(db) as hub:
        say = (lambda _m: None) if as_json else (lambda m: console.print(f"[dim]…[/] {m}"))
        report = hub.resolve(engine=engine, retrain=retrain, progress=say)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"[bold]{report.golden_records:,}[/] golden records from "
        f"{report.person_records + report.organisation_records:,} source records "
        f"({report.created:,} new, {report.merged:,} merged, {report.split:,} split, "
        f"{report.updated:,} updated); {report.reviews_open:,} pairs wait for review. "
        f"[dim]{sum(report.seconds.values()):.1f} s[/]"
    )


@golden_app.command("show")
def golden_show(
    golden_id: Annotated[str, typer.Argument(help="Golden id, e.g. G000042.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """A golden record: each value with the source and rule it came from, and its history."""
    with open_hub(db) as hub:
        record = hub.golden(golden_id)
    if as_json:
        print_json(record)
        return
    console.print(f"[bold]{record['golden_id']}[/] ({record['kind']}, "
                  f"{record['members']} source records)")  # fmt: skip
    rows = [
        {"attribute": k, "value": v, **record["lineage"].get(k, {})}
        for k, v in record["attributes"].items()
    ]
    print_table(rows, ["attribute", "value", "source", "record_id", "rule"])


@golden_app.command("export")
def golden_export(
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    source: Annotated[
        str | None,
        typer.Option(help="Only this source's records, in its own column names."),
    ] = None,
) -> None:
    """One row per source record: source, source_record_id, golden_id, golden attributes."""
    with open_hub(db) as hub:
        rows = hub.export_golden(out, fmt=fmt, source=source)
    console.print(f"wrote {rows:,} rows to {out}")


@golden_app.command("changes")
def golden_changes(
    db: DbOption = DEFAULT_DB,
    since: Annotated[int, typer.Option(help="Cursor: the last seq you have seen.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many changes.")] = 100,
) -> None:
    """The change feed (JSON): created, updated, merged and split golden records."""
    with open_hub(db) as hub:
        print_json(hub.golden_changes(since, limit))


UserOption = Annotated[
    str,
    typer.Option(
        "--user", envvar="JOURNEYHUB_USER", help="Who decides (audited). Env: JOURNEYHUB_USER."
    ),
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (required, audited).")]


def _current_user() -> str:
    return getpass.getuser()


@golden_app.command("merge")
def golden_merge(
    golden_ids: Annotated[list[str], typer.Argument(help="Two or more golden ids.")],
    reason: ReasonOption,
    user: UserOption = "",
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Merge golden records into the oldest of them; the others redirect to it.

    Example: journeyhub golden merge G000012 G000345 --reason "same person, moved in 2024"
    """
    with open_hub(db) as hub:
        record = hub.merge_golden(golden_ids, actor=user or _current_user(), reason=reason)
    if as_json:
        print_json(record)
        return
    console.print(f"merged into [bold]{record['golden_id']}[/] ({record['members']} records)")


@golden_app.command("unmerge")
def golden_unmerge(
    golden_id: Annotated[str, typer.Argument(help="The golden record to split.")],
    reason: ReasonOption,
    record: Annotated[
        list[str] | None,
        typer.Option(
            "--record",
            help="Split off this record (SOURCE/ID); repeatable. "
            "Without it, the latest merge into GOLDEN_ID is undone.",
        ),
    ] = None,
    user: UserOption = "",
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Split records out of a golden record; they never match it again unless merged by hand.

    Example: journeyhub golden unmerge G000012 --reason "two brothers, same address"
    """
    with open_hub(db) as hub:
        result = hub.unmerge_golden(
            golden_id, records=record or None, actor=user or _current_user(), reason=reason
        )
    if as_json:
        print_json(result)
        return
    console.print(f"{result['golden_id']}: split off {len(result['records'])} records "
                  f"into [bold]{result['split_off']}[/]")  # fmt: skip


@golden_app.command("review")
def golden_review(
    merge: Annotated[
        tuple[str, str] | None,
        typer.Option("--merge", metavar="RECORD RECORD", help="Judge this pair a match."),
    ] = None,
    never: Annotated[
        tuple[str, str] | None,
        typer.Option("--never", metavar="RECORD RECORD", help="Judge this pair never a match."),
    ] = None,
    reason: Annotated[str, typer.Option(help="Why (required with --merge/--never).")] = "",
    user: UserOption = "",
    status: Annotated[str, typer.Option(help="List pairs in this state.")] = "open",
    limit: Annotated[int, typer.Option(help="List at most this many pairs.")] = 20,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """The review queue: record pairs between the two thresholds, likeliest first.

    Without options it lists the queue; --merge A B or --never A B records a decision.
    Example: journeyhub golden review --never crm/1001 pos/77 --reason "father and son"
    """
    with open_hub(db) as hub:
        pair, decision = (merge, "merge") if merge else (never, "never")
        if pair:
            result = hub.decide_match(*pair, decision, actor=user or _current_user(),
                                      reason=reason)  # fmt: skip
            print_json(result) if as_json else console.print(f"{decision}: {result}")
            return
        queue = hub.match_reviews(status=status, limit=limit)
    if as_json:
        print_json(queue)
        return
    rows = [
        {"p": f"{r['match_probability']:.2f}", "left": r["uid_l"], "right": r["uid_r"],
         "left says": _summary(r["left"]), "right says": _summary(r["right"])}
        for r in queue["items"]
    ]  # fmt: skip
    print_table(rows, ["p", "left", "right", "left says", "right says"],
                title=f"{queue['total']:,} pairs {status}")  # fmt: skip


def _summary(record: dict[str, str | None] | None) -> str:
    if not record:
        return ""
    parts = ("given_name", "family_name", "birth_date", "email", "postcode", "city")
    return " ".join(v for k in parts if (v := record.get(k)))


@quality_app.command("report")
def quality_report(
    db: DbOption = DEFAULT_DB,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write a standalone HTML page with charts here.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Completeness, validity and standardisation changes per source and field, and each
    source's duplicate rate (run `journeyhub identity resolve` first for duplicates).

    Example: journeyhub quality report --html quality.html
    """
    with open_hub(db) as hub:
        report = hub.quality_report(source)
    if html:
        write_html(report, html)
    if as_json:
        print_json(report)
        return
    pct = lambda v: f"{v:.1%}"  # noqa: E731
    print_table(
        [{**s, "duplicate_rate": pct(s["duplicate_rate"])} for s in report["sources"]],
        ["source", "records", "golden_records", "duplicated", "duplicate_rate"],
        title="Sources",
    )
    print_table(
        [{**f, **{k: pct(f[k]) for k in ("completeness", "validity", "standardised")}}
         for f in report["fields"]],
        ["source", "field", "records", "completeness", "validity", "standardised"],
        title="Fields",
    )  # fmt: skip
    if html:
        console.print(f"charts written to {html}")


@webhooks_app.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="Receiver URL (http or https).")],
    from_start: Annotated[
        bool, typer.Option(help="Send the whole feed, not only changes from now on.")
    ] = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Subscribe a URL; prints the secret that signs each delivery (shown only now).

    Receivers check X-Journeyhub-Signature: sha256=HMAC(secret, body).
    """
    with open_hub(db) as hub:
        hook = hub.add_webhook(url, from_start=from_start)
    if as_json:
        print_json(hook)
        return
    console.print(f"webhook [bold]{hook['id']}[/] -> {url}\nsecret: {hook['secret']}")


@webhooks_app.command("list")
def webhooks_list(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Subscriptions with their cursor, deliveries, failures and last error."""
    with open_hub(db) as hub:
        hooks = hub.list_webhooks()
    if as_json:
        print_json(hooks)
        return
    print_table(hooks, ["id", "url", "cursor", "delivered", "failures", "next_attempt_at",
                        "last_error"])  # fmt: skip


@webhooks_app.command("remove")
def webhooks_remove(
    hook_id: Annotated[str, typer.Argument(help="Webhook id (wh_...).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Unsubscribe a webhook."""
    with open_hub(db) as hub:
        if not hub.remove_webhook(hook_id):
            fail(f"no webhook {hook_id!r}", 1)
    console.print(f"removed {hook_id}")


@webhooks_app.command("deliver")
def webhooks_deliver(
    force: Annotated[bool, typer.Option(help="Also retry webhooks still in backoff.")] = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Push pending changes now (the server does this every few seconds by itself)."""
    with open_hub(db) as hub:
        results = [asdict(d) for d in hub.deliver_webhooks(force=force)]
    if as_json:
        print_json(results)
        return
    print_table(results, ["hook_id", "sent", "ok", "error"])
