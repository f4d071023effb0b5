"""Opening a database: URLs compengine can use, and the schema revision it expects."""

from __future__ import annotations

import pytest

from compengine.storage.database import (
    SCHEMA_REVISION,
    alembic_config,
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
