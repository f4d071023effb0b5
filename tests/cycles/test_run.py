"""`compengine run` on a real database: the worked example end to end, and its refusals."""

import json

from tests.conftest import table_snapshot
from tests.cycles.conftest import PLAN, amounts, payouts, run


def test_worked_example_through_the_command_line(acme):
    for month in range(1, 9):
        run(acme, f"2027-{month:02d}")
    assert amounts(acme, "2027-01") == {
        ("ae1", "first-purchase"): "500.00",
        ("ae1", "ramp"): "70.00",
    }
    ramp = sum(
        float(amounts(acme, f"2027-{m:02d}").get(("ae1", "ramp"), "0")) * 100 for m in range(1, 7)
    )
    assert round(ramp) == 247000
    assert amounts(acme, "2027-07") == {("csm1", "sustain"): "200.00"}
    assert amounts(acme, "2027-08") == {
        ("ae1", "expansion"): "80.00",
        ("csm1", "sustain"): "200.00",
    }


def test_payouts_csv_has_the_spec_columns_and_two_decimal_amounts(acme):
    run(acme, "2027-01")
    rows = payouts(acme, "2027-01")
    assert list(rows[0]) == [
        "period",
        "payee_id",
        "plan_id",
        "plan_version",
        "component_id",
        "contract_id",
        "account_id",
        "earned_to_date",
        "paid_before",
        "amount",
        "explanation",
        "status",
    ]
    assert {
        k: rows[1][k]
        for k in (
            "plan_id",
            "plan_version",
            "contract_id",
            "account_id",
            "earned_to_date",
            "paid_before",
            "amount",
            "status",
        )
    } == {
        "plan_id": "ae-usage",
        "plan_version": "1",
        "contract_id": "k1",
        "account_id": "acme",
        "earned_to_date": "70.00",
        "paid_before": "0.00",
        "amount": "70.00",
        "status": "paid",
    }
    assert rows[1]["explanation"].startswith(
        "ramp month 1/6: realized 2,000.00 of 1,666.67 target (120.00%)"
    )


def test_payouts_json_lists_objects_with_amounts_as_strings(acme):
    run(acme, "2027-01")
    result = acme("payouts", "--period", "2027-01", "--format", "json")
    records = json.loads(result.out)
    assert [(r["component_id"], r["amount"]) for r in records] == [
        ("first-purchase", "500.00"),
        ("ramp", "70.00"),
    ]
    assert (records[1]["plan_version"], records[1]["earned_to_date"]) == (1, "70.00")
    acme("adjust", "--payee", "ae1", "--period", "2027-01", "--amount", "5", "--reason", "x")
    result = acme("payouts", "--period", "2027-01", "--format", "json")
    adjustment = json.loads(result.out)[0]
    assert adjustment["component_id"] == "adjustment"
    assert (adjustment["plan_version"], adjustment["contract_id"], adjustment["amount"]) == (
        None,
        None,
        "5.00",
    )


def test_running_a_period_again_gives_identical_lines_and_fingerprint(acme, db_url):
    run(acme, "2027-01")
    first = payouts(acme, "2027-01")
    run(acme, "2027-01")
    assert payouts(acme, "2027-01") == first
    runs = acme("runs", "--period", "2027-01").out.splitlines()
    fingerprints = {line.split()[-1] for line in runs[1:]}
    assert len(runs) == 3 and len(fingerprints) == 1


def test_skipped_periods_catch_up(acme):
    run(acme, "2027-03")
    assert amounts(acme, "2027-03") == {
        ("ae1", "first-purchase"): "500.00",
        ("ae1", "ramp"): "420.00",
    }


def test_a_bad_plan_fails_the_run_and_writes_nothing(acme, db_url, tmp_path):
    run(acme, "2027-01")
    before = table_snapshot(db_url)
    broken = tmp_path / "broken.yaml"
    broken.write_text(PLAN.read_text().replace("rate: 0.02", "rate: -0.02"))
    result = acme("run", "--period", "2027-01", "--plans", broken)
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{broken}:32: components[2].rate: must not be negative (is -0.02)"
    ]
    assert table_snapshot(db_url) == before


