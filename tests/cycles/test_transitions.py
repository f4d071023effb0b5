"""Period states open -> calculated -> approved -> locked, in order, with clear refusals."""

import pytest

from tests.conftest import table_snapshot
from tests.cycles.conftest import PLAN, run


def status_of(cli, period):
    lines = cli("status", "--period", period).out.splitlines()
    return lines[1].split() if len(lines) > 1 else []


def refused(cli, db_url, *args, message):
    before = table_snapshot(db_url)
    result = cli(*args)
    assert result.code == 1, result.out
    assert message in result.err
    assert table_snapshot(db_url) == before


def test_a_period_moves_calculated_approved_locked(acme):
    run(acme, "2027-01")
    assert status_of(acme, "2027-01")[:2] == ["2027-01", "calculated"]
    assert acme("approve", "--period", "2027-01").code == 0
    assert status_of(acme, "2027-01")[:2] == ["2027-01", "approved"]
    assert acme("lock", "--period", "2027-01").code == 0
    assert status_of(acme, "2027-01")[:2] == ["2027-01", "locked"]


@pytest.mark.parametrize("state_steps", [["approve"], ["approve", "lock"]])
def test_run_refuses_an_approved_or_locked_period(acme, db_url, state_steps):
    run(acme, "2027-01")
    for step in state_steps:
        assert acme(step, "--period", "2027-01").code == 0
    state = "locked" if "lock" in state_steps else "approved"
    refused(
        acme,
        db_url,
        "run",
        "--period",
        "2027-01",
        "--plans",
        PLAN,
        message=f"cannot run period 2027-01: it is {state}",
    )


def test_approve_needs_a_calculated_period(acme, db_url):
    refused(
        acme,
        db_url,
        "approve",
        "--period",
        "2027-01",
        message="cannot approve period 2027-01: it is open",
    )


def test_lock_needs_an_approved_period(acme, db_url):
    run(acme, "2027-01")
    refused(
        acme,
        db_url,
        "lock",
        "--period",
        "2027-01",
        message="cannot lock period 2027-01: it is calculated",
    )


def test_periods_are_approved_and_locked_in_order(acme, db_url):
    run(acme, "2027-01")
    run(acme, "2027-02")
    refused(
        acme,
        db_url,
        "approve",
        "--period",
        "2027-02",
        message="earlier periods with payout lines must be approved or locked first: "
        "2027-01 (calculated)",
    )
    assert acme("approve", "--period", "2027-01").code == 0
    assert acme("approve", "--period", "2027-02").code == 0
    refused(
        acme,
        db_url,
        "lock",
        "--period",
        "2027-02",
        message="earlier periods with payout lines must be locked first: 2027-01 (approved)",
    )


def test_running_an_earlier_period_makes_a_later_one_stale_until_run_again(acme, db_url):
    run(acme, "2027-01")
    run(acme, "2027-02")
    result = run(acme, "2027-01")
    assert "period 2027-02 is now stale" in result.out
    assert status_of(acme, "2027-02")[2] == "stale"
    assert acme("approve", "--period", "2027-01").code == 0
    refused(acme, db_url, "approve", "--period", "2027-02", message="it is stale")
    run(acme, "2027-02")
    assert acme("approve", "--period", "2027-02").code == 0


def test_reopen_needs_a_reason_and_an_approved_period(acme, db_url):
    run(acme, "2027-01")
    refused(
        acme,
        db_url,
        "reopen",
        "--period",
        "2027-01",
        "--reason",
        "typo",
        message="cannot reopen period 2027-01: it is calculated",
    )
    assert acme("approve", "--period", "2027-01").code == 0
    refused(
        acme,
        db_url,
        "reopen",
        "--period",
        "2027-01",
        "--reason",
        " ",
        message="a reason is required",
    )
    refused(
        acme,
        db_url,
        *("reopen", "--period", "2027-01", "--reason", "fix\x1b]0;pwned\x07"),
        message="--reason: control characters are not allowed",
    )
    assert acme("reopen", "--period", "2027-01", "--reason", "late assignment fix").code == 0
    assert status_of(acme, "2027-01")[1] == "calculated"
    audit = acme("audit").out
    assert "reopen" in audit and "late assignment fix" in audit


def test_a_locked_period_cannot_be_reopened(acme, db_url):
    run(acme, "2027-01")
    acme("approve", "--period", "2027-01")
    acme("lock", "--period", "2027-01")
    refused(
        acme,
        db_url,
        "reopen",
        "--period",
        "2027-01",
        "--reason",
        "x",
        message="cannot reopen period 2027-01: it is locked",
    )
