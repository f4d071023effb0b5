"""`compengine bench api`: a smoke run on a few hundred lines (the figures are in the README)."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.cycles.conftest import DATA


def test_bench_api_serves_a_locked_period_and_reports_each_speed(cli, db_url):
    result = cli(
        "bench", "api", "--lines", 300, "--payees", 7, "--readers", 3, "--requests", 2,
        "--db", db_url,
    )  # fmt: skip

    assert result.code == 0, result.err
    assert "period:            300 lines written in " in result.out
    assert "JSON pages:        1 pages of 5,000 lines in " in result.out
    assert "3 readers:        6 pages of 100 lines in " in result.out
    assert " MB/s)" in result.out and "requests/s, p95 " in result.out
    engine = create_engine(db_url)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT p.state, COUNT(*) FROM payout_line l JOIN period p USING (period) "
                 "GROUP BY p.state")
        ).all()  # fmt: skip
    engine.dispose()
    assert [tuple(row) for row in stored] == [("locked", 300)]


def test_bench_api_refuses_a_database_with_data(cli, db_url):
    assert cli("init").code == 0 and cli("load", DATA).code == 0

    again = cli("bench", "api", "--lines", 10, "--db", db_url)

    assert again.code == 1
    assert "the benchmark needs a database without payees" in again.err
