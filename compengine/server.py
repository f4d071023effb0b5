"""The web application `compengine serve` runs: the REST API under /api/v1 (spec
section 10) and, at /, the web pages (section 11), on one database and plan folder.

Every endpoint is synchronous: uvicorn runs it, and each dependency, on one of anyio's
worker threads, so at most WORKER_THREADS requests use the database at once. The pool
of the server's engine holds a connection for each of them (POOL_SIZE), and
POOL_OVERFLOW more for requests whose endpoint has returned but whose read session
closes a moment later, outside any worker thread. A request that still finds every
connection in use waits POOL_TIMEOUT_SECONDS, then gets 503 and the server logs the
pool's state; `create_app` refuses an engine whose pool is smaller than the threads.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import QueuePool

API_PREFIX = "/api/v1"
WORKER_THREADS = 40  # anyio's default, set here so that the pool below is sized to it
POOL_SIZE = WORKER_THREADS
POOL_OVERFLOW = 10
POOL_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class ServerConfig:
    """What every request works with: the open database and the plans folder."""

    engine: Engine
    plans: Path


def server_engine(url: URL) -> Engine:
    """The server's engine: an existing, current database with the pool sized above."""
    from compengine.storage.database import open_database

    return open_database(
        url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_timeout=POOL_TIMEOUT_SECONDS
    )


def check_pool(engine: Engine) -> None:
    """A pool with fewer connections than worker threads would make requests wait for
    each other's connections: refused before the server starts, never found under load."""
    pool = engine.pool
    if isinstance(pool, QueuePool) and pool.size() < WORKER_THREADS:
        raise ValueError(
            f"the database pool holds {pool.size()} connections, fewer than the server's "
            f"{WORKER_THREADS} worker threads (use compengine.server.server_engine)"
        )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """WORKER_THREADS request threads while the server runs; the web pages' sign-out
    thread stops with it."""
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield
    app.state.ended_sessions.close()


def create_app(config: ServerConfig) -> FastAPI:
    from compengine.api.app import ApiMount, create_api
    from compengine.api.limits import BodyLimit
    from compengine.web.app import add_web_pages

    check_pool(config.engine)
    app = FastAPI(
        title="compengine",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
    )
    app.state.config = config
    app.add_middleware(BodyLimit)  # the web forms' bodies are as short as the API's
    app.router.routes.append(ApiMount(API_PREFIX, create_api(config)))
    add_web_pages(app)
    return app


class PathOnlyAccessLog(logging.Filter):
    """The access log shows each request's path without its query string: a token or
    any other secret a client puts in a URL is never written to the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, full_path, version, status = record.args
            record.args = (client, method, str(full_path).split("?", 1)[0], version, status)
        return True


def log_config() -> dict:
    """uvicorn's logging, with the access log's query strings left out."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"path_only": {"()": PathOnlyAccessLog}}
    config["handlers"]["access"]["filters"] = ["path_only"]
    return config
