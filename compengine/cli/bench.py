"""`compengine bench load|run|statements|analytics|api`: how fast a big ledger loads, a
period runs, statements render, the analytics read, and payroll reads a period over HTTP."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from compengine.bench.load_bench import bench_load
from compengine.bench.run_bench import bench_run, run_table
from compengine.bench.synthetic import LedgerShape, UsageFormat
from compengine.cli.common import state
from compengine.cli.output import terminal_text
from compengine.errors import UserError
from compengine.sample import PLANS
from compengine.statements.files import StatementFormat


@contextmanager
def _scratch(db: str | None) -> Iterator[tuple[Path, str]]:
    """A work folder for one benchmark, and its database: `db`, else a throw-away SQLite
    file in that folder."""
    with tempfile.TemporaryDirectory(prefix="compengine-bench-") as scratch:
        workdir = Path(scratch)
        yield workdir, db or f"sqlite:///{workdir / 'bench.db'}"


def _shown(db: str | None) -> str:
    return "throw-away SQLite" if db is None else make_url(db).render_as_string()


def register(app: typer.Typer) -> None:
    bench = typer.Typer(help="Benchmarks on synthetic data.", no_args_is_help=True)
    app.add_typer(bench, name="bench")

    @bench.command("load")
    def load(
        ctx: typer.Context,
        rows: int = typer.Option(..., "--rows", min=1, help="Usage rows to generate and load."),
        db: str | None = typer.Option(
            None,
            "--db",
            help="Empty database to load into (it keeps the synthetic data); "
            "default: a throw-away SQLite file.",
        ),
        accounts: int = typer.Option(1_000, "--accounts", min=1),
        contracts: int | None = typer.Option(None, "--contracts", help="Default: one per account."),
        payees: int = typer.Option(50, "--payees", min=3),
        months: int = typer.Option(12, "--months", min=1),
        usage_format: UsageFormat = typer.Option(
            UsageFormat.csv, "--usage-format", help="Write the usage file as CSV or Parquet."
        ),
        seed: int = typer.Option(0, "--seed"),
    ) -> None:
        """Generate a synthetic ledger and time `load` on it."""
        shape = LedgerShape(
            usage_rows=rows,
            accounts=accounts,
            contracts=contracts,
            payees=payees,
            months=months,
            seed=seed,
            usage_format=usage_format,
        )
        with _scratch(db) as (workdir, url):
            result = bench_load(url, shape, workdir, actor=state(ctx).actor)
        shown = _shown(db)
        typer.echo(f"database:        {shown}")
        typer.echo(f"rows loaded:     {result.rows:,} ({rows:,} usage, {usage_format.value})")
        typer.echo(f"generate:        {result.generate_seconds:.1f} s")
        typer.echo(f"load wall time:  {result.load.wall_seconds:.1f} s")
        typer.echo(f"load CPU time:   {result.load.cpu_seconds:.1f} s")
        typer.echo(f"load rows/s:     {result.rows_per_second:,.0f}")
        typer.echo(f"peak RSS:        {result.load.peak_rss_mib:,.0f} MiB (the load's own)")

    @bench.command("run")
    def run(
        ctx: typer.Context,
        rows: list[int] = typer.Option(
            [1_000_000], "--rows", min=1, help="Usage rows to generate (repeat for more sizes)."
        ),
        accounts: list[int] = typer.Option(
            [10_000], "--accounts", min=1, help="Accounts, one contract each (repeatable)."
        ),
        payees: int = typer.Option(1_000, "--payees", min=3),
        months: int = typer.Option(12, "--months", min=1),
        plans: Path = typer.Option(
            PLANS, "--plans", help="Plan files to run with (default: the sample plans)."
        ),
        db: str | None = typer.Option(
            None,
            "--db",
            help="Empty database to use (one size only); default: a throw-away SQLite "
            "file per size.",
        ),
        usage_format: UsageFormat = typer.Option(
            UsageFormat.csv, "--usage-format", help="Write the usage file as CSV or Parquet."
        ),
        seed: int = typer.Option(0, "--seed"),
    ) -> None:
        """For each size, generate a synthetic ledger, time `load` and `run` of its last
        month, and DuckDB aggregating the same raw usage rows; print one table."""
        sizes = [(count, accounts_) for count in rows for accounts_ in accounts]
        if db is not None and len(sizes) > 1:
            raise UserError.single("--db: give one --rows and one --accounts with it")
        results = []
        for count, accounts_ in sizes:
            shape = LedgerShape(
                usage_rows=count,
                accounts=accounts_,
                payees=payees,
                months=months,
                seed=seed,
                usage_format=usage_format,
            )
            with _scratch(db) as (workdir, url):
                results.append(bench_run(url, shape, plans, workdir, actor=state(ctx).actor))
        shown = _shown(db)
        typer.echo(
            terminal_text(
                f"database: {shown}; {payees:,} payees, {months} months, "
                f"usage as {usage_format.value}"
            )
        )
        for line in run_table(results):
            typer.echo(line)

    @bench.command("api")
    def api(
        lines: int = typer.Option(
            1_000_000, "--lines", min=1, max=10_000_000, help="Lines of the locked period."
        ),
        payees: int = typer.Option(1_000, "--payees", min=1, max=1_000_000),
        readers: int = typer.Option(50, "--readers", min=1, max=1_000),
        requests: int = typer.Option(
            40, "--requests", min=1, max=100_000, help="Requests per concurrent reader."
        ),
        db: str | None = typer.Option(
            None, "--db", help="Empty database to use; default: a throw-away SQLite file."
        ),
    ) -> None:
        """Serve a locked period of many lines, then time its CSV pull, a walk through
        its JSON pages of 5,000 lines, and concurrent readers of a short page."""
        from compengine.bench.api_bench import PAGE_LINES, READER_PAGE_LINES, bench_api

        with _scratch(db) as (workdir, url):
            result = bench_api(url, lines, payees, readers, requests, workdir)
        shown = _shown(db)
        typer.echo(terminal_text(f"database:          {shown}"))
        typer.echo(
            f"period:            {result.lines:,} lines written in {result.setup_seconds:.1f} s"
        )
        typer.echo(
            f"CSV pull:          {result.csv_bytes / 1e6:,.1f} MB in {result.csv_seconds:.1f} s "
            f"({result.csv_mb_per_second:,.1f} MB/s)"
        )
        typer.echo(
            f"JSON pages:        {result.pages:,} pages of {PAGE_LINES:,} lines in "
            f"{result.pages_seconds:.1f} s ({result.pages_per_second:,.2f} pages/s)"
        )
        typer.echo(
            f"{result.readers} readers:        {result.reader_requests:,} pages of "
            f"{READER_PAGE_LINES} lines in {result.readers_seconds:.1f} s "
            f"({result.requests_per_second:,.1f} requests/s, p95 {result.p95_ms:,.0f} ms)"
        )

    @bench.command("statements")
    def statements(
        payees: int = typer.Option(5_000, "--payees", min=1, help="Payees with statements."),
        workers: int | None = typer.Option(
            None, "--workers", min=1, help="Worker processes (default: every CPU core)."
        ),
        fmt: StatementFormat = typer.Option(StatementFormat.pdf, "--format"),
        profile: int = typer.Option(
            20, "--profile", min=0, help="Statements to profile in one process (0: none)."
        ),
        plans: Path = typer.Option(
            PLANS, "--plans", help="Plan files to run with (default: the sample plans)."
        ),
        db: str | None = typer.Option(
            None, "--db", help="Empty database to use; default: a throw-away SQLite file."
        ),
        seed: int = typer.Option(0, "--seed"),
    ) -> None:
        """Run a synthetic cycle, then time `statements` for its payees on every core and
        show where a statement's time goes."""
        import time

        from compengine.bench.statements_bench import (
            bench_statements,
            prepare_cycle,
            profile_stages,
            synthetic_shape,
        )
        from compengine.plan.load import load_plans
        from compengine.statements.bulk import cores
        from compengine.statements.renderers import StatementRenderer

        plan_versions = load_plans([plans])
        renderer = StatementRenderer(tuple(plan_versions), fmt)
        with _scratch(db) as (workdir, url):
            started = time.perf_counter()
            period = prepare_cycle(url, synthetic_shape(payees, seed), plan_versions, workdir)
            result = bench_statements(
                url,
                period,
                workdir / "statements",
                renderer,
                fmt=fmt,
                workers=workers or cores(),
                payees=payees,
                setup_seconds=time.perf_counter() - started,
            )
            stages = profile_stages(url, period, renderer, profile) if profile else []
        shown = _shown(db)
        typer.echo(terminal_text(f"database:            {shown}"))
        typer.echo(
            f"cycle:               {payees:,} payees, {period} run in {result.setup_seconds:.1f} s"
        )
        typer.echo(
            f"statements:          {result.statements:,} {fmt.upper()} in "
            f"{result.wall_seconds:.1f} s wall on {result.workers} worker(s) "
            f"({result.out_bytes / 2**20:,.1f} MiB)"
        )
        typer.echo(
            f"per second:          {result.per_second:,.1f} ({result.per_core:,.1f} per core)"
        )
        typer.echo(f"5,000 statements:    {5_000 / result.per_second:,.0f} s at this rate")
        if result.worker_peak_rss_mib is not None:
            typer.echo(f"peak RSS:            {result.worker_peak_rss_mib:,.0f} MiB per worker")
        if stages:
            typer.echo(f"time per statement, {profile} statements in one process:")
            for stage, seconds in stages:
                typer.echo(f"  {stage:<30} {seconds * 1000:8.1f} ms")

    @bench.command("analytics")
    def analytics(
        ctx: typer.Context,
        rows: int = typer.Option(1_000_000, "--rows", min=1, help="Usage rows to generate."),
        accounts: int = typer.Option(10_000, "--accounts", min=1),
        payees: int = typer.Option(1_000, "--payees", min=3),
        months: int = typer.Option(12, "--months", min=2, max=120),
        plans: Path = typer.Option(
            PLANS, "--plans", help="Plan files (default: the sample plans)."
        ),
        db: str | None = typer.Option(
            None, "--db", help="Empty database to use; default: a throw-away SQLite file."
        ),
        seed: int = typer.Option(0, "--seed"),
    ) -> None:
        """Generate and load a synthetic ledger, then time the bridge over all its months
        (total and --by payee) and the windows, and show they read the monthly aggregate."""
        from compengine.bench.analytics_bench import bench_analytics
        from compengine.plan.load import load_plans

        shape = LedgerShape(
            usage_rows=rows, accounts=accounts, payees=payees, months=months, seed=seed
        )
        plan_versions = load_plans([plans])
        with _scratch(db) as (workdir, url):
            result = bench_analytics(url, shape, plan_versions, workdir, actor=state(ctx).actor)
        shown = _shown(db)
        typer.echo(terminal_text(f"database:            {shown}"))
        typer.echo(
            f"ledger:              {result.usage_rows:,} usage rows -> "
            f"{result.aggregate_rows:,} monthly aggregate rows; load {result.load_seconds:.1f} s"
        )
        typer.echo(f"bridge {result.span[0]}..{result.span[1]}: {result.bridge_seconds:.2f} s")
        typer.echo(f"bridge --by payee:   {result.bridge_by_payee_seconds:.2f} s")
        typer.echo(f"windows:             {result.windows_seconds:.2f} s")
        typer.echo(
            f"SQL statements:      {result.statements}, of which naming usage_entry: "
            f"{len(result.raw_ledger_statements)} (the end-month query of contracts that end "
            "mid-month); the aggregate is read once per report"
        )
