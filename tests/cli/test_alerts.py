"""`compengine alerts` on a database (SQLite and PostgreSQL): one contract of each kind, the
ones never listed, the three formats, and bad input refused with nothing written.

2027-04, by hand:
- k-acme (enterprise, commit 10,000, linear six-month ramp, 3 % to target, 1,000 bonus):
  R_4 = 8,000 of TC_4 = 16,666.67 (A_4 = 0.48); projected 8,000 + 2 x 2,500 = 13,000 of
  35,000 (0.3714) earns 390 against 2,050 at target: 1,660.00 at risk;
- k-beta (enterprise, commit 20,000) signed in January, no usage: 3 % x 70,000 + 1,000 =
  3,100.00 at risk;
- k-gamma (mid-market, CSM plan, window 2): B = 5,000, April keeps 3,000 (0.6 < 0.9), so
  the month earns nothing instead of 2 % x 5,000: 100.00 at risk;
- k-delta (commit 0) and k-eps (ended 2027-04-15) would be alerts, but are not listed.
"""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import table_snapshot
from tests.ledger.conftest import write_csv

PLANS = {
    "ae.yaml": """
        plan: ae
        version: 1
        name: AE
        currency: USD
        effective: {from: 2027-01}
        scope: {segment: [enterprise]}
        lifecycle: {window_months: 6}
        components:
          - id: ramp
            type: ramp_realization
            role: AE
            tiers:
              rates:
                - {from: 0, rate: 0.03}
                - {from: 1, rate: 0.06}
            bonus: {attainment_at_least: 1, amount: 1000}
        """,
    "csm.yaml": """
        plan: csm
        version: 1
        name: CSM
        currency: USD
        effective: {from: 2027-01}
        scope: {segment: [mid-market]}
        lifecycle: {window_months: 2}
        components:
          - id: sustain
            type: sustained_usage
            role: CSM
            rate: 0.02
            min_retention: 0.9
        """,
}


def _usage(account: str, *amounts: str) -> str:
    return "".join(
        f"u-{account}-{month},{account},2027-0{month}-05,{amount},,\n"
        for month, amount in enumerate(amounts, start=1)
    )


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    write_csv(folder, "payees.csv", "payee_id,name\nae1,Ada\nae2,Ben\ncsm1,Carl\n")
    write_csv(
        folder,
        "accounts.csv",
        "account_id,name,parent_id,segment,region\n"
        "acme,Acme,,enterprise,\nbeta,Beta,,enterprise,\ngamma,Gamma,,mid-market,\n"
        "delta,Delta,,mid-market,\neps,Eps,,mid-market,\n",
    )
    write_csv(
        folder,
        "assignments.csv",
        "account_id,payee_id,role,start,end,split\n"
        "acme,ae1,AE,2027-01-01,,1\nbeta,ae2,AE,2027-01-01,,1\ngamma,csm1,CSM,2027-01-01,,1\n"
        "delta,csm1,CSM,2027-01-01,,1\neps,csm1,CSM,2027-01-01,,1\n",
    )
    write_csv(
        folder,
        "contracts.csv",
        "contract_id,account_id,signed_on,commit_monthly,products,ends_on\n"
        "k-acme,acme,2027-01-10,10000,,\nk-beta,beta,2027-01-05,20000,,\n"
        "k-gamma,gamma,2027-01-03,5000,,\nk-delta,delta,2027-01-03,0,,\n"
        "k-eps,eps,2027-01-03,1000,,2027-04-15\n",
    )
    write_csv(
        folder,
        "usage.csv",
        "entry_id,account_id,date,amount,product,quantity\n"
        + _usage("acme", "1000", "2000", "2500", "2500")
        + _usage("gamma", "5000", "5000", "5000", "3000")
        + _usage("delta", "1000", "1000", "1000", "0")
        + _usage("eps", "1000", "1000", "1000", "0"),
    )
    for name, text in PLANS.items():
        write_csv(tmp_path / "plans", name, text)
    return folder


