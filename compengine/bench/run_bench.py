"""Timing a whole `run` on a synthetic ledger, next to DuckDB aggregating the same raw rows.

The run is timed in a child process, as a user starts it (`compengine run`), so its wall
time and peak memory are its own. DuckDB only groups the raw usage rows by account,
product and month: the floor for any engine that has to look at the ledger.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from compengine.bench.synthetic import LedgerShape, write_synthetic_ledger
from compengine.ledger.load import load_directory
from compengine.months import format_period, parse_period
from compengine.storage.database import make_engine, upgrade_schema


@dataclass(frozen=True)
class RunBenchmark:
    usage_rows: int
    contracts: int
    payees: int
    period: str
    load_seconds: float
    run_seconds: float
    run_peak_rss_mib: float
    duckdb_seconds: float
    run_output: str

    @property
    def rows_per_second(self) -> float:
        return self.usage_rows / self.run_seconds

    @property
    def ratio(self) -> float:
        return self.run_seconds / self.duckdb_seconds


def duckdb_aggregate_seconds(usage_csv: Path) -> float:
    """Seconds DuckDB takes to sum the raw rows by account x product x month (in memory)."""
    import duckdb

    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE usage AS SELECT * FROM read_csv(?, header = true, columns = {"
        "'entry_id': 'VARCHAR', 'account_id': 'VARCHAR', 'date': 'DATE', "
        "'amount': 'DECIMAL(18,2)', "
        "'product': 'VARCHAR', 'quantity': 'VARCHAR'})",
        [str(usage_csv)],
    )
    started = time.perf_counter()
    connection.execute(
        "CREATE TEMP TABLE monthly AS SELECT account_id, product, "
        "date_trunc('month', date) AS month, "
        "SUM(amount) AS amount FROM usage GROUP BY ALL"
    )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def bench_run(
    url: str, shape: LedgerShape, plans: Path, workdir: Path, *, actor: str
) -> RunBenchmark:
    directory = write_synthetic_ledger(shape, workdir / "ledger")
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        loading = time.perf_counter()
        load_directory(engine, directory, actor=actor)
        load_seconds = time.perf_counter() - loading
    finally:
        engine.dispose()
    period = format_period(parse_period(shape.first_month) + shape.months - 1)
    started = time.perf_counter()
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "compengine",
            "--db",
            url,
            "--user",
            actor,
            "run",
            "--period",
            period,
            "--plans",
            str(plans),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    run_seconds = time.perf_counter() - started
    return RunBenchmark(
        usage_rows=shape.usage_rows,
        contracts=shape.contract_count,
        payees=shape.payees,
        period=period,
        load_seconds=load_seconds,
        run_seconds=run_seconds,
        run_peak_rss_mib=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        duckdb_seconds=duckdb_aggregate_seconds(directory / "usage.csv"),
        run_output=child.stdout,
    )
