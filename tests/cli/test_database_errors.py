"""Every way the database can be wrong gives one clear message and exit 1 (spec section 6).

No traceback (the `cli` fixtures fail any test that prints one), no password, no
database file created as a side effect, nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from compengine.storage.database import SCHEMA_REVISION, alembic_config, make_engine
from tests.conftest import table_snapshot
from tests.cycles.conftest import DATA, PLAN, write_usage

PASSWORD = "s3cret-pw"
READ_ONLY_COMMANDS = [
    ("status",),
    ("payouts", "--period", "2027-01"),
    ("explain", "--payee", "ae1", "--period", "2027-01"),
    ("runs",),
    ("audit",),
    ("exceptions", "--period", "2027-01", "--plans", PLAN),
    ("payroll", "--period", "2027-01"),
    ("exports",),
]
WRITING_COMMANDS = [
    ("load", DATA),
    ("run", "--period", "2027-01", "--plans", PLAN),
    ("approve", "--period", "2027-01"),
    ("lock", "--period", "2027-01"),
    ("reopen", "--period", "2027-01", "--reason", "typo"),
    ("adjust", "--payee", "ae1", "--period", "2027-01", "--amount", "10", "--reason", "x"),
    ("hold", "--payee", "ae1", "--period", "2027-01", "--reason", "x"),
    ("export", "--period", "2027-01", "--key", "k"),
]


def sqlite_file(db_url: str):
    url = make_url(db_url)
    return url.database if url.get_backend_name() == "sqlite" else None


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS + WRITING_COMMANDS, ids=lambda c: c[0])
def test_every_command_before_init_says_to_run_init(cli, db_url, command):
    result = cli(*command)
    assert result.code == 1
    assert "run `compengine init`" in result.err
    assert result.err.count("\n") == 1
    if sqlite_file(db_url):
        assert "there is no compengine database at" in result.err
        assert not Path(sqlite_file(db_url)).exists()
    else:
        assert "has no compengine schema yet" in result.err
        assert table_snapshot(db_url) == {}


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=lambda c: c[0])
def test_a_read_only_command_in_an_empty_folder_leaves_no_database_behind(
    cli_here, tmp_path, command
):
    result = cli_here(*command)
    assert result.code == 1
    assert f"there is no compengine database at {tmp_path / 'compengine.db'}" in result.err
    assert list(tmp_path.iterdir()) == []


def test_an_empty_sqlite_file_has_no_schema(cli_here, tmp_path):
    (tmp_path / "compengine.db").touch()
    result = cli_here("status")
    assert result.code == 1
    assert "has no compengine schema yet: run `compengine init` first" in result.err


def test_a_schema_older_than_the_code_is_migrated_by_init(cli, db_url):
    from alembic import command

    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0002")
    engine.dispose()
    result = cli("status")
    assert result.code == 1
    assert (
        f"is at revision 0002, older than this compengine's {SCHEMA_REVISION}: "
        "run `compengine init` to migrate it" in result.err
    )
    migrated = cli("init")
    assert migrated.code == 0, migrated.err
    assert "migrated the compengine schema in" in migrated.out
    assert f"from revision 0002 to {SCHEMA_REVISION}" in migrated.out
    assert cli("status").code == 0


def test_a_schema_from_a_newer_compengine_is_refused_by_every_command(loaded, db_url):
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    before = table_snapshot(db_url)
    for command in (("status",), ("init",), ("run", "--period", "2027-01", "--plans", PLAN)):
        result = loaded(*command)
        assert result.code == 1, command
        assert "is at revision 0999, which this compengine" in result.err
        assert "upgrade compengine" in result.err
    assert table_snapshot(db_url) == before


@pytest.mark.parametrize("command", [("status",), ("init",), ("load", DATA)], ids=lambda c: c[0])
def test_a_file_that_is_not_an_sqlite_database_is_named_and_left_alone(cli_here, tmp_path, command):
    corrupt = tmp_path / "compengine.db"
    corrupt.write_bytes(b"payroll export, not a database\n" * 100)
    result = cli_here("--db", f"sqlite:///{corrupt}", *command)
    assert result.code == 1
    assert f"{corrupt} is not a usable SQLite database (file is not a database)" in result.err
    assert corrupt.read_bytes() == b"payroll export, not a database\n" * 100


def test_a_folder_is_not_a_database(cli_here, tmp_path):
    for command in ("status", "init"):
        result = cli_here("--db", f"sqlite:///{tmp_path}", command)
        assert result.code == 1
        assert f"{tmp_path} is a folder, not an SQLite database file" in result.err


def test_an_sqlite_path_whose_folder_does_not_exist(cli_here, tmp_path):
    missing = tmp_path / "no" / "such" / "compengine.db"
    status = cli_here("--db", f"sqlite:///{missing}", "status")
    assert status.code == 1
    assert f"there is no compengine database at {missing}" in status.err
    init = cli_here("--db", f"sqlite:///{missing}", "init")
    assert init.code == 1
    assert f"the folder {missing.parent} of the SQLite database does not exist" in init.err
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("url", ["foo", "compengine.db", "://", "sqlite:/x.db"])
def test_a_malformed_db_url_names_the_option(cli_here, url):
    result = cli_here("--db", url, "status")
    assert result.code == 1
    assert result.err.startswith("--db: ")
    assert "is not a database URL (use sqlite:///FILE or postgresql+psycopg://" in result.err


def test_a_malformed_url_with_a_password_is_not_echoed(cli_here):
    result = cli_here("--db", f"admin:{PASSWORD}@dbhost/pay", "status")
    assert result.code == 1
    assert "--db: this is not a database URL" in result.err
    assert PASSWORD not in result.err + result.out


def test_a_bad_url_in_the_environment_names_the_variable(cli_here, monkeypatch):
    monkeypatch.setenv("COMPENGINE_DB", "foo")
    result = cli_here("runs")
    assert result.code == 1
    assert result.err.startswith("COMPENGINE_DB: 'foo' is not a database URL")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://pay:{pw}@dbhost/pay", "compengine works with SQLite and PostgreSQL, not 'mysql'"),
        ("oracle://pay:{pw}@dbhost/pay", "not 'oracle'"),
        ("mssql+pyodbc://pay:{pw}@dbhost/pay", "not 'mssql'"),
        ("postgres://pay:{pw}@dbhost/pay", "not 'postgres'"),
        ("postgresql+asyncpg://pay:{pw}@dbhost/pay", "the driver 'asyncpg' is not supported"),
        ("sqlite+aiosqlite:///x.db", "the driver 'aiosqlite' is not supported"),
        ("sqlite://", "an in-memory SQLite database lasts for one command only"),
    ],
)
def test_an_unsupported_database_or_driver_is_refused_up_front(cli_here, tmp_path, url, message):
    for command in ("init", "status"):
        result = cli_here("--db", url.format(pw=PASSWORD), command)
        assert result.code == 1
        assert message in result.err
        assert PASSWORD not in result.err + result.out
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_postgresql_server_without_the_password(cli_here):
    url = f"postgresql+psycopg://pay:{PASSWORD}@127.0.0.1:1/pay"
    for command in ("init", "status", "load"):
        result = cli_here("--db", url, command, *((DATA,) if command == "load" else ()))
        assert result.code == 1
        assert "cannot connect to postgresql+psycopg://pay:***@127.0.0.1:1/pay" in result.err
        assert "Connection refused" in result.err
        assert PASSWORD not in result.err + result.out


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist(cli_here):
    from tests.conftest import fresh_postgres_database

    with fresh_postgres_database() as existing:
        url = make_url(existing).set(database="no_such_payroll", password=PASSWORD)
    for command in ("init", "status"):
        result = cli_here("--db", url.render_as_string(hide_password=False), command)
        assert result.code == 1
        assert "the database 'no_such_payroll' does not exist on the server of" in result.err
        assert "(createdb no_such_payroll), then run `compengine init`" in result.err
        assert PASSWORD not in result.err + result.out


def read_only(db_url: str) -> str:
    """The same database, opened read-only (an SQLite URI; PostgreSQL's default)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///file:{url.database}?mode=ro&uri=true"
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'ALTER DATABASE "{url.database}" SET default_transaction_read_only = on')
        )
    admin.dispose()
    return db_url


