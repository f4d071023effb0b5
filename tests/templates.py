"""Databases that many tests start from, built once per test process and copied.

Building the spec's worked example through the CLI (init, load, a few runs and locks)
takes one to three seconds, and hundreds of tests start from one of a dozen such
states. So each state is built once per process and backend, by the same CLI commands,
and every test gets its own copy: SQLite's backup API copies the file, PostgreSQL's
CREATE DATABASE ... TEMPLATE the database. The folder the builder wrote into (plan
files, usage files) is copied into the test's folder too, and paths in what the builder
returns are moved there.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

# the function a builder gets: `cli(*args)`, like the `cli` fixture, on the template
Runner = Callable[..., Any]
Builder = Callable[[Runner, Path], Any]


@dataclass
class _Built:
    url: str
    folder: Path
    value: Any


@dataclass
class Templates:
    """One test process's built databases, keyed by (name, backend)."""

    root: Path
    server: str | None  # the PostgreSQL test server's URL, if any
    built: dict[tuple[str, str], _Built] = field(default_factory=dict)
    admin: Engine | None = None

    def copy(
        self, name: str, build: Builder, *, db_url: str, folder: Path, cli_here: Runner
    ) -> Any:
        """Make `db_url` (a fresh database) and `folder` what `build` left, building it
        the first time; returns what `build` returned, its paths moved into `folder`."""
        backend = make_url(db_url).get_backend_name()
        built = self.built.get((name, backend))
        if built is None:
            built = self.built[name, backend] = self._build(name, backend, build, cli_here)
        if backend == "sqlite":
            _copy_sqlite(built.url, db_url)
        else:
            self._copy_postgres(built.url, db_url)
        shutil.copytree(built.folder, folder, dirs_exist_ok=True)
        return _moved(built.value, built.folder, folder)

    def drop(self) -> None:
        """Drop the PostgreSQL templates (SQLite's go with the temporary folder)."""
        urls = [b.url for (_, backend), b in self.built.items() if backend != "sqlite"]
        if urls and self.server:
            with self._admin() as admin:
                for url in urls:
                    admin.execute(text(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)'))
        if self.admin is not None:
            self.admin.dispose()

    def _build(self, name: str, backend: str, build: Builder, cli_here: Runner) -> _Built:
        folder = self.root / f"{name}-{backend}"
        folder.mkdir()
        if backend == "sqlite":
            url = f"sqlite:///{self.root / f'{name}.db'}"
        else:
            database = f"template_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
            with self._admin() as admin:
                admin.execute(text(f'CREATE DATABASE "{database}"'))
            url = make_url(self.server).set(database=database).render_as_string(False)
        with _working_directory(folder):
            value = build(lambda *args: cli_here("--db", url, *args), folder)
        return _Built(url, folder, value)

    def _copy_postgres(self, template_url: str, db_url: str) -> None:
        with self._admin() as admin:
            admin.execute(text(f'DROP DATABASE "{_name(db_url)}" WITH (FORCE)'))
            admin.execute(
                text(f'CREATE DATABASE "{_name(db_url)}" TEMPLATE "{_name(template_url)}"')
            )

    @contextmanager
    def _admin(self):
        """An autocommit connection to the server, from one engine kept for the session
        (a copy per test must not pay for a new engine each time)."""
        if self.admin is None:
            self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            yield connection


def _name(url: str) -> str:
    return make_url(url).database


def _copy_sqlite(template_url: str, db_url: str) -> None:
    source = sqlite3.connect(make_url(template_url).database)
    target = sqlite3.connect(make_url(db_url).database)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _moved(value: Any, old: Path, new: Path) -> Any:
    if isinstance(value, Path) and value.is_relative_to(old):
        return new / value.relative_to(old)
    if isinstance(value, tuple | list):
        return type(value)(_moved(v, old, new) for v in value)
    if isinstance(value, dict):
        return {k: _moved(v, old, new) for k, v in value.items()}
    return value


@contextmanager
def _working_directory(folder: Path):
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)
