"""A load takes the database's compengine lock: it never interleaves with a run."""

from __future__ import annotations

from compengine.storage.database import make_engine
from compengine.storage.locking import exclusive
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
