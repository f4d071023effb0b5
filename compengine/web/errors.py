"""Error pages of the web part: HTML, never a traceback. Not signed in → /login; a wrong
role or a bad CSRF token → 403; anything missing → 404 (another payee's anything answers
exactly as a missing one does)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from compengine.errors import UserError
from compengine.web.access import Forbidden, NotSignedIn
from compengine.web.render import page

_log = logging.getLogger("compengine.web")
MOUNTED = "/api/"  # the REST API, mounted beside the pages by compengine.server
TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Refused",
    500: "Something went wrong",
    503: "Busy",
}
DETAILS = {
    400: "The address or the form is not valid.",
    404: "There is no such page.",
    405: "This page does not take that kind of request.",
    500: "The server could not answer this request. Nothing was changed.",
    503: "The database is busy (a run or a load is writing) or cannot be reached right "
    "now. Nothing was changed; try again in a moment.",
}


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    who = getattr(request.state, "who", None)
    return page(
        request,
        "error.html.j2",
        who,
        status=status,
        title=TITLES.get(status, "Error"),
        detail=detail or DETAILS.get(status, ""),
    )


def install(app: FastAPI) -> None:
    async def not_signed_in(request: Request, _: Exception) -> Response:
        return RedirectResponse("/login", status_code=303)

    async def forbidden(request: Request, error: Exception) -> Response:
        return error_page(request, 403, getattr(error, "message", None))

    async def http_error(request: Request, error: Exception) -> Response:
        status = getattr(error, "status_code", 500)
        return error_page(request, status if status in TITLES else 400)

    async def invalid(request: Request, _: Exception) -> Response:
        return error_page(request, 400)

    async def refused(request: Request, error: Exception) -> Response:
        """A refusal no page handled itself, such as plan files that do not load."""
        return error_page(request, 409, str(error))

    async def unstorable(request: Request, _: Exception) -> Response:
        """A value the database cannot hold (a NUL character in an id on PostgreSQL)."""
        return error_page(request, 400)

    async def unavailable(request: Request, error: Exception) -> Response:
        """Logged (an exhausted connection pool says so, with its size), then a page."""
        from compengine.storage.database import describe_database_error

        engine = request.app.state.config.engine
        _log.error("database error: %s", describe_database_error(error, engine.url))
        return error_page(request, 503)

    async def crashed(request: Request, _: Exception) -> Response:
        """The server's last resort for any path: HTML for the pages, plain text for
        anything mounted beside them (the API answers its own errors)."""
        if request.url.path.startswith(MOUNTED):
            return PlainTextResponse("Internal Server Error", status_code=500)
        return error_page(request, 500)

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(UserError, refused)
    app.add_exception_handler(DataError, unstorable)
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(error, unavailable)
    app.add_exception_handler(Exception, crashed)
