"""`compengine bench analytics`: a smoke run on a small ledger, on both databases (the real
figures are in the README). It also proves the reports read the monthly aggregate: the
only statements that name the raw usage ledger are the end-month queries."""

from __future__ import annotations

from compengine.bench.analytics_bench import bench_analytics
from compengine.bench.synthetic import LedgerShape
from compengine.plan.load import load_plans
from compengine.sample import PLANS


def test_bridge_and_windows_read_the_aggregate_not_the_raw_ledger(db_url, tmp_path):
    shape = LedgerShape(usage_rows=3_000, accounts=40, payees=10, months=6)
    result = bench_analytics(db_url, shape, load_plans([PLANS]), tmp_path, actor="test")
    assert result.span == ("2027-01", "2027-06")
    assert 0 < result.aggregate_rows < result.usage_rows
    assert len(result.raw_ledger_statements) == 3  # one per report: bridge, by payee, windows
    for statement in result.raw_ledger_statements:
        assert "ends_on" in statement and "GROUP BY" in statement


def test_bench_analytics_prints_its_figures(cli_here):
    result = cli_here("bench", "analytics", "--rows", 500, "--accounts", 10, "--payees", 5)
    assert result.code == 0, result.err
    for label in (
        "bridge 2027-01..2027-12:",
        "bridge --by payee:",
        "windows:",
        "naming usage_entry: 3",
    ):
        assert label in result.out
