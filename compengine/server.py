"""The web application `compengine serve` runs: the REST API under /api/v1 (spec
section 10) and, at /, the web pages (section 11), on one database and plan folder."""

from __future__ import annotations

import copy
import logging
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
    from compengine.api.app import ApiMount, create_api
    from compengine.api.limits import BodyLimit
    from compengine.web.app import add_web_pages

    app = FastAPI(title="compengine", docs_url=None, redoc_url=None, openapi_url=None)
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
