"""`compengine bench load`: a smoke run on a thousand rows (the real figures are in the README)."""

from __future__ import annotations

from sqlalchemy import func, select

from compengine.bench.run_bench import duckdb_aggregate_seconds
from compengine.bench.synthetic import LedgerShape, UsageFormat, usage_file, write_synthetic_ledger
from compengine.storage.models import UsageEntry
from tests.ledger.conftest import rows


def test_bench_load_loads_a_synthetic_ledger_and_reports_speed_and_memory(cli, db_url):
    result = cli("bench", "load", "--rows", 1000, "--accounts", 20, "--db", db_url)

    assert result.code == 0, result.err
    assert "rows loaded:     1,136 (1,000 usage, csv)" in result.out
    for label in ("load wall time:", "load CPU time:", "load rows/s:", "peak RSS:"):
        assert label in result.out
    assert rows(db_url, select(func.count()).select_from(UsageEntry)) == [(1000,)]


def test_bench_load_from_parquet_loads_the_same_rows(cli, db_url):
    result = cli(
        "bench",
        "load",
        "--rows",
        1000,
        "--accounts",
        20,
        "--db",
        db_url,
        "--usage-format",
        "parquet",
    )

    assert result.code == 0, result.err
    assert "rows loaded:     1,136 (1,000 usage, parquet)" in result.out
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


def test_bench_run_prints_one_table_row_per_size_with_duckdb_beside_it(cli_here, tmp_path):
    result = cli_here(
        "bench",
        "run",
        "--rows",
        2000,
        "--rows",
        3000,
        "--accounts",
        20,
        "--payees",
        5,
        "--months",
        3,
    )

    assert result.code == 0, result.err
    header, rule, *sizes = result.out.splitlines()[1:]
    assert header.startswith("| usage rows | contracts | load (wall / CPU) |")
    assert header.endswith("| DuckDB U(c, m) | run / DuckDB |")
    assert rule.count("---") == header.count("|") - 1
    assert [row.split(" | ")[:2] for row in sizes] == [["| 2,000", "20"], ["| 3,000", "20"]]
    assert all(row.endswith("x |") and "MiB" in row for row in sizes)


def test_bench_run_into_a_given_database_takes_one_size(cli, db_url):
    result = cli("bench", "run", "--rows", 100, "--rows", 200, "--db", db_url)

    assert result.code == 1
    assert result.err.strip() == "--db: give one --rows and one --accounts with it"


def test_duckdb_sums_the_usage_file_in_either_format(tmp_path):
    for usage_format in UsageFormat:
        shape = LedgerShape(usage_rows=50, accounts=3, payees=3, usage_format=usage_format)
        folder = write_synthetic_ledger(shape, tmp_path / usage_format)

        assert duckdb_aggregate_seconds(usage_file(folder, shape)) > 0
