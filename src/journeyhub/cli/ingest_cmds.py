"""``journeyhub events|records|quarantine ...``"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
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
    progress_bar,
)

events_app = typer.Typer(
    help="Import events (Segment-spec JSONL, CSV or Parquet).", no_args_is_help=True
)
records_app = typer.Typer(help="Import customer records from source systems.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Inspect and replay rejected inputs.", no_args_is_help=True)


def _parse_mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        for item in pair.split(","):
            field, sep, column = item.partition("=")
            if not sep or not field.strip() or not column.strip():
                fail(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map userId=customer_no")
            mapping[field.strip()] = column.strip()
    return mapping


@events_app.command("import")
def events_import(
    file: Annotated[Path, typer.Argument(help="JSONL, CSV or Parquet file of events.")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="jsonl, csv or parquet (default: from the extension)"),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="Map an event field to a column: --map userId=customer_no "
            "(repeat, or comma-separate).",
        ),
    ] = None,
    chunk_rows: Annotated[int, typer.Option(help="Rows per committed chunk.")] = 1_000_000,
    as_json: JsonOption = False,
) -> None:
    """Import an events file. Bad rows go to quarantine; re-running never duplicates events.

    Columns (or JSON fields) follow the Segment spec: messageId, type, event, name, userId,
    anonymousId, groupId, timestamp, channel, properties, traits, context; snake_case works too.

    Example: journeyhub events import demo-data/events.parquet
    """
    with open_hub(db) as hub, progress_bar(f"importing {file.name}", enabled=not as_json) as bar:
        report = hub.import_events(
            file, fmt=fmt, mapping=_parse_mapping(mapping), chunk_rows=chunk_rows, progress=bar
        )
    if as_json:
        print_json(report.as_dict())
        return
    d = report.as_dict()
    console.print(
        f"[green]imported[/] {d['accepted']:,} events from {file} "
        f"({d['duplicates']:,} already stored, {d['rejected']:,} quarantined) "
        f"in {d['seconds']} s — {d['events_per_second'] or 0:,} events/s"
    )
    if report.rejections:
        print_table(
            [r.as_dict() for r in report.rejections[:10]],
            ["index", "code", "message"],
            title="first rejected rows (row: line/row)",
        )
        console.print("see all: [bold]journeyhub quarantine list[/]")


@records_app.command("import")
def records_import(
    file: Annotated[Path, typer.Argument(help="CSV, JSONL or Parquet file of records.")],
    source: Annotated[str, typer.Option("--source", help="Source system name, e.g. crm.")],
    db: DbOption = DEFAULT_DB,
    id_column: Annotated[str | None, typer.Option(help="Column holding the record id.")] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding when not UTF-8, e.g. cp1252 (Windows/Excel exports)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a source system's customer records (kept as-is, keyed by source and id).

    Example: journeyhub records import --source crm demo-data/records/crm.csv
    """
    with open_hub(db) as hub:
        report = hub.import_records(source, file, id_column=id_column, encoding=encoding)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"[green]{source}[/]: {report.inserted:,} new, {report.updated:,} changed, "
        f"{report.unchanged:,} unchanged, {report.rejected:,} quarantined"
    )


@quarantine_app.command("list")
def quarantine_list(
    db: DbOption = DEFAULT_DB,
    status: Annotated[str, typer.Option(help="open, replayed or all")] = "open",
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """List rejected inputs with the reason each was rejected."""
    with open_hub(db) as hub:
        items = hub.quarantine(
            status=None if status == "all" else status, reason_code=reason, limit=limit
        )
    if as_json:
        print_json(items)
        return
    for item in items:
        item["payload"] = item["payload"][:60]
    print_table(
        items,
        ["id", "source", "position", "reason_code", "reason", "payload"],
        title=f"quarantine ({status})",
    )


@quarantine_app.command("replay")
def quarantine_replay(
    ids: Annotated[
        list[str] | None, typer.Argument(help="Quarantine ids (default: all open).")
    ] = None,
    db: DbOption = DEFAULT_DB,
    fix: Annotated[
        Path | None,
        typer.Option(
            help='JSONL of corrections: {"id": "q_...", "payload": {...event...}} per line.'
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Validate quarantined inputs again — as stored, or with corrected payloads from --fix."""
    fixes: dict[str, str] = {}
    if fix:
        for number, line in enumerate(fix.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = orjson.loads(line)
                payload = entry["payload"]
                fixes[entry["id"]] = (
                    payload if isinstance(payload, str) else orjson.dumps(payload).decode()
                )
            except (orjson.JSONDecodeError, KeyError, TypeError):
                fail(f'{fix}:{number}: expected {{"id": ..., "payload": ...}}')
    with open_hub(db) as hub:
        report = hub.replay_quarantine(ids or None, fixes or None)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"replayed {report.replayed}, already stored {report.duplicates}, "
        f"still rejected {len(report.still_rejected)}"
    )
    if report.still_rejected:
        print_table(report.still_rejected, ["id", "code", "reason"])
