"""Timing `load` and `run` on a synthetic ledger, next to DuckDB aggregating the same raw rows.

Both are timed in a child process, as a user starts them (`compengine load`, `compengine
run`), so that their wall time, CPU time and peak memory are their own and not the
benchmark's. DuckDB only groups the raw usage rows by account, product and month: the
floor for any engine that has to look at the ledger. CPU time is shown next to wall
time because a shared machine stretches wall time while CPU time stays nearly put.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from compengine.bench.measure import Measured, in_fresh_process, measure_command
from compengine.bench.synthetic import LedgerShape, usage_file, write_synthetic_ledger
from compengine.months import format_period, parse_period
from compengine.storage.database import make_engine, upgrade_schema


@dataclass(frozen=True)
class RunBenchmark:
    usage_rows: int
    contracts: int
    payees: int
    months: int
    period: str
    load: Measured
    run: Measured
    duckdb_seconds: float
    run_output: str

    @property
    def load_rows_per_second(self) -> float:
        return self.usage_rows / self.load.wall_seconds

    @property
    def run_rows_per_second(self) -> float:
        return self.usage_rows / self.run.wall_seconds

    @property
    def ratio(self) -> float:
        return self.run.wall_seconds / self.duckdb_seconds


def duckdb_aggregate_seconds(usage: Path) -> float:
    """Seconds DuckDB takes to sum the raw rows by account x product x month (in memory)."""
    import duckdb

    connection = duckdb.connect()
    if usage.suffix == ".parquet":
        connection.execute("CREATE TABLE usage AS SELECT * FROM read_parquet(?)", [str(usage)])
    else:
        connection.execute(
            "CREATE TABLE usage AS SELECT * FROM read_csv(?, header = true, columns = {"
            "'entry_id': 'VARCHAR', 'account_id': 'VARCHAR', 'date': 'DATE', "
            "'amount': 'DECIMAL(18,2)', "
            "'product': 'VARCHAR', 'quantity': 'VARCHAR'})",
            [str(usage)],
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
    """Load the synthetic ledger into the empty database at `url`, then run its last month."""
    directory = in_fresh_process(write_synthetic_ledger, shape, workdir / "ledger")
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
    finally:
        engine.dispose()
    common = ["--db", url, "--user", actor]
    load = measure_command([*common, "load", str(directory)], workdir / "load.log")
    period = format_period(parse_period(shape.first_month) + shape.months - 1)
    run_log = workdir / "run.log"
    run = measure_command([*common, "run", "--period", period, "--plans", str(plans)], run_log)
    return RunBenchmark(
        usage_rows=shape.usage_rows,
        contracts=shape.contract_count,
        payees=shape.payees,
        months=shape.months,
        period=period,
        load=load,
        run=run,
        duckdb_seconds=in_fresh_process(duckdb_aggregate_seconds, usage_file(directory, shape)),
        run_output=run_log.read_text(),
    )


RUN_TABLE_HEADER = (
    "usage rows",
    "contracts",
    "load (wall / CPU)",
    "load rows/s",
    "load peak RSS",
    "run (wall / CPU)",
    "run rows/s",
    "run peak RSS",
    "DuckDB U(c, m)",
    "run / DuckDB",
)


def run_table(results: list[RunBenchmark]) -> list[str]:
    """One Markdown table, a row per size: what the README's performance section shows."""
    rows = [RUN_TABLE_HEADER, tuple("---" for _ in RUN_TABLE_HEADER)]
    rows += [
        (
            f"{result.usage_rows:,}",
            f"{result.contracts:,}",
            f"{result.load.wall_seconds:.1f} s / {result.load.cpu_seconds:.1f} s",
            f"{result.load_rows_per_second:,.0f}",
            f"{result.load.peak_rss_mib:,.0f} MiB",
            f"{result.run.wall_seconds:.2f} s / {result.run.cpu_seconds:.2f} s",
            f"{result.run_rows_per_second:,.0f}",
            f"{result.run.peak_rss_mib:,.0f} MiB",
            f"{result.duckdb_seconds:.2f} s",
            f"{result.ratio:.1f}x",
        )
        for result in results
    ]
    return ["| " + " | ".join(row) + " |" for row in rows]
