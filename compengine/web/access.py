"""Who may see a page: the signed-in session, its role, its CSRF token. Refusals are
exceptions that `errors` turns into pages (a redirect to /login, a 403, a 404)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from compengine.access.tokens import Role
from compengine.web.sessions import SESSION_COOKIE, SignedIn, same_secret, signed_in


class NotSignedIn(Exception):
    """No session, or one that expired or was ended: sign in again."""


class Forbidden(Exception):
    """A role that may not do this, or a form without the session's CSRF token."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def engine(request: Request) -> Engine:
    return request.app.state.config.engine


def session_of(request: Request) -> SignedIn | None:
    """The browser's session, unless it has none, it ended, or it was signed out."""
    with Session(engine(request)) as session:
        who = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if who is None or who.session_hash in request.app.state.ended_sessions:
        return None
    return who


def current(request: Request) -> SignedIn:
    who = session_of(request)
    if who is None:
        raise NotSignedIn
    request.state.who = who
    return who


def role(*roles: Role) -> Callable[[SignedIn], SignedIn]:
    """A dependency: the session, when its role is one of `roles`."""

    def allowed(who: SignedIn = Depends(current)) -> SignedIn:
        if who.principal.role not in roles:
            raise Forbidden(f"This page is not for the {who.principal.role} role.")
        return who

    return allowed


def check_csrf(who: SignedIn, given: str) -> None:
    if not same_secret(who.csrf_token, given):
        raise Forbidden(
            "This form did not carry this session's security token (it may be from an old "
            "page or another site). Nothing was changed; reload the page and try again."
        )
