"""The view model of a payee's period: every total is the sum of the stored lines, and
equals what `payouts` reports (spec section 9, "Numbers")."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from sqlalchemy import select
from sqlmodel import Session

from compengine.errors import UserError
from compengine.months import parse_period
from compengine.plan.load import load_plans
from compengine.storage.database import make_engine, upgrade_schema
from compengine.storage.models import Payee, PayoutLine, Period
from compengine.views.payee_period import (
    PayeePeriod,
    build_payee_period,
    period_context,
    period_label,
    period_ramp_progress,
    ramp_contracts,
)
from tests.cycles.conftest import PLAN
from tests.cycles.test_matches_reference_on_database import DB_SETTINGS, clear, database_steps
from tests.strategies import cycles

# The cycles themselves are held to the reference by test_matches_reference_on_database;
# here each example only adds the views' sums over lines already checked, so fewer do.
VIEW_SETTINGS = settings(DB_SETTINGS, max_examples=max(5, settings.default.max_examples // 10))


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def assert_adds_up(view: PayeePeriod) -> None:
    """Lines add up to their subtotals, subtotals and adjustments to the total."""
    for group in view.groups:
        assert group.subtotal_cents == sum(line.amount_cents for line in group.lines)
    assert view.adjustments_subtotal_cents == sum(a.amount_cents for a in view.adjustments)
    lines_total = sum(g.subtotal_cents for g in view.groups) + view.adjustments_subtotal_cents
    assert lines_total == view.summary.total_cents
    assert view.summary.paid_cents + view.summary.held_cents == view.summary.total_cents


def test_the_view_equals_payouts_of_the_payee(cycle, db_url):
    rows = list(
        csv.DictReader(cycle("payouts", "--period", "2027-02", "--format", "csv").out.splitlines())
    )
    engine = make_engine(db_url)
    with Session(engine) as session:
        view = build_payee_period(session, "ae1", "2027-02", load_plans([PLAN]))
        january = build_payee_period(session, "ae1", "2027-01", load_plans([PLAN]))
    engine.dispose()
    mine = [r for r in rows if r["payee_id"] == "ae1"]
    assert_adds_up(view)
    assert view.summary.total_cents == sum(cents(r["amount"]) for r in mine)
    assert view.summary.held_cents == view.summary.total_cents  # ae1 is on hold in 2027-02
    assert view.summary.adjustments_cents == -1234
    assert [(h.reason, h.active, h.release_reason) for h in view.holds] == [
        ("missing paperwork", False, "paperwork signed"),
        ("second check", True, None),
    ]
    assert [a.reason for a in view.adjustments] == ["=spiff correction"]
    # nothing of 2027-02 is paid yet, so the year to date is January's pay
    assert view.summary.year_to_date_paid_cents == january.summary.paid_cents == 57000
    header = view.header
    assert (header.period_label, header.state, header.final, header.payee_name) == (
        "February 2027",
        "calculated",
        False,
        "Ada Evans",
    )
    assert len(header.fingerprint) == 12 and january.header.final
    assert january.header.generated_at == january.header.locked_at


def test_refusals_are_user_errors(cycle, db_url):
    engine = make_engine(db_url)
    with Session(engine) as session:
        for payee, period, message in [
            ("nobody", "2027-01", "unknown payee"),
            ("ae1", "2027-1", "is not a month"),
            ("ae1", "2027-03", "has not been run"),
        ]:
            with pytest.raises(UserError, match=message):
                build_payee_period(session, payee, period, [])
    engine.dispose()


def test_period_label():
    assert period_label("2027-07") == "July 2027"


def test_views_equal_payouts_on_random_cycles(db_url, tmp_path_factory):
    """For every payee and every period run: the view's totals are its stored lines, and
    the year to date is the sum of the paid amounts of the year's periods through P."""
    engine = make_engine(db_url)
    upgrade_schema(engine)

    @VIEW_SETTINGS
    @given(cycles())
    def check(cycle):
        scenario, periods = cycle
        clear(engine)
        database_steps(engine, scenario, periods, tmp_path_factory.mktemp("ledger"))
        with Session(engine) as session:
            lines = list(session.execute(select(PayoutLine)).scalars())
            run = [p.period for p in session.execute(select(Period)).scalars() if p.last_run_id]
            payees = list(session.execute(select(Payee.payee_id)).scalars())
            paid: dict[tuple[str, str], int] = defaultdict(int)
            total: dict[tuple[str, str], int] = defaultdict(int)
            for line in lines:
                total[line.payee_id, line.period] += line.amount_cents
                paid[line.payee_id, line.period] += line.amount_cents * (line.status == "paid")
            for period in run:
                for payee in payees:
                    view = build_payee_period(session, payee, period, list(scenario.plans))
                    assert_adds_up(view)
                    assert view.summary.total_cents == total[payee, period]
                    assert view.summary.paid_cents == paid[payee, period]
                    assert view.summary.line_count == sum(
                        1 for x in lines if (x.payee_id, x.period) == (payee, period)
                    )
                    year = [
                        q
                        for q in run
                        if q[:4] == period[:4] and parse_period(q) <= parse_period(period)
                    ]
                    assert view.summary.year_to_date_paid_cents == sum(
                        build_payee_period(session, payee, q, []).summary.paid_cents for q in year
                    )

    try:
        check()
    finally:
        engine.dispose()


