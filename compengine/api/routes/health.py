"""GET /health: alive, database reachable, schema revision (anyone may ask)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from compengine.api.deps import api_config
from compengine.api.problems import ApiProblem
from compengine.api.schemas import Health
from compengine.server import ServerConfig
from compengine.storage.database import SCHEMA_REVISION, schema_revision

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"description": "Unavailable"}})
def health(config: ServerConfig = Depends(api_config)) -> Health:
    """Whether the server can read its database, and the database's schema revision."""
    revision = schema_revision(config.engine)
    if revision != SCHEMA_REVISION:
        raise ApiProblem(
            503,
            "Service Unavailable",
            f"the database's schema is at revision {revision or 'none'}, this server needs "
            f"{SCHEMA_REVISION}: run `compengine init`",
        )
    return Health(schema_revision=revision)
