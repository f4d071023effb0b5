"""Payroll rows of a locked period: one per payee and earnings code (spec section 10)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from compengine.cycles.payroll import PAYROLL_COLUMNS, PayrollRow, payroll_csv, payroll_rows
from compengine.errors import UserError
from tests.conftest import table_snapshot
from tests.payroll_scenario import (
    PERIOD_1_CSV,
    PERIOD_1_ROWS,
    PERIOD_2_ROWS,
    build_payroll_periods,
)


@pytest.fixture
def payroll_db(db_url, from_template):
    from_template("payroll-periods", build_payroll_periods)
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def _rows(engine, period: str) -> list[tuple]:
    with Session(engine) as session:
        return [
            (r.payee_id, r.name, r.email, r.earnings_code, r.amount_cents)
            for r in payroll_rows(session, period)
        ]


def test_rows_per_payee_and_code_held_pay_left_out_adjustments_under_adjustment(payroll_db):
    assert _rows(payroll_db, "2027-01") == PERIOD_1_ROWS


def test_held_adjustments_are_paid_later_under_adjustment(payroll_db):
    assert _rows(payroll_db, "2027-02") == PERIOD_2_ROWS


def test_every_line_carries_its_code(payroll_db):
    with payroll_db.connect() as connection:
        stored = connection.execute(
            text(
                "SELECT period, component_id, earnings_code FROM payout_line "
                "ORDER BY period, component_id, amount_cents"
            )
        ).all()
    assert [tuple(row) for row in stored] == [
        ("2027-01", "adjustment", "adjustment"),
        ("2027-01", "adjustment", "adjustment"),
        ("2027-01", "adjustment", "adjustment"),
        ("2027-01", "first-purchase", "BONUS-FP"),
        ("2027-01", "ramp", "COMM"),
        ("2027-02", "adjustment-catch-up", "adjustment"),
        ("2027-02", "ramp", "COMM"),
        ("2027-03", "ramp", "COMM"),
    ]


def test_lines_from_before_codes_existed_fall_back_to_component_or_adjustment(payroll_db):
    with payroll_db.begin() as connection:
        connection.execute(text("UPDATE payout_line SET earnings_code = NULL"))
    assert [row[3:] for row in _rows(payroll_db, "2027-01")] == [
        ("adjustment", 750),
        ("first-purchase", 50_000),
        ("ramp", 7_000),
    ]
    assert [row[3:] for row in _rows(payroll_db, "2027-02")][1] == ("adjustment", 2_500)


@pytest.mark.parametrize(("period", "state"), [("2027-03", "calculated"), ("2027-09", "open")])
def test_only_locked_periods_are_pulled(payroll_db, period, state):
    with Session(payroll_db) as session, pytest.raises(UserError) as raised:
        payroll_rows(session, period)
    assert str(raised.value) == (
        f"period {period} is {state}: payroll pulls only locked periods "
        f"(compengine lock --period {period} once it is approved)"
    )


def test_the_csv_is_exact_text_in_the_spec_columns(payroll_db):
    with Session(payroll_db) as session:
        content = payroll_csv(payroll_rows(session, "2027-01"))
    assert content == PERIOD_1_CSV
    assert content.splitlines()[0].split(",") == PAYROLL_COLUMNS


def test_a_name_cannot_become_a_spreadsheet_formula():
    rows = [PayrollRow("=p", '=HYPERLINK("http://x")', "@x", "COMM", -123)]
    assert payroll_csv(rows) == (
        "payee_id,name,email,earnings_code,amount\n"
        '\'=p,"\'=HYPERLINK(""http://x"")",\'@x,COMM,-1.23\n'
    )


def test_recoding_a_version_that_paid_a_locked_period_is_refused_as_an_edit(cli, db_url, tmp_path):
    plan = build_payroll_periods(cli, tmp_path)
    plan.write_text(plan.read_text().replace("COMM", "COMM2"), encoding="utf-8")
    before = table_snapshot(db_url)
    result = cli("run", "--period", "2027-03", "--plans", plan)
    assert result.code == 1
    assert "ae-usage v1 paid lines in locked periods 2027-01..2027-02, but its content has " in (
        result.err
    )
    assert table_snapshot(db_url) == before
