"""`compengine alerts --period P [--below 0.8]`: the contracts whose pay is at risk (section 12)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlmodel import Session

from compengine.analytics.alerts import ALERT_COLUMNS, alert_row, parse_below, period_alerts
from compengine.cli.common import PLANS_OPTION, state
from compengine.cli.output import Format, print_table, write_csv
from compengine.plan.load import load_plans


def register(app: typer.Typer) -> None:
    @app.command("alerts")
    def alerts(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="YYYY-MM"),
        below: str | None = typer.Option(
            None,
            "--below",
            help="Threshold of attainment (default 0.8) and of retention (default: the "
            "plan's min_retention).",
        ),
        plans: Path | None = PLANS_OPTION,
        output: Format = typer.Option(Format.table, "--format"),
    ) -> None:
        """Ramping contracts behind their curve, contracts with no first purchase yet, and
        contracts below their retention floor, largest money at risk first. Writes nothing."""
        threshold = parse_below(below) if below is not None else None
        app_state = state(ctx)
        plan_versions = load_plans([app_state.plans_path(plans)])
        with Session(app_state.engine) as session:
            found = period_alerts(session, period, plan_versions, below=threshold)
        if output is Format.json:
            typer.echo(json.dumps([alert.record() for alert in found], indent=2))
            return
        rows = [alert_row(alert) for alert in found]
        if output is Format.csv:
            write_csv(rows, ALERT_COLUMNS)
        else:
            print_table(rows, ALERT_COLUMNS, f"no alerts for {period}")
