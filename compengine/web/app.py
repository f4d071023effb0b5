"""The web pages, added at / to the root application of `compengine serve`."""

from __future__ import annotations

from fastapi import FastAPI

from compengine.web import analytics, errors, login, ops, payroll, rep
from compengine.web.sessions import EndedSessions


def add_web_pages(app: FastAPI) -> None:
    """Routes and HTML error pages; `app.state.config` is the server's ServerConfig. The API
    mounted under /api/v1 keeps its own error answers."""
    app.state.ended_sessions = EndedSessions()
    errors.install(app)
    for module in (login, rep, ops, analytics, payroll):
        app.include_router(module.router, include_in_schema=False)
