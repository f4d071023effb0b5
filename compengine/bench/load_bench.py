"""Timing `load` on a synthetic ledger: rows per second, wall and CPU time and peak memory,
of `compengine load` in a child process as a user starts it (the ledger is generated in
a fresh process of its own, so that its memory is not counted in the load's)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from compengine.bench.measure import Measured, in_fresh_process, measure_command
from compengine.bench.synthetic import LedgerShape, write_synthetic_ledger
from compengine.errors import UserError
from compengine.storage.database import make_engine, transaction, upgrade_schema
from compengine.storage.models import Account, Assignment, Contract, Payee, UsageEntry

LOADED_TABLES = (Payee, Account, Assignment, Contract, UsageEntry)


@dataclass(frozen=True)
class LoadBenchmark:
    rows: int  # rows the load added from the five files
    generate_seconds: float
    load: Measured

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.load.wall_seconds if self.load.wall_seconds else 0.0


def bench_load(url: str, shape: LedgerShape, workdir: Path, *, actor: str) -> LoadBenchmark:
    """Generate the ledger under `workdir`, load it into the empty database at `url`."""
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        if _count(engine, UsageEntry):
            raise UserError.single(f"{url}: the benchmark needs a database without usage rows")
        stored_before = sum(_count(engine, table) for table in LOADED_TABLES)
        started = time.perf_counter()
        directory = in_fresh_process(write_synthetic_ledger, shape, workdir / "ledger")
        generated = time.perf_counter()
        try:
            load = measure_command(
                ["--db", url, "--user", actor, "load", str(directory)], workdir / "load.log"
            )
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        rows = sum(_count(engine, table) for table in LOADED_TABLES) - stored_before
    finally:
        engine.dispose()
    return LoadBenchmark(rows, generated - started, load)


def _count(engine, table: type) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0
