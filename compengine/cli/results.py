"""`run`, `exceptions`: computing a period with the plans."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session

from compengine.cli.common import PLANS_OPTION, state
from compengine.cli.output import Format, terminal_text
from compengine.cli.whatif import print_what_if
from compengine.cycles.periods import checked_period
from compengine.cycles.run import compute_run, run_period, summary_lines
from compengine.cycles.whatif import what_if
from compengine.money import format_cents, round_cents
from compengine.months import format_period
from compengine.plan.load import load_plans


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="YYYY-MM"),
        plans: Path | None = PLANS_OPTION,
        wait: bool = typer.Option(
            False, "--wait", help="Wait for a run in progress instead of failing."
        ),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Show what the run would change (like diff); write nothing."
        ),
    ) -> None:
        """Compute the period's payout lines (replaces the period's earlier run)."""
        app_state = state(ctx)
        plan_versions = load_plans([app_state.plans_path(plans)])
        if dry_run:
            result = what_if(app_state.engine, checked_period(period), plan_versions, "run")
            print_what_if(result, Format.table)
            return
        summary = run_period(
            app_state.engine, checked_period(period), plan_versions, app_state.actor, wait=wait
        )
        for line in summary_lines(summary):
            typer.echo(terminal_text(line))
        if summary.unassigned_items:
            typer.echo(
                f"  unassigned credit: {format_cents(summary.unassigned_cents, grouping=True)} "
                f"in {summary.unassigned_items} item(s); "
                f"see `compengine exceptions --period {period}`"
            )
        for warning in summary.warnings:
            typer.echo(terminal_text(f"  warning: {warning}"))
        for stale in summary.stale:
            typer.echo(f"  period {stale} is now stale: run it again before approving it")
        typer.echo(f"  fingerprint {summary.fingerprint}")

    @app.command("exceptions")
    def exceptions(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="YYYY-MM"),
        plans: Path | None = PLANS_OPTION,
    ) -> None:
        """Unassigned credit and warnings of the period, as of now; configuration errors go
        to stderr with exit 1, as they would fail `run`."""
        period = checked_period(period)
        plan_versions = load_plans([state(ctx).plans_path(plans)])
        with Session(state(ctx).engine) as session:
            result = compute_run(session, period, plan_versions).result  # writes nothing
        if result.unassigned.empty and not result.warnings:
            typer.echo(f"period {period}: no exceptions")
        for item in result.unassigned.itertuples():
            typer.echo(
                f"unassigned: account {item.account_id}, contract {item.contract_id}, "
                f"component {item.plan_id}/{item.component_id} (role {item.role}), "
                f"month {format_period(int(item.month))}, "
                f"amount {format_cents(round_cents(item.amount), grouping=True)}"
            )
        for warning in result.warnings:
            typer.echo(terminal_text(f"warning: {warning}"))
