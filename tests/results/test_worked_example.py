"""Spec section 7, through the engine: the exact numbers of the worked example."""

from fractions import Fraction

import pytest

from compengine.plan.model import (
    Bonus,
    Clawback,
    Expansion,
    FirstPurchase,
    RampRealization,
    SustainedUsage,
    Tier,
    Tiers,
)
from tests.builders import Cycle, monthly, plan, snapshot

SPEC_PLAN = plan(
    FirstPurchase("first-purchase", "AE", flat_cents=50000, clawback=Clawback(6, 2)),
    RampRealization(
        "ramp",
        "AE",
        "linear",
        Fraction("0.05"),
        Tiers(
            "marginal",
            (
                Tier(Fraction(0), Fraction("0.03")),
                Tier(Fraction(1), Fraction("0.06")),
                Tier(Fraction("1.5"), Fraction("0.08")),
            ),
        ),
        cap_cents=2_000_000,
        bonus=Bonus(Fraction(1), 100_000),
    ),
    SustainedUsage("sustain", "CSM", Fraction("0.02"), Fraction("0.9"), 12),
    Expansion("expansion", "AE", Fraction("0.04"), Fraction("0.1")),
    plan_id="ae-usage",
    end="2027-12",
    scope=(("segment", ("enterprise", "mid-market")),),
)

ACME = snapshot(
    assignments=[
        ("acme", "ae1", "AE", "2027-01-01", "2027-12-31", "1"),
        ("acme", "csm1", "CSM", "2027-07-01", None, "1"),
    ],
    contracts=[("k1", "acme", "2027-01-10", "10000", "")],
    usage=monthly(
        "acme", "2027-01", "2000", "4000", "6000", "9000", "10000", "11000", "10500", "13000"
    ),
)


@pytest.fixture(scope="module")
def cycle() -> Cycle:
    cycle = Cycle(ACME, [SPEC_PLAN])
    for month in range(1, 9):
        cycle.run(f"2027-{month:02d}")
    return cycle


def test_first_purchase_and_first_ramp_month_pay_ae1_in_january(cycle):
    assert cycle.paid("ae1", "first-purchase", "2027-01") == "500.00"
    assert cycle.paid("ae1", "ramp", "2027-01") == "70.00"


def test_ramp_payouts_add_up_to_1470_plus_the_1000_bonus(cycle):
    total = sum(Fraction(cycle.paid("ae1", "ramp", f"2027-{m:02d}")) for m in range(1, 7))
    assert total == Fraction("2470.00")
    assert cycle.paid("ae1", "ramp", "2027-07") == "0.00"


def test_csm_earns_2_percent_of_the_baseline_after_the_window(cycle):
    assert cycle.paid("csm1", "sustain", "2027-07") == "200.00"
    assert cycle.paid("csm1", "sustain", "2027-08") == "200.00"


def test_expansion_pays_only_growth_above_baseline_plus_threshold(cycle):
    assert cycle.paid("ae1", "expansion", "2027-07") == "0.00"
    assert cycle.paid("ae1", "expansion", "2027-08") == "80.00"


def test_lines_explain_the_numbers(cycle):
    lines = cycle.recorded["2027-01"]
    ramp = lines[lines["component_id"] == "ramp"].iloc[0]
    assert ramp["explanation"].startswith(
        "ramp month 1/6: realized 2,000.00 of 1,666.67 target (120.00%), marginal tiers"
    )
    assert ramp["explanation"].endswith("earned to date 70.00, paid before 0.00, payout 70.00")
    assert (ramp["plan_id"], ramp["plan_version"], ramp["contract_id"], ramp["account_id"]) == (
        "ae-usage",
        1,
        "k1",
        "acme",
    )
