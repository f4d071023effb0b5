"""Every amount that moves says why (spec section 5, "Explanations say why the amount
moved"), with the numbers kept as lineage JSON beside the sentence."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, select
from sqlmodel import Session

from compengine.storage.models import PayoutLine, RunRecord
from tests.cycles.conftest import PLAN, amounts, payouts, run


def close(cli, period):
    assert cli("approve", "--period", period).code == 0, cli("status").out
    assert cli("lock", "--period", period).code == 0


def lock_through(cli, last: int):
    for month in range(1, last + 1):
        run(cli, f"2027-{month:02d}")
        close(cli, f"2027-{month:02d}")


def line(cli, period, payee, component):
    return next(
        r for r in payouts(cli, period) if (r["payee_id"], r["component_id"]) == (payee, component)
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
    assert all(not r["explanation"].startswith("true-up") for r in payouts(acme, "2027-10"))


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
    assert (
        "your share 50% (split 50%) of the 760.00 earned in 2027-01 to 2027-04"
        in (ramp["explanation"])
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
        "minimum 90.00%), 2% of up to the baseline; your share 51.61% (split 100% × 16/31 days) "  # noqa: RUF001
        "of the 200.00 earned in 2027-08 -> earned to date 103.23, paid before 0.00, "
        "payout 103.23"
    )
    csm1 = line(acme, "2027-08", "csm1", "sustain")
    assert (
        "your share 100% of the 200.00 earned in 2027-07, 48.39% (split 100% × 15/31 days) "  # noqa: RUF001
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


# --- take-backs say why ----------------------------------------------------------------


def idle_february_and_march(cli, folder):
    """Corrections that leave acme without usage in 2027-02 and 2027-03."""
    load(
        cli,
        folder,
        {
            "usage.csv": "entry_id,account_id,date,amount\n"
            "c-02,acme,2027-02-20,-4000.00\nc-03,acme,2027-03-20,-6000.00\n"
        },
    )


def test_a_clawback_says_it_is_one(acme, db_url, tmp_path):
    run(acme, "2027-01")
    idle_february_and_march(acme, tmp_path / "idle")
    run(acme, "2027-03")
    first = line(acme, "2027-03", "ae1", "first-purchase")
    assert first["explanation"] == (
        "first purchase in 2027-01: flat 500.00; clawed back in 2027-03: no usage for 2 month(s) "
        "in a row within 6 months of the first purchase -> earned to date 0.00, "
        "paid before 500.00, payout -500.00"
    )
    assert lineage(db_url, "2027-03", "ae1", "first-purchase")["take_back"] == {
        "reason": "clawback",
        "month": "2027-03",
        "churn_months": 2,
        "within_months": 6,
    }


def two_versions(tmp_path, v1_to: str, v2: str | None) -> object:
    """Plan ae-usage v1 ending in `v1_to`, and a v2 (text after the header) when given."""
    plans = tmp_path / "plans"
    plans.mkdir()
    text = PLAN.read_text()
    (plans / "v1.yaml").write_text(
        text.replace(
            "effective: {from: 2027-01, to: 2027-12}", f"effective: {{from: 2027-01, to: {v1_to}}}"
        )
    )
    if v2 is not None:
        (plans / "v2.yaml").write_text(v2)
    return plans


V2_WITHOUT_FIRST_PURCHASE = """\
plan: ae-usage
version: 2
effective: {from: 2027-02}
scope: {segment: [enterprise, mid-market]}
lifecycle: {window_months: 6, baseline_months: 3}
components:
  - {id: ramp, type: ramp_realization, role: AE, rate: 0.05}