def test_the_period_s_ramp_progress_computed_once_gives_the_same_view(cycle, db_url):
    """Bulk statements read the ledger once a period: the view is the same as when each
    payee's charts are computed on their own."""
    plans = load_plans([PLAN])
    engine = make_engine(db_url)
    with Session(engine) as session:
        ramp = period_ramp_progress(session, "2027-02", plans, ramp_contracts(session, "2027-02"))
        now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a draft says when it was generated
        alone = build_payee_period(session, "ae1", "2027-02", plans, now=now)
        shared = build_payee_period(session, "ae1", "2027-02", plans, now=now, ramp=ramp)
    engine.dispose()
    assert ramp and all(chart.progress is not None for chart in alone.ramp_charts)
    assert shared == alone


def test_accounts_to_watch_are_the_payee_s_own_stall_alerts(cycle, db_url):
    """2027-02: k1 is at window month 2 of 6 with 6,000 of a 5,000 target (120 %), but at
    February's 4,000 a month the window ends at 22,000 of 35,000 (62.9 %): it would earn
    3 % x 22,000 = 660 against 1,050 + the 1,000 bonus at full attainment, 1,390.00 at risk.
    csm1 holds no role on acme in 2027-02: nothing to watch."""
    plans = load_plans([PLAN])
    engine = make_engine(db_url)
    with Session(engine) as session:
        ae1 = build_payee_period(session, "ae1", "2027-02", plans)
        csm1 = build_payee_period(session, "csm1", "2027-02", plans)
    engine.dispose()
    (item,) = ae1.watch
    assert (item.alert.kind, item.alert.contract_id, item.account_name) == (
        "ramp",
        "k1",
        "Acme Corp",
    )
    assert item.money_at_risk_cents == 139_000
    assert item.text == (
        "ramp month 2/6: 120.0% of the target so far; at last month's usage the window "
        "ends at 62.9% of its commitment"
    )
    assert csm1.watch == ()


def test_the_period_context_computed_once_gives_the_same_view(cycle, db_url):
    """Bulk statements read the ledger once a period for the charts and the alerts."""
    plans = load_plans([PLAN])
    engine = make_engine(db_url)
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with Session(engine) as session:
        shared = period_context(session, "2027-02", plans)
        alone = build_payee_period(session, "ae1", "2027-02", plans, now=now)
        view = build_payee_period(
            session, "ae1", "2027-02", plans, now=now, ramp=shared.ramp, alerts=shared.alerts
        )
    engine.dispose()
    assert [a.contract_id for a in shared.alerts] == ["k1"]
    assert view == alone
