"""Stall alerts: the contracts whose pay is at risk this month, largest first (spec section 12).

Three kinds, one alert per contract and component:
- ``ramp``: a contract inside its ramp window that is behind its curve (A_k below the
  threshold) or that, at last month's usage, will end the window short of its commitment;
- ``not-started``: signed three months or more ago, and still no first purchase;
- ``retention``: after the window, this month's usage below the share of the baseline the
  sustained_usage component keeps paying for.

Every figure comes from the engine's own calculators (``calc.ramp.progress`` and
``window_earnings``, ``calc.after_window.sustained_usage``) on the engine's own grid, so an
alert can never price a window differently from the run that pays it. Usage is read from
the monthly aggregate only: contracts that ended before the period's last day are not
listed, and every other contract's usage through the period is whole months.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from compengine.calc.after_window import sustained_usage
from compengine.calc.earnings import governing_version
from compengine.calc.ramp import cumulative_curve, progress, window_earnings
from compengine.calc.snapshot import LedgerSnapshot, read_snapshot
from compengine.calc.usage import ContractGrid, build_grid
from compengine.calc.versions import ComponentPlan, component_plans
from compengine.crediting.shares import build_shares
from compengine.cycles.periods import checked_period
from compengine.errors import UserError
from compengine.money import format_fraction_cents, parse_decimal, round_half_away
from compengine.months import format_period, last_day, month_of, parse_period
from compengine.plan.model import PlanVersion, RampRealization, SustainedUsage

RAMP = "ramp"
NOT_STARTED = "not-started"
RETENTION = "retention"
DEFAULT_BELOW = Fraction(4, 5)  # --below of ramp alerts when none is given
NOT_STARTED_AFTER = 3  # months from the signing month without a first purchase
RATIO_PLACES = 4
BELOW_LIMIT = 10  # --below is a ratio: 10 (1000 %) is beyond any sensible threshold


@dataclass(frozen=True)
class Alert:
    """One contract and component whose pay is at risk in the period."""

    kind: str  # RAMP | NOT_STARTED | RETENTION
    contract_id: str
    account_id: str
    plan_id: str
    component_id: str
    role: str  # the component's role
    payees: tuple[str, ...]  # holders of the role on the account in the period, by id
    window: int  # W of the governing version (of the sustained_usage version for retention)
    window_month: int | None  # k (ramp only)
    attainment: Fraction | None  # A_k (ramp only)
    projected_attainment: Fraction | None  # at last month's usage to the window's end (ramp)
    retention: Fraction | None  # U(c, P) / B (retention only)
    money_at_risk: Fraction  # exact cents, >= 0

    def record(self) -> dict[str, object]:
        """The JSON object of spec section 12: ratios to 4 places, money to the cent."""
        return {
            "kind": self.kind,
            "contract_id": self.contract_id,
            "account_id": self.account_id,
            "payees": list(self.payees),
            "window_month": self.window_month,
            "attainment": format_ratio(self.attainment),
            "projected_attainment": format_ratio(self.projected_attainment),
            "retention": format_ratio(self.retention),
            "money_at_risk": format_fraction_cents(self.money_at_risk, grouping=False),
        }


ALERT_COLUMNS = [
    "kind",
    "contract_id",
    "account_id",
    "payees",
    "window_month",
    "attainment",
    "projected_attainment",
    "retention",
    "money_at_risk",
]


def alert_row(alert: Alert) -> dict[str, object]:
    """A row of the table or CSV: the JSON record flat, payees ';'-joined, null empty."""
    record = alert.record()
    record["payees"] = ";".join(alert.payees)
    return {key: "" if value is None else value for key, value in record.items()}


def format_ratio(value: Fraction | None) -> str | None:
    """'0.8235': rounded half away from zero to 4 places; None stays None."""
    if value is None:
        return None
    scale = 10**RATIO_PLACES
    units = round_half_away(value.numerator * scale, value.denominator)
    whole, frac = divmod(abs(units), scale)
    return f"{'-' if units < 0 else ''}{whole}.{frac:0{RATIO_PLACES}d}"


def period_alerts(
    session: Session,
    period: str,
    plans: Sequence[PlanVersion],
    *,
    below: Fraction | None = None,
) -> list[Alert]:
    """The alerts of `period` ('YYYY-MM') from the database, one read of the aggregate; a
    UserError for a malformed period, an empty ledger or a period before every contract."""
    month = parse_period(checked_period(period))
    snapshot = read_alerts_snapshot(session, month)
    signed = [month_of(day) for day in snapshot.contracts["signed_on"]]
    if not signed:
        raise UserError.single("no contracts are loaded: there is nothing to alert on yet")
    if min(signed) > month:
        raise UserError.single(
            f"--period: no contract is signed by {period} "
            f"(the first is signed in {format_period(min(signed))})"
        )
    return stall_alerts(snapshot, plans, month, below=below)


def parse_below(text: str) -> Fraction:
    """--below: a plain decimal from 0 to 10 (an attainment or retention ratio)."""
    try:
        value = parse_decimal(text, max_whole_digits=2)
    except ValueError as error:
        raise UserError.single(f"--below: {error}") from None
    if not 0 <= value <= BELOW_LIMIT:
        raise UserError.single(f"--below: {text.strip()} is not between 0 and {BELOW_LIMIT}")
    return value


def read_alerts_snapshot(session: Session, period: int) -> LedgerSnapshot:
    """What alerts need: the monthly aggregate through the period, never the raw ledger
    (contracts ending mid-month before the period's last day are not listed anyway)."""
    return read_snapshot(session, last_month=period, end_months=False)


def stall_alerts(
    snapshot: LedgerSnapshot,
    plans: Sequence[PlanVersion],
    period: int,
    *,
    below: Fraction | None = None,
) -> list[Alert]:
    """Every alert of month index `period`, largest money at risk first (then contract,
    kind, plan and component). `below` is the threshold of ramp attainment (default 0.8)
    and, when given, of retention (else each sustained_usage version's min_retention)."""
    contracts = listed_contracts(snapshot.contracts, period)
    if contracts.empty:
        return []
    cut = LedgerSnapshot(
        accounts=snapshot.accounts,
        assignments=snapshot.assignments,
        contracts=contracts,
        monthly_usage=snapshot.monthly_usage,
    )
    grid = build_grid(cut, period)
    alerts: list[Alert] = []
    for plan in component_plans(list(plans), grid, snapshot.accounts):
        if plan.type == "ramp_realization":
            threshold = DEFAULT_BELOW if below is None else below
            alerts += _ramp_alerts(plan, grid, threshold)
            alerts += _not_started_alerts(plan, grid)
        elif plan.type == "sustained_usage":
            alerts += _retention_alerts(plan, grid, below)
    return sorted(_with_payees(alerts, snapshot.assignments, period), key=sort_key)


def sort_key(alert: Alert) -> tuple:
    return (-alert.money_at_risk, alert.contract_id, alert.kind, alert.plan_id, alert.component_id)


def listed_contracts(contracts: pd.DataFrame, period: int) -> pd.DataFrame:
    """Signed by the period, commit above 0, not ended before the period's last day."""
    end = last_day(period)
    keep = [
        month_of(signed) <= period and commit > 0 and (ends is None or pd.isna(ends) or ends >= end)
        for signed, commit, ends in zip(
            contracts["signed_on"],
            contracts["commit_monthly_cents"],
            contracts["ends_on"],
            strict=True,
        )
    ]
    return contracts[np.array(keep, dtype=bool)] if len(contracts) else contracts


def _with_payees(alerts: list[Alert], assignments: pd.DataFrame, period: int) -> list[Alert]:
    """Each alert with the payees holding its role on its account in the period (section 5's
    shares above 0), from the assignments of the alerts' accounts only."""
    accounts = {alert.account_id for alert in alerts}
    if not accounts:
        return alerts
    rows = assignments[assignments["account_id"].isin(accounts)]
    shares = build_shares(rows, period, 1).frame
    held: dict[tuple[str, str], set[str]] = {}
    for account_id, role, payee_id, share in zip(
        shares["account_id"], shares["role"], shares["payee_id"], shares["share"], strict=True
    ):
        if share > 0:
            held.setdefault((account_id, role), set()).add(payee_id)
    return [
        replace(alert, payees=tuple(sorted(held.get((alert.account_id, alert.role), ()))))
        for alert in alerts
    ]


def _priced(
    part: RampRealization, window: int, commit_cents: int, realized: list[Fraction]
) -> list[Fraction]:
    """E_W with the bonus at each given R_W (exact cents), by the engine's calculator."""
    target = cumulative_curve(part, window)[window] * commit_cents  # TC_W in cents
    unit = math.lcm(target.denominator, *(value.denominator for value in realized))
    earned, den, _, _ = window_earnings(
        part,
        np.array([int(value * unit) for value in realized], dtype=object),
        np.full(len(realized), int(target * unit), dtype=object),
        1,
        np.ones(len(realized), bool),
        unit,
    )
    return [Fraction(int(value), den) for value in earned]


def money_at_risk(
    part: RampRealization, window: int, commit_cents: int, projected: Fraction | None
) -> Fraction:
    """E_W (+ bonus) at R_W = TC_W minus the same at the projected R_W, never below 0;
    with no projection (not started) the whole of E_W (+ bonus) at TC_W."""
    target = cumulative_curve(part, window)[window] * commit_cents
    if projected is None:
        return _priced(part, window, commit_cents, [target])[0]
    full, reached = _priced(part, window, commit_cents, [target, projected])
    return max(full - reached, Fraction(0))


def _ramp_alerts(plan: ComponentPlan, grid: ContractGrid, threshold: Fraction) -> list[Alert]:
    governing = governing_version(plan, grid)
    last = grid.months - 1
    k_now = last - grid.first_purchase + 1  # window month of P, meaningful where has_first
    alerts = []
    for index, part in enumerate(plan.parts):
        window = plan.versions[index].lifecycle.window_months
        rows = np.flatnonzero((governing == index) & grid.has_first & (k_now <= window))
        if not isinstance(part, RampRealization) or rows.size == 0:
            continue
        k, realized, target, den = progress(part, window, grid, rows)
        for i, row in enumerate(rows):
            commit = int(grid.commit_cents[row])
            k_row, r_k = int(k[i, last]), int(realized[i, last])
            attainment = Fraction(r_k) / Fraction(int(target[i, last]), den)
            full = cumulative_curve(part, window)[window] * commit
            reach = Fraction(r_k + (window - k_row) * int(grid.usage[row, last]))
            projected = reach / full
            if attainment >= threshold and projected >= 1:
                continue
            alerts.append(
                _alert(
                    RAMP,
                    plan,
                    grid,
                    row,
                    part.role,
                    window,
                    money_at_risk(part, window, commit, reach),
                    window_month=k_row,
                    attainment=attainment,
                    projected=projected,
                )
            )
    return alerts


def _not_started_alerts(plan: ComponentPlan, grid: ContractGrid) -> list[Alert]:
    """Signed in P - 3 or earlier with no first purchase through P: under the version in
    force in the signing month whose scope holds the account."""
    last = grid.months - 1
    waiting = ~grid.has_first & (grid.signed <= last - NOT_STARTED_AFTER)
    at_signing = np.where(waiting, plan.month_version[np.clip(grid.signed, 0, last)], -1)
    version = np.where(plan.applies(at_signing), at_signing, -1)
    alerts = []
    for row in np.flatnonzero(version >= 0):
        index = int(version[row])
        part = plan.parts[index]
        if not isinstance(part, RampRealization):
            continue
        window = plan.versions[index].lifecycle.window_months
        risk = money_at_risk(part, window, int(grid.commit_cents[row]), None)
        alerts.append(_alert(NOT_STARTED, plan, grid, row, part.role, window, risk))
    return alerts


def _retention_alerts(
    plan: ComponentPlan, grid: ContractGrid, below: Fraction | None
) -> list[Alert]:
    """After the window of the version in force at P, within duration_months, B > 0 and
    U(c, P) / B below the threshold; at risk: rate x B minus the month's earnings."""
    last = grid.months - 1
    index = int(plan.month_version[last])
    part = plan.parts[index] if index >= 0 else None
    if not isinstance(part, SustainedUsage):
        return []
    lifecycle = plan.versions[index].lifecycle
    window_end = grid.first_purchase + lifecycle.window_months  # first month after the window
    after = grid.has_first & (last >= window_end) & plan.applies(np.full(grid.size, index))
    if part.duration_months is not None:
        after &= last < window_end + part.duration_months
    baseline_sum = grid.window_sum(window_end - lifecycle.baseline_months, window_end)
    rows = np.flatnonzero(after & (baseline_sum > 0))
    if rows.size == 0:
        return []
    earnings = sustained_usage(plan, grid)  # month P's earnings are its ΔE in P
    threshold = part.min_retention if below is None else below
    alerts = []
    for row in rows:
        baseline = Fraction(int(baseline_sum[row]), lifecycle.baseline_months)
        retention = int(grid.usage[row, last]) / baseline
        if retention >= threshold:
            continue
        earned = Fraction(int(earnings.delta[row, last]), earnings.den)
        risk = max(part.rate * baseline - earned, Fraction(0))
        alerts.append(
            _alert(
                RETENTION,
                plan,
                grid,
                row,
                part.role,
                lifecycle.window_months,
                risk,
                retention=retention,
            )
        )
    return alerts


def _alert(
    kind: str,
    plan: ComponentPlan,
    grid: ContractGrid,
    row: int,
    role: str,
    window: int,
    risk: Fraction,
    *,
    window_month: int | None = None,
    attainment: Fraction | None = None,
    projected: Fraction | None = None,
    retention: Fraction | None = None,
) -> Alert:
    account_id = str(grid.account_ids[row])
    return Alert(
        kind=kind,
        contract_id=str(grid.contract_ids[row]),
        account_id=account_id,
        plan_id=plan.plan_id,
        component_id=plan.component_id,
        role=role,
        payees=(),  # filled in for all alerts at once by _with_payees
        window=window,
        window_month=window_month,
        attainment=attainment,
        projected_attainment=projected,
        retention=retention,
        money_at_risk=risk,
    )
