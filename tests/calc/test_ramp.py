"""ramp_realization: realized usage against the cumulative ramp target."""

from fractions import Fraction

from compengine.plan.model import Bonus, RampRealization, Tier, Tiers
from tests.builders import Cycle, monthly, plan, snapshot

AE = [("acme", "ae1", "AE", "2027-01-01", None, "1")]
TIERS = (Tier(Fraction(0), Fraction("0.03")), Tier(Fraction(1), Fraction("0.06")))


def run_ramp(component, usage, commit="10000", window=6, period="2027-01"):
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-01", commit, "")],
        usage=monthly("acme", "2027-01", *usage),
    )
    cycle = Cycle(data, [plan(component, window=window)])
    lines = cycle.run(period)
    return cycle, lines


def test_whole_tiers_pay_the_reached_rate_on_everything():
    # TC_1 = 10,000 x 1/2 = 5,000; R_1 = 6,000; A = 1.2 -> 6% x 6,000 = 360
    _, lines = run_ramp(RampRealization("r", "AE", tiers=Tiers("whole", TIERS)), ["6000"], window=2)
    assert lines["amount_cents"].tolist() == [36000]


def test_marginal_tiers_pay_each_slice_at_its_rate():
    # 5,000 x 3% + 1,000 x 6% = 210
    _, lines = run_ramp(
        RampRealization("r", "AE", tiers=Tiers("marginal", TIERS)), ["6000"], window=2
    )
    assert lines["amount_cents"].tolist() == [21000]


def test_plain_rate_when_there_are_no_tiers_and_nothing_below_zero():
    _, lines = run_ramp(RampRealization("r", "AE", rate=Fraction("0.05")), ["-100"], window=2)
    assert lines.empty


def test_cap_limits_earnings_but_not_the_bonus():
    component = RampRealization(
        "r", "AE", "flat", rate=Fraction("0.5"), cap_cents=10000, bonus=Bonus(Fraction(1), 5000)
    )
    cycle, _ = run_ramp(component, ["10000"], window=1)
    assert cycle.paid("ae1", "r", "2027-01") == "150.00"  # min(5,000, 100) + 50 bonus
    assert "capped at 100.00" in cycle.recorded["2027-01"]["explanation"].iloc[0]


def test_bonus_needs_the_attainment_at_the_end_of_the_window():
    component = RampRealization(
        "r", "AE", "flat", rate=Fraction(0), bonus=Bonus(Fraction("1.0"), 100000)
    )
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-01", "100", "")],
        usage=monthly("acme", "2027-01", "150", "49.99"),
    )
    cycle = Cycle(data, [plan(component, window=2)])
    cycle.run("2027-01")
    cycle.run("2027-02")
    assert cycle.paid("ae1", "r", "2027-02") == "0.00"  # A_2 = 199.99 / 200 < 1


def test_curve_list_sets_each_month_target():
    component = RampRealization(
        "r", "AE", (Fraction("0.25"), Fraction("0.75")), tiers=Tiers("whole", TIERS)
    )
    # TC_1 = 250: R_1 = 250 reaches tier 1.0 -> 6%
    _, lines = run_ramp(component, ["250"], commit="1000", window=2)
    assert lines["amount_cents"].tolist() == [1500]


def test_zero_commit_earns_nothing_and_warns():
    cycle, lines = run_ramp(RampRealization("r", "AE", rate=Fraction("0.05")), ["100"], commit="0")
    assert lines.empty
    assert cycle.last.warnings == [
        "contract k1: commit_monthly is 0, so p/r (ramp_realization) earns nothing on it"
    ]


def test_late_window_correction_flows_into_the_next_payout():
    component = RampRealization("r", "AE", rate=Fraction("0.1"))
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-01", "100", "")],
        usage=monthly("acme", "2027-01", "100", "100"),
    )
    cycle = Cycle(data, [plan(component, window=2)])
    cycle.run("2027-01")
    cycle.run("2027-02")
    cycle.snapshot = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-01", "100", "")],
        usage=monthly("acme", "2027-01", "60", "100"),
    )
    cycle.run("2027-03")
    assert cycle.paid("ae1", "r", "2027-03") == "-4.00"


def test_bonus_stays_exact_when_curve_and_tier_denominators_are_large():
    # a review found np.where turning bonus x denominator into a wrapped int64
    component = RampRealization(
        "r",
        "AE",
        (Fraction("0.3331"), Fraction("0.6667"), Fraction(1)),
        tiers=Tiers(
            "marginal",
            (Tier(Fraction(0), Fraction("0.0123")), Tier(Fraction("0.3331"), Fraction("0.0377"))),
        ),
        bonus=Bonus(Fraction(1), 10_000_000),
    )
    cycle, _ = run_ramp(
        component, ["500", "800", "1000"], commit="1000", window=3, period="2027-03"
    )
    # 666.13 x 1.23% + 1,633.87 x 3.77% = 69.79, plus the 100,000.00 bonus
    assert cycle.paid("ae1", "r", "2027-03") == "100069.79"
