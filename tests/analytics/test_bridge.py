"""The realization bridge (spec section 12), worked by hand on small ledgers.

Each test states its items and the figures a sales leader would read off them; the
figures are exact (Fraction cents) and printed rounded to the cent.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from compengine.analytics.bridge import GroupBy, compute_bridge
from compengine.analytics.figures import FIGURE_KEYS, Figures, ratio_text, record
from compengine.errors import UserError
from compengine.months import parse_period
from compengine.plan.model import RampRealization
from tests.builders import monthly, plan, snapshot

RAMP = RampRealization("ramp", "AE", rate=Fraction(1, 20))
PLANS = [plan(RAMP, start="2026-01", window=6)]
P, Q = parse_period("2027-01"), parse_period("2027-12")


def dollars(figures: Figures) -> dict[str, str]:
    return {k: v for k, v in record("x", figures).items() if k in FIGURE_KEYS}


def seed_snapshot(**extra):
    """The seed's example: a steady account, a lost one, a new commitment half realized."""
    return snapshot(
        accounts=[
            {"account_id": "steady", "name": "S", "segment": "enterprise", "region": "amer"},
            {"account_id": "lost", "name": "L", "segment": "smb", "region": "emea"},
            {"account_id": "fresh", "name": "F", "segment": "enterprise"},
        ],
        assignments=[
            ("steady", "ann", "AE", "2026-01-01", None, "1"),
            ("lost", "cara", "AE", "2026-01-01", None, "1"),
            ("fresh", "ann", "AE", "2026-01-01", "2027-12-15", "0.5"),
            ("fresh", "bob", "AE", "2026-01-01", None, "0.5"),
            ("fresh", "cara", "AE", "2027-12-16", None, "0.5"),
        ],
        contracts=[
            ("k-steady", "steady", "2026-01-10", "80000", ""),
            ("k-lost", "lost", "2026-01-10", "20000", ""),
            ("k-fresh", "fresh", "2027-06-01", "60000", ""),
        ],
        usage={
            ("steady", "", "2026-01"): "80000",
            ("steady", "", "2027-01"): "80000",
            ("steady", "", "2027-12"): "80000",
            ("lost", "", "2026-01"): "20000",
            ("lost", "", "2027-01"): "20000",
            ("fresh", "", "2027-12"): "30000",
            **extra,
        },
    )


def test_the_seeds_example_comes_out_as_the_spec_says():
    total = compute_bridge(seed_snapshot(), PLANS, P, Q).total
    assert record("total", total) == {
        "group": "total",
        "start": "100000.00",
        "churn": "-20000.00",
        "net_change_existing": "0.00",
        "new_commitments": "60000.00",
        "expected": "140000.00",
        "realization_gap": "-30000.00",
        "end": "110000.00",
        "growth": "0.1000",
        "committed_growth": "0.4000",
    }


def test_annualize_multiplies_every_figure_by_twelve_and_keeps_the_rates():
    bridge = compute_bridge(seed_snapshot(), PLANS, P, Q).annualized()
    row = record("total", bridge.total)
    assert (row["start"], row["end"], row["realization_gap"]) == (
        "1200000.00",
        "1320000.00",
        "-360000.00",
    )
    assert (row["growth"], row["committed_growth"]) == ("0.1000", "0.4000")


def test_by_payee_splits_each_account_by_its_holders_shares_of_month_q():
    """fresh is held half by bob all month, and half by ann through the 15th then cara: the
    groups take 15/62, 1/2 and 16/62 of it, and add up to the total exactly."""
    bridge = compute_bridge(seed_snapshot(), PLANS, P, Q, by=GroupBy.payee)
    groups = bridge.groups
    assert set(groups) == {"ann", "bob", "cara"}
    assert groups["bob"].new_commitments == Fraction(6_000_000, 2)
    assert groups["ann"].new_commitments == Fraction(6_000_000 * 15, 62)
    assert groups["ann"].start == 8_000_000
    assert groups["cara"].churn == -2_000_000
    assert groups["cara"].realization_gap == Fraction(-3_000_000 * 16, 62)
    assert sum(groups.values(), Figures()) == bridge.total
    assert record("ann", groups["ann"])["new_commitments"] == "14516.13"


def test_by_payee_puts_what_no_holder_holds_in_unassigned():
    bridge = compute_bridge(seed_snapshot(), PLANS, P, Q, by=GroupBy.payee, role="CSM")
    assert list(bridge.groups) == ["(unassigned)"]
    assert bridge.groups["(unassigned)"] == bridge.total


