"""One payee's period as a statement shows it (spec section 9), computed once.

The PDF and HTML statements, and later the API and the web pages, all render this one
view: every total is summed here, from the stored integer cents of `payouts`, so that
no two ways of showing a payee's pay can disagree by a cent.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from sqlalchemy import select
from sqlmodel import Session

from compengine.analytics.alerts import NOT_STARTED, RAMP, Alert, stall_alerts
from compengine.calc.snapshot import read_snapshot
from compengine.cycles.inputs import require_payee
from compengine.cycles.periods import APPROVED, CALCULATED, LOCKED, checked_period, get_period
from compengine.cycles.queries import PAYOUT_COLUMNS, line_record, period_lines
from compengine.errors import UserError
from compengine.money import round_cents, round_half_away
from compengine.months import parse_period
from compengine.plan.model import PlanVersion
from compengine.plan.terms import component_terms
from compengine.results.ramp_progress import RampProgress, ramp_progress
from compengine.safe_csv import csv_text
from compengine.storage.models import Account, Hold, Payee, PayoutLine, Period, RunRecord

ADJUSTMENT = "adjustment"
TRUE_UP_PREFIX = "true-up:"
RAMP_TYPE = "ramp_realization"


@dataclass(frozen=True)
class Header:
    payee_id: str
    payee_name: str
    title: str | None
    manager_name: str | None
    period: str  # 'YYYY-MM'
    period_label: str  # 'July 2027'
    state: str  # calculated | approved | locked
    stale: bool
    currency: str
    generated_at: datetime  # the lock time for a locked period: re-renders are identical
    run_id: int
    fingerprint: str  # the first 12 characters of the run's fingerprint
    final: bool
    locked_at: datetime | None
    statement_id: str


@dataclass(frozen=True)
class Summary:
    paid_cents: int  # P's lines with status paid, adjustments included
    held_cents: int
    adjustments_cents: int
    true_ups_cents: int  # lines whose explanation starts 'true-up:'
    year_to_date_paid_cents: int  # paid lines of P's calendar year through P
    total_cents: int  # paid + held: every line of P
    line_count: int  # adjustments included


@dataclass(frozen=True)
class LineView:
    account_id: str | None
    account_name: str | None
    contract_id: str | None
    plan_version: int | None
    earned_to_date_cents: int
    paid_before_cents: int
    amount_cents: int
    status: str
    explanation: str
    true_up: bool


@dataclass(frozen=True)
class ComponentGroup:
    plan_id: str
    plan_name: str
    component_id: str
    component_type: str
    lines: tuple[LineView, ...]
    subtotal_cents: int


@dataclass(frozen=True)
class AdjustmentView:
    amount_cents: int
    status: str
    reason: str
    actor: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class HoldView:
    reason: str
    actor: str
    created_at: datetime
    active: bool
    released_at: datetime | None
    release_reason: str | None


@dataclass(frozen=True)
class RampChart:
    """A contract with a ramp line, with its cumulative realized usage and target."""

    contract_id: str
    account_id: str | None
    account_name: str | None
    progress: RampProgress | None  # None: no governing ramp component or first purchase now


@dataclass(frozen=True)
class WatchItem:
    """One of the payee's stall alerts (spec section 12), said in a rep's words."""

    alert: Alert
    account_name: str | None
    money_at_risk_cents: int  # rounded half away from zero
    text: str  # 'ramp month 4/6: 94.4% of the target so far; at last month's usage ...'


@dataclass(frozen=True)
class PeriodContext:
    """What the statements of one period share, read from the ledger once: the ramp
    progress of its ramp contracts and its stall alerts."""

    ramp: Mapping[str, RampProgress]
    alerts: tuple[Alert, ...]


@dataclass(frozen=True)
class PlanTerm:
    plan_id: str
    plan_name: str
    version: int
    component_id: str
    text: str


@dataclass(frozen=True)
class PayeePeriod:
    header: Header
    summary: Summary
    groups: tuple[ComponentGroup, ...]
    adjustments: tuple[AdjustmentView, ...]
    adjustments_subtotal_cents: int
    holds: tuple[HoldView, ...]
    ramp_charts: tuple[RampChart, ...]
    plan_terms: tuple[PlanTerm, ...]
    lines_csv: str  # exactly `payouts --format csv` for this payee's lines
    watch: tuple[WatchItem, ...] = ()  # the payee's own stall alerts: "accounts to watch"

    @property
    def has_lines(self) -> bool:
        return self.summary.line_count > 0


def build_payee_period(
    session: Session,
    payee_id: str,
    period: str,
    plans: Sequence[PlanVersion],
    *,
    now: datetime | None = None,
    ramp: Mapping[str, RampProgress] | None = None,
    alerts: Sequence[Alert] | None = None,
) -> PayeePeriod:
    """The view of `payee_id`'s `period`; a UserError for an unknown payee, a malformed
    period or a period never run (a statement must not read as 'no pay' by mistake).

    `ramp` and `alerts` are the period's ramp progress and stall alerts when the caller
    computed them already (`period_context`); else they are read from the ledger here."""
    period = checked_period(period)
    payee = session.get(Payee, require_payee(session, payee_id))
    row = get_period(session, period)
    run = session.get(RunRecord, row.last_run_id) if row.last_run_id is not None else None
    if run is None or row.state not in (CALCULATED, APPROVED, LOCKED):
        raise UserError.single(
            f"--period: {period} has not been run, so there is no statement for it yet"
        )
    lines = period_lines(session, period, payee_id)
    calculated = [line for line in lines if line.kind != ADJUSTMENT]
    adjustments = [line for line in lines if line.kind == ADJUSTMENT]
    accounts = _account_names(session, {line.account_id for line in lines if line.account_id})
    plan_names = {(p.plan_id, p.version): p.name for p in plans}
    groups = _groups(calculated, accounts, plan_names)
    lines_csv = csv_text([line_record(line) for line in lines], PAYOUT_COLUMNS)
    header = _header(session, payee, row, run, plans, now, lines_csv)
    return PayeePeriod(
        header=header,
        summary=_summary(session, payee_id, period, lines),
        groups=groups,
        adjustments=tuple(
            AdjustmentView(a.amount_cents, a.status, a.reason or "", a.actor, _utc(a.created_at))
            for a in adjustments
        ),
        adjustments_subtotal_cents=sum(a.amount_cents for a in adjustments),
        holds=_holds(session, payee_id, period),
        ramp_charts=_ramp_charts(session, calculated, accounts, plans, period, ramp),
        plan_terms=_plan_terms(calculated, plans),
        lines_csv=lines_csv,
        watch=_watch(session, payee_id, period, plans, alerts),
    )


def period_label(period: str) -> str:
    """'2027-07' -> 'July 2027'."""
    year, month0 = divmod(parse_period(period), 12)
    return f"{calendar.month_name[month0 + 1]} {year}"


def _utc(moment: datetime | None) -> datetime | None:
    """Stored times are UTC; SQLite gives them back without their zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _header(
    session: Session,
    payee: Payee,
    row: Period,
    run: RunRecord,
    plans: Sequence[PlanVersion],
    now: datetime | None,
    lines_csv: str,
) -> Header:
    manager = session.get(Payee, payee.manager_id) if payee.manager_id else None
    locked_at = _utc(row.locked_at) if row.state == LOCKED else None
    currencies = sorted({p.currency for p in plans}) or ["USD"]
    return Header(
        payee_id=payee.payee_id,
        payee_name=payee.name,
        title=payee.title,
        manager_name=manager.name if manager else payee.manager_id,
        period=row.period,
        period_label=period_label(row.period),
        state=row.state,
        stale=bool(row.stale),
        currency=currencies[0],
        generated_at=locked_at or now or datetime.now(UTC),
        run_id=run.id,
        fingerprint=run.fingerprint[:12],
        final=locked_at is not None,
        locked_at=locked_at,
        statement_id=_statement_id(payee.payee_id, row.period, run, row.state, lines_csv),
    )


