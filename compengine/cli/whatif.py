"""`compengine diff --period P [--plans PATH]`: what a run would change, without running it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from compengine.cli.common import PLANS_OPTION, state
from compengine.cli.output import Format, print_table, write_csv
from compengine.cycles.periods import checked_period
from compengine.cycles.whatif import WhatIf, what_if
from compengine.money import format_cents
from compengine.plan.load import load_plans

COLUMNS = ["payee_id", "plan_id", "component_id", "stored", "new", "difference"]


def _amounts(stored: int, new: int) -> dict[str, str]:
    return {
        "stored": format_cents(stored),
        "new": format_cents(new),
        "difference": format_cents(new - stored),
    }


def print_what_if(result: WhatIf, output: Format) -> None:
    """One row per payee and component, then the totals (a row of payee `total` in a table
    or CSV, an object `total` in JSON)."""
    lines = [
        {
            "payee_id": row.payee_id,
            "plan_id": row.plan_id,
            "component_id": row.component_id,
            **_amounts(row.stored_cents, row.new_cents),
        }
        for row in result.rows
    ]
    total = _amounts(result.stored_cents, result.new_cents)
    if output is Format.json:
        typer.echo(json.dumps({"period": result.period, "lines": lines, "total": total}, indent=2))
        return
    records = [*lines, {"payee_id": "total", "plan_id": "", "component_id": "", **total}]
    if output is Format.csv:
        write_csv(records, COLUMNS)
    else:
        print_table(
            records if lines else [], COLUMNS, f"period {result.period}: no lines either way"
        )


def register(app: typer.Typer) -> None:
    @app.command("diff")
    def diff(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="YYYY-MM"),
        plans: Path | None = PLANS_OPTION,
        output: Format = typer.Option(Format.table, "--format"),
    ) -> None:
        """What-if: compute the period with these plan files and show, per payee and
        component, the stored amount, the new amount and the difference. Writes nothing."""
        app_state = state(ctx)
        plan_versions = load_plans([app_state.plans_path(plans)])
        print_what_if(what_if(app_state.engine, checked_period(period), plan_versions), output)
