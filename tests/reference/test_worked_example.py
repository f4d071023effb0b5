"""The spec's section 7 worked example and small hand-computed cases, through the reference.

If the reference got these wrong, the property tests that hold the engine to it would
prove nothing; so every number here is worked out by hand from the spec's text.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
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
from tests.reference.fraction_reference import (
    TC,
    E_k,
    Line,
    ReferenceConfigError,
    T,
    reference_cycle,
    reference_period,
    round_half_away,
)
from tests.reference.scenario import (
    Account,
    Assignment,
    Contract,
    Scenario,
    UsageEntry,
    make_plan,
)

D = Fraction  # exact decimal text: D("0.05") is 5/100

SPEC_TIERS = Tiers(
    mode="marginal",
    rates=(Tier(D("0"), D("0.03")), Tier(D("1.0"), D("0.06")), Tier(D("1.5"), D("0.08"))),
)
SPEC_RAMP = RampRealization(
    id="ramp",
    role="AE",
    curve="linear",
    rate=D("0.05"),
    tiers=SPEC_TIERS,
    cap_cents=2_000_000,
    bonus=Bonus(attainment_at_least=D("1.0"), amount_cents=100_000),
)
SPEC_PLAN = make_plan(
    "ae-usage",
    (
        FirstPurchase(
            id="first-purchase",
            role="AE",
            flat_cents=50_000,
            clawback=Clawback(within_months=6, churn_months=2),
        ),
        SPEC_RAMP,
        SustainedUsage(
            id="sustain", role="CSM", rate=D("0.02"), min_retention=D("0.9"), duration_months=12
        ),
        Expansion(id="expansion", role="AE", rate=D("0.04"), threshold=D("0.1")),
    ),
    effective=("2027-01", "2027-12"),
    scope=(("segment", ("enterprise", "mid-market")),),
    window_months=6,
    baseline_months=3,
)
SPEC_USAGE = {
    "2027-01": "2000",
    "2027-02": "4000",
    "2027-03": "6000",
    "2027-04": "9000",
    "2027-05": "10000",
    "2027-06": "11000",
    "2027-07": "10500",
    "2027-08": "13000",
}
K1 = Contract("k1", "acme", date(2027, 1, 10), D("10000"))
ACME = Account("acme", "Acme Corp", segment="enterprise", region="emea")


def monthly_entries(account_id: str, amounts: dict[str, str], product: str = "") -> tuple:
    """One usage entry on the 15th of each month."""
    return tuple(
        UsageEntry(
            f"{account_id}-{month}",
            account_id,
            date(*map(int, month.split("-")), 15),
            D(amount),
            product,
        )
        for month, amount in amounts.items()
    )


def worked_example() -> Scenario:
    return Scenario(
        accounts=(ACME,),
        assignments=(
            Assignment("acme", "ae1", "AE", date(2027, 1, 1), date(2027, 12, 31)),
            Assignment("acme", "csm1", "CSM", date(2027, 7, 1)),
        ),
        contracts=(K1,),
        usage=monthly_entries("acme", SPEC_USAGE),
        plans=(SPEC_PLAN,),
    )


def payouts(lines: list[Line]) -> dict[tuple[str, str], int]:
    return {(line.payee_id, line.component_id): line.amount_cents for line in lines}


def test_worked_example_targets_attainment_and_baseline():
    targets = [round_half_away(T(SPEC_RAMP, K1, k, 6)) for k in range(1, 7)]
    assert targets == [166_667, 333_333, 500_000, 666_667, 833_333, 1_000_000]
    assert TC(SPEC_RAMP, K1, 1, 6) == Fraction(1_000_000, 6)  # 1,666.67 shown rounded
    assert Fraction(200_000) / TC(SPEC_RAMP, K1, 1, 6) == D("1.2")  # A_1
    assert TC(SPEC_RAMP, K1, 6, 6) == 3_500_000
    assert E_k(SPEC_RAMP, Fraction(4_200_000), Fraction(3_500_000)) == 147_000  # E_6


def test_worked_example_pays_the_sections_numbers():
    periods = [f"2027-{month:02d}" for month in range(1, 9)]
    results = dict(zip(periods, reference_cycle(worked_example(), periods), strict=True))

    assert payouts(results["2027-01"].lines) == {
        ("ae1", "first-purchase"): 50_000,
        ("ae1", "ramp"): 7_000,
    }
    ramp = [payouts(results[period].lines)[("ae1", "ramp")] for period in periods[:6]]
    assert ramp == [7_000, 14_000, 21_000, 34_000, 35_000, 136_000]  # E_6 1,470 + bonus 1,000
    assert sum(ramp) == 247_000
    assert payouts(results["2027-07"].lines) == {("csm1", "sustain"): 20_000}
    assert payouts(results["2027-08"].lines) == {
        ("csm1", "sustain"): 20_000,
        ("ae1", "expansion"): 8_000,
    }
    assert all(
        line.plan_version == 1 and line.account_id == "acme"
        for result in results.values()
        for line in result.lines
    )
    assert all(not result.unassigned for result in results.values())


def ae_scenario(plan, assignments, usage, commit="1000") -> Scenario:
    """One enterprise account `a1` with one all-products contract `c1` signed 2027-01-01."""
    return Scenario(
        accounts=(Account("a1", "A1", segment="enterprise"),),
        assignments=tuple(assignments),
        contracts=(Contract("c1", "a1", date(2027, 1, 1), D(commit)),),
        usage=tuple(usage),
        plans=(plan,),
    )


def fp_plan(flat_cents: int, clawback: Clawback | None = None):
    return make_plan(
        "fp", (FirstPurchase(id="fp", role="AE", flat_cents=flat_cents, clawback=clawback),)
    )


def test_half_cent_ties_round_away_from_zero():
    assert round_half_away(D("12.5")) == 13  # 0.125 -> 0.13
    assert round_half_away(D("-12.5")) == -13  # -0.125 -> -0.13
    assert round_half_away(D("12.4999")) == 12
    assert round_half_away(D("-12.4999")) == -12
    # 1.25 % of a 10.00 commit is 0.125: the payee gets 0.13, and the cent is not lost:
    # the other half of the credit stays unassigned at its exact value.
    plan = make_plan("fp", (FirstPurchase(id="fp", role="AE", rate=D("0.0125")),))
    scenario = ae_scenario(
        plan,
        [Assignment("a1", "ae1", "AE", date(2027, 1, 1), split=D("0.5"))],
        monthly_entries("a1", {"2027-01": "5"}),
        commit="20",
    )
    result = reference_period(scenario, "2027-01", {})
    assert [(line.earned_to_date_cents, line.amount_cents) for line in result.lines] == [(13, 13)]
    assert result.unassigned == {("c1", "fp", "fp", "2027-01"): D("12.5")}


def test_clawback_goes_to_the_month_f_payee_after_a_handover():
    scenario = ae_scenario(
        fp_plan(50_000, Clawback(within_months=3, churn_months=1)),
        [
            Assignment("a1", "ae1", "AE", date(2027, 1, 1), date(2027, 1, 31)),
            Assignment("a1", "ae2", "AE", date(2027, 2, 1)),
        ],
        monthly_entries("a1", {"2027-01": "100", "2027-02": "0"}),
    )
    january, february = reference_cycle(scenario, ["2027-01", "2027-02"])
    assert payouts(january.lines) == {("ae1", "fp"): 50_000}
    assert payouts(february.lines) == {("ae1", "fp"): -50_000}
    assert february.unassigned == {}


def test_clawback_needs_the_whole_churn_run_inside_the_window():
    clawback = Clawback(within_months=2, churn_months=2)
    ae1 = [Assignment("a1", "ae1", "AE", date(2027, 1, 1))]
    inside = ae_scenario(fp_plan(50_000, clawback), ae1, monthly_entries("a1", {"2027-01": "1"}))
    straddling = ae_scenario(
        fp_plan(50_000, clawback), ae1, monthly_entries("a1", {"2027-01": "1", "2027-02": "1"})
    )
    # F = 2027-01; inside: 02 and 03 have no usage, the run completes in 03 = F + 2.
    february, march = reference_cycle(inside, ["2027-02", "2027-03"])
    assert payouts(february.lines) == {("ae1", "fp"): 50_000}
    assert payouts(march.lines) == {("ae1", "fp"): -50_000}
    assert march.earned == {("ae1", "fp", "fp", "c1"): 0}
    # straddling: 03 and 04 are empty, but 04 is after F + within_months.
    assert payouts(reference_period(straddling, "2027-04", {}).lines) == {("ae1", "fp"): 50_000}


def test_a_late_negative_correction_becomes_a_negative_true_up():
    plan = make_plan(
        "ramp", (RampRealization(id="ramp", role="AE", rate=D("0.05")),), window_months=3
    )
    correction = UsageEntry("fix", "a1", date(2027, 1, 20), D("-400"), arrives=1)
    scenario = ae_scenario(
        plan,
        [Assignment("a1", "ae1", "AE", date(2027, 1, 1))],
        (*monthly_entries("a1", {"2027-01": "1000"}), correction),
    )
    january, february = reference_cycle(scenario, ["2027-01", "2027-02"])
    assert payouts(january.lines) == {("ae1", "ramp"): 5_000}  # 5 % of 1,000
    assert [(line.earned_to_date_cents, line.amount_cents) for line in february.lines] == [
        (3_000, -2_000)  # 5 % of 600, less the 50.00 paid
    ]


def test_marginal_and_whole_tiers_on_one_number():
    rates = (Tier(D("0"), D("0.03")), Tier(D("1"), D("0.06")), Tier(D("1.5"), D("0.08")))
    R_k, TC_k = Fraction(200_000), Fraction(100_000)  # 2,000 realized of 1,000: A = 2
    whole = RampRealization(id="r", role="AE", tiers=Tiers("whole", rates))
    marginal = RampRealization(id="r", role="AE", tiers=Tiers("marginal", rates))
    assert E_k(whole, R_k, TC_k) == 16_000  # 8 % of 2,000
    assert E_k(marginal, R_k, TC_k) == 10_000  # 3 % of 1,000 + 6 % of 500 + 8 % of 500
    capped = RampRealization(id="r", role="AE", tiers=Tiers("whole", rates), cap_cents=12_345)
    assert E_k(capped, R_k, TC_k) == 12_345
    assert E_k(whole, Fraction(-5), TC_k) == 0


def test_split_and_mid_month_handover_are_prorated_by_day():
    # F = 2027-04 (30 days); ae1 leaves after the 10th, ae3 takes over on the 11th,
    # ae2 holds half all month through two rows that add up.
    scenario = ae_scenario(
        fp_plan(30_000),
        [
            Assignment("a1", "ae1", "AE", date(2027, 1, 1), date(2027, 4, 10), D("0.5")),
            Assignment("a1", "ae2", "AE", date(2027, 1, 1), None, D("0.25")),
            Assignment("a1", "ae2", "AE", date(2027, 2, 1), None, D("0.25")),
            Assignment("a1", "ae3", "AE", date(2027, 4, 11), None, D("0.5")),
        ],
        monthly_entries("a1", {"2027-04": "10"}),
    )
    result = reference_period(scenario, "2027-04", {})
    assert payouts(result.lines) == {
        ("ae1", "fp"): 5_000,  # 300 x 0.5 x 10/30
        ("ae2", "fp"): 15_000,  # 300 x (0.25 + 0.25)
        ("ae3", "fp"): 10_000,  # 300 x 0.5 x 20/30
    }
    assert result.unassigned == {}


def test_unassigned_credit_is_kept_and_paid_once_the_assignment_is_fixed():
    usage = monthly_entries("a1", {"2027-01": "10"})
    missing = ae_scenario(fp_plan(50_000), [], usage)
    january = reference_period(missing, "2027-01", {})
    assert january.lines == []
    assert january.unassigned == {("c1", "fp", "fp", "2027-01"): 50_000}
    fixed = ae_scenario(fp_plan(50_000), [Assignment("a1", "ae1", "AE", date(2027, 1, 1))], usage)
    assert payouts(reference_period(fixed, "2027-02", {}).lines) == {("ae1", "fp"): 50_000}


def test_shares_above_one_fail_only_where_an_increment_is_credited():
    overlapping = [
        Assignment("a1", "ae1", "AE", date(2027, 1, 1), date(2027, 2, 28)),
        Assignment("a1", "ae2", "AE", date(2027, 2, 1), None, D("0.5")),
    ]
    in_f = ae_scenario(fp_plan(50_000), overlapping, monthly_entries("a1", {"2027-02": "10"}))
    with pytest.raises(ReferenceConfigError, match=r"a1 AE in 2027-02 .*\(ae1, ae2\)"):
        reference_period(in_f, "2027-02", {})
    before_f = ae_scenario(fp_plan(50_000), overlapping, monthly_entries("a1", {"2027-03": "10"}))
    assert payouts(reference_period(before_f, "2027-03", {}).lines) == {("ae2", "fp"): 25_000}


def test_two_plans_crediting_one_role_with_one_component_type_fail():
    other = make_plan(
        "fp-2028", (FirstPurchase(id="win", role="AE", flat_cents=1),), effective=("2027-06", None)
    )
    scenario = ae_scenario(fp_plan(50_000), [], monthly_entries("a1", {"2027-01": "10"}))
    both = replace(scenario, plans=(fp_plan(50_000), other))
    assert reference_period(both, "2027-05", {}).unassigned  # not yet in force together
    with pytest.raises(ReferenceConfigError, match="both credit AE with first_purchase"):
        reference_period(both, "2027-06", {})


def test_a_deal_is_paid_under_the_version_in_force_at_f_also_past_its_end():
    def ramp_version(version: int, rate: str, effective: tuple[str, str | None]):
        ramp = RampRealization(id="ramp", role="AE", rate=D(rate))
        return make_plan("ramp", (ramp,), version=version, effective=effective, window_months=3)

    won_under_v1 = ramp_version(1, "0.05", ("2027-01", "2027-02"))
    scenario = ae_scenario(
        won_under_v1,
        [Assignment("a1", "ae1", "AE", date(2027, 1, 1))],
        monthly_entries("a1", {"2027-02": "100", "2027-03": "100", "2027-04": "100"}),
    )
    scenario = replace(scenario, plans=(won_under_v1, ramp_version(2, "0.5", ("2027-03", None))))
    [line] = reference_period(scenario, "2027-04", {}).lines
    assert (line.plan_version, line.earned_to_date_cents) == (1, 1_500)  # 5 % of 300, not 50 %
