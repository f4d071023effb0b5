"""From earnings to payout lines: rounding, take-backs and their plan version."""

from fractions import Fraction

import numpy as np
import pandas as pd

from compengine.months import parse_period
from compengine.plan.model import FirstPurchase
from compengine.results.payouts import PAID_COLUMNS, calculate_period, round_cents
from tests.builders import monthly, plan, snapshot

AE = [("acme", "ae1", "AE", "2027-01-01", None, "1")]


def test_rounding_is_half_away_from_zero():
    # spec section 5: 0.125 -> 0.13 and -0.125 -> -0.13 (12.5 cents is 125 / 10)
    cents = round_cents(np.array([125, -125, 124, -126], dtype=object), 10)
    assert cents.tolist() == [13, -13, 12, -13]


def test_take_back_before_any_signing_month_names_an_existing_version():
    # k1 was moved to sign in 2027-09; ae1 had been paid 500.00 under it
    v1 = plan(FirstPurchase("fp", "AE", flat_cents=50000), version=1, end="2027-06")
    v2 = plan(FirstPurchase("fp", "AE", flat_cents=50000), version=2, start="2027-07")
    data = snapshot(assignments=AE, contracts=[("k1", "acme", "2027-09-01", "100", "")])
    paid = pd.DataFrame([("ae1", "p", "fp", "k1", 50000)], columns=PAID_COLUMNS)
    lines = calculate_period(data, [v1, v2], parse_period("2027-08"), paid).lines
    assert lines[["plan_version", "amount_cents"]].values.tolist() == [[2, -50000]]


def test_cents_beyond_float_precision_stay_exact_next_to_a_take_back():
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-01", "90071992547409.93", "")],
        usage=monthly("acme", "2027-01", "1"),
    )
    paid = pd.DataFrame([("ae2", "p", "fp", "k1", 1000)], columns=PAID_COLUMNS)
    component = plan(FirstPurchase("fp", "AE", rate=Fraction(1)))
    lines = calculate_period(data, [component], parse_period("2027-01"), paid).lines
    amounts = dict(zip(lines["payee_id"], lines["amount_cents"], strict=True))
    assert amounts == {"ae1": 9007199254740993, "ae2": -1000}


def test_each_line_carries_the_earnings_code_of_the_version_that_governs_it():
    # v1 books the first purchase under FP-1, v2 (from 2027-07) under FP-2
    v1 = plan(FirstPurchase("fp", "AE", flat_cents=50000, earnings_code="FP-1"), end="2027-06")
    v2 = plan(
        FirstPurchase("fp", "AE", flat_cents=60000, earnings_code="FP-2"),
        version=2,
        start="2027-07",
    )
    data = snapshot(
        assignments=AE,
        contracts=[
            ("k1", "acme", "2027-03-01", "100", ""),
            ("k2", "acme", "2027-08-01", "100", ""),
        ],
        usage=monthly("acme", "2027-03", *["1000"] * 6),
    )
    lines = calculate_period(data, [v1, v2], parse_period("2027-08"), pd.DataFrame()).lines
    assert lines[["contract_id", "plan_version", "earnings_code"]].values.tolist() == [
        ["k1", 1, "FP-1"],
        ["k2", 2, "FP-2"],
    ]


def test_a_take_back_under_a_version_without_the_component_keeps_its_code():
    # k1 moved to sign in 2027-09, when only v2 (without an fp code of its own) had begun
    v1 = plan(FirstPurchase("fp", "AE", flat_cents=50000, earnings_code="FP"), end="2027-06")
    v2 = plan(FirstPurchase("other", "CSM", flat_cents=1), version=2, start="2027-07")
    data = snapshot(assignments=AE, contracts=[("k1", "acme", "2027-09-01", "100", "")])
    paid = pd.DataFrame([("ae1", "p", "fp", "k1", 50000)], columns=PAID_COLUMNS)
    lines = calculate_period(data, [v1, v2], parse_period("2027-08"), paid).lines
    assert lines[["component_id", "amount_cents", "earnings_code"]].values.tolist() == [
        ["fp", -50000, "FP"]
    ]


def test_a_take_back_of_a_component_in_no_plan_given_is_booked_under_its_id():
    data = snapshot(assignments=AE, contracts=[("k1", "acme", "2027-01-01", "100", "")])
    paid = pd.DataFrame([("ae1", "gone", "spiff", "k1", 1234)], columns=PAID_COLUMNS)
    component = plan(FirstPurchase("fp", "AE", flat_cents=0, earnings_code="FP"))
    lines = calculate_period(data, [component], parse_period("2027-02"), paid).lines
    assert lines[["component_id", "amount_cents", "earnings_code"]].values.tolist() == [
        ["spiff", -1234, "spiff"]
    ]
