"""`statement`: payout statements for reps (spec section 9)."""

from __future__ import annotations

from pathlib import Path

import typer

from compengine.cli.common import PLANS_OPTION, state
from compengine.cli.output import terminal_text
from compengine.plan.load import load_plans
from compengine.statements.files import PaperSize, StatementFormat


def register(app: typer.Typer) -> None:
    _register_statement(app)


def _register_statement(app: typer.Typer) -> None:
    @app.command("statement")
    def statement(
        ctx: typer.Context,
        payee: str = typer.Option(..., "--payee"),
        period: str = typer.Option(..., "--period", help="YYYY-MM"),
        out: Path | None = typer.Option(
            None, "--out", metavar="FILE", help="Default: <payee>_<period>.<format> here."
        ),
        fmt: StatementFormat = typer.Option(StatementFormat.pdf, "--format"),
        locale: str = typer.Option("en_US", "--locale", help="How amounts are written."),
        paper: PaperSize = typer.Option(PaperSize.letter, "--paper"),
        plans: Path | None = PLANS_OPTION,
    ) -> None:
        """A payee's payout statement of a period (PDF/A-3b with lines.csv, or HTML)."""
        from compengine.statements.single import write_statement

        app_state = state(ctx)
        plan_versions = load_plans([app_state.plans_path(plans)])
        written = write_statement(
            app_state.engine,
            payee,
            period,
            plan_versions,
            out=out,
            fmt=fmt,
            locale=locale,
            paper=paper.value,
        )
        typer.echo(terminal_text(f"wrote {written}"))
