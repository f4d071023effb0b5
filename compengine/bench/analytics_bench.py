"""Timing the realization bridge and the windows on a synthetic ledger, and showing what
they read: the monthly aggregate, not the raw usage ledger.

Every SQL statement the reports send through SQLAlchemy is recorded; the aggregate itself
is read through the driver's own cursor (``calc.snapshot``), so its rows are counted from
the snapshot. The one statement that may name usage_entry is the end-month query, which
reads only the months in which a contract ends before the month's last day.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from compengine.analytics.bridge import GroupBy
from compengine.analytics.report import bridge_report, windows_report
from compengine.bench.synthetic import LedgerShape, write_synthetic_ledger
from compengine.ledger.load import load_directory
from compengine.months import format_period, parse_period
from compengine.plan.model import PlanVersion
from compengine.storage.database import make_engine, upgrade_schema
from compengine.storage.models import MonthlyUsage, UsageEntry


@dataclass(frozen=True)
class AnalyticsBenchmark:
    usage_rows: int
    aggregate_rows: int
    span: tuple[str, str]
    load_seconds: float
    bridge_seconds: float  # the total bridge
    bridge_by_payee_seconds: float
    windows_seconds: float
    statements: int  # SQL statements the three reports sent through SQLAlchemy
    raw_ledger_statements: list[str]  # those naming usage_entry (the end-month query)


def bench_analytics(
    url: str, shape: LedgerShape, plans: list[PlanVersion], workdir: Path, *, actor: str
) -> AnalyticsBenchmark:
    directory = write_synthetic_ledger(shape, workdir / "ledger")
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        started = time.perf_counter()
        load_directory(engine, directory, actor=actor)
        load_seconds = time.perf_counter() - started
        first = parse_period(shape.first_month)
        span = (format_period(first), format_period(first + shape.months - 1))
        sent: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            sent.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        with Session(engine) as session:
            timings = []
            for by in (None, GroupBy.payee):
                started = time.perf_counter()
                bridge_report(session, *span, plans, by=by)
                timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            windows_report(session, min_history=min(3, shape.months))
            timings.append(time.perf_counter() - started)
        event.remove(engine, "before_cursor_execute", record)
        with Session(engine) as session:
            aggregate = session.execute(select(func.count()).select_from(MonthlyUsage)).scalar_one()
        raw = [s for s in sent if UsageEntry.__tablename__ in s]
    finally:
        engine.dispose()
    return AnalyticsBenchmark(
        usage_rows=shape.usage_rows,
        aggregate_rows=aggregate,
        span=span,
        load_seconds=load_seconds,
        bridge_seconds=timings[0],
        bridge_by_payee_seconds=timings[1],
        windows_seconds=timings[2],
        statements=len(sent),
        raw_ledger_statements=raw,
    )
