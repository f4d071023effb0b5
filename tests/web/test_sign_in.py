"""Signing in and out (spec section 11): a server-side session whose cookie is no token,
HttpOnly and SameSite=Strict; CSRF on every form, the sign-in form included; expiry;
/logout ends the session on the server; roles see only their pages."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from compengine.access.tokens import Role, create_token
from compengine.storage.database import open_database, parse_database_url
from compengine.storage.locking import exclusive
from tests.conftest import table_snapshot
from tests.web.conftest import cli, csrf_of

PAGES = ["/me", "/me/periods/2027-01", "/ops", "/ops/periods/2027-02", "/payroll", "/"]


def sessions(url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT session_hash, token_hash, csrf_token FROM web_session")
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_stranger_to_the_sign_in_page(site, path):
    answer = site.client().get(path)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_signing_in_keeps_a_random_session_id_in_the_cookie_and_only_its_hash_stored(site):
    client = site.client()
    form = client.get("/login")
    assert form.status_code == 200 and 'name="token"' in form.text
    assert '<label for="token">' in form.text
    answer = client.post(
        "/login", data={"token": site.tokens["ae1"], "csrf_token": csrf_of(form.text)}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/me"
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("compengine_session=")
    )
    attributes = cookie.lower()
    assert "httponly" in attributes and "samesite=strict" in attributes
    assert "secure" not in attributes  # plain http here; https gets Secure
    session_id = client.cookies["compengine_session"]
    assert site.tokens["ae1"] not in cookie and len(session_id) >= 40
    hashes = {row[0] for row in sessions(site.db_url)}
    assert hashlib.sha256(session_id.encode()).hexdigest() in hashes
    assert session_id not in hashes
    assert client.get("/me").status_code == 200


def test_under_https_the_cookie_is_secure(site):
    """Behind a TLS-terminating proxy on the same host (uvicorn trusts 127.0.0.1's
    X-Forwarded-Proto), the session cookie is sent over https only."""
    client = site.client()
    https = {"X-Forwarded-Proto": "https"}
    form = client.get("/login", headers=https)
    assert "secure" in form.headers["set-cookie"].lower()
    # the client keeps a Secure cookie from plain http: hand it over as a browser would
    browser = httpx.Client(
        base_url=site.base, cookies={"compengine_login": form.cookies["compengine_login"]}
    )
    answer = browser.post(
        "/login",
        data={"token": site.tokens["ops"], "csrf_token": csrf_of(form.text)},
        headers=https,
    )
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("compengine_session=")
    )
    assert "; secure" in cookie.lower() and "samesite=strict" in cookie.lower()


def test_a_wrong_token_is_refused_on_the_form_and_starts_no_session(site):
    client = site.client()
    form = client.get("/login")
    before = table_snapshot(site.db_url)
    answer = client.post(
        "/login", data={"token": site.tokens["ops"] + "x", "csrf_token": csrf_of(form.text)}
    )
    assert answer.status_code == 401 and "That token is not valid" in answer.text
    assert "compengine_session" not in client.cookies
    assert table_snapshot(site.db_url) == before


def test_a_sign_in_post_without_the_forms_value_is_refused_with_nothing_changed(site):
    client = site.client()
    client.get("/login")
    before = table_snapshot(site.db_url)
    for data in ({"token": site.tokens["ops"]}, {"token": site.tokens["ops"], "csrf_token": "x"}):
        answer = client.post("/login", data=data)
        assert answer.status_code == 403 and "text/html" in answer.headers["content-type"]
    assert table_snapshot(site.db_url) == before


def test_a_huge_sign_in_body_is_refused_before_it_is_read(site):
    client = site.client()
    before = table_snapshot(site.db_url)
    answer = client.post("/login", data={f"f{i}": "b" * 100_000 for i in range(5)})
    assert answer.status_code == 413
    assert table_snapshot(site.db_url) == before


def test_sign_in_while_a_command_holds_the_database(site):
    """SQLite has one writer: signing in (a write) waits, then says the database is busy.
    PostgreSQL's command lock is advisory: signing in goes on during a run."""
    client = site.client()
    form = client.get("/login")
    engine = open_database(parse_database_url(site.db_url))
    with exclusive(engine):
        answer = client.post(
            "/login", data={"token": site.tokens["ops"], "csrf_token": csrf_of(form.text)}
        )
    engine.dispose()
    if site.db_url.startswith("sqlite"):
        assert answer.status_code == 503 and "The database is busy" in answer.text
    else:
        assert answer.status_code == 303
    assert "Traceback" not in answer.text


def test_sign_out_ends_the_session_on_the_server_so_the_old_cookie_no_longer_works(site):
    client = site.sign_in("ops")
    session_id = client.cookies["compengine_session"]
    page = client.get("/ops")
    answer = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    assert digest not in {row[0] for row in sessions(site.db_url)}
    stolen = httpx.Client(base_url=site.base, cookies={"compengine_session": session_id})
    assert stolen.get("/ops", follow_redirects=False).headers["location"] == "/login"


