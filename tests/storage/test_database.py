"""Opening a database: URLs compengine can use, and the schema revision it expects."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from compengine.storage.database import (
    SCHEMA_REVISION,
    alembic_config,
    describe_database_error,
    hide_password,
    parse_database_url,
    sqlite_file,
)


def test_the_expected_schema_revision_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config(None)).get_current_head() == SCHEMA_REVISION


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///compengine.db",
        "sqlite:////srv/pay/compengine.db",
        "sqlite+pysqlite:///compengine.db",
        "postgresql://pay@dbhost/pay",
        "postgresql+psycopg://pay:pw@dbhost:5433/pay",
    ],
)
def test_sqlite_and_postgresql_urls_are_accepted(url):
    assert parse_database_url(url).drivername.split("+")[0] in ("sqlite", "postgresql")


def test_the_file_of_an_sqlite_url_and_of_a_uri():
    assert str(sqlite_file(parse_database_url("sqlite:///a/b.db"))) == "a/b.db"
    uri = parse_database_url("sqlite:///file:/srv/b.db?mode=ro&uri=true")
    assert str(sqlite_file(uri)) == "/srv/b.db"
    assert sqlite_file(parse_database_url("postgresql://h/d")) is None


def test_a_password_is_hidden_wherever_it_is_echoed():
    url = parse_database_url("postgresql://pay:hunter2@dbhost/pay")
    assert hide_password("user pay, password hunter2", url) == "user pay, password ***"
    short = parse_database_url("postgresql://ops:pay@dbhost/pay")
    assert hide_password("payouts: password pay refused", short) == "payouts: password *** refused"
    assert hide_password("no password here", parse_database_url("sqlite:///x.db")) == (
        "no password here"
    )


class DriverError(Exception):
    """What a DBAPI driver raises: a message and, for PostgreSQL, an SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("url", "driver", "says"),
    [
        ("sqlite:///pay.db", DriverError("no such table: payout_line"), "run `compengine init`"),
        ("sqlite:///pay.db", DriverError("database is locked"), "locked by another program"),
        ("sqlite:///pay.db", DriverError("database or disk is full"), "is full; nothing was"),
        ("sqlite:///pay.db", DriverError("database disk image is malformed"), "not a usable"),
        ("sqlite:///pay.db", DriverError("unable to open database file"), "cannot open the"),
        ("postgresql://h/pay", DriverError("x", "25006"), "is read-only"),
        ("postgresql://h/pay", DriverError("password authentication failed"), "cannot log in"),
        ("postgresql://h/pay", DriverError("x", "42P01"), "lacks compengine's tables"),
        ("postgresql://h/pay", DriverError("server closed the connection"), "lost the connection"),
        ("postgresql://h/pay", DriverError("could not translate host name"), "cannot connect to"),
        ("postgresql://h/pay", DriverError("deadlock detected\nDETAIL: ..."), "database error on"),
    ],
)
def test_each_database_error_is_one_sentence_that_says_what_to_do(url, driver, says):
    message = describe_database_error(OperationalError("SELECT 1", {}, driver), make_url(url))
    assert says in message
    assert "\n" not in message
