"""Engines, transactions and schema migration for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from compengine.storage import models  # noqa: F401  (registers the tables)


def make_engine(url: str) -> Engine:
    """An engine whose SQLite connections behave transactionally like PostgreSQL's."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            # Let SQLAlchemy, not the driver, decide when transactions begin,
            # so BEGIN IMMEDIATE can be used for exclusive work.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:
            # Writers ask for IMMEDIATE (see storage.locking) so that two of them
            # cannot both read and then fail to write; readers begin deferred.
            connection.exec_driver_sql(
                f"BEGIN {connection.get_execution_options().get('sqlite_begin', '')}"
            )

        return engine
    return create_engine(url)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One all-or-nothing unit of work: commit on success, roll back on any error."""
    with Session(engine) as session, session.begin():
        yield session


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("compengine.migrations")))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine) -> None:
    """Create the schema or bring it to the newest migration."""
    command.upgrade(alembic_config(engine), "head")
