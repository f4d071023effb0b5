"""The API application, mounted at /api/v1 by `compengine.server.create_app`.

Its OpenAPI document names /api/v1 as its server (FastAPI adds the mount's root path),
so every path it lists works as written against `compengine serve`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.routing import Mount

from compengine.api.limits import BodyLimit
from compengine.api.problems import PROBLEM_JSON, Problem, install_handlers
from compengine.api.routes import health, me, ops, payouts, payroll, periods

if TYPE_CHECKING:
    from compengine.server import ServerConfig

ROUTERS = (periods.router, payouts.router, me.router, ops.router, payroll.router)
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token, or an unknown or revoked one."},
    403: {"description": "The token's role may not do this."},
    404: {"description": "No such thing (or none this token may see)."},
    409: {"description": "A rule refused, the period is not in a state for this, or busy."},
    413: {"description": "The request body is too large."},
    422: {"description": "A malformed parameter or body."},
    503: {"description": "The database cannot be used right now."},
}


def create_api(config: ServerConfig) -> FastAPI:
    api = FastAPI(
        title="compengine API",
        version="1",
        description="Payroll pulls locked payouts, reps read their own, ops run the cycle.",
        docs_url="/docs",
        redoc_url=None,
    )
    api.state.config = config
    install_handlers(api)
    api.add_middleware(BodyLimit)
    api.include_router(health.router)
    for router in ROUTERS:
        api.include_router(router, responses=ERRORS)
    _describe_problems(api)
    return api


def _describe_problems(api: FastAPI) -> None:
    """Errors are documented as application/problem+json with the Problem schema."""
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            schema = generate()  # cached by FastAPI in api.openapi_schema, completed here
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema()
            for operation in _operations(schema):
                for status, response in operation.get("responses", {}).items():
                    if status >= "400":
                        response["content"] = {
                            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                        }
        return api.openapi_schema

    api.openapi = openapi


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in schema.get("paths", {}).values() for op in path.values()]


class ApiMount(Mount):
    """The mount of the API: it also takes paths holding a line break (an encoded %0A in
    a URL), which a plain mount's pattern lets fall through, so that they too get the
    API's problem+json answer."""

    def __init__(self, path: str, api: FastAPI):
        super().__init__(path, app=api)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)
