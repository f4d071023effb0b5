"""`compengine bridge`, `windows` and `plan check --windows` on SQLite and PostgreSQL, with
the seed's example as data (tests/data/bridge_seed): the spec's numbers in every format,
and hostile input refused with exit 1, one located message and nothing written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import table_snapshot

SEED = Path(__file__).parents[1] / "data" / "bridge_seed"
PLANS = SEED / "plans"
SEED_TOTAL = {
    "group": "total",
    "start": "100000.00",
    "churn": "-20000.00",
    "net_change_existing": "0.00",
    "new_commitments": "60000.00",
    "expected": "140000.00",
    "realization_gap": "-30000.00",
    "end": "110000.00",
    "growth": "0.1000",
    "committed_growth": "0.4000",
}
SPAN = ("--from", "2027-01", "--to", "2027-12", "--plans", PLANS)


def load_seed(cli, _folder) -> None:
    assert cli("init").code == 0
    loaded = cli("load", SEED)
    assert loaded.code == 0, loaded.err


@pytest.fixture
def seeded(cli, from_template):
    from_template("analytics-seed", load_seed)
    return cli


def test_bridge_prints_the_seeds_example_as_json_csv_and_table(seeded):
    as_json = seeded("bridge", *SPAN, "--format", "json")
    assert as_json.code == 0, as_json.err
    assert json.loads(as_json.out) == [SEED_TOTAL]
    as_csv = seeded("bridge", *SPAN, "--format", "csv")
    assert list(csv.DictReader(io.StringIO(as_csv.out))) == [SEED_TOTAL]
    table = seeded("bridge", *SPAN).out.splitlines()
    assert table[0].split() == list(SEED_TOTAL)
    assert table[1].split() == list(SEED_TOTAL.values())


def test_bridge_by_payee_credits_the_handover_and_the_split_and_ends_with_the_total(seeded):
    result = seeded("bridge", *SPAN, "--by", "payee", "--format", "json")
    rows = {row["group"]: row for row in json.loads(result.out)}
    assert list(rows) == ["ann", "bob", "cara", "total"]
    assert rows["bob"]["new_commitments"] == "30000.00"  # half of fresh all month
    assert rows["ann"]["new_commitments"] == "14516.13"  # half of fresh for 15 of 31 days
    assert rows["cara"]["new_commitments"] == "15483.87"  # and cara the other 16
    assert rows["cara"]["churn"] == "-20000.00"
    assert rows["total"] == SEED_TOTAL


def test_bridge_annualized_by_region_with_a_none_group(seeded):
    rows = json.loads(
        seeded("bridge", *SPAN, "--by", "region", "--annualize", "--format", "json").out
    )
    assert [r["group"] for r in rows] == ["(none)", "amer", "emea", "total"]
    assert rows[0]["new_commitments"] == "720000.00"
    assert rows[-1]["end"] == "1320000.00"


def test_bridge_html_is_a_self_contained_page_with_tables_and_waterfalls(seeded, tmp_path):
    out = tmp_path / "bridge.html"
    result = seeded("bridge", *SPAN, "--by", "segment", "--format", "html", "--out", out)
    assert result.code == 0 and result.out.strip() == f"wrote {out}"
    page = out.read_text()
    assert page.count("<svg") == 3  # enterprise, smb, total
    assert "140,000.00" in page and "growth 10.0% against 40.0% committed" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_windows_and_plan_check_windows_on_the_database(seeded):
    """Only k-steady has 12 months of history with a plateau: used in 2026-01, 2027-01 and
    2027-12, it reaches 90 % of its plateau for good only in its 24th month."""
    rows = json.loads(seeded("windows", "--format", "json").out)
    assert rows == [
        {
            "group": "all",
            "contracts": 1,
            "p25": 24,
            "p50": 24,
            "p75": 24,
            "suggested_window_months": 24,
            "curve": ["3.0000", *["0.0000"] * 11],
        }
    ]
    per_contract = seeded("windows", "--contracts", "--format", "csv").out.splitlines()
    assert per_contract[1:] == [
        "k-lost,lost,all,2026-01,24,0.00,",  # listed, but a plateau of 0 gives no ramp length
        "k-steady,steady,all,2026-01,24,26666.67,24",
    ]
    checked = seeded("plan", "check", PLANS, "--windows")
    assert checked.code == 0
    assert "warning: windows: " in checked.err
    assert "ae-seed v1: window_months 6 differs from the data's suggestion 24" in checked.err
    none = seeded("plan", "check", PLANS, "--windows", "--min-history", "30")
    assert none.code == 0 and "no contract in its scope" in none.out


def bad_cases(tmp: Path) -> list[tuple[tuple, str]]:
    return [
        (
            ("bridge", "--from", "2027-12", "--to", "2027-12", "--plans", PLANS),
            "--from: 2027-12 must be before --to (2027-12)",
        ),
        (
            ("bridge", "--from", "2027-12", "--to", "2027-01", "--plans", PLANS),
            "--from: 2027-12 must be before --to",
        ),
        (
            ("bridge", "--from", "2027-13", "--to", "2027-12", "--plans", PLANS),
            "--from: '2027-13' is not a month (YYYY-MM)",
        ),
        (("bridge", "--from", "2027-01", "--to", "٢٠٢٧-١٢", "--plans", PLANS), "--to: "),
        (
            ("bridge", *SPAN, "--by", "team"),
            "--by: 'team' is not one of segment, region, payee, account",
        ),
        (("bridge", *SPAN, "--role", "CSM"), "--role: applies only to --by payee"),
        (
            ("bridge", "--from", "2027-01", "--to", "2028-01", "--plans", PLANS),
            "--to: no usage is loaded for 2028-01 (the latest is 2027-12)",
        ),
        (
            ("bridge", *SPAN, "--format", "html", "--out", tmp / "missing" / "x.html"),
            "--out: cannot write",
        ),
        (
            ("bridge", *SPAN, "--by", "payee", "--role", "AE\x1b[2J"),
            "--role: must not contain control",
        ),
        (
            ("bridge", *SPAN, "--by", "payee", "--role", "R" * 201),
            "--role: must be 1 to 200 characters",
        ),
        (("windows", "--min-history", "2"), "--min-history: 2 is not between 3 and 1200 months"),
        (("windows", "--min-history", "100000"), "--min-history: 100000 is not between 3 and 1200"),
        (("windows", "--by", "account"), "--by: 'account' is not one of segment, region"),
        (
            ("plan", "check", PLANS, "--windows", "--min-history", "1"),
            "--min-history: 1 is not between",
        ),
    ]


def test_bad_input_is_refused_with_exit_1_one_message_and_nothing_written(seeded, db_url, tmp_path):
    before = table_snapshot(db_url)
    for args, message in bad_cases(tmp_path):
        result = seeded(*args)
        assert result.code == 1, (args, result.out, result.err)
        assert message in result.err, (args, result.err)
        assert len(result.err.strip().splitlines()) == 1, result.err
    assert table_snapshot(db_url) == before
    assert not (tmp_path / "missing").exists()


def test_no_data_is_refused(cli):
    assert cli("init").code == 0
    bridge = cli("bridge", *SPAN)
    assert bridge.code == 1
    assert (
        bridge.err.strip() == "no usage or contracts are loaded: load data first (compengine load)"
    )
    windows = cli("windows")
    assert (windows.code, windows.err.strip()) == (
        1,
        "no usage is loaded: load data first (compengine load)",
    )
    check = cli("plan", "check", PLANS, "--windows")
    assert check.code == 1 and "--windows: no usage is loaded" in check.err
