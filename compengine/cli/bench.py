"""`compengine bench load|run`: how fast a big ledger loads, and how fast a period runs."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from compengine.bench.load_bench import bench_load
from compengine.bench.run_bench import bench_run
from compengine.bench.synthetic import LedgerShape
from compengine.cli.common import state
from compengine.sample import PLANS


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
        seed: int = typer.Option(0, "--seed"),
    ) -> None:
        """Generate a synthetic ledger as CSV and time `load` on it."""
        shape = LedgerShape(
            usage_rows=rows,
            accounts=accounts,
            contracts=contracts,
            payees=payees,
            months=months,
            seed=seed,
        )
        with tempfile.TemporaryDirectory(prefix="compengine-bench-") as scratch:
            workdir = Path(scratch)
            url = db or f"sqlite:///{workdir / 'bench.db'}"
            result = bench_load(url, shape, workdir, actor=state(ctx).actor)
        shown = "throw-away SQLite" if db is None else make_url(db).render_as_string()
        typer.echo(f"database:        {shown}")
        typer.echo(f"rows loaded:     {result.rows:,} ({rows:,} usage)")
        typer.echo(f"generate:        {result.generate_seconds:.1f} s")
        typer.echo(f"load wall time:  {result.load_seconds:.1f} s")
        typer.echo(f"load rows/s:     {result.rows_per_second:,.0f}")
        typer.echo(
            f"peak RSS:        {result.peak_rss_mib:,.0f} MiB "
            f"({result.rss_before_load_mib:,.0f} MiB before loading)"
        )

    @bench.command("run")
    def run(
        ctx: typer.Context,
        rows: int = typer.Option(1_000_000, "--rows", min=1, help="Usage rows to generate."),
        accounts: int = typer.Option(10_000, "--accounts", min=1),
        payees: int = typer.Option(1_000, "--payees", min=3),
        months: int = typer.Option(12, "--months", min=1),
        plans: Path = typer.Option(
            PLANS, "--plans", help="Plan files to run with (default: the sample plans)."
        ),
        db: str | None = typer.Option(
            None, "--db", help="Empty database to use; default: a throw-away SQLite file."
        ),
        seed: int = typer.Option(0, "--seed"),
    ) -> None:
        """Generate and load a synthetic ledger, then time `run` of its last month against
        DuckDB aggregating the same raw usage rows."""
        shape = LedgerShape(
            usage_rows=rows, accounts=accounts, payees=payees, months=months, seed=seed
        )
        with tempfile.TemporaryDirectory(prefix="compengine-bench-") as scratch:
            workdir = Path(scratch)
            url = db or f"sqlite:///{workdir / 'bench.db'}"
            result = bench_run(url, shape, plans, workdir, actor=state(ctx).actor)
        shown = "throw-away SQLite" if db is None else make_url(db).render_as_string()
        typer.echo(f"database:            {shown}")
        typer.echo(
            f"ledger:              {result.usage_rows:,} usage rows, "
            f"{result.contracts:,} contracts, "
            f"{result.payees:,} payees, {months} months"
        )
        typer.echo(f"load:                {result.load_seconds:.1f} s")
        typer.echo(
            f"run {result.period}:         {result.run_seconds:.2f} s wall "
            f"({result.rows_per_second:,.0f} usage rows/s)"
        )
        typer.echo(f"run peak RSS:        {result.run_peak_rss_mib:,.0f} MiB")
        typer.echo(f"DuckDB U(c, m) only: {result.duckdb_seconds:.2f} s")
        typer.echo(f"run / DuckDB:        {result.ratio:.1f}x")
