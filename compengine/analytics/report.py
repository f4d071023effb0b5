"""The bridge and the windows as reports: the rows every format prints and the charts,
read from the database in one go. The CLI and the ops web pages call these two functions,
so that a table, a CSV file, an HTML page and a web page can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compengine.analytics.bridge import TOTAL_GROUP, Bridge, GroupBy, compute_bridge
from compengine.analytics.charts import ramp_curve_svg, waterfall_svg
from compengine.analytics.figures import FIGURE_KEYS, RATIO_KEYS, ratio_text, record
from compengine.analytics.plan_windows import WindowCheck, check_windows
from compengine.analytics.windows import (
    Windows,
    WindowsBy,
    check_min_history,
    compute_windows,
    contract_histories,
)
from compengine.calc.snapshot import read_snapshot
from compengine.errors import UserError
from compengine.money import format_cents, round_cents
from compengine.months import format_period, parse_period
from compengine.plan.model import PlanVersion
from compengine.storage.models import Contract, MonthlyUsage

MAX_ROLE_LENGTH = 200


@dataclass(frozen=True)
class BridgeReport:
    """rows: one record per group (the keys of spec section 12), the total last;
    charts: the waterfall of each row's group, in the same order."""

    bridge: Bridge  # exact figures (annualized when asked)
    annualized: bool
    role: str | None  # the role of a payee bridge
    rows: list[dict[str, str]]
    charts: list[tuple[str, str]]  # (group, SVG)


@dataclass(frozen=True)
class WindowsReport:
    windows: Windows
    rows: list[dict[str, object]]  # one per group: WINDOW_KEYS
    contracts: list[dict[str, object]]  # one per contract with enough history
    charts: list[tuple[str, str]]  # (group, SVG of its mean normalized curve)


def _period(option: str, text: str) -> int:
    try:
        return parse_period(text)
    except ValueError as error:
        raise UserError.single(f"{option}: {error}") from None


def _latest_usage_month(session: Session) -> int | None:
    return session.execute(select(func.max(MonthlyUsage.month))).scalar_one()


def _has_contracts(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(Contract)).scalar_one() > 0


def _checked_role(by: GroupBy | None, role: str | None) -> str | None:
    if role is None:
        return "AE" if by is GroupBy.payee else None
    if by is not GroupBy.payee:
        raise UserError.single("--role: applies only to --by payee")
    if not role.strip() or len(role) > MAX_ROLE_LENGTH:
        raise UserError.single(f"--role: must be 1 to {MAX_ROLE_LENGTH} characters")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in role):
        raise UserError.single("--role: must not contain control characters")
    return role


def money_text(cents: int) -> str:
    return format_cents(cents, grouping=True)


def bridge_report(
    session: Session,
    period_from: str,
    period_to: str,
    plans: list[PlanVersion],
    *,
    by: GroupBy | None = None,
    role: str | None = None,
    annualize: bool = False,
) -> BridgeReport:
    """The bridge from `period_from` to `period_to` ('YYYY-MM'); bad input is a UserError
    naming the option, and nothing is read before the input is checked."""
    p, q = _period("--from", period_from), _period("--to", period_to)
    if p >= q:
        raise UserError.single(
            f"--from: {format_period(p)} must be before --to ({format_period(q)})"
        )
    role = _checked_role(by, role)
    latest = _latest_usage_month(session)
    if latest is None and not _has_contracts(session):
        raise UserError.single(
            "no usage or contracts are loaded: load data first (compengine load)"
        )
    if latest is None or q > latest:
        shown = "none is loaded" if latest is None else f"the latest is {format_period(latest)}"
        raise UserError.single(f"--to: no usage is loaded for {format_period(q)} ({shown})")
    snapshot = read_snapshot(session, last_month=q)
    bridge = compute_bridge(snapshot, plans, p, q, by=by, role=role or "AE")
    if annualize:
        bridge = bridge.annualized()
    groups = [*bridge.groups.items(), (TOTAL_GROUP, bridge.total)]
    span = f"{format_period(p)} to {format_period(q)}" + (", annualized" if annualize else "")
    charts = [
        (name, waterfall_svg(figures, title=f"{_title(by, name)}: {span}", money=money_text))
        for name, figures in groups
    ]
    return BridgeReport(bridge, annualize, role, [record(n, f) for n, f in groups], charts)


def _title(by: GroupBy | None, group: str) -> str:
    if group == TOTAL_GROUP:
        return "Total"
    return f"{by.value.capitalize()} {group}" if by is not None else group


WINDOW_KEYS = ("group", "contracts", "p25", "p50", "p75", "suggested_window_months", "curve")
# the columns of the tables and CSV (the curve is a chart, or columns of its own in CSV)
BRIDGE_COLUMNS = ["group", *FIGURE_KEYS, *RATIO_KEYS]
WINDOW_COLUMNS = [key for key in WINDOW_KEYS if key != "curve"]
CONTRACT_KEYS = (
    "contract_id",
    "account_id",
    "group",
    "first_purchase",
    "history_months",
    "plateau",
    "ramp_length",
)


def windows_report(
    session: Session, *, by: WindowsBy | None = None, min_history: int = 12
) -> WindowsReport:
    """Per-contract ramp lengths and per-group suggestions; no usage at all is a UserError."""
    check_min_history(min_history)
    if _latest_usage_month(session) is None:
        raise UserError.single("no usage is loaded: load data first (compengine load)")
    windows = compute_windows(read_snapshot(session), min_history, by)
    rows = [
        {
            "group": g.group,
            "contracts": g.contracts,
            "p25": g.p25,
            "p50": g.p50,
            "p75": g.p75,
            "suggested_window_months": g.suggested_window,
            "curve": [ratio_text(v) for v in g.curve],
        }
        for g in windows.groups
    ]
    contracts = [
        {
            "contract_id": h.contract_id,
            "account_id": h.account_id,
            "group": h.group,
            "first_purchase": format_period(h.first_month),
            "history_months": h.history_months,
            "plateau": format_cents(round_cents(h.plateau)),
            "ramp_length": h.ramp_length,
        }
        for h in windows.histories
    ]
    charts = [(g.group, ramp_curve_svg(g, title=f"Group {g.group}")) for g in windows.groups]
    return WindowsReport(windows, rows, contracts, charts)


def plan_window_checks(
    session: Session, plans: list[PlanVersion], min_history: int = 12
) -> list[WindowCheck]:
    """Each plan version's window_months against the suggestion for its scope."""
    check_min_history(min_history)
    if _latest_usage_month(session) is None:
        raise UserError.single("--windows: no usage is loaded: load data first (compengine load)")
    snapshot = read_snapshot(session)
    histories = contract_histories(snapshot, min_history)
    return check_windows(plans, histories, snapshot.accounts)