def test_a_read_only_database_refuses_writes_with_a_message_and_still_reads(
    loaded, cli_here, db_url, tmp_path
):
    assert loaded("run", "--period", "2027-01", "--plans", PLAN).code == 0
    late = write_usage(tmp_path / "late", ("u-late", "acme", "2027-02-14", "-500.00"))
    url = read_only(db_url)
    before = table_snapshot(db_url)
    for command in (
        ("load", late),
        ("run", "--period", "2027-02", "--plans", PLAN),
        ("approve", "--period", "2027-01"),
        ("adjust", "--payee", "ae1", "--period", "2027-02", "--amount", "10", "--reason", "x"),
    ):
        result = cli_here("--db", url, *command)
        assert result.code == 1, command
        assert "is read-only; this command needs to write to it" in result.err
    assert table_snapshot(db_url) == before
    for command in (("status",), ("payouts", "--period", "2027-01"), ("runs",)):
        assert cli_here("--db", url, *command).code == 0


@pytest.mark.parametrize("command", [("status",), ("load", DATA)], ids=lambda c: c[0])
def test_the_installed_command_before_init_says_so_without_a_traceback(
    cli_process, db_url, command
):
    result = cli_process(*command)
    assert result.code == 1
    assert "run `compengine init`" in result.err
    database = sqlite_file(db_url)
    assert database is None or not Path(database).exists()
