"""Shared fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from COMPENGINE_TEST_PG_URL (a server URL; each test gets a fresh
database on it). `.ci/run` starts a throw-away server and sets it; in CI a missing
server is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from compengine.cli import main

PG_ENV = "COMPENGINE_TEST_PG_URL"


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    server = os.environ.get(PG_ENV)
    if not server:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"{PG_ENV} not set (run through .ci/run or make test)")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database (no schema yet) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'compengine.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(db_url, capsys, monkeypatch, tmp_path) -> Callable[..., CliResult]:
    """Run `compengine --db <db_url> ARGS...` in-process, in a scratch working directory."""
    monkeypatch.chdir(tmp_path)

    def run(*args: object) -> CliResult:
        capsys.readouterr()
        code = main(["--db", db_url, *(str(a) for a in args)])
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


def table_snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: to assert that a refused command wrote nothing."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return {
                table: sorted(
                    (
                        tuple(map(repr, row))
                        for row in connection.execute(text(f'SELECT * FROM "{table}"'))
                    ),
                )
                for table in sorted(tables)
            }
    finally:
        engine.dispose()