def test_by_payee_refuses_shares_above_one_naming_account_month_and_payees():
    data = seed_snapshot()
    data.assignments.loc[len(data.assignments)] = data.assignments.iloc[0].tolist()
    data.assignments.iloc[-1, 1] = "zed"
    with pytest.raises(UserError) as error:
        compute_bridge(data, PLANS, P, Q, by=GroupBy.payee)
    assert str(error.value) == (
        "configuration error: shares of role AE on account steady add up to more than 1 "
        "in 2027-12 (payees: ann, zed)"
    )


def test_by_segment_and_region_put_an_empty_field_in_none():
    by_segment = compute_bridge(seed_snapshot(), PLANS, P, Q, by=GroupBy.segment).groups
    assert list(by_segment) == ["enterprise", "smb"]
    assert dollars(by_segment["smb"])["churn"] == "-20000.00"
    by_region = compute_bridge(seed_snapshot(), PLANS, P, Q, by=GroupBy.region).groups
    assert list(by_region) == ["(none)", "amer", "emea"]
    assert dollars(by_region["(none)"])["new_commitments"] == "60000.00"


def test_by_account_leaves_out_groups_whose_figures_are_all_zero():
    data = seed_snapshot()
    data.accounts.loc[len(data.accounts)] = ["idle", "Idle", None, None, None]
    groups = compute_bridge(data, PLANS, P, Q, by=GroupBy.account).groups
    assert list(groups) == ["fresh", "lost", "steady"]


def test_an_account_churning_while_its_new_contract_ramps():
    """lost signs a new contract in 2027-06 that never gets used: the old contract's run
    rate is churn, the new commitment is promised and wholly missed."""
    data = seed_snapshot()
    data.contracts.loc[len(data.contracts)] = data.contracts.iloc[1].tolist()
    data.contracts.iloc[1, 5] = date.fromisoformat("2027-05-31")  # k-lost ends before the new one
    data.contracts.iloc[-1, 0] = "k-lost-2"
    data.contracts.iloc[-1, 2] = date.fromisoformat("2027-06-01")
    data.contracts.iloc[-1, 3] = 5_000_00
    total = compute_bridge(data, PLANS, P, Q).total
    assert dollars(total) == {
        "start": "100000.00",
        "churn": "-20000.00",
        "net_change_existing": "0.00",
        "new_commitments": "65000.00",
        "expected": "145000.00",
        "realization_gap": "-35000.00",
        "end": "110000.00",
    }


def test_usage_outside_every_contract_scope_is_mature_existing_business():
    """steady uses 'ai', which its compute-only contract does not cover: the item
    'uncovered usage of steady' moves net change existing, never the ramp figures."""
    data = snapshot(
        accounts=[{"account_id": "steady", "name": "S"}],
        contracts=[("k-1", "steady", "2026-01-10", "1000", "compute")],
        usage={
            ("steady", "compute", "2026-01"): "1000",
            ("steady", "compute", "2027-01"): "1000",
            ("steady", "compute", "2027-12"): "1000",
            ("steady", "ai", "2027-01"): "300",
            ("steady", "ai", "2027-12"): "750",
        },
    )
    assert dollars(compute_bridge(data, PLANS, P, Q).total) == {
        "start": "1300.00",
        "churn": "0.00",
        "net_change_existing": "450.00",
        "new_commitments": "0.00",
        "expected": "1750.00",
        "realization_gap": "0.00",
        "end": "1750.00",
    }


def test_a_contract_signed_between_p_and_q_with_no_usage_yet_is_all_gap():
    data = snapshot(
        accounts=[{"account_id": "new", "name": "N"}],
        contracts=[("k-new", "new", "2027-09-20", "4000", "")],
        usage={("other", "", "2027-01"): "10", ("other", "", "2027-12"): "10"},
    )
    assert dollars(compute_bridge(data, PLANS, P, Q).total) == {
        "start": "10.00",
        "churn": "0.00",
        "net_change_existing": "0.00",
        "new_commitments": "4000.00",
        "expected": "4010.00",
        "realization_gap": "-4000.00",
        "end": "10.00",
    }


