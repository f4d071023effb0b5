"""One error shape for the whole API: RFC 9457 `application/problem+json` (spec section 10).

Every way a request can fail ends here: a refusal of the cycle's rules (ApiProblem
409), FastAPI's own 404/405, request validation (422, FastAPI's default body replaced),
a UserError from a layer below (422), a database that cannot be reached or is
locked by another program (503). The
detail is a sentence for a person; it never holds a stack trace or the input's bytes
beyond a short, printable excerpt.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from compengine.errors import UserError

PROBLEM_JSON = "application/problem+json"
MAX_DETAIL = 2000  # characters: a detail names what is wrong, it does not echo a whole input
_log = logging.getLogger("compengine.api")


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the API is answered."""

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="The HTTP status phrase, or a short summary.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request, for a person.")


class ApiProblem(Exception):
    """An error answer a route decides on: raised, it becomes a problem+json response."""

    def __init__(
        self, status: int, title: str, detail: str, headers: Mapping[str, str] | None = None
    ):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.headers = dict(headers or {})


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int, title: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = Problem(title=title, status=status, detail=_bounded(detail))
    return JSONResponse(
        body.model_dump(), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _bounded(text: str) -> str:
    """The detail, cut short and free of lone surrogates (they cannot be sent as UTF-8)."""
    clean = text.encode("utf-8", "replace").decode("utf-8")
    return clean if len(clean) <= MAX_DETAIL else clean[: MAX_DETAIL - 1] + "…"


def _location(loc: Sequence[Any]) -> str:
    """'query parameter limit', 'path parameter period', 'body: amount'."""
    where, *rest = [str(part) for part in loc] or ["request"]
    names = ".".join(rest)
    if where in ("query", "path", "header", "cookie"):
        return f"{where} parameter {names}" if names else where
    if where == "body":
        return f"body: {names}" if names else "body"
    return ".".join([where, *rest])


def validation_detail(errors: Sequence[Mapping[str, Any]]) -> str:
    """One line per invalid value: where it is and what is wrong (never the value)."""
    return "; ".join(f"{_location(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors)


def install_handlers(api: FastAPI) -> None:
    """Make every error of `api` a problem+json answer."""

    @api.exception_handler(ApiProblem)
    async def _api_problem(_request: Request, error: ApiProblem) -> JSONResponse:
        return problem_response(error.status, error.title, error.detail, error.headers)

    @api.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else phrase(error.status_code)
        return problem_response(
            error.status_code, phrase(error.status_code), detail, getattr(error, "headers", None)
        )

    @api.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(422, phrase(422), validation_detail(error.errors()))

    @api.exception_handler(UserError)
    async def _user_error(_request: Request, error: UserError) -> JSONResponse:
        return problem_response(422, phrase(422), str(error))

    async def _unavailable(request: Request, error: Exception) -> JSONResponse:
        from compengine.storage.database import describe_database_error

        engine = request.app.state.config.engine
        _log.error("database error: %s", describe_database_error(error, engine.url))
        return problem_response(
            503, phrase(503), "the database cannot be used right now; try again later"
        )

    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        api.add_exception_handler(unavailable, _unavailable)
