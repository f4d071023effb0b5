"""`compengine statements`: every statement of a period into a folder, all or nothing
(spec section 9).

The parent process checks everything first (the period, the payees, the folder), then
a pool of worker processes renders the statements into a temporary folder beside DIR;
each worker opens its own engine from the URL and reads its payees itself, so nothing
but ids and names crosses a process boundary. Only when every statement succeeded and
the period's lines did not change meanwhile do the files move into DIR (renames on one
file system); a failure or Ctrl-C at any point leaves DIR as it was and removes the
temporary folder.

The renderer is passed in as a factory that each worker calls once (to load plans,
templates, fonts and stylesheets before its first statement), so that the machinery
here can be tested with small fake renderers.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from compengine.cycles.faults import pause_point
from compengine.cycles.periods import OPEN, checked_period, get_period
from compengine.errors import UserError
from compengine.money import format_cents
from compengine.safe_csv import write_csv
from compengine.statements.files import statement_file_names
from compengine.storage.database import (
    describe_database_error,
    hide_password,
    make_engine,
    open_database,
)
from compengine.storage.models import Payee, PayoutLine

Render = Callable[[Session, str, str], bytes]
"""(session, payee id, period) -> the statement file's bytes."""
RendererFactory = Callable[[], Render]
"""Picklable; called once in each worker, where it may load and warm up what it needs."""

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["payee_id", "name", "file", "lines", "paid", "held", "sha256"]
# A statement file of any period: '<safe id>_YYYY-MM.pdf' or '.html'.
_STATEMENT_FILE = re.compile(r"_([0-9]{4}-[0-9]{2})\.(pdf|html)$")
_SHOWN_NAMES = 3


