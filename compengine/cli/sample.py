"""`compengine sample DIR`: the bundled demo data and plans, for a compengine installed
without its repository."""

from __future__ import annotations

from pathlib import Path

import typer

from compengine.cli.output import terminal_text
from compengine.sample import copy_sample


def register(app: typer.Typer) -> None:
    @app.command("sample")
    def sample(target: Path = typer.Argument(..., help="A new or empty folder.")) -> None:
        """Copy the sample data (the five input files, late/) and plans (plans/) into DIR."""
        for path in copy_sample(target):
            typer.echo(terminal_text(target / path))
        typer.echo(
            terminal_text(
                f"next: cd {target} && compengine init && compengine load . && "
                "compengine run --period 2027-01"
            )
        )
