"""`compengine bench load --rows N [--db URL]`: how fast a big ledger loads."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from compengine.bench.load_bench import bench_load
from compengine.bench.synthetic import LedgerShape
from compengine.cli.common import state


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
