"""Adjustments, holds and releases, and the true-up of a late correction after lock."""

import json
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import table_snapshot
from tests.cycles.conftest import PLAN, amounts, payouts, run, write_usage
from tests.cycles.test_concurrency import compengine, start_run, wait_for


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
    assert acme("release", "--payee", "ae1", "--period", "2027-01", "--reason", "signed").code == 0
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
    assert acme("release", "--payee", "ae1", "--period", "2027-01", "--reason", "ok").code == 0
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


def refused(cli, db_url, *args, message):
    """Exit 1 with `message`, no traceback, every table unchanged."""
    before = table_snapshot(db_url)
    result = cli(*args)
    assert result.code == 1, result.out
    assert message in result.err and "Traceback" not in result.err
    assert table_snapshot(db_url) == before
    return result


def test_release_needs_a_reason_which_is_stored_and_audited(acme, db_url):
    run(acme, "2027-01")
    acme("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "check")
    assert acme("release", "--payee", "ae1", "--period", "2027-01").code == 2
    refused(
        acme,
        db_url,
        *("release", "--payee", "ae1", "--period", "2027-01", "--reason", "  "),
        message="--reason: a reason is required",
    )
    released = acme("release", "--payee", "ae1", "--period", "2027-01", "--reason", "form signed")
    assert released.code == 0, released.err
    events = json.loads(acme("audit", "--action", "release", "--format", "json").out)
    assert [(e["payee"], e["period"], e["reason"]) for e in events] == [
        ("ae1", "2027-01", "form signed")
    ]
    engine = create_engine(db_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT active, release_reason FROM hold")).all()
    engine.dispose()
    assert [(bool(active), why) for active, why in stored] == [(False, "form signed")]


def test_reasons_with_control_characters_are_refused(acme, db_url):
    run(acme, "2027-01")
    refused(
        acme,
        db_url,
        *("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "x\x1b[2J"),
        message="--reason: control characters are not allowed",
    )


def test_reasons_have_a_bound_since_statements_print_them(acme, db_url):
    run(acme, "2027-01")
    refused(
        acme,
        db_url,
        *("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "y" * 1001),
        message="--reason: at most 1,000 characters, not 1,001",
    )
    assert acme("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "y" * 1000).code == 0


@pytest.mark.parametrize(
    "command",
    [
        ("adjust", "--amount", "10.00", "--reason", "spiff"),
        ("hold", "--reason", "paperwork"),
    ],
)
def test_adjustments_and_holds_are_refused_before_a_locked_period(acme, db_url, command):
    run(acme, "2027-02")
    close(acme, "2027-02")
    name, *options = command
    refused(
        acme,
        db_url,
        *(name, "--payee", "ae1", "--period", "2027-01", *options),
        message=(
            f"cannot {'adjust' if name == 'adjust' else 'hold payees in'} period 2027-01: "
            "later period 2027-02 is locked, so 2027-01 can no longer be paid"
        ),
    )
    assert acme(name, "--payee", "ae1", "--period", "2027-03", *options).code == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("99999999999999999999999", "has more than 13 digits before the point"),
        ("\u0661\u0660\u0660", "is not a money amount"),
        ("\uff11\uff10\uff10", "is not a money amount"),
        ("1e3", "is not a money amount"),
        ("0.00", "an adjustment of 0.00 changes nothing"),
    ],
)
def test_adjustment_amounts_outside_the_money_rules_are_refused(acme, db_url, amount, message):
    refused(
        acme,
        db_url,
        *("adjust", "--payee", "ae1", "--period", "2027-01", "--amount", amount),
        *("--reason", "x"),
        message=message,
    )


def test_adjustments_near_the_bound_add_up_without_overflow(acme, db_url):
    for amount in ("4999999999999.99", "4999999999999.99"):
        assert (
            acme(
                "adjust",
                "--payee",
                "ae1",
                "--period",
                "2027-01",
                "--amount",
                amount,
                "--reason",
                "big",
            ).code
            == 0
        )
    # a third one would take them past 13 digits
    refused(
        acme,
        db_url,
        *("adjust", "--payee", "ae1", "--period", "2027-02", "--amount", "0.02"),
        *("--reason", "one more"),
        message="--amount: ae1's adjustments would add up to more than 13 digits",
    )
    status = json.loads(acme("status", "--format", "json").out)
    assert [(s["period"], s["paid"], s["adjustments"], s["lines"]) for s in status] == [
        ("2027-01", "9999999999999.98", "9999999999999.98", 2)
    ]


def test_status_totals_cannot_overflow(acme, db_url):
    """Lines stored beyond any 64-bit sum (SQLite's SUM raises 'integer overflow')."""
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO period (period, state, stale) VALUES ('2027-01', 'calculated', false)"
            )
        )
        for n in range(2):
            connection.execute(
                text(
                    "INSERT INTO payout_line (period, kind, payee_id, plan_id, component_id, "
                    "component_type, earned_to_date_cents, paid_before_cents, amount_cents, "
                    "explanation, status) VALUES ('2027-01', 'adjustment', 'ae1', '', "
                    f"'adjustment', 'adjustment', 0, 0, 9000000000000000000, 'n{n}', 'paid')"
                )
            )
    engine.dispose()
    result = acme("status")
    assert result.code == 0, result.err
    assert "180000000000000000.00" in result.out


def test_adjust_hold_and_release_wait_for_a_run_in_progress(acme, db_url, tmp_path):
    acme("hold", "--payee", "csm1", "--period", "2027-03", "--reason", "paperwork")
    commands = [
        ("adjust", "--payee", "ae1", "--period", "2027-02", "--amount", "10", "--reason", "x"),
        ("hold", "--payee", "csm1", "--period", "2027-02", "--reason", "paperwork"),
        ("release", "--payee", "csm1", "--period", "2027-03", "--reason", "signed"),
    ]
    marker = tmp_path / "paused"
    first = start_run(db_url, "2027-01", marker)
    try:
        wait_for(marker, first)
        busy = compengine(db_url, *commands[0])
        assert busy.returncode == 1 and "is in progress on this database" in busy.stderr
        waiting = [
            subprocess.Popen(
                [sys.executable, "-m", "compengine", "--db", db_url, *command, "--wait"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in commands
        ]
        time.sleep(5)
        assert [process.poll() for process in waiting] == [None, None, None]
    finally:
        first.send_signal(signal.SIGKILL)  # the killed run releases the lock, writes nothing
        first.wait()
    for process in waiting:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    actions = [e["action"] for e in json.loads(acme("audit", "--format", "json").out)]
    assert actions[:2] == ["load", "hold"]
    assert sorted(actions[2:]) == ["adjust", "hold", "release"]
