"""`compengine payroll`, `export`, `exports`: payroll's pull without HTTP."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.conftest import table_snapshot
from tests.payroll_scenario import PERIOD_1_CSV, build_payroll_periods


@pytest.fixture
def payroll_cli(cli, from_template):
    from_template("payroll-periods", build_payroll_periods)
    return cli


def _ok(cli, *args):
    result = cli(*args)
    assert result.code == 0, result.err
    return result.out


def test_payroll_prints_the_rows_of_a_locked_period(payroll_cli):
    assert _ok(payroll_cli, "payroll", "--period", "2027-01", "--format", "csv") == PERIOD_1_CSV
    assert json.loads(_ok(payroll_cli, "payroll", "--period", "2027-02", "--format", "json")) == [
        {
            "payee_id": "ae1",
            "name": "Ada Evans",
            "email": "ada.evans@example.com",
            "earnings_code": "COMM",
            "amount": "140.00",
        },
        {
            "payee_id": "csm1",
            "name": "Carl Stone",
            "email": "carl.stone@example.com",
            "earnings_code": "adjustment",
            "amount": "25.00",
        },
    ]
    table = _ok(payroll_cli, "payroll", "--period", "2027-01").splitlines()
    assert table[0].split() == ["payee_id", "name", "email", "earnings_code", "amount"]
    assert table[1].split() == [
        "ae1",
        "Ada",
        "Evans",
        "ada.evans@example.com",
        "BONUS-FP",
        "500.00",
    ]


def test_export_records_once_and_the_batch_pulls_back_byte_for_byte(payroll_cli, db_url):
    digest = hashlib.sha256(PERIOD_1_CSV.encode()).hexdigest()
    first = _ok(payroll_cli, "--user", "pat", "export", "--period", "2027-01", "--key", "jan-1")
    assert first.splitlines()[0] == (
        f"batch 1 of 2027-01: 3 rows, total 577.50, sha256 {digest} (recorded)"
    )
    before = table_snapshot(db_url)
    again = _ok(payroll_cli, "export", "--period", "2027-01", "--key", "jan-1")
    assert "(already recorded with this key; nothing written)" in again
    assert table_snapshot(db_url) == before
    for _ in range(2):
        pulled = _ok(payroll_cli, "exports", "--batch", "1", "--format", "csv")
        assert pulled == PERIOD_1_CSV
        assert hashlib.sha256(pulled.encode()).hexdigest() == digest
    (listed,) = json.loads(_ok(payroll_cli, "exports", "--format", "json"))
    assert (listed["id"], listed["actor"], listed["total"], listed["sha256"]) == (
        1,
        "pat",
        "577.50",
        digest,
    )
    audit = json.loads(_ok(payroll_cli, "audit", "--action", "export", "--format", "json"))
    assert [(event["actor"], event["period"]) for event in audit] == [("pat", "2027-01")]


def test_a_second_export_of_a_period_is_refused_unless_reissued(payroll_cli, db_url):
    _ok(payroll_cli, "--user", "pat", "export", "--period", "2027-01", "--key", "jan-1")
    before = table_snapshot(db_url)
    refused = payroll_cli("export", "--period", "2027-01", "--key", "jan-2")
    assert refused.code == 1
    assert "period 2027-01 was already exported (batch 1, created " in refused.err
    assert " by pat); pull that batch again, or ask for a reissue" in refused.err
    assert table_snapshot(db_url) == before
    out = _ok(payroll_cli, "export", "--period", "2027-01", "--key", "jan-2", "--reissue")
    assert out.startswith("batch 2 of 2027-01: 3 rows, total 577.50")
    assert [b["reissue"] for b in json.loads(_ok(payroll_cli, "exports", "--format", "json"))] == [
        False,
        True,
    ]
    assert _ok(payroll_cli, "exports", "--period", "2027-02") == (
        "no export batches yet (compengine export)\n"
    )


HOSTILE = [
    (("payroll", "--period", "2027-03"), "period 2027-03 is calculated: payroll pulls only"),
    (("payroll", "--period", "2027-13"), "--period: "),
    (("export", "--period", "2027-03", "--key", "k"), "period 2027-03 is calculated"),
    (("export", "--period", "2027-01", "--key", ""), "--key: '' is not an idempotency key"),
    (("export", "--period", "2027-01", "--key", "a\nb"), "--key: 'a\\nb' is not an"),
    (("export", "--period", "2027-01", "--key", "k" * 201), "--key: 'kkkk"),
    (("export", "--period", "'; drop", "--key", "k"), "--period: "),
    (("exports", "--batch", "abc"), "--batch: 'abc' is not a batch id (1 to 2147483647)"),
    (("exports", "--batch", "0"), "--batch: '0' is not a batch id"),
    (("exports", "--batch", "9" * 30), "--batch: '999999999999999999999999999999' is not"),
    (("exports", "--batch", "-1"), "--batch: '-1' is not a batch id"),
    (("exports", "--batch", "77"), "--batch: no export batch 77"),
    (("exports", "--batch", "1", "--period", "2027-01"), "--batch: give either"),
    (("exports", "--period", "../x"), "--period: "),
]


def test_hostile_or_careless_input_is_one_located_message(payroll_cli, db_url):
    before = table_snapshot(db_url)
    for args, message in HOSTILE:
        result = payroll_cli(*args)
        assert (result.code, result.out) == (1, ""), args
        assert message in result.err, (args, result.err)
    assert table_snapshot(db_url) == before
