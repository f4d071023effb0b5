"""Signed-in browsers (spec section 11): a server-side session per sign-in.

The cookie holds a random session id from `secrets`; the database keeps only its SHA-256
(a stolen row is not a working cookie) with the hash of the token it was made with (so
it belongs to that token alone, not to a name a new token may take), the session's CSRF
token and its expiry. The cookie is no API token: it works only here and only until /logout
deletes the row, the session expires, or the token is revoked. A sign-out while the
database is busy clears the cookie at once and the server refuses the session from then
on, and deletes its row as soon as the database is free.

CSRF: every form carries the session's random token (the synchronizer-token pattern),
compared with `hmac.compare_digest`. The sign-in form, which has no session yet, carries a
random value that must equal a short-lived cookie set with the form (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, exc, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from compengine.access.tokens import Principal, Role, authenticate, token_hash
from compengine.storage.locking import SQLITE_TIMEOUT_MS
from compengine.storage.models import ApiToken, WebSession

SESSION_COOKIE = "compengine_session"
LOGIN_COOKIE = "compengine_login"
SESSION_LIFETIME = timedelta(hours=8)
ID_BYTES = 32
MAX_COOKIE_LENGTH = 200  # longer text is no session id of ours: refused before hashing
SIGN_OUT_WAIT_MS = 2000  # a sign-out never hangs behind a run holding SQLite's write lock
RETRY_SECONDS = 1  # pause between later attempts at deleting a busy sign-out's row


@dataclass(frozen=True)
class SignedIn:
    """Who a page is for, and the CSRF token its forms carry."""

    principal: Principal
    csrf_token: str
    session_hash: str
    expires_at: datetime


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
    expires_at = _utc(row.expires_at).astimezone(UTC)
    return SignedIn(principal, row.csrf_token, row.session_hash, expires_at)


def sign_out(engine: Engine, who: SignedIn) -> bool:
    """Delete the session, waiting at most SIGN_OUT_WAIT_MS for the database; False when
    it was busy (on SQLite, a command holding the write lock): the caller then refuses
    the cookie itself and deletes the row later (`EndedSessions`)."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
        try:
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout = {SIGN_OUT_WAIT_MS}")
            else:
                connection.execute(text(f"SET LOCAL lock_timeout = '{SIGN_OUT_WAIT_MS}ms'"))
            connection.execute(
                delete(WebSession).where(WebSession.session_hash == who.session_hash)
            )
            connection.commit()
            return True
        except exc.OperationalError:
            connection.rollback()
            return False
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout = {SQLITE_TIMEOUT_MS}")


class EndedSessions:
    """Sessions signed out while the database was too busy to delete their rows: the
    server refuses them, as if the rows were gone, and one thread of its own deletes the
    rows once the database is free (so that a restart does not revive them) until
    `close` stops it with the server."""

    def __init__(self) -> None:
        self._until: dict[str, datetime] = {}
        self._pending: dict[str, tuple[Engine, SignedIn]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None

    def add(self, who: SignedIn, engine: Engine) -> None:
        now = datetime.now(UTC)
        with self._lock:
            self._until = {key: end for key, end in self._until.items() if end > now}
            self._until[who.session_hash] = who.expires_at
            self._pending[who.session_hash] = (engine, who)
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._delete_pending, name="sign-out", daemon=True
                )
                self._worker.start()

    def close(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.join()

    def _delete_pending(self) -> None:
        while not self._stop.wait(RETRY_SECONDS):
            with self._lock:
                pending = list(self._pending.values())
            for engine, who in pending:
                if self._stop.is_set():
                    return
                if datetime.now(UTC) >= who.expires_at or _deleted(engine, who):
                    with self._lock:
                        self._pending.pop(who.session_hash, None)
                        self._until.pop(who.session_hash, None)

    def __contains__(self, session_hash: str) -> bool:
        with self._lock:
            return session_hash in self._until


def _deleted(engine: Engine, who: SignedIn) -> bool:
    try:
        return sign_out(engine, who)
    except exc.SQLAlchemyError:  # e.g. no pooled connection free: tried again later
        return False