def _statement_id(payee_id: str, period: str, run: RunRecord, state: str, lines_csv: str) -> str:
    """Deterministic: the same payee, run, state and lines give the same id (and so the
    same PDF identifier); any change to what the statement says gives another."""
    digest = hashlib.sha256(
        "\x1f".join([payee_id, period, str(run.id), run.fingerprint, state, lines_csv]).encode()
    ).hexdigest()
    return f"ST-{period}-{digest[:12].upper()}"


def _summary(session: Session, payee_id: str, period: str, lines: list[PayoutLine]) -> Summary:
    year_start = f"{period[:4]}-01"
    year_to_date = session.execute(
        select(PayoutLine.amount_cents).where(
            PayoutLine.payee_id == payee_id,
            PayoutLine.period >= year_start,
            PayoutLine.period <= period,
            PayoutLine.status == "paid",
        )
    ).scalars()
    paid = sum(line.amount_cents for line in lines if line.status == "paid")
    held = sum(line.amount_cents for line in lines if line.status != "paid")
    return Summary(
        paid_cents=paid,
        held_cents=held,
        adjustments_cents=sum(line.amount_cents for line in lines if line.kind == ADJUSTMENT),
        true_ups_cents=sum(
            line.amount_cents for line in lines if line.explanation.startswith(TRUE_UP_PREFIX)
        ),
        year_to_date_paid_cents=sum(year_to_date),
        total_cents=paid + held,
        line_count=len(lines),
    )