@dataclass(frozen=True)
class ManifestRow:
    payee_id: str
    name: str
    file: str
    lines: int
    paid_cents: int
    held_cents: int
    sha256: str

    def record(self) -> dict[str, object]:
        return {
            "payee_id": self.payee_id,
            "name": self.name,
            "file": self.file,
            "lines": self.lines,
            "paid": format_cents(self.paid_cents),
            "held": format_cents(self.held_cents),
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class Manifest:
    period: str
    directory: Path
    rows: tuple[ManifestRow, ...]
    worker_peak_rss_kib: int | None = None  # the largest worker's (Linux), for benchmarks


@dataclass(frozen=True)
class _Payee:
    """What the manifest says of a payee, read once by the parent."""

    payee_id: str
    name: str
    lines: int
    paid_cents: int
    held_cents: int


@dataclass(frozen=True)
class _Written:
    payee_id: str
    sha256: str
    peak_rss_kib: int | None  # the worker's so far


@dataclass(frozen=True)
class _Failed:
    payee_id: str
    message: str


def write_statements(
    url: str,
    period: str,
    payee_ids: Sequence[str],
    out_dir: Path,
    *,
    fmt: str,
    force: bool,
    renderer: RendererFactory,
    workers: int | None = None,
    progress: bool = True,
) -> Manifest:
    """Write the statements of `period` (of `payee_ids`, else of every payee with a line
    in it) and manifest.csv into `out_dir`; a UserError, with `out_dir` untouched,
    when any of them cannot be written."""
    period = checked_period(period)
    engine = open_database(make_url(url))
    try:
        with Session(engine) as session:
            payees = _payees(session, period, payee_ids)
            before = _lines_signature(session, period)
        names = statement_file_names([p.payee_id for p in payees], period, fmt)
        files = [*names.values(), MANIFEST]
        target = _checked_out_dir(out_dir, period, files, force)
        with _staging_beside(target) as staging:
            sha256, peak = _render_all(url, period, names, staging, renderer, workers, progress)
            rows = tuple(
                ManifestRow(
                    p.payee_id,
                    p.name,
                    names[p.payee_id],
                    p.lines,
                    p.paid_cents,
                    p.held_cents,
                    sha256[p.payee_id],
                )
                for p in payees
            )
            _write_manifest(staging / MANIFEST, rows)
            with Session(engine) as session:
                _refuse_if_changed(session, period, before, out_dir)
            _move_into(staging, target, files, out_dir)
        return Manifest(period, out_dir, rows, peak)
    finally:
        engine.dispose()


def _write_manifest(path: Path, rows: tuple[ManifestRow, ...]) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            write_csv([row.record() for row in rows], MANIFEST_COLUMNS, handle)
    except OSError as error:
        raise UserError.single(f"--out: cannot write {MANIFEST}: {error.strerror}") from None


def _refuse_if_changed(session: Session, period: str, before: str, out_dir: Path) -> None:
    """The statements and the manifest must show one state of the period's lines."""
    if _lines_signature(session, period) != before:
        raise UserError.single(
            f"the lines of {period} changed while its statements were rendered (a run, an "
            f"adjustment, a hold or a lock): nothing was written to {out_dir}; run "
            "`statements` again"
        )


# --- the parent's checks, before anything is written ---------------------------------


def _payees(session: Session, period: str, given: Sequence[str]) -> list[_Payee]:
    """The payees to write, by id: the ones given (each must exist), else every payee
    with a line (paid or held) or adjustment in the period."""
    if get_period(session, period).state == OPEN:
        raise UserError.single(f"--period: {period} has not been run: there are no statements")
    if given:
        wanted = sorted(set(given))
        names = _names(session, Payee.payee_id.in_(wanted))
        unknown = [payee_id for payee_id in wanted if payee_id not in names]
        if unknown:
            raise UserError([f"--payee: unknown payee {payee_id!r}" for payee_id in unknown])
    else:
        with_lines = select(PayoutLine.payee_id).where(PayoutLine.period == period)
        names = _names(session, Payee.payee_id.in_(with_lines))
    totals = _line_totals(session, period)
    return [
        _Payee(payee_id, names[payee_id], *totals.get(payee_id, (0, 0, 0)))
        for payee_id in sorted(names)
    ]


def _names(session: Session, where) -> dict[str, str]:
    query = select(Payee.payee_id, Payee.name).where(where)
    return {payee_id: name for payee_id, name in session.execute(query)}


def _line_totals(session: Session, period: str) -> dict[str, tuple[int, int, int]]:
    """{payee: (lines, paid cents, held cents)} of the period, adjustments included."""

    def cents(status: str):
        return func.coalesce(
            func.sum(case((PayoutLine.status == status, PayoutLine.amount_cents), else_=0)), 0
        )

    query = (
        select(PayoutLine.payee_id, func.count(), cents("paid"), cents("held"))
        .where(PayoutLine.period == period)
        .group_by(PayoutLine.payee_id)
    )
    return {
        payee_id: (int(count), int(paid), int(held))
        for payee_id, count, paid, held in session.execute(query)
    }


def _lines_signature(session: Session, period: str) -> str:
    """A digest of the period's state and lines, to notice a change while rendering."""
    row = get_period(session, period)
    digest = hashlib.sha256(f"{row.state}|{row.last_run_id}|{row.locked_at}".encode())
    query = (
        select(PayoutLine.id, PayoutLine.payee_id, PayoutLine.status, PayoutLine.amount_cents)
        .where(PayoutLine.period == period)
        .order_by(PayoutLine.id)
    )
    for line in session.execute(query):
        digest.update(repr(tuple(line)).encode())
    return digest.hexdigest()


def _checked_out_dir(out_dir: Path, period: str, names: list[str], force: bool) -> Path:
    """The real folder to write into (it may not exist yet); refused when it is not a
    folder, or holds files of these names or statements of another period (unless
    --force)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError.single(f"--out: {out_dir} is not a folder")
    if not out_dir.exists():
        parent = out_dir.absolute().parent
        if not parent.is_dir():
            raise UserError.single(f"--out: the folder {parent} does not exist: create it first")
        return parent.resolve() / out_dir.name
    target = out_dir.resolve()
    wanted = set(names)
    folders, same_names, other_periods = [], [], []
    for entry in sorted(os.scandir(target), key=lambda e: e.name):
        match = _STATEMENT_FILE.search(entry.name)
        if entry.name in wanted:
            (folders if entry.is_dir(follow_symlinks=False) else same_names).append(entry.name)
        elif match and match.group(1) != period:
            other_periods.append(entry.name)
    problems = [
        f"--out: {out_dir / name} is a folder; a file of that name is to be written"
        for name in folders
    ]
    if same_names and not force:
        problems.append(
            f"--out: {out_dir} already holds {len(same_names)} of the files to write "
            f"({_some(same_names)}); use --force to replace them"
        )
    if other_periods and not force:
        problems.append(
            f"--out: {out_dir} holds statements of another period ({_some(other_periods)}); "
            "use another folder, or --force"
        )
    if problems:
        raise UserError(problems)
    return target


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN_NAMES])
    return shown if len(names) <= _SHOWN_NAMES else f"{shown}, ..."


# --- rendering in worker processes ---------------------------------------------------


def _render_all(
    url: str,
    period: str,
    names: dict[str, str],
    staging: Path,
    renderer: RendererFactory,
    workers: int | None,
    progress: bool,
) -> tuple[dict[str, str], int | None]:
    """{payee: sha256} of every statement, written into `staging`, and the largest
    worker's peak RSS; a UserError naming the payee at the first failure."""
    if not names:
        return {}, None
    count = min(workers or cores(), len(names))
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(url, renderer, str(staging)),
    )
    done: dict[str, str] = {}
    peak: int | None = None
    try:
        # Workers start with Ctrl-C blocked: only this process answers it (and stops them).
        with _interrupts_blocked():
            pending = {
                pool.submit(_write_one, payee_id, name, period): payee_id
                for payee_id, name in names.items()
            }
        with progress_bar(progress, len(names), period) as advance:
            for future in as_completed(pending):
                result = _result(future, pending[future])
                if isinstance(result, _Failed):
                    raise UserError.single(
                        f"the statement of payee {result.payee_id!r} failed: "
                        f"{result.message}; nothing was written"
                    )
                done[result.payee_id] = result.sha256
                if result.peak_rss_kib is not None:
                    peak = max(peak or 0, result.peak_rss_kib)
                advance()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return done, peak


