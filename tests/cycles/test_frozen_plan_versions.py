"""Plan versions are frozen once they paid a locked period (spec section 8): the README demo
with 2027-01..06 locked, then the plan edits a sales-ops user would plausibly make."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import table_snapshot

REPO = Path(__file__).resolve().parents[2]
AE_PLAN = Path("plans/ae-usage.yaml")
ORIGINAL = (REPO / "compengine" / "sample" / "plans" / "ae-usage.yaml").read_text(encoding="utf-8")
FIX = (
    "Fix: keep version 1 with `effective: {from: 2027-01, to: 2027-06}` and add version 2 "
    'from 2027-07 (README: "Changing a plan")'
)
SAFE = (
    ORIGINAL.replace("effective: {from: 2027-01}", "effective: {from: 2027-01, to: 2027-06}")
    + "---\n"
    + ORIGINAL.replace("version: 1", "version: 2")
    .replace("effective: {from: 2027-01}", "effective: {from: 2027-07}")
    .replace("rate: 0.04", "rate: 0.05")
)


def lock_half_year(cli, folder: Path) -> None:
    """The demo: sample data loaded, 2027-01..06 run, approved and locked with plans/."""
    shutil.copytree(REPO / "compengine" / "sample" / "plans", folder / "plans")
    assert cli("init").code == 0
    assert cli("load", REPO / "compengine" / "sample").code == 0
    for month in range(1, 7):
        for command in ("run", "approve", "lock"):
            result = cli(command, "--period", f"2027-{month:02d}")
            assert result.code == 0, result.err


@pytest.fixture
def locked_half_year(cli, from_template):
    from_template("locked-half-year", lock_half_year)
    return cli


def _write_ae_plan(content: str) -> None:
    AE_PLAN.write_text(content, encoding="utf-8")


def _amounts(cli, period: str) -> dict[tuple[str, str, str], str]:
    result = cli("payouts", "--period", period, "--format", "csv")
    assert result.code == 0, result.err
    return {
        (row["payee_id"], row["component_id"], row["contract_id"]): row["amount"]
        for row in csv.DictReader(result.out.splitlines())
    }


def _assert_refused(cli, db_url, expected: str) -> None:
    before = table_snapshot(db_url)
    for command in (("run", "--period", "2027-07"), ("diff", "--period", "2027-07")):
        result = cli(*command)
        assert (result.code, result.out, result.err) == (1, "", expected + "\n"), command
    checked = cli("plan", "check", "--db", db_url, "plans")
    assert (checked.code, checked.out, checked.err) == (1, "", expected + "\n")
    assert table_snapshot(db_url) == before


def test_editing_the_plan_in_place_to_version_2_is_refused(locked_half_year, db_url):
    _write_ae_plan(
        ORIGINAL.replace("version: 1", "version: 2").replace(
            "effective: {from: 2027-01}", "effective: {from: 2027-07}"
        )
    )
    _assert_refused(
        locked_half_year,
        db_url,
        "plans/ae-usage.yaml:4: version: ae-usage v1 paid lines in locked periods "
        "2027-01..2027-06, but it is missing from the plan files; a run would change locked "
        f"pay. {FIX}",
    )


def test_an_edit_that_keeps_the_version_number_is_refused(locked_half_year, db_url):
    _write_ae_plan(ORIGINAL.replace("rate: 0.04", "rate: 0.05"))
    _assert_refused(
        locked_half_year,
        db_url,
        "plans/ae-usage.yaml:4: version: ae-usage v1 paid lines in locked periods "
        "2027-01..2027-06, but its content has changed since (an edit without a version "
        f"bump); a run would change locked pay. {FIX}",
    )


def test_a_to_that_cuts_off_locked_months_is_refused(locked_half_year, db_url):
    _write_ae_plan(
        SAFE.replace("to: 2027-06", "to: 2027-04").replace("from: 2027-07", "from: 2027-05")
    )
    _assert_refused(
        locked_half_year,
        db_url,
        "plans/ae-usage.yaml:7: effective: ae-usage v1 paid lines in locked periods "
        "2027-01..2027-06, but its effective range now puts it in force in locked months "
        "2027-01..2027-04 instead of 2027-01..2027-06; a run would change locked pay. "
        f"{FIX}",
    )


def test_the_safe_workflow_pays_no_take_back_of_locked_pay(locked_half_year, db_url):
    cli = locked_half_year
    assert cli("run", "--period", "2027-07").code == 0
    unchanged = _amounts(cli, "2027-07")
    _write_ae_plan(SAFE)
    checked = cli("plan", "check", "--db", db_url, "plans")
    assert (checked.code, checked.err) == (0, "")
    assert checked.out.splitlines()[:2] == [
        "plans/ae-usage.yaml: ae-usage v1, effective 2027-01..2027-06, 3 components",
        "plans/ae-usage.yaml: ae-usage v2, effective 2027-07.., 3 components",
    ]
    assert cli("run", "--period", "2027-07").code == 0
    changed = _amounts(cli, "2027-07")
    assert all(not amount.startswith("-") for amount in changed.values())
    # first purchase and ramp stay under v1, the version in force at F; expansion in
    # 2027-07 is paid at v2's 5% instead of 4%
    assert {k: v for k, v in changed.items() if k[1] != "expansion"} == {
        k: v for k, v in unchanged.items() if k[1] != "expansion"
    }
    for key, amount in changed.items():
        if key[1] == "expansion":
            assert float(amount) == pytest.approx(float(unchanged[key]) * 5 / 4, abs=0.01)


def test_comments_formatting_and_written_defaults_are_not_edits(locked_half_year):
    rewritten = (
        ORIGINAL.replace("# Account executives", "# AE plan, reformatted")
        .replace("rate: 0.04", "rate: 0.040")
        .replace("    threshold: 0.1", "    threshold: 0.10  # growth above 110%")
        .replace("{from: 1.0, rate: 0.06}", "{rate: 0.06, from: 1}")
        .replace("    curve: linear\n", "")
        .replace(
            "scope: {segment: [enterprise, mid-market]}",
            "scope:\n  segment: [mid-market, enterprise]",
        )
    )
    assert rewritten != ORIGINAL
    _write_ae_plan(rewritten)
    result = locked_half_year("run", "--period", "2027-07")
    assert result.code == 0, result.err


def test_each_run_records_the_hash_and_range_of_every_version_it_used(locked_half_year, db_url):
    _write_ae_plan(SAFE)
    assert locked_half_year("run", "--period", "2027-07").code == 0
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT plan_id, version, content_hash, effective_from, effective_to "
                "FROM run_plan_version WHERE run_id = (SELECT MAX(id) FROM run_record) "
                "ORDER BY plan_id, version"
            )
        ).all()
        six_months = connection.execute(
            text("SELECT COUNT(*) FROM run_plan_version WHERE effective_to IS NULL")
        ).scalar_one()
    engine.dispose()
    assert [(p, v, f, t) for p, v, _, f, t in rows] == [
        ("ae-usage", 1, "2027-01", "2027-06"),
        ("ae-usage", 2, "2027-07", None),
        ("csm-sustain", 1, "2027-01", None),
    ]
    assert all(len(row.content_hash) == 64 for row in rows)
    assert rows[0].content_hash != rows[1].content_hash
    assert six_months == 6 * 2 + 2  # both open-ended plans in each locked run, then v2 and csm


def test_runs_before_hashes_were_recorded_still_refuse_a_missing_version(locked_half_year, db_url):
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM run_plan_version"))
    engine.dispose()
    cli = locked_half_year
    _write_ae_plan(ORIGINAL.replace("rate: 0.04", "rate: 0.05"))
    checked = cli("plan", "check", "--db", db_url, "plans")
    assert checked.code == 0
    assert checked.err == "".join(
        f"warning: {plan} v1 paid locked periods 2027-01..2027-06 before plan contents were "
        "recorded: it must stay in the plan files, but its content cannot be compared\n"
        for plan in ("ae-usage", "csm-sustain")  # the sample's 2026 accounts are sustained
    )
    _write_ae_plan(
        ORIGINAL.replace("version: 1", "version: 2").replace(
            "effective: {from: 2027-01}", "effective: {from: 2027-07}"
        )
    )
    result = cli("run", "--period", "2027-07")
    assert result.code == 1
    assert result.err == (
        "plans/ae-usage.yaml:4: version: ae-usage v1 paid lines in locked periods "
        "2027-01..2027-06, but it is missing from the plan files; a run would change locked "
        "pay. Fix: keep version 1 as it was, ending it with `to: 2027-06` and add version 2 "
        'from 2027-07 (README: "Changing a plan")\n'
    )


def test_a_whole_plan_file_left_out_is_refused_when_it_paid_locked_periods(
    locked_half_year, db_url
):
    """Leaving the AE plan out would take back its pay (spec section 5): refused instead."""
    AE_PLAN.unlink()
    before = table_snapshot(db_url)
    result = locked_half_year("run", "--period", "2027-07")
    assert result.code == 1
    assert result.err.startswith(
        "--plans: ae-usage v1 paid lines in locked periods 2027-01..2027-06, but it is missing "
        "from the plan files; a run would change locked pay. Fix: give the plan file of "
        "ae-usage too"
    )
    assert table_snapshot(db_url) == before


def test_pay_of_a_plan_left_out_is_taken_back_while_it_is_not_locked(cli, db_url):
    """Nothing locked yet: a plan in no file given takes back what it paid, and says why."""
    shutil.copytree(REPO / "compengine" / "sample" / "plans", "plans")
    assert cli("init").code == 0
    assert cli("load", REPO / "compengine" / "sample").code == 0
    assert cli("run", "--period", "2027-01").code == 0
    paid = {key: amount for key, amount in _amounts(cli, "2027-01").items() if key[0] == "ae1"}
    assert paid, "ae1 earned under ae-usage in 2027-01"
    result = cli("run", "--period", "2027-02", "--plans", "plans/csm-sustain.yaml")
    assert result.code == 0, result.err
    lines = list(
        csv.DictReader(cli("payouts", "--period", "2027-02", "--format", "csv").out.splitlines())
    )
    taken = {
        (row["payee_id"], row["component_id"], row["contract_id"]): row
        for row in lines
        if row["payee_id"] == "ae1"
    }
    assert {key: row["amount"] for key, row in taken.items()} == {
        key: f"-{amount}" for key, amount in paid.items()
    }
    for row in taken.values():
        assert row["plan_version"] == ""
        assert row["explanation"].startswith(
            f"taken back, component ae-usage/{row['component_id']} is in none of the plan files"
        )
