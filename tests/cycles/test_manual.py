"""Adjustments, holds and releases, and the true-up of a late correction after lock."""

from tests.conftest import table_snapshot
from tests.cycles.conftest import PLAN, amounts, payouts, run, write_usage


def close(cli, period):
    assert cli("approve", "--period", period).code == 0
    assert cli("lock", "--period", period).code == 0


def test_an_adjustment_is_a_line_kept_across_re_runs(acme):
    run(acme, "2027-01")
    assert (
        acme(
            "adjust",
            "--payee",
            "ae1",
            "--period",
            "2027-01",
            "--amount",
            "-12.34",
            "--reason",
            "spiff correction",
        ).code
        == 0
    )
    run(acme, "2027-01")
    rows = [r for r in payouts(acme, "2027-01") if r["component_id"] == "adjustment"]
    assert [(r["amount"], r["contract_id"], r["explanation"]) for r in rows] == [
        ("-12.34", "", "manual adjustment: spiff correction")
    ]
    assert "adjust" in acme("audit").out


def test_adjustment_amounts_follow_the_money_rules(acme, db_url):
    before = table_snapshot(db_url)
    result = acme(
        "adjust", "--payee", "ae1", "--period", "2027-01", "--amount", "1.005", "--reason", "x"
    )
    assert result.code == 1 and "--amount: '1.005' is not a money amount" in result.err
    result = acme(
        "adjust", "--payee", "nobody", "--period", "2027-01", "--amount", "1", "--reason", "x"
    )
    assert result.code == 1 and "unknown payee 'nobody'" in result.err
    assert table_snapshot(db_url) == before


def test_a_hold_withholds_the_lines_and_the_next_period_catches_up(acme):
    run(acme, "2027-01")
    assert (
        acme("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "missing paperwork").code
        == 0
    )
    assert {r["status"] for r in payouts(acme, "2027-01")} == {"held"}
    run(acme, "2027-02")
    # 2027-02 pays February's 140.00 ramp plus the withheld 500.00 + 70.00
    assert amounts(acme, "2027-02") == {
        ("ae1", "first-purchase"): "500.00",
        ("ae1", "ramp"): "210.00",
    }


def test_release_pays_the_lines_normally(acme):
    run(acme, "2027-01")
    acme("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "check")
    assert acme("release", "--payee", "ae1", "--period", "2027-01").code == 0
    assert {r["status"] for r in payouts(acme, "2027-01")} == {"paid"}
    run(acme, "2027-02")
    assert amounts(acme, "2027-02") == {("ae1", "ramp"): "140.00"}


def test_late_correction_after_lock_becomes_a_true_up(acme, tmp_path):
    for period in ("2027-01", "2027-02", "2027-03"):
        run(acme, period)
        close(acme, period)
    assert (
        acme(
            "load", write_usage(tmp_path / "late", ("corr-1", "acme", "2027-02-15", "-1000.00"))
        ).code
        == 0
    )
    run(acme, "2027-04")
    ramp = next(r for r in payouts(acme, "2027-04") if r["component_id"] == "ramp")
    # through March: 10,000 x 3% + 1,000 x 6% = 360 instead of 420; April brings it to 700
    assert (ramp["earned_to_date"], ramp["paid_before"], ramp["amount"]) == (
        "700.00",
        "420.00",
        "280.00",
    )
    assert ramp["explanation"].startswith(
        "true-up: earned to date changed by -60.00 after 2027-03 was locked: "
        "usage of 2027-02 changed by -1,000.00 (load batch 2); ramp month 4/6: "
    )


def test_a_held_adjustment_is_paid_as_a_catch_up_in_the_next_run(acme):
    run(acme, "2027-01")
    acme(
        "adjust", "--payee", "ae1", "--period", "2027-01", "--amount", "100.00", "--reason", "spiff"
    )
    acme("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "check")
    run(acme, "2027-02")
    assert amounts(acme, "2027-02")[("ae1", "adjustment-catch-up")] == "100.00"
    run(acme, "2027-03")
    assert ("ae1", "adjustment-catch-up") not in amounts(acme, "2027-03")


def test_release_after_a_later_period_was_approved_makes_it_stale_and_unlockable(acme, db_url):
    run(acme, "2027-01")
    acme("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "check")
    acme("approve", "--period", "2027-01")
    run(acme, "2027-02")  # pays the withheld 570.00 as a catch-up
    acme("approve", "--period", "2027-02")
    assert acme("release", "--payee", "ae1", "--period", "2027-01").code == 0
    before = table_snapshot(db_url)
    result = acme("lock", "--period", "2027-02")
    assert result.code == 1 and "cannot lock period 2027-02: it is stale" in result.err
    assert table_snapshot(db_url) == before
    assert acme("lock", "--period", "2027-01").code == 0
    acme("reopen", "--period", "2027-02", "--reason", "release of 2027-01")
    run(acme, "2027-02")
    assert amounts(acme, "2027-02") == {("ae1", "ramp"): "140.00"}


def test_an_earlier_period_cannot_be_run_once_a_later_one_is_locked(acme, db_url):
    run(acme, "2027-02")
    close(acme, "2027-02")
    before = table_snapshot(db_url)
    result = acme("run", "--period", "2027-01", "--plans", PLAN)
    assert result.code == 1
    assert "cannot run period 2027-01: later period 2027-02 is locked" in result.err
    assert table_snapshot(db_url) == before


def test_adjustments_and_holds_are_refused_in_a_locked_period(acme, db_url):
    run(acme, "2027-01")
    acme("approve", "--period", "2027-01")
    acme("lock", "--period", "2027-01")
    before = table_snapshot(db_url)
    adjust = acme(
        "adjust", "--payee", "ae1", "--period", "2027-01", "--amount", "1", "--reason", "x"
    )
    assert adjust.code == 1 and "cannot adjust period 2027-01: it is locked" in adjust.err
    hold = acme("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "x")
    assert hold.code == 1 and "cannot hold payees in period 2027-01: it is locked" in hold.err
    assert table_snapshot(db_url) == before


def test_a_true_up_is_labelled_once_in_the_next_period_run(acme, tmp_path):
    for period in ("2027-01", "2027-02", "2027-03"):
        run(acme, period)
        close(acme, period)
    acme("load", write_usage(tmp_path / "late", ("corr-1", "acme", "2027-02-15", "-1000.00")))
    run(acme, "2027-04")
    acme("approve", "--period", "2027-04")
    run(acme, "2027-05")
    ramp = next(r for r in payouts(acme, "2027-05") if r["component_id"] == "ramp")
    assert ramp["amount"] == "350.00"  # May's own ramp earnings, no longer a true-up
    assert not ramp["explanation"].startswith("true-up")