def _result(future: Future, payee_id: str) -> _Written | _Failed:
    try:
        return future.result()
    except BrokenProcessPool:
        return _Failed(
            payee_id, "its worker process ended unexpectedly (out of memory, or killed?)"
        )


def cores() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class _WorkerState:
    url: str
    staging: Path
    engine: Engine | None = None
    render: Render | None = None
    failure: str | None = None  # why the worker could not start


_worker: _WorkerState | None = None  # in each worker process, set once by _start_worker


def _start_worker(url: str, renderer: RendererFactory, staging: str) -> None:
    """Once per worker: its own engine, and the renderer warmed up."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = _WorkerState(url, Path(staging))
    try:
        _worker.engine = make_engine(url)
        _worker.render = renderer()
    except Exception as error:  # reported with each payee, as a value
        _worker.failure = _describe(error, url)


def _write_one(payee_id: str, name: str, period: str) -> _Written | _Failed:
    worker = _worker
    assert worker is not None, "_start_worker runs first in every worker"
    if worker.engine is None or worker.render is None:
        return _Failed(payee_id, f"the worker could not start: {worker.failure}")
    try:
        with Session(worker.engine) as session:
            content = worker.render(session, payee_id, period)
        with (worker.staging / name).open("xb") as handle:
            handle.write(content)
    except Exception as error:
        return _Failed(payee_id, _describe(error, worker.url))
    return _Written(payee_id, hashlib.sha256(content).hexdigest(), _peak_rss_kib())


def _peak_rss_kib() -> int | None:
    """This process's own peak RSS (VmHWM: getrusage would count the parent it was
    forked from before its exec); None where /proc is not Linux's."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def _describe(error: Exception, url: str) -> str:
    parsed = make_url(url)
    if isinstance(error, UserError):
        text = "; ".join(str(problem) for problem in error.problems)
    elif isinstance(error, SQLAlchemyError):
        text = describe_database_error(error, parsed)
    else:
        text = f"{type(error).__name__}: {error}"
    return hide_password(text, parsed)


@contextmanager
def progress_bar(show: bool, total: int, period: str) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr when it is a terminal; quiet otherwise."""
    if not (show and sys.stderr.isatty()):
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        f"statements {period}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=total)
        yield lambda: bar.advance(task)


# --- the temporary folder and the move into DIR --------------------------------------


@contextmanager
def _staging_beside(target: Path) -> Iterator[Path]:
    """A new folder beside `target` (so on its file system) for the new files; removed
    at the end, whatever happens."""
    try:
        root = Path(tempfile.mkdtemp(prefix=f".{target.name}.compengine-", dir=target.parent))
    except OSError as error:
        raise UserError.single(
            f"--out: cannot create a temporary folder in {target.parent}: {error.strerror}"
        ) from None
    try:
        (root / "new").mkdir()
        yield root / "new"
    finally:
        with _interrupts_deferred():
            shutil.rmtree(root, ignore_errors=True)


def _move_into(staging: Path, target: Path, names: list[str], shown: Path) -> None:
    """`_move_files`, with a file system error said as a located one."""
    try:
        _move_files(staging, target, names)
    except OSError as error:
        raise UserError.single(
            f"--out: cannot move the statements into {shown}: {error.strerror}; it is as it was"
        ) from None


def _move_files(staging: Path, target: Path, names: list[str]) -> None:
    """Move the files into `target` all together: a failure or Ctrl-C on the way puts
    back what was moved (and what was replaced), so that `target` stays as it was."""
    with _interrupts_deferred() as interrupted:
        if not target.exists():
            os.rename(staging, target)
            os.chmod(target, 0o777 & ~_umask())
            if interrupted:
                os.rename(target, staging)
                raise KeyboardInterrupt
            return
        replaced = staging.parent / "replaced"
        replaced.mkdir()
        moves: list[tuple[Path, Path]] = []
        try:
            for name in names:
                if os.path.lexists(target / name):
                    os.replace(target / name, replaced / name)
                    moves.append((target / name, replaced / name))
                os.replace(staging / name, target / name)
                moves.append((staging / name, target / name))
                pause_point("statements:moving")
            if interrupted:
                raise KeyboardInterrupt
        except BaseException:
            for source, destination in reversed(moves):
                os.replace(destination, source)
            raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """SIGINT held back (and inherited so by processes started meanwhile); one that
    arrives is delivered when the block ends."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def _interrupts_deferred() -> Iterator[list[int]]:
    """Ctrl-C recorded instead of raised, so that a move or a clean-up runs to its end;
    one that arrived is raised when the block ends normally (the caller may act on it
    earlier through the list)."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda number, _frame: received.append(number))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
