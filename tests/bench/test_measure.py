"""Commands measured as a user starts them, preparation in a fresh interpreter."""

from __future__ import annotations

import os

import pytest

from compengine.bench.measure import in_fresh_process, measure_command
from compengine.errors import UserError


def test_a_command_that_fails_under_the_benchmark_stops_it_with_its_own_message(tmp_path):
    missing = tmp_path / "none" / "bench.db"
    with pytest.raises(UserError) as stopped:
        measure_command(["--db", f"sqlite:///{missing}", "status"], tmp_path / "log")
    assert str(stopped.value).startswith(f"benchmark stopped: compengine --db sqlite:///{missing}")
    assert "Traceback" not in str(stopped.value)


def test_generating_and_duckdb_run_in_a_process_of_their_own():
    """Their memory must not start the measured commands' peak RSS (Linux keeps a parent's
    high-water mark in a child it starts)."""
    assert in_fresh_process(os.getpid) != os.getpid()
    assert in_fresh_process(divmod, 7, 2) == (3, 1)
