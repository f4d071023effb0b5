"""The monthly cycle: approve, reopen, lock, status, adjust, hold, release, runs, audit."""

from __future__ import annotations

from datetime import date

import typer
from sqlmodel import Session

from compengine.cli.common import state
from compengine.cli.output import print_table
from compengine.cycles import manual, transitions
from compengine.cycles.periods import checked_period
from compengine.cycles.reports import audit_log, period_status, run_records
from compengine.errors import UserError
from compengine.storage.locking import exclusive

PERIOD = typer.Option(..., "--period", help="YYYY-MM")
PAYEE = typer.Option(..., "--payee")
REASON = typer.Option(..., "--reason")
WAIT = typer.Option(False, "--wait", help="Wait for a command in progress instead of failing.")


def _print(records: list[dict[str, str]], empty: str) -> None:
    print_table(records, list(records[0]) if records else [], empty)


def register(app: typer.Typer) -> None:
    @app.command("approve")
    def approve(ctx: typer.Context, period: str = PERIOD, wait: bool = WAIT) -> None:
        """calculated -> approved: freezes the period's lines."""
        app_state = state(ctx)
        with exclusive(app_state.engine, wait=wait) as session:
            transitions.approve(session, checked_period(period), app_state.actor)
        typer.echo(f"period {period} approved")

    @app.command("reopen")
    def reopen(
        ctx: typer.Context, period: str = PERIOD, reason: str = REASON, wait: bool = WAIT
    ) -> None:
        """approved -> calculated, with a reason."""
        app_state = state(ctx)
        with exclusive(app_state.engine, wait=wait) as session:
            transitions.reopen(session, checked_period(period), app_state.actor, reason)
        typer.echo(f"period {period} reopened")

    @app.command("lock")
    def lock(ctx: typer.Context, period: str = PERIOD, wait: bool = WAIT) -> None:
        """approved -> locked: final; payroll pulls only locked periods."""
        app_state = state(ctx)
        with exclusive(app_state.engine, wait=wait) as session:
            transitions.lock(session, checked_period(period), app_state.actor)
        typer.echo(f"period {period} locked")

    @app.command("status")
    def status(ctx: typer.Context, period: str | None = typer.Option(None, "--period")) -> None:
        """Each period's state, last run, totals, and whether it is stale."""
        with Session(state(ctx).engine) as session:
            rows = period_status(session, checked_period(period) if period else None)
        _print(rows, "no period has been run yet")

    @app.command("adjust")
    def adjust(
        ctx: typer.Context,
        payee: str = PAYEE,
        period: str = PERIOD,
        amount: str = typer.Option(..., "--amount"),
        reason: str = REASON,
    ) -> None:
        """Add a manual payout line (kept across re-runs; reverse it with a negative one)."""
        app_state = state(ctx)
        with exclusive(app_state.engine) as session:
            manual.adjust(session, checked_period(period), payee, amount, reason, app_state.actor)
        typer.echo(f"adjustment of {amount} for {payee} in {period} recorded")

    @app.command("hold")
    def hold(
        ctx: typer.Context, payee: str = PAYEE, period: str = PERIOD, reason: str = REASON
    ) -> None:
        """Withhold all of a payee's lines in one period."""
        app_state = state(ctx)
        with exclusive(app_state.engine) as session:
            manual.hold(session, checked_period(period), payee, reason, app_state.actor)
        typer.echo(f"{payee} is on hold in {period}")

    @app.command("release")
    def release(ctx: typer.Context, payee: str = PAYEE, period: str = PERIOD) -> None:
        """Lift a hold while the period is not locked."""
        app_state = state(ctx)
        with exclusive(app_state.engine) as session:
            manual.release(session, checked_period(period), payee, app_state.actor)
        typer.echo(f"hold on {payee} in {period} released")

    @app.command("runs")
    def runs(ctx: typer.Context, period: str | None = typer.Option(None, "--period")) -> None:
        """The run records."""
        with Session(state(ctx).engine) as session:
            rows = run_records(session, checked_period(period) if period else None)
        _print(rows, "no runs yet")

    @app.command("audit")
    def audit(
        ctx: typer.Context, since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD")
    ) -> None:
        """The audit log."""
        try:
            day = date.fromisoformat(since) if since else None
        except ValueError as error:
            raise UserError.single(f"--since: {since!r} is not a date (YYYY-MM-DD)") from error
        with Session(state(ctx).engine) as session:
            rows = audit_log(session, day)
        _print(rows, "the audit log is empty")