def test_a_negative_correction_that_takes_q_to_zero_or_below_is_churn():
    data = snapshot(
        accounts=[{"account_id": "a", "name": "A"}],
        contracts=[("k", "a", "2026-01-10", "500", "")],
        usage={
            ("a", "", "2026-01"): "500",
            ("a", "", "2027-01"): "500",
            ("a", "", "2027-12"): "-120.50",
        },
    )
    total = compute_bridge(data, PLANS, P, Q).total
    assert dollars(total)["churn"] == "-620.50"
    assert dollars(total)["end"] == "-120.50"
    assert record("t", total)["growth"] == "-1.2410"


def test_a_correction_that_only_lowers_q_is_net_change_existing():
    data = snapshot(
        accounts=[{"account_id": "a", "name": "A"}],
        contracts=[("k", "a", "2026-01-10", "500", "")],
        usage={
            ("a", "", "2026-01"): "500",
            ("a", "", "2027-01"): "500",
            ("a", "", "2027-12"): "0.01",
        },
    )
    total = compute_bridge(data, PLANS, P, Q).total
    assert (dollars(total)["churn"], dollars(total)["net_change_existing"]) == ("0.00", "-499.99")


def test_a_contract_ramping_at_p_counts_its_commitment_not_its_change():
    """Signed 2026-10, first purchase 2026-11, window 6: ramping at 2027-01 (window month 3)."""
    data = snapshot(
        accounts=[{"account_id": "a", "name": "A"}],
        contracts=[("k", "a", "2026-10-01", "900", "")],
        usage={**monthly("a", "2026-11", "100", "200", "300"), ("a", "", "2027-12"): "1000"},
    )
    assert dollars(compute_bridge(data, PLANS, P, Q).total) == {
        "start": "300.00",
        "churn": "0.00",
        "net_change_existing": "0.00",
        "new_commitments": "600.00",
        "expected": "900.00",
        "realization_gap": "100.00",
        "end": "1000.00",
    }


def test_window_ending_at_p_or_no_plan_or_ended_contract_makes_a_contract_mature():
    base = {**monthly("a", "2026-08", *["100"] * 6), ("a", "", "2027-12"): "150"}
    # first purchase 2026-08, window 6: months 2026-08 .. 2027-01; P = F + W - 1: mature
    data = snapshot(
        accounts=[{"account_id": "a", "name": "A"}],
        contracts=[("k", "a", "2026-08-03", "900", "")],
        usage=base,
    )
    assert dollars(compute_bridge(data, PLANS, P, Q).total)["net_change_existing"] == "50.00"
    out_of_scope = [plan(RAMP, start="2026-01", window=6, scope=(("segment", ("smb",)),))]
    assert dollars(compute_bridge(data, out_of_scope, P, Q).total)["new_commitments"] == "0.00"
    signed_late = snapshot(
        accounts=[{"account_id": "a", "name": "A"}],
        contracts=[("k", "a", "2026-12-03", "900", "", "2027-12-30")],
        usage=base,
    )
    assert dollars(compute_bridge(signed_late, PLANS, P, Q).total)["new_commitments"] == "0.00"


def test_the_longest_window_in_force_decides():
    data = snapshot(
        accounts=[{"account_id": "a", "name": "A"}],
        contracts=[("k", "a", "2026-05-03", "900", "")],
        usage={**monthly("a", "2026-05", *["100"] * 9), ("a", "", "2027-12"): "150"},
    )
    short = plan(RAMP, start="2026-01", window=6)
    long = plan(
        RampRealization("ramp", "CSM", rate=Fraction(1, 20)),
        plan_id="q",
        window=12,
        start="2026-01",
    )
    assert dollars(compute_bridge(data, [short], P, Q).total)["new_commitments"] == "0.00"
    assert dollars(compute_bridge(data, [short, long], P, Q).total)["new_commitments"] == "800.00"


def test_from_must_be_before_to():
    with pytest.raises(UserError, match=r"^--from: 2027-12 must be before --to \(2027-12\)$"):
        compute_bridge(seed_snapshot(), PLANS, Q, Q)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 10), "0.1000"),
        (Fraction(-1, 20000), "-0.0001"),
        (Fraction(1, 20000), "0.0001"),
        (Fraction(-1, 30000), "0.0000"),
        (Fraction(123456789, 1000), "123456.7890"),
        (None, ""),
    ],
)
def test_rates_are_rounded_half_away_from_zero_to_four_places(value, text):
    assert ratio_text(value) == text
