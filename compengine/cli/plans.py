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
    ) -> None:
        """Validate plan files: print each plan version, or every problem (exit 1)."""
        plans = load_plans(paths)
        warnings = _frozen_warnings(state(ctx), db, plans) if db else []
        for plan in plans:
            typer.echo(terminal_text(describe(plan)))
        for warning in warnings:
            typer.echo(f"warning: {terminal_text(warning)}", err=True)

    app.add_typer(plan_app, name="plan")
