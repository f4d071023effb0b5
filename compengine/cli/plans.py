"""`compengine plan check PATH...`: validate plan files without touching the database."""

from __future__ import annotations

import typer

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


def register(app: typer.Typer) -> None:
    plan_app = typer.Typer(help="Plan files (spec section 3).", no_args_is_help=True)

    @plan_app.command("check")
    def check(
        paths: list[str] = typer.Argument(
            ...,
            metavar="PATH",
            help="Plan files, or folders of *.yaml files.",
        ),
    ) -> None:
        """Validate plan files: print each plan version, or every problem (exit 1)."""
        for plan in load_plans(paths):
            typer.echo(describe(plan))

    app.add_typer(plan_app, name="plan")
