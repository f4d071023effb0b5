"""Ramp earnings with long decimals everywhere still equal the Fraction reference.

The general property tests draw from a few short rates; here every rate, tier start,
curve value and bonus has up to 9 decimal places, so that the products of their
denominators run far past 64 bits, where an int64 slip would show.
"""

from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from compengine.months import parse_period
from compengine.plan.model import Bonus, RampRealization, Tier, Tiers
from compengine.results.payouts import calculate_period
from tests.reference.fraction_reference import reference_period
from tests.reference.scenario import Account, Assignment, Contract, Scenario, UsageEntry, make_plan
from tests.results.test_engine_matches_reference import paid_before_frame, snapshot_of

WINDOW = 3


def long_decimals(low: str, high: str) -> st.SearchStrategy[Fraction]:
    return st.decimals(low, high, places=9).map(Fraction)


@st.composite
def ramp_scenarios(draw) -> Scenario:
    starts = sorted(draw(st.sets(long_decimals("0.000000001", "2"), max_size=3)))
    tiers = Tiers(
        draw(st.sampled_from(("marginal", "whole"))),
        tuple(Tier(s, draw(long_decimals("0", "0.5"))) for s in [Fraction(0), *starts]),
    )
    ramp = RampRealization(
        "ramp",
        "AE",
        curve=tuple(draw(long_decimals("0.000000001", "1.5")) for _ in range(WINDOW)),
        rate=draw(long_decimals("0", "0.5")),
        tiers=draw(st.none() | st.just(tiers)),
        cap_cents=draw(st.none() | st.integers(1, 10**9)),
        bonus=Bonus(draw(long_decimals("0", "1.5")), draw(st.integers(1, 10**11))),
    )
    amounts = draw(st.lists(st.integers(-(10**8), 10**9), min_size=WINDOW, max_size=WINDOW))
    return Scenario(
        accounts=(Account("a1", "A1"),),
        assignments=(Assignment("a1", "ae1", "AE", date(2027, 1, 1)),),
        contracts=(
            Contract("k1", "a1", date(2027, 1, 1), Fraction(draw(st.integers(1, 10**9)), 100)),
        ),
        usage=tuple(
            UsageEntry(f"u{m}", "a1", date(2027, m + 1, 1), Fraction(cents, 100))
            for m, cents in enumerate([max(amounts[0], 1), *amounts[1:]])
        ),
        plans=(make_plan("p", (ramp,), window_months=WINDOW),),
    )


@given(ramp_scenarios())
def test_ramp_with_long_decimals_equals_the_reference(scenario):
    period = "2027-03"
    ours = calculate_period(
        snapshot_of(scenario), list(scenario.plans), parse_period(period), paid_before_frame({})
    ).lines
    theirs = reference_period(scenario, period, {}).lines
    assert ours[["earned_to_date_cents", "amount_cents"]].values.tolist() == [
        [line.earned_to_date_cents, line.amount_cents] for line in theirs
    ]
