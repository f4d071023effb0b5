"""The bridge and the windows as one self-contained HTML page: tables and inline SVG,
no script, no external reference, so the file can be mailed or archived as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib.resources import files

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from compengine.analytics.figures import FIGURE_KEYS, RATIO_KEYS
from compengine.analytics.report import (
    CONTRACT_KEYS,
    WINDOW_KEYS,
    BridgeReport,
    WindowsReport,
)
from compengine.months import format_period
from compengine.safe_csv import NUMBER

TEMPLATES = files("compengine.analytics") / "templates"
BRIDGE_HEADINGS = {
    "group": "Group",
    "start": "Start",
    "churn": "Churn",
    "net_change_existing": "Net change existing",
    "new_commitments": "New commitments",
    "expected": "Expected",
    "realization_gap": "Realization gap",
    "end": "End",
    "growth": "Growth",
    "committed_growth": "Committed growth",
}


def _numeric(rows: list[list[object]], width: int) -> list[bool]:
    """Which columns hold only numbers (or nothing): those are right-aligned."""
    return [
        all(cell == "" or NUMBER.match(str(cell)) for cell in (row[i] for row in rows))
        for i in range(width)
    ]


def _table(caption: str, columns: list[str], rows: list[list[object]], total_last: bool) -> dict:
    return {
        "caption": caption,
        "columns": columns,
        "rows": rows,
        "numeric": _numeric(rows, len(columns)),
        "total_last": total_last,
    }


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["j2", "html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _generated(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")


def bridge_html(report: BridgeReport, *, now: datetime | None = None) -> str:
    bridge = report.bridge
    title = (
        f"Realization bridge {format_period(bridge.period_from)} to "
        f"{format_period(bridge.period_to)}"
    )
    notes = []
    if report.annualized:
        notes.append("Every amount is annualized (times 12).")
    if report.role is not None:
        notes.append(f"Groups are the holders of role {report.role} in the last month.")
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            generated=_generated(now),
            notes=notes,
            tables=[
                _table(
                    "Bridge by group" if bridge.by else "Bridge",
                    [BRIDGE_HEADINGS[k] for k in ("group", *FIGURE_KEYS, *RATIO_KEYS)],
                    [list(row.values()) for row in report.rows],
                    total_last=True,
                )
            ],
            charts=[(name, Markup(svg)) for name, svg in report.charts],
        )
    )


def windows_html(report: WindowsReport, *, now: datetime | None = None) -> str:
    windows = report.windows
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title="Ramp windows from the data",
            generated=_generated(now),
            notes=[
                f"Contracts with at least {windows.min_history} months of history since their "
                "first purchase; ramp length = first window month from which every month reaches "
                "90% of the plateau (mean of the last 3 months)."
            ],
            tables=[
                _table(
                    "Suggested window by group",
                    ["Group", "Contracts", "p25", "p50", "p75", "Suggested window"],
                    [[r[k] for k in WINDOW_KEYS if k != "curve"] for r in report.rows],
                    total_last=False,
                ),
                _table(
                    "Contracts",
                    list(CONTRACT_KEYS),
                    [
                        ["" if c[k] is None else c[k] for k in CONTRACT_KEYS]
                        for c in report.contracts
                    ],
                    total_last=False,
                ),
            ],
            charts=[(name, Markup(svg)) for name, svg in report.charts],
        )
    )
