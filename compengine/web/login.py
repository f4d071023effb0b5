"""/login, /logout, / and the stylesheet."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from compengine.access.tokens import Role
from compengine.web.access import Forbidden, check_csrf, current, engine, session_of
from compengine.web.render import SECURITY_HEADERS, page, stylesheet
from compengine.web.sessions import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    new_secret,
    same_secret,
    sign_in,
    sign_out,
    signed_in,
)

HOME = {Role.rep: "/me", Role.ops: "/ops", Role.payroll: "/payroll"}
LOGIN_FORM_SECONDS = 3600
REFUSED = "That token is not valid: it may be mistyped, or it was revoked."

router = APIRouter()


def _cookie(response: Response, request: Request, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _signed_in_home(request: Request) -> str | None:
    who = session_of(request)
    return HOME[who.principal.role] if who else None


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse(_signed_in_home(request) or "/login", status_code=303)


def _login_form(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    nonce = new_secret()
    response = page(
        request, "login.html.j2", None, status=status, title="Sign in", error=error, nonce=nonce
    )
    _cookie(response, request, LOGIN_COOKIE, nonce, LOGIN_FORM_SECONDS)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    target = _signed_in_home(request)
    return RedirectResponse(target, status_code=303) if target else _login_form(request)


@router.post("/login")
def login(request: Request, token: str = Form(""), csrf_token: str = Form("")) -> Response:
    if not same_secret(request.cookies.get(LOGIN_COOKIE, ""), csrf_token):
        raise Forbidden(
            "The sign-in form has expired or did not come from this site. "
            "Open the sign-in page again."
        )
    with Session(engine(request)) as session:
        session_id = sign_in(session, token)
        if session_id is None:
            session.rollback()
            return _login_form(request, status=401, error=REFUSED)
        session.commit()
        who = signed_in(session, session_id)
    if who is None:  # the token was revoked while its session was being written
        return _login_form(request, status=401, error=REFUSED)
    response = RedirectResponse(HOME[who.principal.role], status_code=303)
    _cookie(response, request, SESSION_COOKIE, session_id, int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    """End the session; the cookie is cleared at once even when the database is busy, and
    this server refuses the session from then on."""
    who = current(request)
    check_csrf(who, csrf_token)
    if sign_out(engine(request), who):
        response: Response = RedirectResponse("/login", status_code=303)
    else:
        request.app.state.ended_sessions.add(who, engine(request))
        response = page(
            request,
            "error.html.j2",
            None,
            title="Signed out",
            detail=(
                "You are signed out in this browser. The database was busy (another "
                "command is writing), so the session's record is deleted as soon as the "
                "database is free; this server no longer accepts the session."
            ),
        )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/static/web.css")
def css() -> Response:
    headers = {**SECURITY_HEADERS, "Cache-Control": "max-age=3600"}
    return Response(stylesheet(), media_type="text/css", headers=headers)
