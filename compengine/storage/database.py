"""Engines, transactions and schema migration for SQLite and PostgreSQL alike.

Opening a database is checked before any work starts (the URL, the SQLite file, the
schema's revision), and every database error has words a user can act on
(`describe_database_error`), with the password of the URL never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session, create_engine

from compengine.errors import UserError
from compengine.storage import models  # noqa: F401  (registers the tables)

# The newest migration in migrations/versions; tests/storage/test_database.py holds it
# to Alembic's head, so that reading it costs no Alembic import.
SCHEMA_REVISION = "0005"
SUPPORTED = "sqlite:///FILE or postgresql+psycopg://USER@HOST/DATABASE"
_DRIVERS = {"sqlite": ("", "pysqlite"), "postgresql": ("", "psycopg")}
CONNECT_TIMEOUT_SECONDS = 10
_MISSING_DATABASE = re.compile(r'database "[^"]*" does not exist')


def parse_database_url(text: str) -> URL:
    """The URL of a database compengine can use; ValueError (without the password)
    otherwise."""
    try:
        url = make_url(text)
    except ArgumentError:
        # Echo the text only when it cannot hold a password.
        what = f"{text!r} is" if "@" not in text else "this is"
        raise ValueError(f"{what} not a database URL (use {SUPPORTED})") from None
    backend, _, driver = url.drivername.partition("+")
    if backend not in _DRIVERS:
        raise ValueError(
            f"compengine works with SQLite and PostgreSQL, not {backend!r} (use {SUPPORTED})"
        )
    if driver not in _DRIVERS[backend]:
        raise ValueError(f"the driver {driver!r} is not supported (use {SUPPORTED})")
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError(
            "an in-memory SQLite database lasts for one command only; name a file: "
            "sqlite:///compengine.db"
        )
    return url


def shown(url: URL) -> str:
    """The URL as messages show it: the password hidden."""
    return url.render_as_string(hide_password=True)


def hide_password(message: str, url: URL | None) -> str:
    """`message` with the URL's password, wherever a driver echoed it, hidden."""
    if url is None or not url.password:
        return message
    # Whole words only: a password "pay" must not turn "payouts" into "***outs".
    return re.sub(rf"(?<!\w){re.escape(str(url.password))}(?!\w)", "***", message)


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite URL (also of a `file:` URI); None for PostgreSQL."""
    if url.get_backend_name() != "sqlite" or url.database is None:
        return None
    if url.query.get("uri") == "true":
        return Path(urlparse(url.database).path)
    return Path(url.database)


def make_engine(url: str | URL, **pool: int) -> Engine:
    """An engine whose SQLite connections behave transactionally like PostgreSQL's;
    `pool` is passed to SQLAlchemy's QueuePool (SQLAlchemy's defaults without it)."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **pool)

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
    if "connect_timeout" in url.query:
        return create_engine(url, **pool)
    # An unreachable server fails in seconds, not after the system's TCP timeout.
    return create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}, **pool)


def open_database(url: URL, **pool: int) -> Engine:
    """An engine on an existing compengine database whose schema is current; `pool`
    sizes its connection pool (`pool_size`, `max_overflow`, `pool_timeout`).

    Never creates anything: a missing SQLite file is an error, not a new empty file,
    so that a read-only command leaves no database behind.
    """
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise UserError.single(_missing_file(path))
    engine = make_engine(url, **pool)
    revision = schema_revision(engine)
    if revision != SCHEMA_REVISION:
        engine.dispose()
        raise UserError.single(_schema_problem(revision, url))
    return engine


def open_for_init(url: URL) -> Engine:
    """An engine for `init`, which may create the SQLite file (but not its folder)."""
    path = sqlite_file(url)
    if path is not None:
        if path.is_dir():
            raise UserError.single(f"{path} is a folder, not an SQLite database file")
        if not path.parent.is_dir():
            raise UserError.single(
                f"the folder {path.parent} of the SQLite database does not exist: create it first"
            )
    return make_engine(url)


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision of the database's schema; None when it has none."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@dataclass(frozen=True)
class SchemaChange:
    before: str | None  # None: the database had no compengine schema
    after: str


