"""`compengine load DIR`: all-or-nothing loading of the input files in one transaction.

Files are read in chunks and checked row by row (vectorized) into temporary staging
tables, then checked across rows and files in SQL; only when no problem at all was
found are the ledger tables, the monthly usage aggregate, the load batch and the
audit log written. Any problem rolls the whole transaction back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
from sqlalchemy import Table, inspect
from sqlalchemy.engine import Connection, Engine

from compengine.errors import UserError
from compengine.ledger import staging
from compengine.ledger.aggregate import (
    MonthlyTotals,
    apply_monthly_totals,
    check_monthly_totals,
    stage_monthly_totals,
)
from compengine.ledger.batch import file_digest, record_batch, record_load_event
from compengine.ledger.checks import Staged, run_checks
from compengine.ledger.files import USAGE, FoundInput
from compengine.ledger.folder import find_inputs
from compengine.ledger.problems import ProblemLog
from compengine.ledger.readers import Chunking, InputReader
from compengine.ledger.rows import stored_names
from compengine.ledger.store import FileCounts, audit_replacements, count_rows, write_rows
from compengine.ledger.validate import LINE, StagedChunk, stage_chunk
from compengine.storage import bulk
from compengine.storage.locking import exclusive
from compengine.storage.models import LoadBatch

# (what is being done, fraction done or None when unknown)
ProgressReport = Callable[[str, float | None], None]

_SQLITE_CACHE_KIB = 64 * 1024  # page cache of the database and of the staging tables


@dataclass(frozen=True)
class LoadReport:
    batch_id: int
    files: list[FileCounts]

    @property
    def changed(self) -> bool:
        return any(counts.new or counts.replaced for counts in self.files)

    def total(self, field: str) -> int:
        return sum(getattr(counts, field) for counts in self.files)


def load_directory(
    engine: Engine,
    directory: Path,
    *,
    actor: str,
    replace: bool = False,
    wait: bool = False,
    chunking: Chunking = Chunking(),
    progress: ProgressReport | None = None,
) -> LoadReport:
    """Load every input file in DIR, or nothing: a UserError lists every problem found.

    Holds the database's compengine lock, so a load never interleaves with a run.
    """
    inputs = find_inputs(directory)
    report = progress or (lambda _what, _done: None)
    digests = {found.source: file_digest(found.path) for found in inputs}
    with exclusive(engine, wait=wait) as session:
        connection = session.connection()
        _require_schema(connection)
        with _bulk_settings(connection):
            staged = _stage_and_check(connection, inputs, replace, chunking, report)
            report("writing", None)
            counts = [count_rows(connection, item) for item in staged]
            batch = record_batch(
                session,
                directory=directory,
                counts=counts,
                digests=digests,
                actor=actor,
                replace=replace,
                at=datetime.now(UTC),
            )
            _write(connection, staged, counts, batch)
            record_load_event(session, batch, counts)
            return LoadReport(batch.id, counts)


def _stage_and_check(
    connection: Connection,
    inputs: list[FoundInput],
    replace: bool,
    chunking: Chunking,
    report: ProgressReport,
) -> list[Staged]:
    """Stage every file and run every check, the usage aggregate's range included;
    a UserError when any problem was found."""
    problems = ProblemLog([found.source for found in inputs])
    totals = MonthlyTotals(chunking.held_groups)
    staged: dict[str, Staged] = {}
    unreadable: set[str] = set()
    for found in inputs:
        staged[found.spec.name], readable = _stage_file(
            connection, found, problems, totals, chunking, report
        )
        if not readable:
            unreadable.add(found.spec.name)
    report("checking", None)
    run_checks(connection, staged, problems, replace=replace, unreadable=unreadable)
    if USAGE.name in staged and USAGE.name not in unreadable:
        stage_monthly_totals(connection, staged[USAGE.name], totals)
        check_monthly_totals(connection, staged[USAGE.name], problems)
    if problems:
        raise problems.error()
    return list(staged.values())


def _stage_file(
    connection: Connection,
    found: FoundInput,
    problems: ProblemLog,
    totals: MonthlyTotals,
    chunking: Chunking,
    report: ProgressReport,
) -> tuple[Staged, bool]:
    """Read, check and stage one file; whether all of its rows could be read."""
    table = staging.staging_table(found.spec, connection.dialect.name)
    rejected = staging.rejected_table(found.spec)
    for scratch in (table, rejected):
        staging.create(connection, scratch)
    reader = InputReader(found, problems)
    what = f"reading {found.source}"
    chunks = (
        stage_chunk(found, chunk, problems)
        for chunk in reader.chunks(chunking, lambda done: report(what, done))
    )
    rejected_lines = _write_staged(connection, table, chunks, totals)
    if rejected_lines:
        bulk.append(connection, rejected, pa.table({LINE: np.concatenate(rejected_lines)}))
    staging.prepare_for_queries(connection, table, stored_names(found.spec, found.spec.key))
    return Staged(found, table, rejected), reader.readable


def _write_staged(
    connection: Connection,
    table: Table,
    chunks: Iterator[StagedChunk],
    totals: MonthlyTotals,
) -> list[np.ndarray]:
    """Bulk-write the staged chunks into `table`, summing usage into `totals` on the way;
    the lines of the rows that failed a row check (8 bytes per bad row)."""
    rejected_lines: list[np.ndarray] = []
    names = [column.name for column in table.columns]
    while True:  # one bulk write per run of chunks; a run ends when the totals are full
        with bulk.bulk_writer(connection, table, names) as write:
            for staged in chunks:
                write(staged.rows)
                rejected_lines.append(staged.rejected_lines)
                totals.add(staged)
                if totals.full:
                    break
            else:
                return rejected_lines
        totals.hand_over(connection)  # only now: a COPY holds the connection until it ends


def _write(
    connection: Connection,
    staged: list[Staged],
    counts: list[FileCounts],
    batch: LoadBatch,
) -> None:
    """Audit the replacements and write the checked aggregate, then write the rows
    (in that order: the audit reads the stored rows as they were)."""
    for item, rows in zip(staged, counts, strict=True):
        if rows.replaced:
            audit_replacements(connection, item, batch)
        if item.spec is USAGE:
            apply_monthly_totals(connection)
    for item, rows in zip(staged, counts, strict=True):
        write_rows(connection, item, rows, load_id=batch.id)
        staging.drop(connection, item.table)
        staging.drop(connection, item.rejected)


def _require_schema(connection: Connection) -> None:
    if not inspect(connection).has_table(USAGE.table.name):
        raise UserError.single("the database has no schema yet: run `compengine init` first")


@contextmanager
def _bulk_settings(connection: Connection) -> Iterator[None]:
    """SQLite's page caches, enlarged while this load holds the connection."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = {
        database: connection.exec_driver_sql(f"PRAGMA {database}.cache_size").scalar()
        for database in ("main", "temp")
    }
    for database in before:
        connection.exec_driver_sql(f"PRAGMA {database}.cache_size = -{_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        for database, pages in before.items():
            connection.exec_driver_sql(f"PRAGMA {database}.cache_size = {pages}")