def test_sign_out_without_the_csrf_token_is_refused_and_the_session_stays(site):
    client = site.sign_in("ops")
    before = table_snapshot(site.db_url)
    for data in ({}, {"csrf_token": "forged"}):
        answer = client.post("/logout", data=data)
        assert answer.status_code == 403 and "Nothing was changed" in answer.text
    assert table_snapshot(site.db_url) == before
    assert client.get("/ops").status_code == 200


def test_an_expired_session_sends_the_browser_to_sign_in_again(site):
    client = site.sign_in("payroll")
    assert client.get("/payroll").status_code == 200
    digest = hashlib.sha256(client.cookies["compengine_session"].encode()).hexdigest()
    engine = create_engine(site.db_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE web_session SET expires_at = :past WHERE session_hash = :digest"),
            {"past": datetime.now(UTC) - timedelta(minutes=1), "digest": digest},
        )
    engine.dispose()
    answer = client.get("/payroll")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_revoking_the_token_ends_its_web_sessions(site):
    engine = create_engine(site.db_url)
    with Session(engine) as session:
        token = create_token(session, "short-lived", Role.ops, None, "test")
        session.commit()
    engine.dispose()
    site.tokens["short-lived"] = token
    client = site.sign_in("short-lived")
    assert client.get("/ops").status_code == 200
    cli(site.db_url, "token", "revoke", "--name", "short-lived")
    assert client.get("/ops").headers["location"] == "/login"


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("ae1", "/ops"),
        ("ae1", "/ops/periods/2027-01"),
        ("ae1", "/payroll"),
        ("payroll", "/ops"),
        ("payroll", "/me"),
        ("ops", "/me"),
        ("ops", "/me/periods/2027-01/statement.pdf"),
    ],
)
def test_a_role_that_may_not_see_a_page_gets_403_as_a_page(site, key, path):
    answer = site.sign_in(key).get(path)
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"] and "Not allowed" in answer.text


@pytest.mark.parametrize(
    "path", ["/nowhere", "/ops/periods/2027-13", "/ops/periods/..%2F..%2Fetc", "/ops/periods/x'"]
)
def test_missing_pages_are_html_404s_without_a_traceback(site, path):
    answer = site.sign_in("ops").get(path)
    assert answer.status_code == 404 and "Not found" in answer.text
    assert "Traceback" not in answer.text and "text/html" in answer.headers["content-type"]


def test_pages_forbid_framing_and_scripts(site):
    answer = site.sign_in("ops").get("/ops")
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert "<script" not in answer.text
    assert answer.headers["cache-control"] == "no-store"


def test_a_session_belongs_to_its_token_not_to_the_name_a_new_token_takes(site):
    """A sign-in that raced a revoke can write its session after the revoke deleted the
    token's sessions: the token is gone, its session row is not. A new token given the
    old name must not bring that session back."""
    engine = create_engine(site.db_url)
    with Session(engine) as session:
        site.tokens["reborn"] = create_token(session, "reborn", Role.ops, None, "test")
        session.commit()
    client = site.sign_in("reborn")
    assert client.get("/ops").status_code == 200
    with engine.begin() as connection:  # the revoke that ran before the session's commit
        connection.execute(text("DELETE FROM api_token WHERE name = 'reborn'"))
    with Session(engine) as session:
        create_token(session, "reborn", Role.ops, None, "test")
        session.commit()
    engine.dispose()
    answer = client.get("/ops")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_sign_out_while_a_command_holds_the_database_clears_the_cookie_at_once(site):
    """SQLite has one writer: the session's row cannot be deleted while a run holds the
    lock, so sign-out waits two seconds at most, clears the cookie, and the server refuses
    the session from then on. PostgreSQL's command lock does not stop the delete."""
    client = site.sign_in("ops")
    session_id = client.cookies["compengine_session"]
    form = {"csrf_token": csrf_of(client.get("/ops").text)}
    engine = open_database(parse_database_url(site.db_url))
    with exclusive(engine):
        started = time.monotonic()
        answer = client.post("/logout", data=form)
        waited = time.monotonic() - started
        stolen = httpx.Client(base_url=site.base, cookies={"compengine_session": session_id})
        again = stolen.get("/ops")
    engine.dispose()
    assert waited < 10
    assert 'compengine_session=""' in answer.headers["set-cookie"]
    if site.db_url.startswith("sqlite"):
        assert answer.status_code == 200 and "You are signed out in this browser" in answer.text
    else:
        assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert again.status_code == 303 and again.headers["location"] == "/login"
    assert stolen.get("/ops").headers["location"] == "/login"
    assert client.get("/ops").headers["location"] == "/login"
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    deadline = time.monotonic() + 20  # the server deletes the row once the lock is free
    while digest in {row[0] for row in sessions(site.db_url)} and time.monotonic() < deadline:
        time.sleep(0.2)
    assert digest not in {row[0] for row in sessions(site.db_url)}
