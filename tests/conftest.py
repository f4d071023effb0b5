"""Shared fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from COMPENGINE_TEST_PG_URL (a server URL; each test gets a fresh
database on it). `.ci/run` starts a throw-away server and sets it; in CI a missing
server is a failure, never a silent skip.

Commands run in-process (`cli`, `cli_here`) or as the real installed `compengine` in a
process of its own (`cli_process`, `run_compengine`, `start_compengine`: for Ctrl-C and
the entry point); every one of them fails the test when it prints a Python traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from compengine.cli import main
from tests.templates import Builder, Templates

PG_ENV = "COMPENGINE_TEST_PG_URL"
# The settings a developer's shell may hold; tests choose their own.
SETTINGS_ENV = ("COMPENGINE_DB", "COMPENGINE_PLANS", "COMPENGINE_USER")
# The installed `compengine` command, next to the interpreter running the tests.
COMPENGINE = Path(sys.executable).with_name("compengine")


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


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> Iterator[Templates]:
    built = Templates(tmp_path_factory.mktemp("templates"), os.environ.get(PG_ENV))
    yield built
    built.drop()


@pytest.fixture
def from_template(templates, db_url, tmp_path, cli_here) -> Callable[[str, Builder], object]:
    """`from_template(name, build)`: this test's database and folder as `build(cli, folder)`
    left them, built once per process (tests/templates.py); returns what `build` did."""

    def copy(name: str, build: Builder) -> object:
        return templates.copy(name, build, db_url=db_url, folder=tmp_path, cli_here=cli_here)

    return copy


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def without_traceback(result: CliResult, args: object) -> CliResult:
    """The result, or a failed test when the command printed a Python traceback:
    every test that runs a command proves that none reaches the user."""
    if "Traceback" in result.out or "Traceback" in result.err:
        pytest.fail(f"`compengine {args}` printed a traceback:\n{result.out}{result.err}")
    return result


@pytest.fixture
def cli_here(capsys, monkeypatch, tmp_path) -> Callable[..., CliResult]:
    """Run `compengine ARGS...` in-process in a scratch working directory, with no
    settings from the environment: the database is whatever the arguments choose."""
    monkeypatch.chdir(tmp_path)
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)

    def run(*args: object) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return without_traceback(CliResult(code, out, err), args)

    return run


@pytest.fixture
def cli(db_url, cli_here) -> Callable[..., CliResult]:
    """Run `compengine --db <db_url> ARGS...` in-process, in a scratch working directory."""

    def run(*args: object) -> CliResult:
        return cli_here("--db", db_url, *args)

    return run


def process_environment(**extra: str) -> dict[str, str]:
    """This process's environment without compengine settings, plus `extra`."""
    kept = {name: value for name, value in os.environ.items() if name not in SETTINGS_ENV}
    return {**kept, **extra}


def ctrl_c_as_in_a_terminal() -> None:
    """For `preexec_fn`: SIGINT's default action in the child, as a terminal gives it. A
    suite started in the background (nohup, `&` in a script) ignores SIGINT, children
    inherit that, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_compengine(
    *args: object, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """The real `compengine` entry point in a process of its own (to interrupt it)."""
    return subprocess.Popen(
        [str(COMPENGINE), *map(str, args)],
        cwd=cwd,
        env=env or process_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )


def finish(process: subprocess.Popen[str], args: object = "", timeout: float = 120) -> CliResult:
    """Wait for a started command; its result, failing the test on a traceback."""
    out, err = process.communicate(timeout=timeout)
    return without_traceback(CliResult(process.returncode, out, err), args)


def run_compengine(
    *args: object, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> CliResult:
    """Run the real `compengine ARGS...` to its end in `cwd`."""
    return finish(start_compengine(*args, cwd=cwd, env=env), args, timeout)


@pytest.fixture
def cli_process(db_url, tmp_path) -> Callable[..., CliResult]:
    """Run the real `compengine --db <db_url> ARGS...` in a process, in a scratch folder."""

    def run(*args: object, env: dict[str, str] | None = None) -> CliResult:
        return run_compengine("--db", db_url, *args, cwd=tmp_path, env=env)

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
