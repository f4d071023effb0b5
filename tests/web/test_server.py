"""The server's engine (compengine/server.py) and the connections requests hold: a
statement PDF, web or API, is rendered after its read session has given its connection
back; the pool has a connection per worker thread, a smaller one is refused at start,
and a pool that runs dry anyway answers 503 and says so in the log. uvicorn runs in a
thread of the test's process, so that the pool can be looked at."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import anyio
import anyio.to_thread
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from compengine.server import WORKER_THREADS, ServerConfig, create_app, server_engine
from compengine.storage.database import make_engine
from tests.server import free_port
from tests.web.conftest import PLAN, copy_of, csrf_of


@pytest.fixture(scope="module")
def database(prepared, tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    template, tokens = prepared
    with copy_of(template, tmp_path_factory.mktemp("in_process")) as url:
        yield url, tokens


@contextmanager
def serving(app: FastAPI) -> Iterator[httpx.Client]:
    """A client of `app` served by uvicorn in a thread of this process."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(30)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: httpx.Client, token: str) -> None:
    client.cookies.clear()
    form = client.get("/login")
    answer = client.post("/login", data={"token": token, "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 303


def test_statement_pdfs_are_rendered_with_no_database_connection_held(database, monkeypatch):
    url, tokens = database
    engine = server_engine(make_url(url))
    held: list[int] = []

    def render(view, **_options) -> bytes:
        held.append(engine.pool.checkedout())
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr("compengine.api.statement.render_pdf", render)
    monkeypatch.setattr("compengine.web.statement_page.render_pdf", render)
    with ExitStack() as stack:
        stack.callback(engine.dispose)
        client = stack.enter_context(serving(create_app(ServerConfig(engine, PLAN))))
        api = [
            ("/api/v1/me/statements/2027-01.pdf", tokens["ae1"]),
            ("/api/v1/payees/ae1/statements/2027-01.pdf", tokens["ae1"]),
            ("/api/v1/payees/ae1/statements/2027-03.pdf", tokens["ops"]),
        ]
        for path, token in api:
            assert client.get(path, headers=bearer(token)).status_code == 200, path
        sign_in(client, tokens["ae1"])
        assert client.get("/me/periods/2027-01/statement.pdf").status_code == 200
        sign_in(client, tokens["ops"])
        assert client.get("/ops/periods/2027-03/payees/ae1/statement.pdf").status_code == 200
    assert held == [0] * 5


def test_the_pool_has_a_connection_for_every_worker_thread(database):
    url, _tokens = database
    engine = server_engine(make_url(url))
    app = create_app(ServerConfig(engine, PLAN))

    async def threads_while_serving() -> int:
        async with app.router.lifespan_context(app):
            return anyio.to_thread.current_default_thread_limiter().total_tokens

    try:
        assert anyio.run(threads_while_serving) == WORKER_THREADS
    finally:
        engine.dispose()
    assert engine.pool.size() >= WORKER_THREADS


def test_a_pool_smaller_than_the_worker_threads_is_refused_at_start(database):
    url, _tokens = database
    engine = make_engine(url)  # SQLAlchemy's default pool: 5 connections (and 10 more)
    try:
        with pytest.raises(ValueError, match=f"fewer than the server's {WORKER_THREADS}"):
            create_app(ServerConfig(engine, PLAN))
    finally:
        engine.dispose()


def test_a_pool_that_runs_dry_answers_503_and_says_so_in_the_log(database, caplog):
    url, tokens = database
    engine = make_engine(url, pool_size=WORKER_THREADS, max_overflow=0, pool_timeout=0)
    with ExitStack() as stack:
        stack.callback(engine.dispose)
        client = stack.enter_context(serving(create_app(ServerConfig(engine, PLAN))))
        sign_in(client, tokens["payroll"])
        for _ in range(WORKER_THREADS):
            stack.enter_context(engine.connect())
        with caplog.at_level(logging.ERROR):
            page = client.get("/payroll")
            api = client.get("/api/v1/periods", headers=bearer(tokens["payroll"]))
    assert page.status_code == 503 and "The database is busy" in page.text
    assert api.status_code == 503
    logged = [r.getMessage() for r in caplog.records if "database error" in r.getMessage()]
    assert len(logged) == 2 and all("QueuePool limit of size 40" in m for m in logged), logged
