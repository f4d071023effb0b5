"""Sessions signed out while the database was busy: refused at once, their rows deleted
by the server's own thread once the database answers, whatever went wrong before."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import exc

from compengine.access.tokens import Principal, Role
from compengine.web import sessions
from compengine.web.sessions import EndedSessions, SignedIn


def _who(session_hash: str, expires_in: timedelta = timedelta(hours=8)) -> SignedIn:
    ops = Principal(name="ops", role=Role.ops, payee_id=None)
    return SignedIn(ops, "csrf", session_hash, datetime.now(UTC) + expires_in)


def _until(condition, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def _sign_out_threads() -> int:
    return sum(thread.name == "sign-out" for thread in threading.enumerate())


def test_a_busy_sign_out_is_refused_until_its_row_is_deleted_despite_errors(monkeypatch):
    answers = iter([False, exc.TimeoutError("no pooled connection free"), True])
    attempts: list[str] = []

    def sign_out(_engine, who):
        attempts.append(who.session_hash)
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(sessions, "sign_out", sign_out)
    monkeypatch.setattr(sessions, "RETRY_SECONDS", 0.01)
    ended = EndedSessions()
    ended.add(_who("h1"), engine=None)

    assert "h1" in ended
    assert _until(lambda: "h1" not in ended)
    assert attempts == ["h1", "h1", "h1"]  # busy, an error, then deleted
    ended.close()


def test_the_thread_stops_with_the_server_and_gives_up_on_an_expired_session(monkeypatch):
    monkeypatch.setattr(sessions, "sign_out", lambda _engine, _who: False)
    monkeypatch.setattr(sessions, "RETRY_SECONDS", 0.01)
    before = _sign_out_threads()
    ended = EndedSessions()
    ended.add(_who("busy"), engine=None)
    ended.add(_who("expiring", timedelta(milliseconds=50)), engine=None)

    assert _until(lambda: "expiring" not in ended)
    assert "busy" in ended
    assert _sign_out_threads() == before + 1
    ended.close()
    assert _sign_out_threads() == before
