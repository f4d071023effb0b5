"""Two processes on one database: runs never interleave, and a killed run leaves no trace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.conftest import table_snapshot
from tests.cycles.conftest import PLAN, amounts


def start_run(db_url, period, marker, *, pause_seconds="60", extra=()):
    env = {
        **os.environ,
        "COMPENGINE_PAUSE_AT": "run:written",
        "COMPENGINE_PAUSE_FILE": str(marker),
        "COMPENGINE_PAUSE_SECONDS": pause_seconds,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "compengine",
            "--db",
            db_url,
            "run",
            "--period",
            period,
            "--plans",
            str(PLAN),
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(marker, process, seconds=60):
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached its pause point"
        time.sleep(0.05)


def compengine(db_url, *args):
    return subprocess.run(
        [sys.executable, "-m", "compengine", "--db", db_url, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )


def test_a_second_run_fails_at_once_and_a_killed_run_leaves_the_database_unchanged(
    acme, db_url, tmp_path
):
    before = table_snapshot(db_url)
    marker = tmp_path / "paused"
    first = start_run(db_url, "2027-01", marker)
    try:
        wait_for(marker, first)
        started = time.monotonic()
        second = compengine(db_url, "run", "--period", "2027-02", "--plans", PLAN)
        assert second.returncode == 1
        assert (
            "another compengine command (run, load, approve, lock, ...) is in progress"
            in second.stderr
        )
        assert time.monotonic() - started < 15
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert table_snapshot(db_url) == before
    assert compengine(db_url, "run", "--period", "2027-01", "--plans", PLAN).returncode == 0


def test_wait_queues_behind_the_run_in_progress(acme, db_url, tmp_path):
    marker = tmp_path / "paused"
    first = start_run(db_url, "2027-01", marker, pause_seconds="2")
    wait_for(marker, first)
    second = compengine(db_url, "run", "--period", "2027-02", "--plans", PLAN, "--wait")
    assert first.wait(timeout=60) == 0
    assert second.returncode == 0, second.stderr
    assert amounts(acme, "2027-02") == {("ae1", "ramp"): "140.00"}
