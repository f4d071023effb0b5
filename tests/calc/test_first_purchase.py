"""first_purchase: paid from F on, taken back for good when the account churns."""

from fractions import Fraction

from compengine.plan.model import Clawback, FirstPurchase
from tests.builders import Cycle, monthly, plan, snapshot

AE = [("acme", "ae1", "AE", "2027-01-01", None, "1")]


def test_first_purchase_waits_for_usage_after_signing():
    # signed in January, nothing used until March: F = 2027-03
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-20", "1000", "")],
        usage=monthly("acme", "2027-01", "0", "0", "50"),
    )
    cycle = Cycle(data, [plan(FirstPurchase("fp", "AE", flat_cents=50000))])
    assert cycle.run("2027-02").empty
    assert cycle.paid("ae1", "fp", "2027-02") == "0.00"
    cycle.run("2027-03")
    assert cycle.paid("ae1", "fp", "2027-03") == "500.00"


def test_usage_before_the_signing_month_does_not_count_but_the_signing_month_does():
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-02-25", "1000", "")],
        usage=monthly("acme", "2027-01", "100", "10"),
    )
    cycle = Cycle(data, [plan(FirstPurchase("fp", "AE", flat_cents=100))])
    cycle.run("2027-01")
    cycle.run("2027-02")
    assert cycle.paid("ae1", "fp", "2027-01") == "0.00"
    assert cycle.paid("ae1", "fp", "2027-02") == "1.00"


def test_rate_of_commit_monthly():
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-01", "1234.57", "")],
        usage=monthly("acme", "2027-01", "1"),
    )
    cycle = Cycle(data, [plan(FirstPurchase("fp", "AE", rate=Fraction("0.5")))])
    cycle.run("2027-01")
    assert cycle.paid("ae1", "fp", "2027-01") == "617.29"  # 617.285 rounds half away from zero


def test_clawback_after_two_idle_months_takes_the_payout_back_for_good():
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-01", "1000", "")],
        usage=monthly("acme", "2027-01", "100", "0", "-5", "900"),
    )
    cycle = Cycle(
        data, [plan(FirstPurchase("fp", "AE", flat_cents=50000, clawback=Clawback(6, 2)))]
    )
    for month in ("2027-01", "2027-02", "2027-03", "2027-04"):
        cycle.run(month)
    assert cycle.paid("ae1", "fp", "2027-01") == "500.00"
    assert cycle.paid("ae1", "fp", "2027-02") == "0.00"
    assert cycle.paid("ae1", "fp", "2027-03") == "-500.00"  # the run of 2 idle months completes
    assert cycle.paid("ae1", "fp", "2027-04") == "0.00"  # later usage does not restore it
    assert "clawed back in 2027-03" in cycle.recorded["2027-03"]["explanation"].iloc[0]


def test_idle_run_must_lie_inside_the_clawback_range():
    # within 2 months: F+1..F+2 = Feb..Mar; the idle run Mar..Apr ends outside it
    data = snapshot(
        assignments=AE,
        contracts=[("k1", "acme", "2027-01-01", "1000", "")],
        usage=monthly("acme", "2027-01", "100", "10", "0", "0"),
    )
    cycle = Cycle(
        data, [plan(FirstPurchase("fp", "AE", flat_cents=50000, clawback=Clawback(2, 2)))]
    )
    cycle.run("2027-04")
    assert cycle.paid("ae1", "fp", "2027-04") == "500.00"


def test_clawback_goes_to_the_payee_who_got_the_first_purchase_payout():
    handover = [
        ("acme", "ae1", "AE", "2027-01-01", "2027-01-31", "1"),
        ("acme", "ae2", "AE", "2027-02-01", None, "1"),
    ]
    data = snapshot(
        assignments=handover,
        contracts=[("k1", "acme", "2027-01-01", "1000", "")],
        usage=monthly("acme", "2027-01", "100", "0"),
    )
    cycle = Cycle(
        data, [plan(FirstPurchase("fp", "AE", flat_cents=50000, clawback=Clawback(3, 1)))]
    )
    cycle.run("2027-01")
    lines = cycle.run("2027-02")
    assert list(zip(lines["payee_id"], lines["amount_cents"], strict=True)) == [("ae1", -50000)]