def test_shares_above_one_fail_the_run_naming_account_role_month_payees(acme, db_url, tmp_path):
    run(acme, "2027-01")
    before = table_snapshot(db_url)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "payees.csv").write_text("payee_id,name\nae2,Second AE\n")
    (extra / "assignments.csv").write_text(
        "account_id,payee_id,role,start,end,split\nacme,ae2,AE,2027-01-01,,0.5\n"
    )
    assert acme("load", extra).code == 0
    loaded = table_snapshot(db_url)
    message = (
        "configuration error: shares of role AE on account acme add up to more than 1 in 2027-01 "
        "(payees: ae1, ae2)"
    )
    result = acme("run", "--period", "2027-01", "--plans", PLAN)
    assert result.code == 1
    assert result.err.splitlines() == [message]  # once, though two components credit AE
    assert table_snapshot(db_url) == loaded
    assert payouts(acme, "2027-01") and loaded != before
    listed = acme("exceptions", "--period", "2027-01", "--plans", PLAN)
    assert (listed.code, listed.out, listed.err.splitlines()) == (1, "", [message])
    assert "Traceback" not in listed.err
    assert table_snapshot(db_url) == loaded


def test_unassigned_credit_is_listed_then_caught_up_once_assigned(acme, tmp_path):
    globex = tmp_path / "globex"
    globex.mkdir()
    (globex / "accounts.csv").write_text("account_id,name,segment\nglobex,Globex,enterprise\n")
    (globex / "contracts.csv").write_text(
        "contract_id,account_id,signed_on,commit_monthly\nk2,globex,2027-01-05,1000.00\n"
    )
    (globex / "usage.csv").write_text(
        "entry_id,account_id,date,amount\ng1,globex,2027-01-20,300.00\n"
    )
    assert acme("load", globex).code == 0
    summary = run(acme, "2027-01")
    assert "unassigned credit: 514.00 in 2 item(s)" in summary.out
    listed = acme("exceptions", "--period", "2027-01", "--plans", PLAN).out.splitlines()
    assert listed == [
        "unassigned: account globex, contract k2, component ae-usage/first-purchase (role AE), "
        "month 2027-01, amount 500.00",
        "unassigned: account globex, contract k2, component ae-usage/ramp (role AE), "
        "month 2027-01, amount 14.00",  # 166.67 x 3% + 83.33 x 6% + 50 x 8%
    ]
    fix = tmp_path / "fix"
    fix.mkdir()
    (fix / "assignments.csv").write_text(
        "account_id,payee_id,role,start\nglobex,ae1,AE,2027-01-01\n"
    )
    assert acme("load", fix).code == 0
    run(acme, "2027-02")
    lines = {(r["contract_id"], r["component_id"]): r["amount"] for r in payouts(acme, "2027-02")}
    assert lines[("k2", "first-purchase")] == "500.00"


def test_explain_prints_each_line_with_its_numbers(acme):
    run(acme, "2027-01")
    result = acme("explain", "--payee", "ae1", "--period", "2027-01")
    assert result.code == 0
    assert "ae-usage v1 / ramp / k1 (acme): 70.00" in result.out
    assert "earned to date 70.00, paid before 0.00, payout 70.00" in result.out


def test_two_plans_paying_one_role_the_same_component_type_fail_the_run(acme, db_url, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "ae-usage.yaml").write_text(PLAN.read_text())
    (plans / "ae-welcome.yaml").write_text(
        "plan: ae-welcome\n"
        "version: 1\n"
        "effective: {from: 2027-01}\n"
        "lifecycle: {window_months: 3}\n"
        "components:\n"
        "  - {id: welcome, type: first_purchase, role: AE, payout: {flat: 100}}\n"
    )
    before = table_snapshot(db_url)
    result = acme("run", "--period", "2027-01", "--plans", plans)
    assert result.code == 1
    assert result.err.splitlines() == [
        "configuration error: components ae-usage/first-purchase (v1) and ae-welcome/welcome (v1) "
        "both credit role AE with first_purchase on account acme in 2027-01"
    ]
    assert table_snapshot(db_url) == before
