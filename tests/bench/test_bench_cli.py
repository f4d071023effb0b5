"""`compengine bench load`: a smoke run on a thousand rows (the real figures are in the README)."""

from __future__ import annotations

from sqlalchemy import func, select

from compengine.storage.models import UsageEntry
from tests.ledger.conftest import rows


def test_bench_load_loads_a_synthetic_ledger_and_reports_speed_and_memory(cli, db_url):
    result = cli("bench", "load", "--rows", 1000, "--accounts", 20, "--db", db_url)

    assert result.code == 0, result.err
    assert "rows loaded:     1,130 (1,000 usage)" in result.out
    for label in ("load wall time:", "load rows/s:", "peak RSS:"):
        assert label in result.out
    assert rows(db_url, select(func.count()).select_from(UsageEntry)) == [(1000,)]


def test_bench_load_refuses_a_database_that_holds_usage_already(cli, db_url):
    assert cli("bench", "load", "--rows", 10, "--accounts", 2, "--db", db_url).code == 0

    again = cli("bench", "load", "--rows", 10, "--accounts", 2, "--db", db_url)

    assert again.code == 1
    assert "the benchmark needs a database without usage rows" in again.err


def test_bench_load_uses_a_throw_away_sqlite_database_by_default(cli):
    result = cli("bench", "load", "--rows", 100, "--accounts", 5)

    assert result.code == 0, result.err
    assert "database:        throw-away SQLite" in result.out
