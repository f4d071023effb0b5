"""`bridge` and `windows`: realization analytics for sales leaders, finance and the deal
desk (spec section 12). The work lives in ``compengine.analytics``; this module checks the
options, prints or writes the report, and writes nothing when the input is bad."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import typer
from sqlmodel import Session

from compengine.analytics.bridge import GroupBy
from compengine.analytics.windows import WindowsBy
from compengine.cli.common import PLANS_OPTION, state
from compengine.cli.output import print_table, terminal_text
from compengine.errors import UserError
from compengine.safe_csv import csv_text

E = TypeVar("E", bound=StrEnum)


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    html = "html"


OUT_OPTION = typer.Option(None, "--out", metavar="FILE", help="Write here instead of stdout.")


def choice(option: str, value: str | None, kind: type[E]) -> E | None:
    """The option's value as one of `kind`; anything else is a UserError naming them."""
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        names = ", ".join(member.value for member in kind)
        raise UserError.single(
            f"{option}: {terminal_text(value)!r} is not one of {names}"
        ) from None


def emit(content: str, out: Path | None) -> None:
    """Print the report, or write it to FILE (replacing it), saying so."""
    if out is None:
        typer.echo(content, nl=False)
        return
    try:
        out.write_text(content, encoding="utf-8")
    except OSError as error:
        raise UserError.single(f"--out: cannot write {out}: {error.strerror or error}") from None
    typer.echo(terminal_text(f"wrote {out}"))


def _table(records: list[dict], columns: list[str], empty: str) -> str:
    buffer = io.StringIO()
    print_table(records, columns, empty, buffer)
    return buffer.getvalue()


def register(app: typer.Typer) -> None:
    _register_bridge(app)
    _register_windows(app)


def _register_bridge(app: typer.Typer) -> None:
    @app.command("bridge")
    def bridge(
        ctx: typer.Context,
        period_from: str = typer.Option(..., "--from", help="YYYY-MM: the starting run rate."),
        period_to: str = typer.Option(..., "--to", help="YYYY-MM: the ending run rate."),
        by: str | None = typer.Option(
            None,
            "--by",
            help="segment, region, payee or account: a bridge per group and the total.",
        ),
        role: str | None = typer.Option(
            None, "--role", help="With --by payee: whose accounts (default AE)."
        ),
        annualize: bool = typer.Option(False, "--annualize", help="Every figure times 12."),
        plans: Path | None = PLANS_OPTION,
        fmt: ReportFormat = typer.Option(ReportFormat.table, "--format"),
        out: Path | None = OUT_OPTION,
    ) -> None:
        """How run rate moved from --from to --to: churn, existing accounts, new commitments
        and how much of them was realized."""
        from compengine.analytics.page import bridge_html
        from compengine.analytics.report import BRIDGE_COLUMNS, bridge_report
        from compengine.plan.load import load_plans

        app_state = state(ctx)
        plan_versions = load_plans([app_state.plans_path(plans)])
        with Session(app_state.engine) as session:
            report = bridge_report(
                session,
                period_from,
                period_to,
                plan_versions,
                by=choice("--by", by, GroupBy),
                role=role,
                annualize=annualize,
            )
        if fmt is ReportFormat.json:
            content = json.dumps(report.rows, indent=2) + "\n"
        elif fmt is ReportFormat.csv:
            content = csv_text(report.rows, BRIDGE_COLUMNS)
        elif fmt is ReportFormat.html:
            content = bridge_html(report)
        else:
            content = _table(report.rows, BRIDGE_COLUMNS, "no usage in either month")
        emit(content, out)


def _curve_columns(rows: list[dict]) -> list[dict]:
    """Window rows for CSV: the mean normalized curve as columns m1, m2, ..."""
    return [
        {
            **{k: v for k, v in r.items() if k != "curve"},
            **{f"m{i}": value for i, value in enumerate(r["curve"], start=1)},
        }
        for r in rows
    ]


def _register_windows(app: typer.Typer) -> None:
    @app.command("windows")
    def windows(
        ctx: typer.Context,
        by: str | None = typer.Option(
            None, "--by", help="segment or region: one suggestion per group."
        ),
        min_history: int = typer.Option(
            12, "--min-history", help="Months since first purchase a contract needs (3-1200)."
        ),
        contracts: bool = typer.Option(
            False, "--contracts", help="List each contract's plateau and ramp length instead."
        ),
        fmt: ReportFormat = typer.Option(ReportFormat.table, "--format"),
        out: Path | None = OUT_OPTION,
    ) -> None:
        """The ramp window the data suggests: per group, the percentiles of the contracts'
        ramp lengths and their mean normalized ramp curve."""
        from compengine.analytics.page import windows_html
        from compengine.analytics.report import CONTRACT_KEYS, WINDOW_COLUMNS, windows_report

        with Session(state(ctx).engine) as session:
            report = windows_report(
                session, by=choice("--by", by, WindowsBy), min_history=min_history
            )
        records = report.contracts if contracts else report.rows
        columns = list(CONTRACT_KEYS) if contracts else WINDOW_COLUMNS
        if fmt is ReportFormat.json:
            content = json.dumps(records, indent=2) + "\n"
        elif fmt is ReportFormat.csv:
            flat = records if contracts else _curve_columns(records)
            content = csv_text(flat, list(flat[0]) if flat else columns)
        elif fmt is ReportFormat.html:
            content = windows_html(report)
        else:
            content = _table(
                records,
                columns,
                f"no contract has a ramp in at least {min_history} months of history",
            )
        emit(content, out)
