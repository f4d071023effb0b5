"""`payouts`, `explain`: reading a period's stored lines (no plans, no engine: these
start without pandas)."""

from __future__ import annotations

import json

import typer
from sqlmodel import Session

from compengine.cli.common import state
from compengine.cli.output import Format, print_table, terminal_text, write_csv
from compengine.cycles.inputs import require_payee
from compengine.cycles.periods import checked_period
from compengine.cycles.queries import PAYOUT_COLUMNS, line_json, line_record, period_lines
from compengine.money import format_cents


def register(app: typer.Typer) -> None:
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
