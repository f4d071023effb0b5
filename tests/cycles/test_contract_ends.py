"""Contracts ending mid-month, through load, run and storage (SQLite and PostgreSQL): the
end month's U is read from the ledger entries dated through ends_on, the run fingerprint
covers them, and usage after the end is a run warning in the summary, the run record and
`exceptions`."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from compengine.calc.snapshot import read_snapshot
from compengine.months import parse_period
from compengine.storage.database import make_engine
from compengine.storage.models import RunRecord
from tests.cycles.conftest import DATA, amounts
from tests.ledger.conftest import rows, write_csv

PLAN = """
plan: ramp-only
version: 1
effective: {from: 2027-01}
lifecycle: {window_months: 2, baseline_months: 1}
components:
  - {id: ramp, type: ramp_realization, role: AE, curve: flat, rate: 0.1}
"""
CONTRACTS = """
contract_id,account_id,signed_on,commit_monthly,products,ends_on
k1,acme,2027-01-10,1000.00,,2027-02-10
"""
USAGE = """
entry_id,account_id,date,amount,product
u1,acme,2027-01-15,1000.00,
u2,acme,2027-02-05,300.00,compute
u3,acme,2027-02-10,200.00,storage
u4,acme,2027-02-20,400.00,
"""
WARNING = "usage not covered by any contract: account 'acme', no product, 2027-02: 400.00"


def setup(cli, tmp_path):
    folder = tmp_path / "ledger"
    for name in ("payees.csv", "accounts.csv", "assignments.csv"):
        write_csv(folder, name, (DATA / name).read_text())
    write_csv(folder, "contracts.csv", CONTRACTS)
    write_csv(folder, "usage.csv", USAGE)
    plans = write_csv(tmp_path / "plans", "ramp.yaml", PLAN)
    assert cli("init").code == 0
    loaded = cli("load", folder)
    assert loaded.code == 0, loaded.err
    return folder, plans


def run(cli, plans, period: str) -> str:
    result = cli("run", "--period", period, "--plans", plans)
    assert result.code == 0, result.err
    return result.out


def fingerprint(out: str) -> str:
    return out.rsplit("fingerprint ", 1)[1].strip()


def test_the_end_month_counts_usage_through_ends_on_and_warns_about_the_rest(cli, db_url, tmp_path):
    """Window January-February, rate 0.1: January 1,000.00 earns 100.00; February counts
    300.00 + 200.00 dated through the 10th (R_2 = 1,500.00, E_2 = 150.00), not the 400.00
    of the 20th, which no contract covers."""
    _, plans = setup(cli, tmp_path)
    assert WARNING not in run(cli, plans, "2027-01")
    out = run(cli, plans, "2027-02")
    assert amounts(cli, "2027-01") == {("ae1", "ramp"): "100.00"}
    assert amounts(cli, "2027-02") == {("ae1", "ramp"): "50.00"}
    assert f"  warning: {WARNING}" in out.splitlines()
    (summary,) = rows(db_url, select(RunRecord.summary).where(RunRecord.period == "2027-02"))
    assert WARNING in json.loads(summary[0])["warnings"]
    exceptions = cli("exceptions", "--period", "2027-02", "--plans", plans)
    assert exceptions.code == 0, exceptions.err
    assert f"warning: {WARNING}" in exceptions.out.splitlines()


def test_moving_an_entry_across_ends_on_changes_u_and_the_fingerprint(cli, tmp_path):
    """The monthly aggregate cannot tell 2027-02-20 from 2027-02-08; the run still can."""
    folder, plans = setup(cli, tmp_path)
    run(cli, plans, "2027-01")
    before = fingerprint(run(cli, plans, "2027-02"))
    write_csv(folder, "usage.csv", USAGE.replace("2027-02-20", "2027-02-08"))
    replaced = cli("load", folder, "--replace")
    assert replaced.code == 0, replaced.err
    out = run(cli, plans, "2027-02")
    assert fingerprint(out) != before
    assert WARNING not in out
    assert amounts(cli, "2027-02") == {("ae1", "ramp"): "90.00"}  # 0.1 x 1,900 - 100


def partial_sums(snapshot) -> list[tuple]:
    return sorted(map(tuple, snapshot.end_month_usage.itertuples(index=False)))


def test_only_contracts_ending_mid_month_by_the_period_read_the_ledger(cli, db_url, tmp_path):
    """k1 ends on a month's last day (the aggregate says it all), k2 after the period read."""
    folder, _ = setup(cli, tmp_path)
    write_csv(
        folder,
        "contracts.csv",
        CONTRACTS + "k2,beta,2027-01-01,0.00,,2027-03-15\nk3,gamma,2027-01-01,0.00,,2027-01-31\n",
    )
    write_csv(
        folder,
        "accounts.csv",
        (DATA / "accounts.csv").read_text() + "beta,Beta,,,\ngamma,Gamma,,,\n",
    )
    write_csv(
        folder,
        "usage.csv",
        USAGE + "u5,beta,2027-03-01,5.00,\nu6,gamma,2027-01-02,7.00,\n",
    )
    assert cli("load", folder).code == 0
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            february = read_snapshot(session, last_month=parse_period("2027-02"))
            march = read_snapshot(session, last_month=parse_period("2027-03"))
    finally:
        engine.dispose()
    assert partial_sums(february) == [("k1", "compute", 30000), ("k1", "storage", 20000)]
    assert partial_sums(march) == [
        ("k1", "compute", 30000),
        ("k1", "storage", 20000),
        ("k2", "", 500),
    ]
