"""A real `compengine serve` per test module and backend, on the spec's worked example
(ae1 and csm1) taken through a few cycles: 2027-01 locked (with an adjustment for ae1),
2027-02 approved (csm1, with an adjustment, on hold), 2027-03 calculated. Tokens for
every role; pages are fetched with httpx through the sign-in form, as a browser would."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
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


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{folder / 'compengine.db'}"
        else:
            url = stack.enter_context(fresh_postgres_database())
        tokens = prepare(url)
        base = stack.enter_context(running_server(url, PLAN, folder))
        yield Site(url, base, tokens, folder)