"""


def test_a_take_back_names_the_plan_version_without_the_component(acme, db_url, tmp_path):
    plans = two_versions(tmp_path, "2027-01", V2_WITHOUT_FIRST_PURCHASE)
    assert acme("run", "--period", "2027-01", "--plans", plans).code == 0
    load(
        acme,
        tmp_path / "late",
        {"usage.csv": "entry_id,account_id,date,amount\nc-01,acme,2027-01-20,-2000.00\n"},
    )
    assert acme("run", "--period", "2027-02", "--plans", plans).code == 0
    first = line(acme, "2027-02", "ae1", "first-purchase")
    assert first["explanation"] == (
        "first purchase: taken back, the first purchase month is now 2027-02, and plan "
        "ae-usage v2, in force then, has no component first-purchase -> earned to date 0.00, "
        "paid before 500.00, payout -500.00"
    )
    assert lineage(db_url, "2027-02", "ae1", "first-purchase")["take_back"] == {
        "reason": "not_in_plan_version",
        "month": "2027-02",
        "version": 2,
    }


def test_a_take_back_says_the_first_purchase_left_every_version(acme, tmp_path):
    plans = two_versions(tmp_path, "2027-01", None)
    assert acme("run", "--period", "2027-01", "--plans", plans).code == 0
    load(
        acme,
        tmp_path / "late",
        {"usage.csv": "entry_id,account_id,date,amount\nc-01,acme,2027-01-20,-2000.00\n"},
    )
    assert acme("run", "--period", "2027-02", "--plans", plans).code == 0
    first = line(acme, "2027-02", "ae1", "first-purchase")
    assert first["explanation"].startswith(
        "first purchase: taken back, the first purchase month is now 2027-02, outside every "
        "version of plan ae-usage given -> "
    )


def test_a_take_back_says_the_account_left_the_plan_scope(acme, tmp_path):
    run(acme, "2027-01")
    load(
        acme,
        tmp_path / "smb",
        {"accounts.csv": "account_id,name,segment\nacme,Acme Corp,smb\n"},
        replace=True,
    )
    run(acme, "2027-02")
    first = line(acme, "2027-02", "ae1", "first-purchase")
    assert first["explanation"].startswith(
        "first purchase: taken back, account acme is not in the scope of plan ae-usage v1 "
        "(segment enterprise, mid-market) -> "
    )


# --- run warnings ----------------------------------------------------------------------


def run_summary(db_url, period) -> dict:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            text = (
                session.execute(
                    select(RunRecord.summary)
                    .where(RunRecord.period == period)
                    .order_by(RunRecord.id.desc())
                )
                .scalars()
                .first()
            )
    finally:
        engine.dispose()
    return json.loads(text)


def test_a_month_run_before_its_usage_is_loaded_is_warned_about(acme, db_url):
    for month in range(1, 9):
        run(acme, f"2027-{month:02d}")
    result = run(acme, "2027-09")
    warning = (
        "no usage entry is dated in 2027-09: if its usage is not loaded yet, load it and run "
        "again (this run treats 2027-09 as a month without usage: sustain months earn nothing "
        "and clawbacks may complete)"
    )
    assert f"  warning: {warning}" in result.out.splitlines()
    assert run_summary(db_url, "2027-09")["warnings"] == [warning]
    listed = acme("exceptions", "--period", "2027-09", "--plans", PLAN)
    assert listed.code == 0 and listed.out.splitlines() == [f"warning: {warning}"]
    assert "no usage entry" not in run(acme, "2027-08").out


def test_negative_totals_are_warned_about_and_take_backs_shown_apart(acme, db_url, tmp_path):
    run(acme, "2027-01")
    idle_february_and_march(acme, tmp_path / "idle")
    result = run(acme, "2027-03")
    assert result.out.splitlines()[:3] == [
        "period 2027-03: run 2, 2 payout lines, total -510.00 (new pay 0.00, taken back -510.00)",
        "  ae-usage/first-purchase: -500.00 taken back",
        "  ae-usage/ramp: -10.00 taken back",
    ]
    warnings = [
        "the total of 2027-03 is negative: -510.00 (more is taken back than paid)",
        "payee ae1's total for 2027-03 is negative: -510.00",
    ]
    assert [f"  warning: {w}" for w in warnings] == [
        x for x in result.out.splitlines() if x.startswith("  warning:")
    ]
    summary = run_summary(db_url, "2027-03")
    assert summary["warnings"] == warnings
    assert summary["taken_back"] == {"ae-usage/first-purchase": -50000, "ae-usage/ramp": -1000}
    listed = acme("exceptions", "--period", "2027-03", "--plans", PLAN).out.splitlines()
    assert listed == [f"warning: {w}" for w in warnings]
    acme("adjust", "--payee", "ae1", "--period", "2027-03", "--amount", "600", "--reason", "x")
    assert "negative" not in run(acme, "2027-03").out  # adjustments count in the totals


def test_new_pay_and_take_backs_of_one_component_are_shown_apart(acme, tmp_path):
    load(
        acme,
        tmp_path / "second",
        {
            "payees.csv": "payee_id,name\nae2,Abe Two\n",
            "accounts.csv": "account_id,name,segment\nbeta,Beta,enterprise\n",
            "contracts.csv": "contract_id,account_id,signed_on,commit_monthly\n"
            "k2,beta,2027-01-01,1000.00\n",
            "assignments.csv": "account_id,payee_id,role,start\nbeta,ae2,AE,2027-01-01\n",
            "usage.csv": "entry_id,account_id,date,amount\nb-01,beta,2027-03-10,100.00\n",
        },
    )
    run(acme, "2027-01")
    idle_february_and_march(acme, tmp_path / "idle")
    result = run(acme, "2027-03")
    assert "  ae-usage/first-purchase: 500.00 new pay, -500.00 taken back, net 0.00" in (
        result.out.splitlines()
    )
