"""Options and output helpers shared by every command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from journeyhub.hub import Hub
from journeyhub.identity.playback import GoldenNotFound
from journeyhub.ingest.files import FileImportError
from journeyhub.store import DatabaseLockedError

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    Path,
    typer.Option(
        "--db",
        envvar="JOURNEYHUB_DB",
        help="DuckDB database file (created if missing). Env: JOURNEYHUB_DB.",
        show_default=True,
    ),
]
DEFAULT_DB = Path("journeyhub.duckdb")
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error that says what went wrong, and exit."""
    # soft wrap: a long path or command in the message stays whole on one line (copyable)
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def open_hub(db: Path) -> Iterator[Hub]:
    """Open the database for a command, turning known failures into clear messages
    (exit 1 when a golden record is not found, 2 for bad input)."""
    try:
        hub = Hub(db)
    except DatabaseLockedError as exc:
        fail(str(exc))
    try:
        yield hub
    except GoldenNotFound as exc:
        fail(str(exc), 1)
    except (FileImportError, ValueError, KeyError) as exc:
        fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))
    except LookupError as exc:  # an unknown journey or customer
        fail(str(exc), 1)
    finally:
        hub.close()


def print_json(value: Any) -> None:
    """JSON on stdout, nothing else."""
    typer.echo(orjson.dumps(value, default=str, option=orjson.OPT_INDENT_2).decode())


def print_table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    """A rich table of dict rows."""
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)


@contextmanager
def progress_bar(description: str, *, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar; yields ``update(done, total)``."""
    if not enabled:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
