"""Exclusive units of work: two runs (or a run and a load) never interleave.

The database's own locking does it, not a file: on PostgreSQL a transaction-level
advisory lock, on SQLite the single writer lock taken by BEGIN IMMEDIATE. Either
is released by commit, rollback, or the death of the process, so a killed run
leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from compengine.errors import UserError

ADVISORY_KEY = 0x636F6D70  # 'comp'
WAIT_SECONDS = 600
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's lock_timeout ran out
SQLITE_TIMEOUT_MS = 30_000  # what every other connection waits for a writer
BUSY = (
    "another compengine command (run, load, approve, lock, ...) is in progress on this "
    "database; try again when it has finished, or pass --wait"
)


class Busy(UserError):
    """The write lock is taken: nothing was done, and the same request may succeed later."""


@contextmanager
def exclusive(
    engine: Engine, *, wait: bool = False, wait_seconds: int = WAIT_SECONDS
) -> Iterator[Session]:
    """A transaction that holds the database's compengine write lock; fails at once when
    it is taken (Busy), or with wait=True after waiting up to `wait_seconds` for it."""
    if engine.dialect.name == "sqlite":
        connection = engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        raw = connection.connection.dbapi_connection
        raw.execute(f"PRAGMA busy_timeout = {wait_seconds * 1000 if wait else 0}")
        try:
            connection.begin()
        except exc.OperationalError as error:
            connection.close()
            if "locked" in str(error).lower() or "busy" in str(error).lower():
                raise Busy.single(BUSY) from error
            raise
        finally:
            raw.execute(f"PRAGMA busy_timeout = {SQLITE_TIMEOUT_MS}")
    else:
        connection = engine.connect()
        connection.begin()
        if wait:
            connection.execute(text(f"SET LOCAL lock_timeout = '{wait_seconds}s'"))
            try:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY}
                )
            except exc.OperationalError as error:
                connection.rollback()
                connection.close()
                if getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                    raise Busy.single(BUSY) from error
                raise
        elif not connection.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY}
        ).scalar():
            connection.rollback()
            connection.close()
            raise Busy.single(BUSY)
    try:
        with Session(bind=connection, join_transaction_mode="rollback_only") as session:
            yield session
            session.flush()
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()
