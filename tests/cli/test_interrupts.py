"""Ctrl-C during `run` or `load`: exit 130, one line, no traceback, nothing written.

Each test starts a real process, waits until it is paused in the middle of its
transaction (after writing, before committing), sends SIGINT as a terminal's Ctrl-C
would, and then compares every table with the snapshot taken before.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import (
    ctrl_c_as_in_a_terminal,
    finish,
    process_environment,
    start_compengine,
    table_snapshot,
)
from tests.cycles.conftest import PLAN, write_usage

REPOSITORY = Path(__file__).parents[2]


def wait_for(marker: Path, process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the command never reached its pause point"
        time.sleep(0.05)


def interrupt(process, marker: Path, args):
    wait_for(marker, process)
    process.send_signal(signal.SIGINT)
    return finish(process, args, timeout=60)


def assert_interrupted(result) -> None:
    assert result.code == 130, result.err
    assert "interrupted: any unfinished change was rolled back" in result.err


def test_ctrl_c_during_run_exits_130_and_leaves_every_table_as_it_was(loaded, db_url, tmp_path):
    before = table_snapshot(db_url)
    marker = tmp_path / "paused"
    args = ("--db", db_url, "run", "--period", "2027-01", "--plans", PLAN)
    env = process_environment(COMPENGINE_PAUSE_AT="run:written", COMPENGINE_PAUSE_FILE=str(marker))
    result = interrupt(start_compengine(*args, cwd=tmp_path, env=env), marker, args)
    assert_interrupted(result)
    assert table_snapshot(db_url) == before
    assert loaded("run", "--period", "2027-01", "--plans", PLAN).code == 0


def pause_in_sql(pattern: str, marker: Path, *args: object):
    """The command, paused inside its first SQL statement matching `pattern` (Ctrl-C
    there surfaces as SQLAlchemy's PendingRollbackError in the cleanup)."""
    env = process_environment(
        COMPENGINE_TEST_PAUSE_SQL=pattern,
        COMPENGINE_PAUSE_FILE=str(marker),
        PYTHONPATH=str(REPOSITORY),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "tests.cli.pause_in_sql", *map(str, args)],
        cwd=marker.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )


def test_ctrl_c_inside_a_statement_of_load_exits_130_and_writes_nothing(loaded, db_url, tmp_path):
    late = write_usage(tmp_path / "late", ("u-late", "acme", "2027-02-14", "-500.00"))
    before = table_snapshot(db_url)
    marker = tmp_path / "paused"
    args = ("--db", db_url, "load", late)
    process = pause_in_sql(r"(?i)^\s*INSERT INTO usage_entry\b", marker, *args)
    assert_interrupted(interrupt(process, marker, args))
    assert table_snapshot(db_url) == before
    assert loaded("load", late).code == 0


def test_ctrl_c_inside_a_statement_of_run_exits_130_and_writes_nothing(loaded, db_url, tmp_path):
    """Paused in the audit event, the run's last statement: its lines, written in bulk on
    the driver's own connection before it, are rolled back with it."""
    before = table_snapshot(db_url)
    marker = tmp_path / "paused"
    args = ("--db", db_url, "run", "--period", "2027-01", "--plans", PLAN)
    process = pause_in_sql(r"(?i)^\s*INSERT INTO audit_event\b", marker, *args)
    assert_interrupted(interrupt(process, marker, args))
    assert table_snapshot(db_url) == before
