"""`run`, `payouts`, `exceptions`, `explain`: computing a period and reading its results."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlmodel import Session

from compengine.cli.common import PLANS_OPTION, state
from compengine.cli.output import Format, print_table, terminal_text, write_csv
from compengine.cli.whatif import print_what_if
from compengine.cycles.inputs import require_payee
from compengine.cycles.periods import checked_period
from compengine.cycles.queries import PAYOUT_COLUMNS, line_json, line_record, period_lines
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

    @app.command("payouts")
    def payouts(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="YYYY-MM"),
        output: Format = typer.Option(Format.table, "--format"),
    ) -> None:
        """The period's payout lines."""
        with Session(state(ctx).engine) as session:
            lines = period_lines(session, checked_period(period))
        if output is Format.json:
            typer.echo(json.dumps([line_json(line) for line in lines], indent=2))
            return
        records = [line_record(line) for line in lines]
        if output is Format.csv:
            write_csv(records, PAYOUT_COLUMNS)
        else:
            print_table(records, [c for c in PAYOUT_COLUMNS if c != "explanation"], "(no lines)")

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

    @app.command("explain")
    def explain(
        ctx: typer.Context,
        payee: str = typer.Option(..., "--payee"),
        period: str = typer.Option(..., "--period", help="YYYY-MM"),
    ) -> None:
        """Each of a payee's lines in the period with the numbers behind it."""
        with Session(state(ctx).engine) as session:
            lines = period_lines(session, checked_period(period), require_payee(session, payee))
        if not lines:
            typer.echo(terminal_text(f"{payee} has no payout lines in {period}"))
        for line in lines:
            where = (
                f"{line.plan_id} v{line.plan_version} / {line.component_id}"
                if line.plan_id
                else line.component_id
            )
            contract = f" / {line.contract_id} ({line.account_id})" if line.contract_id else ""
            held = " [held]" if line.status == "held" else ""
            amount = format_cents(line.amount_cents, grouping=True)
            typer.echo(terminal_text(f"{where}{contract}: {amount}{held}"))
            typer.echo(f"    {terminal_text(line.explanation)}")
