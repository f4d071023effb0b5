"""Who may do what (spec section 10), and hostile input on every path and query
parameter: always a 4xx problem+json, never a stack trace, nothing written.

The ops writes of the matrix are ones the cycle's rules refuse (2027-01 is locked): the
matrix proves who gets past authentication, without changing the database."""

from __future__ import annotations

import pytest

from tests.api.conftest import data_snapshot, is_problem

ANYONE = {"ops", "payroll", "rep", "rep2"}
REPS = {"rep", "rep2"}
# (method, path, keyword arguments, the roles allowed)
ENDPOINTS = [
    ("GET", "/periods", {}, {"ops", "payroll"}),
    ("GET", "/periods/2027-01/payouts", {}, {"ops", "payroll"}),
    ("GET", "/periods/2027-01/payouts", {"headers": {"Accept": "text/csv"}}, {"ops", "payroll"}),
    ("GET", "/periods/2027-01/exceptions", {}, {"ops"}),
    ("GET", "/me", {}, REPS),
    ("GET", "/me/periods", {}, REPS),
    ("GET", "/me/payouts", {"params": {"period": "2027-01"}}, REPS),
    ("GET", "/me/statements/2027-01.pdf", {}, REPS),
    ("GET", "/payees/ae2/statements/2027-01.pdf", {}, {"ops", "rep", "rep2"}),
    ("POST", "/periods/2027-01/run", {}, {"ops"}),
    ("POST", "/periods/2027-01/approve", {}, {"ops"}),
    ("POST", "/periods/2027-01/lock", {}, {"ops"}),
    ("POST", "/periods/2027-01/reopen", {"json": {"reason": "x"}}, {"ops"}),
    (
        "POST",
        "/adjustments",
        {"json": {"payee_id": "ae1", "period": "2027-01", "amount": "1.00", "reason": "x"}},
        {"ops"},
    ),
    ("POST", "/holds", {"json": {"payee_id": "ae1", "period": "2027-01", "reason": "x"}}, {"ops"}),
    ("DELETE", "/holds/ae1/2027-01", {"params": {"reason": "x"}}, {"ops"}),
]
# What an allowed role gets here: reads answer, refused writes are 409, and rep-ae1
# asking for ae2's statement gets the answer for a payee that does not exist.
EXPECTED = {
    ("POST", "ops"): 409,
    ("DELETE", "ops"): 409,
    ("/payees/ae2/statements/2027-01.pdf", "rep2"): 404,
}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "allowed"),
    ENDPOINTS,
    ids=[f"{m} {p}" + (" csv" if "headers" in k else "") for m, p, k, _ in ENDPOINTS],
)
def test_role_matrix(api, method, path, kwargs, allowed):
    before = data_snapshot(api.db_url)
    anonymous = api.request(method, path, None, **kwargs)
    assert is_problem(anonymous, 401) and anonymous.headers["www-authenticate"] == "Bearer"
    for role in sorted(ANYONE):
        response = api.request(method, path, role, **kwargs)
        if role not in allowed:
            assert is_problem(response, 403), (role, response.text)
            continue
        expected = EXPECTED.get((path, role), EXPECTED.get((method, role), 200))
        assert response.status_code == expected, (role, response.text)
    assert data_snapshot(api.db_url) == before


def test_health_needs_no_token(api):
    assert api.get("/health").status_code == 200


def test_a_revoked_or_unknown_token_is_401(api):
    token = api.cli("token", "create", "--name", "short-lived", "--role", "ops").out.strip()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/periods", headers=headers).status_code == 200
    assert api.cli("token", "revoke", "--name", "short-lived").code == 0
    assert is_problem(api.get("/periods", headers=headers), 401)
    for value in (
        f"Bearer {token[:-1]}",
        "Bearer x",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 10_000,
    ):
        assert is_problem(api.get("/periods", headers={"Authorization": value}), 401)


HOSTILE = [
    "2027-07'",
    "'; DROP TABLE payout_line; --",
    "..%2F..%2Fetc%2Fpasswd",
    "x" * 10_000,
    "%FF%FE",
    "%00",
    "%C0%AF",
    "99999999999999999999-01",
    "2027-00",
    "\uff12\uff10\uff12\uff17-\uff10\uff17",  # fullwidth digits
    "%0d%0aSet-Cookie:%20x=1",
]


