"""`payroll`, `export`, `exports`: what payroll books for a locked period, without HTTP."""

from __future__ import annotations

import json
import sys

import typer
from sqlmodel import Session

from compengine.cli.common import state
from compengine.cli.output import Format, print_table, terminal_text, write_csv
from compengine.cycles.exports import (
    batch_record,
    checked_batch_id,
    checked_idempotency_key,
    export_period,
    export_rows,
    get_export,
    list_exports,
)
from compengine.cycles.payroll import (
    PAYROLL_COLUMNS,
    PayrollRow,
    payroll_csv,
    payroll_record,
    payroll_rows,
)
from compengine.cycles.periods import checked_period
from compengine.errors import UserError
from compengine.storage.locking import exclusive
from compengine.storage.models import ExportBatch, ExportRow

FORMAT = typer.Option(Format.table, "--format")
BATCH_COLUMNS = ["id", "period", "created_at", "actor", "reissue", "rows", "total", "sha256"]


def _show_rows(rows: list[PayrollRow], output: Format, csv_text: str | None = None) -> None:
    """Rows as a table, JSON, or CSV: the exact text an export stores (`csv_text`)."""
    if output is Format.csv:
        sys.stdout.write(csv_text if csv_text is not None else payroll_csv(rows))
    elif output is Format.json:
        typer.echo(json.dumps([payroll_record(row) for row in rows], indent=2))
    else:
        print_table([payroll_record(row) for row in rows], PAYROLL_COLUMNS, "(no rows)")


def _row(row: ExportRow) -> PayrollRow:
    return PayrollRow(row.payee_id, row.name, row.email, row.earnings_code, row.amount_cents)


def _show_batches(batches: list[ExportBatch], output: Format) -> None:
    records = [batch_record(batch) for batch in batches]
    if output is Format.json:
        typer.echo(json.dumps(records, indent=2))
    elif output is Format.csv:
        write_csv(records, [*BATCH_COLUMNS, "idempotency_key"])
    else:
        print_table(records, BATCH_COLUMNS, "no export batches yet (compengine export)")


def register(app: typer.Typer) -> None:
    @app.command("payroll")
    def payroll(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="YYYY-MM (a locked period)"),
        output: Format = FORMAT,
    ) -> None:
        """A locked period's pay per payee and earnings code (paid lines and adjustments)."""
        with Session(state(ctx).engine) as session:
            rows = payroll_rows(session, checked_period(period))
        _show_rows(rows, output)

    @app.command("export")
    def export(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="YYYY-MM (a locked period)"),
        key: str = typer.Option(
            ..., "--key", help="Idempotency key: the same key returns the same batch."
        ),
        reissue: bool = typer.Option(
            False, "--reissue", help="Record a new batch of a period already exported."
        ),
        wait: bool = typer.Option(
            False, "--wait", help="Wait for a command in progress instead of failing."
        ),
    ) -> None:
        """Record an export batch of a locked period, exactly once per key."""
        app_state = state(ctx)
        period, key = checked_period(period), checked_idempotency_key(key, "--key")
        with exclusive(app_state.engine, wait=wait) as session:
            result = export_period(session, period, key, app_state.actor, reissue=reissue)
        record = batch_record(result.batch)
        what = "recorded" if result.created else "already recorded with this key; nothing written"
        typer.echo(
            terminal_text(
                f"batch {record['id']} of {record['period']}: {record['rows']} rows, "
                f"total {record['total']}, sha256 {record['sha256']} ({what})"
            )
        )
        typer.echo(f"  its CSV: compengine exports --batch {record['id']} --format csv")

    @app.command("exports")
    def exports(
        ctx: typer.Context,
        period: str | None = typer.Option(None, "--period", help="YYYY-MM"),
        batch: str | None = typer.Option(None, "--batch", help="One batch's rows (its id)."),
        output: Format = FORMAT,
    ) -> None:
        """The export batches (of a period), or one batch's rows (--format csv: its exact
        bytes, the same as every earlier pull)."""
        if batch is not None and period is not None:
            raise UserError.single("--batch: give either --batch or --period, not both")
        batch_id = None if batch is None else checked_batch_id(batch, "--batch")
        with Session(state(ctx).engine) as session:
            if batch_id is None:
                batches = list_exports(session, None if period is None else checked_period(period))
            else:
                found = get_export(session, batch_id)
                if found is None:
                    raise UserError.single(f"--batch: no export batch {batch_id}")
                rows = export_rows(session, batch_id)
        if batch_id is None:
            _show_batches(batches, output)
        else:
            _show_rows([_row(r) for r in rows], output, found.content)