def _account_names(session: Session, account_ids: set[str]) -> dict[str, str]:
    if not account_ids:
        return {}
    query = select(Account.account_id, Account.name).where(Account.account_id.in_(account_ids))
    return {account_id: name for account_id, name in session.execute(query)}


def _groups(
    lines: list[PayoutLine], accounts: dict[str, str], plan_names: dict[tuple[str, int], str]
) -> tuple[ComponentGroup, ...]:
    """Lines by plan and component, in `payouts` order (plan, component, contract)."""
    keyed: dict[tuple[str, str], list[PayoutLine]] = {}
    for line in lines:
        keyed.setdefault((line.plan_id, line.component_id), []).append(line)
    groups = []
    for (plan_id, component_id), members in sorted(keyed.items()):
        views = tuple(_line_view(line, accounts) for line in members)
        newest = max((m.plan_version or 0) for m in members)
        groups.append(
            ComponentGroup(
                plan_id=plan_id,
                plan_name=plan_names.get((plan_id, newest), plan_id),
                component_id=component_id,
                component_type=members[0].component_type,
                lines=views,
                subtotal_cents=sum(v.amount_cents for v in views),
            )
        )
    return tuple(groups)


def _line_view(line: PayoutLine, accounts: dict[str, str]) -> LineView:
    return LineView(
        account_id=line.account_id,
        account_name=accounts.get(line.account_id or ""),
        contract_id=line.contract_id,
        plan_version=line.plan_version,
        earned_to_date_cents=line.earned_to_date_cents,
        paid_before_cents=line.paid_before_cents,
        amount_cents=line.amount_cents,
        status=line.status,
        explanation=line.explanation,
        true_up=line.explanation.startswith(TRUE_UP_PREFIX),
    )


def _holds(session: Session, payee_id: str, period: str) -> tuple[HoldView, ...]:
    query = select(Hold).where(Hold.payee_id == payee_id, Hold.period == period).order_by(Hold.id)
    return tuple(
        HoldView(
            reason=hold.reason,
            actor=hold.actor,
            created_at=_utc(hold.created_at),
            active=hold.active,
            released_at=_utc(hold.released_at),
            release_reason=hold.release_reason,
        )
        for hold in session.execute(query).scalars()
    )


def period_ramp_progress(
    session: Session, period: str, plans: Sequence[PlanVersion], contract_ids: Collection[str]
) -> dict[str, RampProgress]:
    """The ramp progress of `contract_ids` through `period`, from the ledger as it stands
    (the engine's own ramp numbers, so a chart shows what was paid on). Bulk statements
    ask once for every contract of the period instead of once per payee: a contract's
    progress does not depend on which others are asked with it."""
    if not contract_ids:
        return {}
    month = parse_period(period)
    return ramp_progress(read_snapshot(session, last_month=month), list(plans), month, contract_ids)


