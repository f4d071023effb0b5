"""`statement` and `statements`: payout statements for reps, one or a whole period's
(spec section 9)."""

from __future__ import annotations

from pathlib import Path

import typer

from compengine.cli.common import PLANS_OPTION, state
from compengine.cli.output import terminal_text
from compengine.plan.load import load_plans
from compengine.statements.files import PaperSize, StatementFormat


def register(app: typer.Typer) -> None:
    _register_statement(app)
    _register_statements(app)


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


def _register_statements(app: typer.Typer) -> None:
    @app.command("statements")
    def statements(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="YYYY-MM"),
        out: Path = typer.Option(..., "--out", metavar="DIR", help="Folder to write into."),
        payees: list[str] = typer.Option(
            [],
            "--payee",
            help="Only this payee (repeat for several); default: every payee "
            "with a line or adjustment in the period.",
        ),
        fmt: StatementFormat = typer.Option(StatementFormat.pdf, "--format"),
        locale: str = typer.Option("en_US", "--locale", help="How amounts are written."),
        paper: PaperSize = typer.Option(PaperSize.letter, "--paper"),
        force: bool = typer.Option(
            False,
            "--force",
            help="Replace files of the same names and allow statements of other periods in DIR.",
        ),
        workers: int | None = typer.Option(
            None, "--workers", min=1, help="Worker processes (default: every CPU core)."
        ),
        plans: Path | None = PLANS_OPTION,
    ) -> None:
        """Write the period's statements and manifest.csv into DIR, all or nothing."""
        from compengine.plan.load import load_plans
        from compengine.statements.bulk import write_statements
        from compengine.statements.render import checked_locale
        from compengine.statements.renderers import StatementRenderer

        app_state = state(ctx)
        checked_locale(locale)
        renderer = StatementRenderer(
            tuple(load_plans([app_state.plans_path(plans)])), fmt, locale, paper.value
        )
        manifest = write_statements(
            app_state.database.render_as_string(hide_password=False),
            period,
            payees,
            out,
            fmt=fmt,
            force=force,
            renderer=renderer,
            workers=workers,
        )
        typer.echo(
            terminal_text(
                f"wrote {len(manifest.rows)} statement(s) of {manifest.period} and "
                f"manifest.csv to {manifest.directory}"
            )
        )
