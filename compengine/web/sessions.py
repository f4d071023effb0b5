"""Signed-in browsers (spec section 11): a server-side session per sign-in.

The cookie holds a random session id from `secrets`; the database keeps only its SHA-256
(a stolen row is not a working cookie) with the hash of the token it was made with (so
it belongs to that token alone, not to a name a new token may take), the session's CSRF
token and its expiry. The cookie is no API token: it works only here and only until /logout
deletes the row, the session expires, or the token is revoked.

CSRF: every form carries the session's random token (the synchronizer-token pattern),
compared with `hmac.compare_digest`. The sign-in form, which has no session yet, carries a
random value that must equal a short-lived cookie set with the form (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from compengine.access.tokens import Principal, Role, authenticate, token_hash
from compengine.storage.models import ApiToken, WebSession

SESSION_COOKIE = "compengine_session"
LOGIN_COOKIE = "compengine_login"
SESSION_LIFETIME = timedelta(hours=8)
ID_BYTES = 32
MAX_COOKIE_LENGTH = 200  # longer text is no session id of ours: refused before hashing


@dataclass(frozen=True)
class SignedIn:
    """Who a page is for, and the CSRF token its forms carry."""

    principal: Principal
    csrf_token: str
    session_hash: str


def new_secret() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def same_secret(expected: str, given: str | None) -> bool:
    """Constant-time equality of a stored secret and a presented one."""
    if not given or len(given) > MAX_COOKIE_LENGTH:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogateescape")).hexdigest()


def _utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite gives them back without their zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sign_in(session: Session, token: str, now: datetime | None = None) -> str | None:
    """A new session's id for a valid token (None for any other text); expired sessions
    are swept on the way. The caller commits and sets the cookie."""
    token = token.strip()
    if authenticate(session, token) is None:
        return None
    now = now or datetime.now(UTC)
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    session_id = new_secret()
    session.add(
        WebSession(
            session_hash=_hash(session_id),
            token_hash=token_hash(token),
            csrf_token=new_secret(),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return session_id


def signed_in(session: Session, session_id: str | None) -> SignedIn | None:
    """The session of a cookie, or None: no cookie, an unknown or expired session, or a
    revoked token."""
    if not session_id or len(session_id) > MAX_COOKIE_LENGTH:
        return None
    row = session.get(WebSession, _hash(session_id))
    if row is None or _utc(row.expires_at) <= datetime.now(UTC):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == row.token_hash)).first()
    if token is None:
        return None
    principal = Principal(name=token.name, role=Role(token.role), payee_id=token.payee_id)
    return SignedIn(principal, row.csrf_token, row.session_hash)


def sign_out(session: Session, who: SignedIn) -> None:
    """Delete the session: its cookie stops working at once."""
    session.execute(delete(WebSession).where(WebSession.session_hash == who.session_hash))