def upgrade_schema(engine: Engine) -> SchemaChange:
    """Create the schema or bring it to the newest migration."""
    from alembic import command  # only init migrates: keep Alembic out of other commands

    before = schema_revision(engine)
    if before is not None and before not in known_revisions():
        raise UserError.single(_schema_problem(before, engine.url))
    command.upgrade(alembic_config(engine), "head")
    return SchemaChange(before, schema_revision(engine) or "")


def alembic_config(engine: Engine | None):
    from importlib import resources

    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("compengine.migrations")))
    config.attributes["engine"] = engine
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(None))
    return {revision.revision for revision in script.walk_revisions()}


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One all-or-nothing unit of work: commit on success, roll back on any error."""
    with Session(engine) as session, session.begin():
        yield session


def describe_database_error(error: SQLAlchemyError, url: URL | None) -> str:
    """One sentence saying what went wrong with the database and what to do."""
    path = sqlite_file(url) if url is not None else None
    where = str(path or (shown(url) if url is not None else "the database"))
    original = getattr(error, "orig", None) or error
    detail = _first_line(str(original))
    lowered = detail.lower()
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate == "3D000" or _MISSING_DATABASE.search(detail):
        name = url.database if url is not None else "?"
        return (
            f"the database {name!r} does not exist on the server of {where}: create it "
            f"(createdb {name}), then run `compengine init`"
        )
    if sqlstate in ("28000", "28P01") or "authentication failed" in lowered:
        return f"cannot log in to {where}: {detail}"
    if sqlstate == "25006" or "readonly database" in lowered or "read-only" in lowered:
        return f"the database {where} is read-only; this command needs to write to it"
    if sqlstate == "42P01" or "no such table" in lowered:
        return f"the database {where} lacks compengine's tables ({detail}): run `compengine init`"
    if "file is not a database" in lowered or "malformed" in lowered:
        return (
            f"{where} is not a usable SQLite database ({detail}): point --db at "
            "a compengine database, or restore this one from a backup"
        )
    if "unable to open database file" in lowered:
        return (
            f"cannot open the SQLite database {where}: check that the file and its "
            "folder may be read and written"
        )
    if "database is locked" in lowered:
        return f"the database {where} is locked by another program; try again when it is done"
    if "disk is full" in lowered or "no space left" in lowered:
        return f"the disk of the database {where} is full; nothing was written"
    if lowered.startswith(("connection failed", "could not", "timeout expired")):
        return f"cannot connect to {where}: {detail.removeprefix('connection failed: ')}"
    if "closed the connection" in lowered or "terminating connection" in lowered:
        return f"lost the connection to {where} ({detail}); unfinished changes were rolled back"
    return f"database error on {where}: {detail}"


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "(no message)"


def _missing_file(path: Path) -> str:
    if path.is_dir():
        return f"{path} is a folder, not an SQLite database file"
    return (
        f"there is no compengine database at {path}: run `compengine init` to create one, "
        "or choose the database with --db, COMPENGINE_DB or compengine.toml"
    )


def _schema_problem(revision: str | None, url: URL) -> str:
    where = shown(url)
    if revision is None:
        return f"the database {where} has no compengine schema yet: run `compengine init` first"
    if revision in known_revisions():
        return (
            f"the schema of the database {where} is at revision {revision}, older than this "
            f"compengine's {SCHEMA_REVISION}: run `compengine init` to migrate it"
        )
    return (
        f"the schema of the database {where} is at revision {revision}, which this compengine "
        f"(schema {SCHEMA_REVISION}) does not know: a newer compengine migrated it; upgrade "
        "compengine"
    )
