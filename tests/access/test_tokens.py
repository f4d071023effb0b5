"""API tokens (spec section 10): created once, stored as a hash, listed without the
token, revoked at once; every change audited."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from compengine.access.tokens import Role, authenticate
from tests.conftest import table_snapshot
from tests.cycles.conftest import load_worked_example


@pytest.fixture
def acme(cli, from_template):
    from_template("worked-example", load_worked_example)
    return cli


def test_a_token_is_printed_once_alone_and_stored_only_as_its_hash(acme, db_url):
    created = acme("token", "create", "--name", "payroll-system", "--role", "payroll")
    assert created.code == 0, created.err
    token = created.out.strip()
    assert created.out == token + "\n" and token.startswith("ce_") and len(token) >= 43

    engine = create_engine(db_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM api_token")).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    listing = acme("token", "list", "--format", "json")
    assert token not in listing.out and stored not in listing.out
    assert json.loads(listing.out)[0]["role"] == "payroll"

    with Session(engine) as session:
        principal = authenticate(session, token)
        session.commit()
        assert principal is not None and principal.role is Role.payroll
        assert principal.name == "payroll-system" and principal.payee_id is None
        assert authenticate(session, token[:-1] + "x") is None
        assert authenticate(session, "x" * 10_000) is None
    assert json.loads(acme("token", "list", "--format", "json").out)[0]["last_used_at"]
    engine.dispose()


def test_a_rep_token_is_bound_to_a_loaded_payee(acme, db_url):
    before = table_snapshot(db_url)
    missing = acme("token", "create", "--name", "rep", "--role", "rep")
    assert missing.code == 1 and "--payee" in missing.err
    unknown = acme("token", "create", "--name", "rep", "--role", "rep", "--payee", "nobody")
    assert unknown.code == 1 and "unknown payee 'nobody'" in unknown.err
    bad = acme("token", "create", "--name", "../etc", "--role", "boss")
    assert bad.code == 1 and "--role" in bad.err
    bad_name = acme("token", "create", "--name", "'; drop", "--role", "ops")
    assert bad_name.code == 1 and "--name" in bad_name.err
    assert table_snapshot(db_url) == before

    rep = acme("token", "create", "--name", "ada", "--role", "rep", "--payee", "ae1")
    assert rep.code == 0, rep.err
    again = acme("token", "create", "--name", "ada", "--role", "ops")
    assert again.code == 1 and "exists" in again.err


def test_a_revoked_token_stops_working_and_both_changes_are_audited(acme, db_url):
    token = acme("token", "create", "--name", "ops-bot", "--role", "ops").out.strip()
    assert acme("token", "revoke", "--name", "ops-bot").code == 0
    engine = create_engine(db_url)
    with Session(engine) as session:
        assert authenticate(session, token) is None
    engine.dispose()
    assert acme("token", "revoke", "--name", "ops-bot").code == 1
    audit = json.loads(acme("audit", "--format", "json").out)
    assert [event["action"] for event in audit][-2:] == ["token-create", "token-revoke"]
