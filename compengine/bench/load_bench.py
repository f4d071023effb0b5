"""Timing `load` on a synthetic ledger: rows per second, wall time and peak memory."""

from __future__ import annotations

import resource
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from compengine.bench.synthetic import LedgerShape, write_synthetic_ledger
from compengine.errors import UserError
from compengine.ledger.load import LoadReport, load_directory
from compengine.storage.database import make_engine, transaction, upgrade_schema
from compengine.storage.models import UsageEntry


@dataclass(frozen=True)
class LoadBenchmark:
    rows: int
    generate_seconds: float
    load_seconds: float
    rss_before_load_mib: float
    peak_rss_mib: float
    report: LoadReport

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.load_seconds if self.load_seconds else 0.0


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_load(url: str, shape: LedgerShape, workdir: Path, *, actor: str) -> LoadBenchmark:
    """Generate the ledger under `workdir`, load it into the empty database at `url`."""
    started = time.perf_counter()
    directory = write_synthetic_ledger(shape, workdir / "ledger")
    generated = time.perf_counter()
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        with transaction(engine) as session:
            if session.scalar(select(func.count()).select_from(UsageEntry)):
                raise UserError.single(f"{url}: the benchmark needs a database without usage rows")
        rss_before = peak_rss_mib()
        loading = time.perf_counter()
        report = load_directory(engine, directory, actor=actor)
        loaded = time.perf_counter()
    finally:
        engine.dispose()
        shutil.rmtree(directory, ignore_errors=True)
    return LoadBenchmark(
        rows=report.total("rows"),
        generate_seconds=generated - started,
        load_seconds=loaded - loading,
        rss_before_load_mib=rss_before,
        peak_rss_mib=peak_rss_mib(),
        report=report,
    )
