"""sustained_usage and expansion: month by month after the ramp window, against the baseline."""

from fractions import Fraction

from compengine.plan.model import Expansion, SustainedUsage
from tests.builders import Cycle, monthly, plan, snapshot

CSM = [
    ("acme", "csm1", "CSM", "2027-01-01", None, "1"),
    ("acme", "ae1", "AE", "2027-01-01", None, "1"),
]


def cycle_for(component, *usage, window=2, baseline=2, periods=()):
    data = snapshot(
        assignments=CSM,
        contracts=[("k1", "acme", "2027-01-01", "1000", "")],
        usage=monthly("acme", "2027-01", *usage),
    )
    cycle = Cycle(data, [plan(component, window=window, baseline=baseline)])
    for period in periods:
        cycle.run(period)
    return cycle


def test_sustained_pays_rate_on_usage_up_to_the_baseline_when_retention_holds():
    # B = mean(100, 300) = 200; March 190 (95% >= 90%) earns 10% x 190; April 500 earns 10% x 200
    cycle = cycle_for(
        SustainedUsage("s", "CSM", Fraction("0.1"), Fraction("0.9")),
        "100",
        "300",
        "190",
        "500",
        periods=["2027-02", "2027-03", "2027-04"],
    )
    assert cycle.paid("csm1", "s", "2027-02") == "0.00"
    assert cycle.paid("csm1", "s", "2027-03") == "19.00"
    assert cycle.paid("csm1", "s", "2027-04") == "20.00"


def test_sustained_month_below_min_retention_earns_nothing():
    cycle = cycle_for(
        SustainedUsage("s", "CSM", Fraction("0.1"), Fraction("0.9")),
        "100",
        "300",
        "179.99",
        periods=["2027-03"],
    )
    assert cycle.recorded["2027-03"].empty


def test_sustained_duration_limits_the_months_paid():
    cycle = cycle_for(
        SustainedUsage("s", "CSM", Fraction("0.1"), duration_months=1),
        "100",
        "100",
        "100",
        "100",
        periods=["2027-04"],
    )
    assert cycle.paid("csm1", "s", "2027-04") == "10.00"  # only 2027-03


def test_non_positive_baseline_earns_nothing():
    cycle = cycle_for(
        SustainedUsage("s", "CSM", Fraction("0.1")), "100", "-100", "50", periods=["2027-03"]
    )
    assert cycle.recorded["2027-03"].empty


def test_expansion_counts_growth_above_baseline_times_one_plus_threshold():
    # B = 200, bar = 220: 250 earns 5% x 30 = 1.50
    cycle = cycle_for(
        Expansion("x", "AE", Fraction("0.05"), Fraction("0.1")),
        "100",
        "300",
        "250",
        periods=["2027-03"],
    )
    assert cycle.paid("ae1", "x", "2027-03") == "1.50"


def test_expansion_treats_a_negative_baseline_as_zero():
    cycle = cycle_for(
        Expansion("x", "AE", Fraction("0.5")), "100", "-300", "10", periods=["2027-03"]
    )
    # B = -100 -> max(B, 0) = 0: growth 10 -> 5.00
    assert cycle.paid("ae1", "x", "2027-03") == "5.00"
