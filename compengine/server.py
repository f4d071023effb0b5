"""The web application `compengine serve` runs: the REST API under /api/v1 (spec
section 10) and, at /, the web pages (section 11), on one database and plan folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import Engine

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class ServerConfig:
    """What every request works with: the open database and the plans folder."""

    engine: Engine
    plans: Path


def create_app(config: ServerConfig) -> FastAPI:
    from compengine.api.app import create_api
    from compengine.web.app import add_web_pages

    app = FastAPI(title="compengine", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config
    app.mount(API_PREFIX, create_api(config))
    add_web_pages(app)
    return app