def ramp_contracts(session: Session, period: str) -> set[str]:
    """The contracts with a ramp line in `period`."""
    query = select(PayoutLine.contract_id).where(
        PayoutLine.period == period,
        PayoutLine.component_type == RAMP_TYPE,
        PayoutLine.contract_id.is_not(None),
    )
    return set(session.execute(query.distinct()).scalars())


def _ramp_charts(
    session: Session,
    lines: list[PayoutLine],
    accounts: dict[str, str],
    plans: Sequence[PlanVersion],
    period: str,
    ramp: Mapping[str, RampProgress] | None,
) -> tuple[RampChart, ...]:
    """One chart per contract with a ramp line; `ramp` is the period's progress when the
    caller computed it already."""
    contracts = sorted(
        {(line.contract_id, line.account_id) for line in lines if line.component_type == RAMP_TYPE},
        key=lambda pair: pair[0] or "",
    )
    contracts = [(contract_id, account_id) for contract_id, account_id in contracts if contract_id]
    if ramp is None:
        ramp = period_ramp_progress(session, period, plans, [c for c, _ in contracts])
    return tuple(
        RampChart(contract_id, account_id, accounts.get(account_id or ""), ramp.get(contract_id))
        for contract_id, account_id in contracts
    )


def _plan_terms(lines: list[PayoutLine], plans: Sequence[PlanVersion]) -> tuple[PlanTerm, ...]:
    """Each plan version and component that has a line, said in words."""
    used = {(line.plan_id, line.plan_version, line.component_id) for line in lines}
    terms = []
    for plan in sorted(plans, key=lambda p: (p.plan_id, p.version)):
        for component in plan.components:
            if (plan.plan_id, plan.version, component.id) in used:
                terms.append(
                    PlanTerm(
                        plan.plan_id,
                        plan.name,
                        plan.version,
                        component.id,
                        component_terms(plan, component),
                    )
                )
    return tuple(terms)


def period_context(session: Session, period: str, plans: Sequence[PlanVersion]) -> PeriodContext:
    """The ramp progress and the stall alerts of `period`, from one read of the ledger: what
    a bulk run computes once per worker and period and hands to every statement."""
    month = parse_period(period)
    snapshot = read_snapshot(session, last_month=month)
    contracts = ramp_contracts(session, period)
    ramp = ramp_progress(snapshot, list(plans), month, contracts) if contracts else {}
    return PeriodContext(ramp, tuple(stall_alerts(snapshot, plans, month)))


def _watch(
    session: Session,
    payee_id: str,
    period: str,
    plans: Sequence[PlanVersion],
    alerts: Sequence[Alert] | None,
) -> tuple[WatchItem, ...]:
    """The period's alerts on the payee's own contracts (the payee holds the role), largest
    money at risk first, as the alerts command lists them."""
    if alerts is None:
        month = parse_period(period)
        alerts = stall_alerts(read_snapshot(session, last_month=month), plans, month)
    own = [alert for alert in alerts if payee_id in alert.payees]
    names = _account_names(session, {alert.account_id for alert in own})
    return tuple(
        WatchItem(
            alert,
            names.get(alert.account_id),
            round_cents(alert.money_at_risk),
            watch_text(alert),
        )
        for alert in own
    )


def _percent(value: Fraction) -> str:
    """'94.4%': one decimal, half away from zero."""
    tenths = round_half_away(value.numerator * 1000, value.denominator)
    whole, tenth = divmod(abs(tenths), 10)
    return f"{'-' if tenths < 0 else ''}{whole}.{tenth}%"


def watch_text(alert: Alert) -> str:
    """What the alert means, in one sentence a rep can act on."""
    if alert.kind == RAMP:
        assert alert.attainment is not None and alert.projected_attainment is not None
        return (
            f"ramp month {alert.window_month}/{alert.window}: {_percent(alert.attainment)} of "
            f"the target so far; at last month's usage the window ends at "
            f"{_percent(alert.projected_attainment)} of its commitment"
        )
    if alert.kind == NOT_STARTED:
        return "signed three or more months ago and no usage yet: the whole ramp is at risk"
    assert alert.retention is not None
    return f"usage this month is {_percent(alert.retention)} of the ramp-end baseline"
