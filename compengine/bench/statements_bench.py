"""Timing `statements` on a synthetic cycle, and where a statement's time goes.

A synthetic ledger with one AE or CSM per payee is loaded and its last month run (not
timed); then every statement of that month is written by `write_statements` with the
renderer given, as `compengine statements` would, and timed. The profile renders a few
statements in this process under cProfile and splits their time into stages by the
functions of Jinja2 and WeasyPrint that do each one.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from compengine.bench.synthetic import LedgerShape, write_synthetic_ledger
from compengine.cycles.run import run_period
from compengine.ledger.load import load_directory
from compengine.months import format_period, parse_period
from compengine.plan.model import PlanVersion
from compengine.statements.bulk import RendererFactory, write_statements
from compengine.storage.database import make_engine, upgrade_schema
from compengine.storage.models import PayoutLine

# (stage, file name ending, function): the function whose cumulative time is the stage's;
# a stage's own time is its cumulative time less the stages nested in it.
_STAGE_FUNCTIONS = (
    ("view model (database)", "compengine/views/payee_period.py", "build_payee_period"),
    ("templates (Jinja2)", "jinja2/environment.py", "render"),
    ("parse and style (WeasyPrint)", "weasyprint/document.py", "_render"),
    ("layout (WeasyPrint)", "weasyprint/layout/__init__.py", "layout_document"),
    ("PDF writing", "weasyprint/document.py", "write_pdf"),
    ("font subsetting", "weasyprint/pdf/fonts.py", "subset"),
)
_NESTED = {
    "parse and style (WeasyPrint)": ("layout (WeasyPrint)",),
    "PDF writing": ("font subsetting",),
}


@dataclass(frozen=True)
class StatementsBenchmark:
    payees: int
    statements: int
    workers: int
    period: str
    setup_seconds: float
    wall_seconds: float
    worker_peak_rss_mib: float | None  # None where it cannot be measured
    out_bytes: int

    @property
    def per_second(self) -> float:
        return self.statements / self.wall_seconds

    @property
    def per_core(self) -> float:
        return self.per_second / self.workers


def synthetic_shape(payees: int, seed: int = 0) -> LedgerShape:
    """A ledger where every payee but the manager holds two accounts (each account has an
    AE and a CSM) in the segments the sample plans pay for, with twelve months of usage:
    AEs get first purchase and ramp lines, CSMs sustained usage lines where the account
    kept its run rate."""
    return LedgerShape(
        usage_rows=payees * 12 * 3,
        accounts=payees,
        payees=payees + 1,
        months=12,
        seed=seed,
        segments=("enterprise", "mid-market"),
    )


def prepare_cycle(url: str, shape: LedgerShape, plans: list[PlanVersion], workdir: Path) -> str:
    """Load the synthetic ledger into the empty database at `url` and run its last month;
    the period."""
    directory = write_synthetic_ledger(shape, workdir / "ledger")
    period = format_period(parse_period(shape.first_month) + shape.months - 1)
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        load_directory(engine, directory, actor="bench")
        run_period(engine, period, plans, "bench")
    finally:
        engine.dispose()
    return period


def bench_statements(
    url: str,
    period: str,
    out: Path,
    renderer: RendererFactory,
    *,
    fmt: str,
    workers: int,
    payees: int,
    setup_seconds: float,
) -> StatementsBenchmark:
    started = time.perf_counter()
    manifest = write_statements(
        url, period, [], out, fmt=fmt, force=False, renderer=renderer, workers=workers
    )
    wall = time.perf_counter() - started
    return StatementsBenchmark(
        payees=payees,
        statements=len(manifest.rows),
        workers=workers,
        period=period,
        setup_seconds=setup_seconds,
        wall_seconds=wall,
        worker_peak_rss_mib=(
            None if manifest.worker_peak_rss_kib is None else manifest.worker_peak_rss_kib / 1024
        ),
        out_bytes=sum(path.stat().st_size for path in out.iterdir()),
    )


def profile_stages(
    url: str, period: str, renderer: RendererFactory, count: int
) -> list[tuple[str, float]]:
    """Seconds per statement in each stage, over the first `count` payees of `period`,
    rendered in this process after one warm-up statement; the rest is 'other'."""
    render = renderer()
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            query = select(PayoutLine.payee_id).where(PayoutLine.period == period).distinct()
            payee_ids = sorted(session.execute(query).scalars())[: count + 1]
            render(session, payee_ids[0], period)
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            for payee_id in payee_ids[1:]:
                render(session, payee_id, period)
            profiler.disable()
            total = time.perf_counter() - started
    finally:
        engine.dispose()
    done = max(1, len(payee_ids) - 1)
    cumulative = _cumulative(pstats.Stats(profiler))
    stages = [
        (stage, cumulative[stage] - sum(cumulative[n] for n in _NESTED.get(stage, ())))
        for stage, _, _ in _STAGE_FUNCTIONS
    ]
    stages.append(("other", total - sum(cumulative[stage] for stage in _top_level())))
    return [(stage, seconds / done) for stage, seconds in stages]


def _top_level() -> list[str]:
    nested = {stage for stages in _NESTED.values() for stage in stages}
    return [stage for stage, _, _ in _STAGE_FUNCTIONS if stage not in nested]


def _cumulative(stats: pstats.Stats) -> dict[str, float]:
    found = dict.fromkeys((stage for stage, _, _ in _STAGE_FUNCTIONS), 0.0)
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in (
        stats.stats.items()  # type: ignore[attr-defined]
    ):
        for stage, ending, name in _STAGE_FUNCTIONS:
            if function == name and filename.replace("\\", "/").endswith(ending):
                found[stage] += cumulative
    return found
