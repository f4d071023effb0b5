"""`compengine plan check PATH... [--db URL]`: validate plan files, and with a database, check
that they keep every plan version that paid a locked period as it was."""

from __future__ import annotations

from dataclasses import replace

import typer
from sqlmodel import Session

from compengine.cli.common import AppState, state
from compengine.cli.output import terminal_text
from compengine.config import Origin
from compengine.cycles.frozen import check_frozen_versions
from compengine.errors import UserError
from compengine.months import format_period
from compengine.plan.load import load_plans
from compengine.plan.model import PlanVersion


def describe(plan: PlanVersion) -> str:
    """'plans/ae.yaml: ae-usage v1, effective 2027-01.., 3 components'."""
    end = "" if plan.effective_to is None else format_period(plan.effective_to)
    count = len(plan.components)
    noun = "component" if count == 1 else "components"
    return (
        f"{plan.source}: {plan.plan_id} v{plan.version}, "
        f"effective {format_period(plan.effective_from)}..{end}, {count} {noun}"
    )


def _frozen_warnings(app_state: AppState, url: str, plans: list[PlanVersion]) -> list[str]:
    """What `run` on that database would say about these plans: problems raise UserError.
    The database gets the same checks (URL, schema) as the global --db."""
    engine = replace(app_state, url=url, url_origin=Origin("--db")).engine
    with Session(engine) as session:
        check = check_frozen_versions(session, plans)
    if check.problems:
        raise UserError(check.problems)
    return check.warnings


def _window_lines(
    app_state: AppState, url: str | None, plans: list[PlanVersion], min_history: int
) -> list[tuple[bool, str]]:
    """(is a warning, message) per plan version: its window against the data's suggestion,
    on the database of --db, else the global one."""
    from compengine.analytics.report import plan_window_checks

    chosen = replace(app_state, url=url, url_origin=Origin("--db")) if url else app_state
    with Session(chosen.engine) as session:
        checks = plan_window_checks(session, plans, min_history)
    return [(check.differs, check.message(min_history)) for check in checks]


def register(app: typer.Typer) -> None:
    plan_app = typer.Typer(help="Plan files (spec section 3).", no_args_is_help=True)

    @plan_app.command("check")
    def check(
        ctx: typer.Context,
        paths: list[str] = typer.Argument(
            ...,
            metavar="PATH",
            help="Plan files, or folders of *.yaml files.",
        ),
        db: str | None = typer.Option(
            None,
            "--db",
            help="Also check against this database: versions that paid locked periods are frozen.",
        ),
        windows: bool = typer.Option(
            False,
            "--windows",
            help="Compare each version's window_months with the ramp lengths in the data "
            "(the --db database, else the global one); a warning, never an error.",
        ),
        min_history: int = typer.Option(
            12, "--min-history", help="With --windows: months of history a contract needs."
        ),
    ) -> None:
        """Validate plan files: print each plan version, or every problem (exit 1)."""
        plans = load_plans(paths)
        app_state = state(ctx)
        warnings = _frozen_warnings(app_state, db, plans) if db else []
        window_lines = _window_lines(app_state, db, plans, min_history) if windows else []
        for plan in plans:
            typer.echo(terminal_text(describe(plan)))
        for warning in warnings:
            typer.echo(f"warning: {terminal_text(warning)}", err=True)
        for differs, line in window_lines:
            prefix = "warning: windows: " if differs else "windows: "
            typer.echo(terminal_text(prefix + line), err=differs)

    app.add_typer(plan_app, name="plan")
