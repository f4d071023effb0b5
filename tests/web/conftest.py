"""A real `compengine serve` per test module and backend, on the spec's worked example
(ae1 and csm1) taken through a few cycles: 2027-01 locked (with an adjustment for ae1),
2027-02 approved (csm1, with an adjustment, on hold), 2027-03 calculated. Tokens for
every role; pages are fetched with httpx through the sign-in form, as a browser would."""

from __future__ import annotations

import io
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from compengine.access.tokens import Role, create_token
from compengine.cli import main
from tests.conftest import fresh_postgres_database
from tests.cycles.conftest import DATA, PLAN
from tests.server import running_server

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TOKENS = {
    "ops": ("ops-web", Role.ops, None),
    "payroll": ("payroll-web", Role.payroll, None),
    "ae1": ("rep-ae1", Role.rep, "ae1"),
    "csm1": ("rep-csm1", Role.rep, "csm1"),
}
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def cli(url: str, *args: object) -> str:
    """`compengine --db URL ARGS` in-process; its stdout, asserting success."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--db", url, *map(str, args)])
    assert code == 0, f"compengine {args}: {err.getvalue()}"
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return out.getvalue()


def cli_refusal(url: str, *args: object) -> str:
    """The message of a command the CLI refuses (exit 1), as it prints it."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--db", url, *map(str, args)])
    assert code == 1 and "Traceback" not in err.getvalue(), err.getvalue()
    return err.getvalue().strip()


def prepare(url: str) -> dict[str, str]:
    """The cycles of the module docstring; the tokens by key of TOKENS."""
    cli(url, "init")
    cli(url, "load", DATA)
    cli(url, "run", "--period", "2027-01", "--plans", PLAN)
    cli(url, "adjust", "--payee", "ae1", "--period", "2027-01", "--amount", "12.34",
        "--reason", "SPIFF for the acme launch")  # fmt: skip
    cli(url, "approve", "--period", "2027-01")
    cli(url, "lock", "--period", "2027-01")
    cli(url, "run", "--period", "2027-02", "--plans", PLAN)
    cli(url, "adjust", "--payee", "csm1", "--period", "2027-02", "--amount", "98.76",
        "--reason", "Stone's onboarding bonus")  # fmt: skip
    cli(url, "hold", "--payee", "csm1", "--period", "2027-02", "--reason", "paperwork")
    cli(url, "approve", "--period", "2027-02")
    cli(url, "run", "--period", "2027-03", "--plans", PLAN)
    engine = create_engine(url)
    tokens = {}
    with Session(engine) as session:
        for key, (name, role, payee) in TOKENS.items():
            tokens[key] = create_token(session, name, role, payee, "test-setup")
        session.commit()
    engine.dispose()
    return tokens


@dataclass
class Site:
    db_url: str
    base: str
    tokens: dict[str, str]
    folder: Path
    plans: Path = PLAN

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, follow_redirects=False, timeout=60)

    def sign_in(self, key: str) -> httpx.Client:
        """A client signed in with the token of `key`, through the sign-in form."""
        client = self.client()
        form = client.get("/login")
        answer = client.post(
            "/login", data={"token": self.tokens[key], "csrf_token": csrf_of(form.text)}
        )
        assert answer.status_code == 303, answer.text
        return client


def csrf_of(html: str) -> str:
    """The CSRF token the page's forms carry."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@contextmanager
def copy_of(template: str, folder: Path) -> Iterator[str]:
    """A new database holding what `template` holds: each module changes its own copy."""
    url = make_url(template)
    if url.get_backend_name() == "sqlite":
        copy = folder / "compengine.db"
        with (
            closing(sqlite3.connect(url.database)) as source,
            closing(sqlite3.connect(copy)) as target,
        ):
            source.backup(target)
        yield f"sqlite:///{copy}"
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _close_other_connections(url: str) -> None:
    """A PostgreSQL template must have no connections (the CLI's pools may keep some)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": parsed.database},
        )
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def prepared(request, tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """The database of the module docstring, made once per backend, and its tokens."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('web_template') / 'template.db'}"
        else:
            url = stack.enter_context(fresh_postgres_database())
        tokens = prepare(url)
        _close_other_connections(url)
        yield url, tokens


@pytest.fixture(scope="module")
def site(prepared, tmp_path_factory) -> Iterator[Site]:
    template, tokens = prepared
    folder = tmp_path_factory.mktemp("web")
    with copy_of(template, folder) as url, running_server(url, PLAN, folder) as base:
        yield Site(url, base, dict(tokens), folder)
