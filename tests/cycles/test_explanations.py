"""Every amount that moves says why (spec section 5, "Explanations say why the amount
moved"), with the numbers kept as lineage JSON beside the sentence."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, select
from sqlmodel import Session

from compengine.storage.models import PayoutLine, RunRecord
from tests.cycles.conftest import PLAN, amounts, payouts, run, write_usage


def close(cli, period):
    assert cli("approve", "--period", period).code == 0, cli("status").out
    assert cli("lock", "--period", period).code == 0


def lock_through(cli, last: int):
    for month in range(1, last + 1):
        run(cli, f"2027-{month:02d}")
        close(cli, f"2027-{month:02d}")


def line(cli, period, payee, component):
    return next(
        r
        for r in payouts(cli, period)
        if (r["payee_id"], r["component_id"]) == (payee, component)
    )


def lineage(db_url, period, payee, component) -> dict:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            text = session.execute(
                select(PayoutLine.lineage).where(
                    PayoutLine.period == period,
                    PayoutLine.payee_id == payee,
                    PayoutLine.component_id == component,
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return json.loads(text)


def load(cli, folder, files: dict[str, str], *, replace: bool = False):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    result = cli("load", folder, *(["--replace"] if replace else []))
    assert result.code == 0, result.err


# --- held pay, and the crash of a held adjustment after a lock -----------------------


def test_a_held_adjustment_no_longer_blocks_the_cycle_after_a_lock(acme):
    """issue 9: run 08, adjust, hold, run 09 crashed (int(NaN)) and, once 08 was locked,
    every later period failed for good."""
    lock_through(acme, 7)
    run(acme, "2027-08")
    adjust = acme(
        "adjust", "--payee", "ae1", "--period", "2027-08", "--amount", "100", "--reason", "spiff"
    )
    assert adjust.code == 0
    assert acme("hold", "--payee", "ae1", "--period", "2027-08", "--reason", "x").code == 0
    run(acme, "2027-09")
    close(acme, "2027-08")
    run(acme, "2027-09")
    september = amounts(acme, "2027-09")
    assert september[("ae1", "adjustment-catch-up")] == "100.00"
    assert september[("ae1", "expansion")] == "80.00"  # August's, withheld, paid now
    catch_up = line(acme, "2027-09", "ae1", "adjustment-catch-up")
    assert catch_up["explanation"] == (
        "includes 100.00 held in 2027-08, released by this run; adjustments held in earlier "
        "periods: held 100.00, caught up before 0.00, payout 100.00"
    )
    close(acme, "2027-09")
    run(acme, "2027-10")
    assert ("ae1", "adjustment-catch-up") not in amounts(acme, "2027-10")
    close(acme, "2027-10")


def test_pay_released_after_a_hold_says_which_period_it_was_held_in(acme, db_url):
    lock_through(acme, 7)
    run(acme, "2027-08")
    acme("hold", "--payee", "ae1", "--period", "2027-08", "--reason", "paperwork")
    close(acme, "2027-08")
    run(acme, "2027-09")
    expansion = line(acme, "2027-09", "ae1", "expansion")
    assert expansion["amount"] == "80.00"
    assert expansion["explanation"] == (
        "includes 80.00 held in 2027-08, released by this run; "
        "expansion 2027-09: usage 0.00, not above 11,000.00 (baseline 10,000.00 + 10.00%): "
        "no growth this month "
        "-> earned to date 80.00, paid before 0.00, payout 80.00"
    )
    facts = lineage(db_url, "2027-09", "ae1", "expansion")
    assert facts["released"] == [{"held_period": "2027-08", "amount_cents": 8000}]
    run(acme, "2027-09")  # a re-run says the same
    assert line(acme, "2027-09", "ae1", "expansion")["explanation"] == expansion["explanation"]


def test_pay_caught_up_by_an_earlier_run_is_not_said_to_be_released_again(acme):
    run(acme, "2027-01")
    acme("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "check")
    run(acme, "2027-02")
    assert line(acme, "2027-02", "ae1", "ramp")["explanation"].startswith(
        "includes 70.00 held in 2027-01, released by this run; ramp month 2/6"
    )
    run(acme, "2027-03")
    assert line(acme, "2027-03", "ae1", "ramp")["explanation"].startswith("ramp month 3/6")


# --- true-ups name what changed --------------------------------------------------------


def test_a_true_up_names_the_usage_month_and_load_batch(acme, db_url, tmp_path):
    lock_through(acme, 8)
    load(
        acme,
        tmp_path / "late",
        {"usage.csv": "entry_id,account_id,date,amount\ncorr-1,acme,2027-04-20,-4000.00\n"},
    )
    run(acme, "2027-09")
    ramp = line(acme, "2027-09", "ae1", "ramp")
    assert ramp["explanation"].startswith(
        "true-up: earned to date changed by -240.00 after 2027-08 was locked: "
        "usage of 2027-04 changed by -4,000.00 (load batch 2); ramp complete (month 6/6)"
    )
    facts = lineage(db_url, "2027-09", "ae1", "ramp")
    assert facts["true_up"] == {
        "locked": "2027-08",
        "change_cents": -24000,
        "causes": [{"kind": "usage", "month": "2027-04", "load_id": 2, "change_cents": -400000}],
    }
    run(acme, "2027-09")  # label once: the next period no longer calls it a true-up
    acme("approve", "--period", "2027-09")
    run(acme, "2027-10")
    assert all(
        not r["explanation"].startswith("true-up") for r in payouts(acme, "2027-10")
    )


def test_a_true_up_names_a_changed_assignment(acme, db_url, tmp_path):
    lock_through(acme, 3)
    load(
        acme,
        tmp_path / "fix",
        {
            "assignments.csv": "account_id,payee_id,role,start,end,split\n"
            "acme,ae1,AE,2027-01-01,2027-12-31,0.5\n"
        },
        replace=True,
    )
    run(acme, "2027-04")
    ramp = line(acme, "2027-04", "ae1", "ramp")
    assert ramp["explanation"].startswith(
        "true-up: earned to date changed by -210.00 after 2027-03 was locked: "
        "assignment of acme/AE changed (load batch 2); "
    )
    assert "your share 50% (split 50%) of the 760.00 earned in 2027-01 to 2027-04" in (
        ramp["explanation"]
    )
    cause = lineage(db_url, "2027-04", "ae1", "ramp")["true_up"]["causes"]
    assert cause == [
        {"kind": "assignment", "account_id": "acme", "role": "AE", "payees": ["ae1"], "load_id": 2}
    ]


def test_a_true_up_names_a_moved_first_purchase_month_and_the_contract_change(acme, tmp_path):
    lock_through(acme, 3)
    load(
        acme,
        tmp_path / "resign",
        {
            "contracts.csv": "contract_id,account_id,signed_on,commit_monthly\n"
            "k1,acme,2027-02-01,10000.00\n"
        },
        replace=True,
    )
    run(acme, "2027-04")
    assert ("ae1", "first-purchase") not in amounts(acme, "2027-04")  # still 500.00
    ramp = line(acme, "2027-04", "ae1", "ramp")
    assert ramp["explanation"].startswith("true-up: earned to date changed by ")
    assert (
        "first purchase month moved from 2027-01 to 2027-02, contract k1 changed (load batch 2)"
        in ramp["explanation"]
    )


# --- shares show their parts -----------------------------------------------------------


def test_a_share_shows_split_times_days_of_the_month_it_was_earned_in(acme, db_url, tmp_path):
    load(
        acme,
        tmp_path / "handover",
        {
            "payees.csv": "payee_id,name\ncsm2,Cleo Stark\n",
            "assignments.csv": "account_id,payee_id,role,start,end,split\n"
            "acme,csm1,CSM,2027-07-01,2027-08-15,1\n"
            "acme,csm2,CSM,2027-08-16,,1\n",
        },
        replace=True,
    )
    run(acme, "2027-08")
    csm2 = line(acme, "2027-08", "csm2", "sustain")
    assert csm2["amount"] == "103.23"
    assert csm2["explanation"] == (
        "sustained usage 2027-08: usage 13,000.00 vs baseline 10,000.00 (130.00% retention, "
        "minimum 90.00%), 2% of up to the baseline; your share 51.61% (split 100% × 16/31 days) "
        "of the 200.00 earned in 2027-08 -> earned to date 103.23, paid before 0.00, "
        "payout 103.23"
    )
    csm1 = line(acme, "2027-08", "csm1", "sustain")
    assert (
        "your share 100% of the 200.00 earned in 2027-07, 48.39% (split 100% × 15/31 days) "
        "of the 200.00 earned in 2027-08" in csm1["explanation"]
    )
    assert lineage(db_url, "2027-08", "csm2", "sustain")["share"] == [
        {
            "from": "2027-08",
            "to": "2027-08",
            "share": "16/31",
            "earned_cents": "20000",
            "parts": [{"split": "1", "days": 16, "days_in_month": 31}],
        }
    ]
