"""A load takes the database's compengine lock: it never interleaves with a run."""

from __future__ import annotations

import time

import pytest

from compengine.storage.database import make_engine
from compengine.storage.locking import Busy, exclusive
from tests.conftest import table_snapshot


def test_a_load_while_another_command_holds_the_lock_fails_at_once(
    initialized, db_url, worked_example
):
    engine = make_engine(db_url)
    before = table_snapshot(db_url)
    try:
        with exclusive(engine):
            result = initialized("load", worked_example)
    finally:
        engine.dispose()

    assert result.code == 1
    assert "another compengine command (run, load, approve, lock, ...) is in progress" in result.err
    assert table_snapshot(db_url) == before


def test_a_bounded_wait_for_a_held_lock_ends_busy_after_its_seconds(initialized, db_url):
    """Both databases: waiting one second for a lock another transaction holds gives Busy
    (PostgreSQL's lock_timeout surfaces as the same refusal as SQLite's busy timeout)."""
    engine = make_engine(db_url)
    try:
        with exclusive(engine):
            started = time.monotonic()
            with (
                pytest.raises(Busy, match="another compengine command"),
                exclusive(engine, wait=True, wait_seconds=1),
            ):
                pass
            assert 1 <= time.monotonic() - started < 10
        with exclusive(engine, wait=True, wait_seconds=1):
            pass  # free again
    finally:
        engine.dispose()
