"""Stall alerts (spec section 12), worked by hand and checked against the Fraction reference.

The running example: commit 10,000 a month, a six-month linear ramp, 3 % up to the target
and 6 % above it (marginal), a 1,000 bonus at 100 %: at full attainment the window earns
3 % x TC_6 = 3 % x 35,000 = 1,050 plus the bonus, 2,050 in all.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compengine.analytics.alerts import (
    NOT_STARTED,
    RAMP,
    RETENTION,
    format_ratio,
    money_at_risk,
    stall_alerts,
)
from compengine.months import parse_period
from compengine.plan.model import Bonus, RampRealization, SustainedUsage, Tier, Tiers
from tests.builders import monthly, plan, snapshot
from tests.reference.fraction_reference import (
    TC,
    E_W_at,
    F,
    monthly_usage,
    ramp_alert,
)
from tests.reference.scenario import Account, Assignment, Contract, Scenario, UsageEntry, make_plan
from tests.results.test_engine_matches_reference import snapshot_of

TIERS = Tiers(
    "marginal", (Tier(Fraction(0), Fraction("0.03")), Tier(Fraction(1), Fraction("0.06")))
)
RAMP_PART = RampRealization("ramp", "AE", tiers=TIERS, bonus=Bonus(Fraction(1), 100_000))
SUSTAIN = SustainedUsage("sustain", "CSM", Fraction("0.02"), Fraction("0.9"), duration_months=3)
CSM_PLAN = plan(SUSTAIN, plan_id="csm", window=2)
AE = ("acme", "ae1", "AE", "2027-01-01", None, "1")
CSM = ("acme", "csm1", "CSM", "2027-01-01", None, "1")


def alerts_of(usage, period, *, contracts=None, assignments=(AE, CSM), below=None, plans=None):
    data = snapshot(
        assignments=list(assignments),
        contracts=contracts or [("k1", "acme", "2027-01-10", "10000", "")],
        usage=usage,
    )
    plans = plans or [plan(RAMP_PART), CSM_PLAN]
    return stall_alerts(data, plans, parse_period(period), below=below)


def test_a_ramp_behind_its_curve_puts_the_bonus_and_the_missing_tiers_at_risk():
    # month 3: TC_3 = 10,000 x (1 + 2 + 3) / 6 = 10,000, R_3 = 5,500, A_3 = 0.55;
    # projected R_6 = 5,500 + 3 x 2,500 = 13,000 of TC_6 = 35,000 (0.3714): it earns
    # 3 % x 13,000 = 390 and no bonus, against 2,050 at full attainment: 1,660 at risk
    (alert,) = alerts_of(monthly("acme", "2027-01", "1000", "2000", "2500"), "2027-03")
    assert (alert.kind, alert.contract_id, alert.payees) == (RAMP, "k1", ("ae1",))
    assert (alert.window_month, alert.window) == (3, 6)
    assert alert.attainment == Fraction(11, 20)
    assert alert.projected_attainment == Fraction(13_000, 35_000)
    assert alert.money_at_risk == 166_000  # cents
    assert alert.record() == {
        "kind": "ramp",
        "contract_id": "k1",
        "account_id": "acme",
        "payees": ["ae1"],
        "window_month": 3,
        "attainment": "0.5500",
        "projected_attainment": "0.3714",
        "retention": None,
        "money_at_risk": "1660.00",
    }


def test_money_at_risk_is_the_reference_window_at_full_attainment_minus_at_the_projection():
    contract = Contract("k1", "acme", date(2027, 1, 10), Fraction(10_000))
    full = E_W_at(RAMP_PART, contract, 6, TC(RAMP_PART, contract, 6, 6))
    assert full == 205_000
    assert money_at_risk(RAMP_PART, 6, 1_000_000, Fraction(1_300_000)) == full - E_W_at(
        RAMP_PART, contract, 6, Fraction(1_300_000)
    )
    # a projection past the target earns the 6 % tier: nothing is at risk, never below 0
    assert money_at_risk(RAMP_PART, 6, 1_000_000, Fraction(4_000_000)) == 0


def test_a_ramp_on_its_curve_with_a_projection_at_target_is_not_listed():
    # R_3 = 10,000 = TC_3; projected 10,000 + 3 x 4,000 = 22,000 < 35,000: listed (projection)
    assert alerts_of(monthly("acme", "2027-01", "2000", "4000", "4000"), "2027-03")
    # projected 10,000 + 3 x 9,000 = 37,000 >= 35,000 and A_3 = 1.5: not listed
    assert alerts_of(monthly("acme", "2027-01", "500", "500", "9000"), "2027-03") == []


def test_below_moves_the_attainment_threshold_of_ramps():
    usage = monthly("acme", "2027-01", "1000", "2000", "15000")  # A_3 = 1.8, projected 51,000
    assert alerts_of(usage, "2027-03") == []
    (alert,) = alerts_of(usage, "2027-03", below=Fraction(2))
    assert alert.money_at_risk == 0  # listed (1.8 < 2) though the projection is past target


def test_not_started_three_months_after_signing_risks_the_whole_window():
    assert alerts_of({}, "2027-03") == []  # signed 2027-01: P - 3 is 2026-12
    (alert,) = alerts_of({}, "2027-04")
    assert (alert.kind, alert.payees, alert.money_at_risk) == (NOT_STARTED, ("ae1",), 205_000)
    assert (alert.window_month, alert.attainment, alert.projected_attainment) == (None,) * 3
    assert alert.record()["retention"] is None


def test_not_started_uses_the_version_in_force_in_the_signing_month():
    v1 = plan(RAMP_PART, start="2027-01", end="2027-01")
    v2 = plan(RampRealization("ramp", "AE", rate=Fraction("0.5")), version=2, start="2027-02")
    (alert,) = alerts_of({}, "2027-05", plans=[v1, v2])
    assert alert.money_at_risk == 205_000  # v1's window, not v2's 50 % of 35,000


def test_retention_below_the_floor_risks_the_month_of_sustained_usage():
    # window 2027-01..02 (W = 2, B = 1,000); 2027-03 keeps 80 % < 90 %: the month earns 0
    # instead of 2 % x 1,000 = 20
    usage = monthly("acme", "2027-01", "1000", "1000", "800")
    (alert,) = (a for a in alerts_of(usage, "2027-03") if a.kind == RETENTION)
    assert (alert.contract_id, alert.payees, alert.window) == ("k1", ("csm1",), 2)
    assert alert.retention == Fraction(4, 5)
    assert alert.money_at_risk == 2_000
    assert alert.record()["retention"] == "0.8000"


def test_retention_between_the_floor_and_below_risks_the_part_not_kept():
    usage = monthly("acme", "2027-01", "1000", "1000", "920")  # 92 %: paid 2 % x 920 = 18.40
    assert [a.kind for a in alerts_of(usage, "2027-03")] == [RAMP]  # the AE's window missed
    kinds = {a.kind: a for a in alerts_of(usage, "2027-03", below=Fraction("0.95"))}
    assert kinds[RETENTION].money_at_risk == 160  # 20.00 - 18.40


def test_retention_ends_with_duration_months_and_needs_a_positive_baseline():
    usage = monthly("acme", "2027-01", "1000", "1000", "1000", "1000", "1000", "0")
    assert alerts_of(usage, "2027-05", plans=[CSM_PLAN]) == []
    (alert,) = alerts_of({**usage, ("acme", "", "2027-05"): "0"}, "2027-05", plans=[CSM_PLAN])
    assert alert.money_at_risk == 2_000
    assert alerts_of(usage, "2027-06", plans=[CSM_PLAN]) == []  # sustained: 2027-03..05 only
    negative = monthly("acme", "2027-01", "10", "-20", "-20", "0")
    assert alerts_of(negative, "2027-04", plans=[CSM_PLAN]) == []


def test_commit_zero_and_ended_contracts_are_not_listed():
    contracts = [
        ("k0", "acme", "2027-01-10", "0", ""),
        ("k-end", "acme", "2027-01-10", "10000", "", "2027-04-29"),
        ("k-last-day", "acme", "2027-01-10", "10000", "", "2027-04-30"),
    ]
    found = alerts_of({}, "2027-04", contracts=contracts)
    assert [a.contract_id for a in found] == ["k-last-day"]


def test_largest_money_at_risk_first_then_by_contract():
    contracts = [
        ("k-b", "acme", "2027-01-10", "10000", "a"),
        ("k-a", "acme", "2027-01-10", "10000", "b"),
        ("k-c", "acme", "2027-01-10", "20000", "c"),
    ]
    found = alerts_of({}, "2027-04", contracts=contracts)
    assert [(a.contract_id, a.money_at_risk) for a in found] == [
        ("k-c", 310_000),  # 3 % x 70,000 + 1,000
        ("k-a", 205_000),
        ("k-b", 205_000),
    ]


def test_payees_are_the_holders_of_the_role_in_the_period():
    handover = [
        ("acme", "ae1", "AE", "2027-01-01", "2027-04-10", "1"),
        ("acme", "ae2", "AE", "2027-04-11", None, "0.5"),
        ("acme", "ae0", "AE", "2027-01-01", "2027-03-31", "1"),
    ]
    (alert,) = alerts_of({}, "2027-04", assignments=handover)
    assert alert.payees == ("ae1", "ae2")
    (alert,) = alerts_of({}, "2027-04", assignments=[CSM])
    assert alert.payees == ()


def test_out_of_scope_accounts_and_plans_not_in_force_give_no_alert():
    scoped = plan(RAMP_PART, scope=(("segment", ("smb",)),))
    assert alerts_of({}, "2027-04", plans=[scoped]) == []
    later = plan(RAMP_PART, start="2027-02")
    assert alerts_of({}, "2027-04", plans=[later]) == []  # not in force when signed


def test_ratios_round_half_away_from_zero_to_four_places():
    assert format_ratio(Fraction(12_345, 1_000_000)) == "0.0123"
    assert format_ratio(Fraction(5, 100_000)) == "0.0001"
    assert format_ratio(Fraction(-5, 100_000)) == "-0.0001"
    assert format_ratio(Fraction(2)) == "2.0000"


WINDOW = 3


@st.composite
def ramping(draw):
    """One contract ramping under a random tiered, capped ramp with a bonus, and a period
    inside or just after its window."""
    decimals = st.decimals("0.001", "1.5", places=3).map(Fraction)
    starts = sorted(draw(st.sets(decimals, max_size=2)))
    tiers = Tiers(
        draw(st.sampled_from(("marginal", "whole"))),
        tuple(Tier(s, draw(decimals)) for s in [Fraction(0), *starts]),
    )
    part = RampRealization(
        "ramp",
        "AE",
        curve=draw(st.sampled_from(("linear", "flat", tuple(draw(decimals) for _ in "abc")))),
        rate=draw(decimals),
        tiers=draw(st.none() | st.just(tiers)),
        cap_cents=draw(st.none() | st.integers(1, 10**7)),
        bonus=draw(st.none() | st.builds(Bonus, decimals, st.integers(1, 10**6))),
    )
    amounts = draw(st.lists(st.integers(-(10**6), 10**7), min_size=4, max_size=4))
    scenario = Scenario(
        accounts=(Account("a1", "A1"),),
        assignments=(Assignment("a1", "ae1", "AE", date(2027, 1, 1)),),
        contracts=(
            Contract("k1", "a1", date(2027, 1, 1), Fraction(draw(st.integers(1, 10**7)), 100)),
        ),
        usage=tuple(
            UsageEntry(f"u{m}", "a1", date(2027, m + 1, 1), Fraction(cents, 100))
            for m, cents in enumerate([max(amounts[0], 1), *amounts[1:]])
        ),
        plans=(make_plan("p", (part,), window_months=WINDOW),),
    )
    return scenario, part, draw(st.integers(0, 3)), draw(st.sampled_from(("0.8", "1", "10")))


@given(ramping())
def test_ramp_alerts_equal_the_fraction_reference(drawn):
    scenario, part, offset, below = drawn
    P = parse_period("2027-01") + offset
    (contract,) = scenario.contracts
    usage = monthly_usage(scenario, contract)
    expected = ramp_alert(part, contract, usage, F(contract, usage), WINDOW, P, Fraction(below))
    found = stall_alerts(snapshot_of(scenario), scenario.plans, P, below=Fraction(below))
    if expected is None:
        assert found == []
        return
    (alert,) = found
    assert (alert.window_month, alert.attainment, alert.projected_attainment) == (
        expected.k,
        expected.A_k,
        expected.projected,
    )
    assert alert.money_at_risk == expected.money_at_risk


@pytest.mark.parametrize("period", ["2027-01", "2027-02"])
def test_a_period_before_every_signing_gives_nothing(period):
    data = snapshot(contracts=[("k1", "acme", "2027-03-01", "100", "")], assignments=[AE])
    assert stall_alerts(data, [plan(RAMP_PART)], parse_period(period)) == []