@pytest.fixture
def loaded(cli, data):
    assert cli("init").code == 0
    result = cli("load", data)
    assert result.code == 0, result.err
    return cli


def alerts(cli, *args):
    return cli("alerts", "--plans", "plans", *args)


def test_json_lists_each_kind_largest_money_at_risk_first(loaded, db_url):
    before = table_snapshot(db_url)
    result = alerts(loaded, "--period", "2027-04", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == [
        {
            "kind": "not-started",
            "contract_id": "k-beta",
            "account_id": "beta",
            "payees": ["ae2"],
            "window_month": None,
            "attainment": None,
            "projected_attainment": None,
            "retention": None,
            "money_at_risk": "3100.00",
        },
        {
            "kind": "ramp",
            "contract_id": "k-acme",
            "account_id": "acme",
            "payees": ["ae1"],
            "window_month": 4,
            "attainment": "0.4800",
            "projected_attainment": "0.3714",
            "retention": None,
            "money_at_risk": "1660.00",
        },
        {
            "kind": "retention",
            "contract_id": "k-gamma",
            "account_id": "gamma",
            "payees": ["csm1"],
            "window_month": None,
            "attainment": None,
            "projected_attainment": None,
            "retention": "0.6000",
            "money_at_risk": "100.00",
        },
    ]
    assert table_snapshot(db_url) == before  # alerts write nothing


def test_csv_and_table_show_the_same_rows(loaded):
    result = alerts(loaded, "--period", "2027-04", "--format", "csv", "--below", "0.5")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(result.out.splitlines()))
    assert [(r["kind"], r["contract_id"], r["money_at_risk"]) for r in rows] == [
        ("not-started", "k-beta", "3100.00"),
        ("ramp", "k-acme", "1660.00"),  # A_4 0.48 < 0.5 (and the projection is short)
    ]  # --below 0.5 is also the retention threshold: 0.6 is above it
    assert rows[1]["retention"] == "" and rows[1]["payees"] == "ae1"
    table = alerts(loaded, "--period", "2027-04")
    assert table.code == 0
    assert table.out.splitlines()[0].split() == [
        "kind",
        "contract_id",
        "account_id",
        "payees",
        "window_month",
        "attainment",
        "projected_attainment",
        "retention",
        "money_at_risk",
    ]
    assert "k-gamma" in table.out.splitlines()[3]


def test_a_period_without_alerts_says_so(loaded):
    only_csm = ("alerts", "--plans", "plans/csm.yaml", "--period", "2027-03")
    result = loaded(*only_csm)  # gamma keeps all of its baseline in March
    assert (result.code, result.out) == (0, "no alerts for 2027-03\n")
    assert loaded(*only_csm, "--format", "json").out == "[]\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2027-4"), "--period: '2027-4' is not a month (YYYY-MM)"),
        (("--period", "2026-12"), "--period: no contract is signed by 2026-12 (the first is"),
        (("--period", "2027-04", "--below", "abc"), "--below: 'abc' is not a plain decimal"),
        (("--period", "2027-04", "--below", "10.5"), "--below: 10.5 is not between 0 and 10"),
        (("--period", "2027-04", "--below", "-0.1"), "--below: -0.1 is not between 0 and 10"),
        (("--period", "2027-04", "--below", "1e2"), "--below: '1e2' is not a plain decimal"),
        (("--period", "2027-04", "--below", "0.0000000000001"), "more than 12 decimal places"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(loaded, db_url, args, message):
    before = table_snapshot(db_url)
    result = alerts(loaded, *args)
    assert result.code == 1 and message in result.err, result.err
    assert result.out == "" and "Traceback" not in result.err
    assert table_snapshot(db_url) == before


def test_an_empty_database_has_nothing_to_alert_on(cli, data, db_url):
    assert cli("init").code == 0
    before = table_snapshot(db_url)
    result = alerts(cli, "--period", "2027-04")
    assert result.code == 1
    assert result.err == "no contracts are loaded: there is nothing to alert on yet\n"
    assert table_snapshot(db_url) == before
