"""One real `compengine serve` per test module and backend, on the bundled sample data.

The database is set up in-process through the CLI (`main`), as a user would: 2027-01 and
2027-02 run, approved and locked, 2027-03 run (calculated). Tokens: `ops-bot` (ops),
`payroll-sys` (payroll), `rep-ae2` (rep of ae2) and `rep-ae1` (rep of ae1).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import httpx
import pytest

from compengine.cli import main
from tests.conftest import SETTINGS_ENV, CliResult, fresh_postgres_database, table_snapshot
from tests.server import running_server

SAMPLE = Path(str(resources.files("compengine.sample")))
PLANS = SAMPLE / "plans"
TOKENS = {
    "ops": ("ops-bot", "ops", None),
    "payroll": ("payroll-sys", "payroll", None),
    "rep": ("rep-ae2", "rep", "ae2"),
    "rep2": ("rep-ae1", "rep", "ae1"),
}


def run_cli(db_url: str, *args: object) -> CliResult:
    """`compengine --db URL ARGS...` in-process, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", db_url, *map(str, args)])
    result = CliResult(code, out.getvalue(), err.getvalue())
    assert "Traceback" not in result.out + result.err, result
    return result


def ok(db_url: str, *args: object) -> str:
    result = run_cli(db_url, *args)
    assert result.code == 0, f"compengine {args}: {result.err}"
    return result.out


@dataclass
class Api:
    """A running server, its database and a token per role."""

    base: str
    db_url: str
    cwd: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}/api/v1{path}"

    def headers(self, role: str | None, **extra: str) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return {**auth, **extra}

    def request(
        self, method: str, path: str, role: str | None = None, *, headers=None, **kwargs
    ) -> httpx.Response:
        return httpx.request(
            method,
            self.url(path),
            headers=self.headers(role, **(headers or {})),
            timeout=120,
            **kwargs,
        )

    def get(self, path: str, role: str | None = None, **kwargs) -> httpx.Response:
        return self.request("GET", path, role, **kwargs)

    def post(self, path: str, role: str | None = None, **kwargs) -> httpx.Response:
        return self.request("POST", path, role, **kwargs)

    def cli(self, *args: object) -> CliResult:
        return run_cli(self.db_url, *args)


def set_up_cycle(db_url: str) -> dict[str, str]:
    """The sample through 2027-03 (see the module docstring); the tokens by role."""
    ok(db_url, "init")
    ok(db_url, "load", SAMPLE)
    for period in ("2027-01", "2027-02"):
        ok(db_url, "run", "--period", period, "--plans", PLANS)
        ok(db_url, "approve", "--period", period)
        ok(db_url, "lock", "--period", period)
    ok(db_url, "run", "--period", "2027-03", "--plans", PLANS)
    tokens = {}
    for role, (name, kind, payee) in TOKENS.items():
        extra = ("--payee", payee) if payee else ()
        tokens[role] = ok(db_url, "token", "create", "--name", name, "--role", kind, *extra).strip()
    return tokens


@pytest.fixture(scope="module")
def clean_environment() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in SETTINGS_ENV:
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def module_db_url(request, tmp_path_factory, clean_environment) -> Iterator[str]:
    """A fresh, empty database per test module on each backend (like `db_url`)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'compengine.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture(scope="module")
def api(module_db_url, tmp_path_factory) -> Iterator[Api]:
    """The server on the sample cycle; the database is the module's to change."""
    tokens = set_up_cycle(module_db_url)
    cwd = tmp_path_factory.mktemp("serve")
    with running_server(module_db_url, PLANS, cwd) as base:
        yield Api(base, module_db_url, cwd, tokens)


def is_problem(response: httpx.Response, status: int) -> bool:
    """The response is an RFC 9457 problem of `status`, without a stack trace."""
    body = response.json()
    return (
        response.status_code == status
        and response.headers["content-type"].startswith("application/problem+json")
        and set(body) == {"type", "title", "status", "detail"}
        and body["status"] == status
        and isinstance(body["detail"], str)
        and "Traceback" not in response.text
        and os.sep + "compengine" + os.sep not in body["detail"]
    )


def data_snapshot(db_url: str) -> dict[str, list[tuple]]:
    """Every table but the tokens' (whose last_used_at each request may move): to assert
    that a refused or malformed request wrote nothing."""
    snapshot = table_snapshot(db_url)
    del snapshot["api_token"]
    return snapshot