def test_hostile_path_parameters_are_4xx_problems_and_write_nothing(api):
    before = data_snapshot(api.db_url)
    templates = [
        ("GET", "/periods/{}/payouts"),
        ("GET", "/periods/{}/exceptions"),
        ("GET", "/me/statements/{}.pdf"),
        ("GET", "/payees/{}/statements/2027-01.pdf"),
        ("GET", "/payees/ae1/statements/{}.pdf"),
        ("POST", "/periods/{}/run"),
        ("POST", "/periods/{}/approve"),
        ("POST", "/periods/{}/lock"),
        ("DELETE", "/holds/{}/2027-01"),
        ("DELETE", "/holds/ae1/{}"),
    ]
    for method, template in templates:
        role = "rep" if template.startswith("/me") else "ops"
        for value in HOSTILE:
            response = api.request(method, template.format(value), role, params={"reason": "x"})
            assert 400 <= response.status_code < 500, (method, template, value, response.text)
            assert is_problem(response, response.status_code), response.text
    assert data_snapshot(api.db_url) == before


def test_hostile_query_parameters_are_4xx_problems_and_write_nothing(api):
    before = data_snapshot(api.db_url)
    cases = [
        ("/periods/2027-01/payouts", "ops", name, value)
        for name in ("payee_id", "plan_id", "component_id")
        for value in ("x" * 10_000, "a\x00b", "\x1b[2J", "")
    ]
    cases += [
        ("/periods/2027-01/payouts", "ops", "limit", value)
        for value in ("-1", "0", "5001", "1e3", "x", "9" * 5000, str(2**64), "1.5", "")
    ]
    cases += [
        ("/periods/2027-01/payouts", "ops", "cursor", value)
        for value in ("x" * 10_000, "%ZZ", "W10", "WzEsIDJd", "bnVsbA", "")
    ]
    cases += [
        ("/me/payouts", "rep", "period", value)
        for value in ("2027-07'", "../..", "x" * 10_000, "2027-13", "")
    ]
    for path, role, name, value in cases:
        response = api.get(path, role, params={name: value})
        assert 400 <= response.status_code < 500, (path, name, value[:40], response.text)
        assert is_problem(response, response.status_code), response.text
    raw = api.get("/periods/2027-01/payouts?payee_id=%FF%FE&plan_id=%C0%AF", "ops")
    assert raw.status_code == 200 and raw.json()["data"] == []
    surrogate = api.get("/periods/2027-01/payouts?cursor=%ED%A0%80", "ops")
    assert is_problem(surrogate, 422)
    assert data_snapshot(api.db_url) == before


def test_hostile_bodies_are_4xx_problems_and_write_nothing(api):
    before = data_snapshot(api.db_url)
    json_type = {"Content-Type": "application/json"}
    bodies = [
        b"",
        b"{",
        b"\xff\xfe{}",
        b'{"payee_id": "ae1", "period": "2027-09", "amount": "1.00", "reason": "\\ud800"}',
        b'{"payee_id": "ae1\\u0000", "period": "2027-09", "amount": "1.00", "reason": "x"}',
        b'{"payee_id": "ae1", "period": "2027-09", "amount": 1e309, "reason": "x"}',
        b'{"payee_id": "ae1", "period": "2027-09", "amount": "' + b"9" * 100_000 + b'"}',
        b"[" * 10_000,
    ]
    for body in bodies:
        response = api.post("/adjustments", "ops", content=body, headers=json_type)
        assert 400 <= response.status_code < 500, (body[:60], response.text)
        assert is_problem(response, response.status_code), response.text
    huge = api.post("/holds", "ops", content=b"{" + b" " * 70_000 + b"}", headers=json_type)
    assert is_problem(huge, 413)
    assert is_problem(api.request("PUT", "/periods", "ops"), 405)
    assert is_problem(api.get("/no/such/endpoint", "ops"), 404)
    assert data_snapshot(api.db_url) == before
