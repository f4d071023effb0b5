"""The API application, mounted at /api/v1 by `compengine.server.create_app`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

if TYPE_CHECKING:
    from compengine.server import ServerConfig


def create_api(config: ServerConfig) -> FastAPI:
    from compengine.storage.database import SCHEMA_REVISION

    api = FastAPI(title="compengine API", version="1")
    api.state.config = config

    @api.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "schema": SCHEMA_REVISION}

    return api
