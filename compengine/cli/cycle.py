"""The monthly cycle: approve, reopen, lock, status, adjust, hold, release, runs, audit."""

from __future__ import annotations

import json

import typer
from sqlmodel import Session

from compengine.cli.common import state
from compengine.cli.output import Format, print_table, write_csv
from compengine.cycles import manual, transitions
from compengine.cycles.periods import checked_period
from compengine.cycles.reports import (
    AUDIT_COLUMNS,
    RUN_COLUMNS,
    STATUS_COLUMNS,
    AuditFilter,
    Record,
    audit_log,
    parse_since,
    period_status,
    run_records,
)
from compengine.storage.locking import exclusive

PERIOD = typer.Option(..., "--period", help="YYYY-MM")
ANY_PERIOD = typer.Option(None, "--period", help="YYYY-MM")
PAYEE = typer.Option(..., "--payee")
REASON = typer.Option(..., "--reason")
WAIT = typer.Option(False, "--wait", help="Wait for a command in progress instead of failing.")
FORMAT = typer.Option(Format.table, "--format")


def _cell(value: object) -> object:
    """A table or CSV cell of a record value: lists joined, decoded JSON as JSON text."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def _show(records: list[Record], columns: list[str], output: Format, empty: str) -> None:
    if output is Format.json:
        typer.echo(json.dumps(records, indent=2))
        return
    flat = [{column: _cell(record[column]) for column in columns} for record in records]
    if output is Format.csv:
        write_csv(flat, columns)
    else:
        print_table(flat, columns, empty)


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
    def status(
        ctx: typer.Context, period: str | None = ANY_PERIOD, output: Format = FORMAT
    ) -> None:
        """Each period's state, last run (UTC), totals, and whether it is stale."""
        with Session(state(ctx).engine) as session:
            rows = period_status(session, checked_period(period) if period is not None else None)
        _show(rows, STATUS_COLUMNS, output, "no period has been run yet")

    @app.command("adjust")
    def adjust(
        ctx: typer.Context,
        payee: str = PAYEE,
        period: str = PERIOD,
        amount: str = typer.Option(..., "--amount"),
        reason: str = REASON,
        wait: bool = WAIT,
    ) -> None:
        """Add a manual payout line (kept across re-runs; reverse it with a negative one)."""
        app_state = state(ctx)
        with exclusive(app_state.engine, wait=wait) as session:
            manual.adjust(session, checked_period(period), payee, amount, reason, app_state.actor)
        typer.echo(f"adjustment of {amount} for {payee} in {period} recorded")

    @app.command("hold")
    def hold(
        ctx: typer.Context,
        payee: str = PAYEE,
        period: str = PERIOD,
        reason: str = REASON,
        wait: bool = WAIT,
    ) -> None:
        """Withhold all of a payee's lines in one period."""
        app_state = state(ctx)
        with exclusive(app_state.engine, wait=wait) as session:
            manual.hold(session, checked_period(period), payee, reason, app_state.actor)
        typer.echo(f"{payee} is on hold in {period}")

    @app.command("release")
    def release(
        ctx: typer.Context,
        payee: str = PAYEE,
        period: str = PERIOD,
        reason: str = REASON,
        wait: bool = WAIT,
    ) -> None:
        """Lift a hold while the period is not locked."""
        app_state = state(ctx)
        with exclusive(app_state.engine, wait=wait) as session:
            manual.release(session, checked_period(period), payee, reason, app_state.actor)
        typer.echo(f"hold on {payee} in {period} released")

    @app.command("runs")
    def runs(ctx: typer.Context, period: str | None = ANY_PERIOD, output: Format = FORMAT) -> None:
        """The run records (times in UTC)."""
        with Session(state(ctx).engine) as session:
            rows = run_records(session, checked_period(period) if period is not None else None)
        _show(rows, RUN_COLUMNS, output, "no runs yet")

    @app.command("audit")
    def audit(
        ctx: typer.Context,
        since: str | None = typer.Option(
            None, "--since", help="YYYY-MM-DD or an ISO datetime (UTC unless it has an offset)"
        ),
        payee: str | None = typer.Option(None, "--payee"),
        action: str | None = typer.Option(None, "--action", help="run, load, adjust, hold, ..."),
        period: str | None = ANY_PERIOD,
        output: Format = FORMAT,
    ) -> None:
        """The audit log, oldest first (times in UTC)."""
        only = AuditFilter(
            since=parse_since(since) if since is not None else None,
            payee_id=payee,
            action=action,
            period=checked_period(period) if period is not None else None,
        )
        with Session(state(ctx).engine) as session:
            rows = audit_log(session, only)
        _show(rows, AUDIT_COLUMNS, output, "no audit events")
