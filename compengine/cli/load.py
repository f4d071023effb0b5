"""`compengine load DIR [--replace]`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from compengine.cli.common import state
from compengine.ledger.load import LoadReport, ProgressReport, load_directory


def register(app: typer.Typer) -> None:
    @app.command("load")
    def load(
        ctx: typer.Context,
        directory: Path = typer.Argument(
            ...,
            metavar="DIR",
            help="Folder with payees, accounts, "
            "assignments, contracts and usage files (.csv or "
            ".parquet).",
        ),
        replace: bool = typer.Option(
            False,
            "--replace",
            help="Let re-delivered rows with changed content replace the stored ones (audited).",
        ),
        wait: bool = typer.Option(
            False, "--wait", help="Wait for a command in progress instead of failing."
        ),
    ) -> None:
        """Load the CSV/Parquet files in DIR: all of them or, on any problem, nothing."""
        app_state = state(ctx)
        with progress_on_terminal() as progress:
            report = load_directory(
                app_state.engine,
                directory,
                actor=app_state.actor,
                replace=replace,
                wait=wait,
                progress=progress,
            )
        print_report(report, Console())


def print_report(report: LoadReport, console: Console) -> None:
    table = Table("file", "rows", "new", "unchanged", "replaced")
    for counts in report.files:
        table.add_row(
            counts.source,
            *(str(n) for n in (counts.rows, counts.new, counts.unchanged, counts.replaced)),
        )
    console.print(table)
    if report.changed:
        console.print(
            f"load batch {report.batch_id}: {report.total('new')} new, "
            f"{report.total('replaced')} replaced, {report.total('unchanged')} unchanged rows"
        )
    else:
        console.print(
            f"load batch {report.batch_id}: nothing changed, all {report.total('rows')} rows "
            "are stored already"
        )


@contextmanager
def progress_on_terminal() -> Iterator[ProgressReport | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:

        def report(what: str, done: float | None) -> None:
            if what not in tasks:
                for task in tasks.values():
                    bar.update(task, completed=1)
                tasks[what] = bar.add_task(what, total=1 if done is not None else None)
            if done is not None:
                bar.update(tasks[what], completed=done)

        yield report
