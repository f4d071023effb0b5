"""Payroll over HTTP (spec section 10), on a real server: rows per earnings code of a
locked period, idempotent export batches (also under two concurrent requests with one
key), reissue, 409s, byte-identical pulls that match their sha256, audit with the
token's name, and hostile keys, bodies and paths answered 4xx with nothing written.

The database: tests/payroll_scenario.py (2027-01 and 2027-02 locked, 2027-03
calculated), plus one batch of 2027-02 exported through the CLI before the server
starts (batch 1).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator

import pytest

from compengine.storage.locking import BUSY
from tests.api.conftest import Api, data_snapshot, is_problem, ok, run_cli
from tests.payroll_scenario import PERIOD_1_CSV, PERIOD_1_ROWS, build_payroll_periods
from tests.server import running_server

TOKENS = {
    "ops": ("ops-bot", "ops"),
    "payroll": ("payroll-sys", "payroll"),
    "rep": ("rep-ae1", "rep"),
}
PERIOD_2_BATCH = 1


@pytest.fixture(scope="module")
def payroll_api(module_db_url, tmp_path_factory) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("payroll")
    plan = build_payroll_periods(lambda *args: run_cli(module_db_url, *args), folder)
    ok(module_db_url, "--user", "pat", "export", "--period", "2027-02", "--key", "cli-feb")
    tokens = {}
    for role, (name, kind) in TOKENS.items():
        extra = ("--payee", "ae1") if kind == "rep" else ()
        tokens[role] = ok(
            module_db_url, "token", "create", "--name", name, "--role", kind, *extra
        ).strip()
    with running_server(module_db_url, plan.parent, folder) as base:
        yield Api(base, module_db_url, folder, tokens)


def _export(api: Api, key: str | None, body: object, role: str = "payroll", **kwargs):
    headers = {} if key is None else {"Idempotency-Key": key}
    return api.post("/exports", role, headers=headers, json=body, **kwargs)


def _audit(api: Api, action: str) -> list[dict]:
    return json.loads(api.cli("audit", "--action", action, "--format", "json").out)


# (method, path, keyword arguments, roles allowed, what an allowed role gets)
READERS, CSV = {"ops", "payroll"}, {"headers": {"Accept": "text/csv"}}
REFUSED_EXPORT = {"json": {"period": "2027-03"}, "headers": {"Idempotency-Key": "m"}}
ENDPOINTS = [
    ("GET", "/periods/2027-01/payroll", {}, READERS, 200),
    ("GET", "/periods/2027-01/payroll", CSV, READERS, 200),
    ("GET", "/periods/2027-03/payroll", {}, READERS, 409),
    ("POST", "/exports", REFUSED_EXPORT, {"payroll"}, 409),
    ("GET", "/exports", {}, READERS, 200),
    ("GET", f"/exports/{PERIOD_2_BATCH}", {}, READERS, 200),
    ("GET", f"/exports/{PERIOD_2_BATCH}", CSV, READERS, 200),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "allowed", "expected"),
    ENDPOINTS,
    ids=[f"{m} {p}" + (" csv" if "Accept" in str(k) else "") for m, p, k, _, _ in ENDPOINTS],
)
def test_role_matrix(payroll_api, method, path, kwargs, allowed, expected):
    before = data_snapshot(payroll_api.db_url)
    anonymous = payroll_api.request(method, path, None, **kwargs)
    assert is_problem(anonymous, 401), anonymous.text
    for role in TOKENS:
        response = payroll_api.request(method, path, role, **kwargs)
        if role in allowed:
            assert response.status_code == expected, (role, response.text)
        else:
            assert is_problem(response, 403), (role, response.text)
    assert data_snapshot(payroll_api.db_url) == before


def test_payroll_rows_of_a_locked_period_as_json_and_as_the_clis_csv(payroll_api):
    body = payroll_api.get("/periods/2027-01/payroll", "payroll").json()
    assert body["period"] == "2027-01" and body["total"] == "577.50"
    assert [tuple(row.values()) for row in body["rows"]] == [
        (payee, name, email, code, f"{cents // 100}.{cents % 100:02d}")
        for payee, name, email, code, cents in PERIOD_1_ROWS
    ]
    csv = payroll_api.get("/periods/2027-01/payroll", "ops", headers={"Accept": "text/csv"})
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        csv.text
        == PERIOD_1_CSV
        == payroll_api.cli("payroll", "--period", "2027-01", "--format", "csv").out
    )


def test_payroll_of_a_period_not_locked_is_409_naming_its_state(payroll_api):
    for period, state in (("2027-03", "calculated"), ("2027-11", "open")):
        response = payroll_api.get(f"/periods/{period}/payroll", "payroll")
        assert is_problem(response, 409)
        assert response.json()["detail"].startswith(
            f"period {period} is {state}: payroll pulls only locked periods"
        )


def test_an_export_is_recorded_once_per_key_and_a_second_one_needs_a_reissue(payroll_api):
    db = payroll_api.db_url
    created = _export(payroll_api, "jan-2027-a", {"period": "2027-01"})
    assert created.status_code == 201, created.text
    batch = created.json()
    assert created.headers["location"] == f"/api/v1/exports/{batch['id']}"
    assert (batch["period"], batch["actor"], batch["reissue"], batch["row_count"]) == (
        "2027-01",
        "payroll-sys",
        False,
        3,
    )
    assert batch["total"] == "577.50"
    assert batch["sha256"] == hashlib.sha256(PERIOD_1_CSV.encode()).hexdigest()
    assert batch["created_at"].endswith("+00:00")

    before = data_snapshot(db)
    replay = _export(payroll_api, "jan-2027-a", {"period": "2027-01"})
    assert replay.status_code == 200 and replay.json() == batch
    second = _export(payroll_api, "jan-2027-b", {"period": "2027-01"})
    assert is_problem(second, 409)
    assert second.json()["detail"] == (
        f"period 2027-01 was already exported (batch {batch['id']}, created "
        f"{batch['created_at']} by payroll-sys); pull that batch again, or ask for a reissue "
        "to record a new one"
    )
    other = _export(payroll_api, "jan-2027-a", {"period": "2027-02"})
    assert is_problem(other, 409) and "use a new key for another period" in other.json()["detail"]
    assert data_snapshot(db) == before

    reissued = _export(payroll_api, "jan-2027-b", {"period": "2027-01", "reissue": True})
    assert reissued.status_code == 201 and reissued.json()["reissue"] is True
    assert reissued.json()["sha256"] == batch["sha256"]
    assert [e["actor"] for e in _audit(payroll_api, "export") if e["period"] == "2027-01"] == [
        "payroll-sys"
    ]
    (event,) = _audit(payroll_api, "export-reissue")
    assert (event["actor"], event["reason"]) == ("payroll-sys", f"reissue of batch {batch['id']}")
    listed = payroll_api.get("/exports", "ops", params={"period": "2027-01"}).json()
    assert [(b["id"], b["reissue"]) for b in listed] == [
        (batch["id"], False),
        (reissued.json()["id"], True),
    ]


def test_every_pull_of_a_batch_is_the_same_bytes_matching_its_sha256(payroll_api):
    listed = payroll_api.get("/exports", "payroll", params={"period": "2027-02"}).json()
    (summary,) = [b for b in listed if b["id"] == PERIOD_2_BATCH]
    assert (summary["actor"], summary["idempotency_key"]) == ("pat", "cli-feb")
    path = f"/exports/{PERIOD_2_BATCH}"
    pulls = [
        payroll_api.get(path, role, headers={"Accept": "text/csv"})
        for role in ("payroll", "ops", "payroll")
    ]
    assert len({pull.content for pull in pulls}) == 1
    content = pulls[0].content
    assert hashlib.sha256(content).hexdigest() == summary["sha256"]
    assert pulls[0].headers["etag"] == f'"{summary["sha256"]}"'
    assert pulls[0].headers["x-content-sha256"] == summary["sha256"]
    cli = payroll_api.cli("exports", "--batch", PERIOD_2_BATCH, "--format", "csv").out
    assert cli.encode() == content
    assert content.decode().splitlines()[1:] == [
        "ae1,Ada Evans,ada.evans@example.com,COMM,140.00",
        "csm1,Carl Stone,carl.stone@example.com,adjustment,25.00",
    ]
    again = payroll_api.get(
        path, "payroll", headers={"Accept": "text/csv", "If-None-Match": pulls[0].headers["etag"]}
    )
    assert again.status_code == 304
    as_json = [payroll_api.get(path, "payroll") for _ in range(2)]
    assert as_json[0].content == as_json[1].content
    assert as_json[0].json()["rows"][1]["earnings_code"] == "adjustment"
    assert is_problem(payroll_api.get("/exports/999", "ops"), 404)


def test_two_concurrent_exports_with_one_key_record_one_batch(payroll_api):
    before = {b["id"] for b in payroll_api.get("/exports", "ops").json()}
    start = threading.Barrier(2)
    responses = []

    def export():
        start.wait()
        responses.append(_export(payroll_api, "race-feb", {"period": "2027-02", "reissue": True}))

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(r.status_code for r in responses)
    assert statuses in ([200, 201], [201, 409]), [r.text for r in responses]
    if 409 in statuses:  # the loser found the lock taken: a retry gets the batch
        (busy,) = [r for r in responses if r.status_code == 409]
        assert busy.json()["detail"] == BUSY
    created = next(r.json() for r in responses if r.status_code == 201)
    retry = _export(payroll_api, "race-feb", {"period": "2027-02", "reissue": True})
    assert retry.status_code == 200 and retry.json()["id"] == created["id"]
    after = {b["id"] for b in payroll_api.get("/exports", "ops").json()}
    assert after - before == {created["id"]}


HOSTILE_KEYS = [None, "", "x" * 201, "a\tb", "schl\u00fcssel", "\u2603"]
HOSTILE_BODIES = [
    {"content": b"not json"},
    {"content": b"\xff\xfe{"},
    {"json": []},
    {"json": None},
    {"json": {}},
    {"json": {"period": 202701}},
    {"json": {"period": "2027-13"}},
    {"json": {"period": "../2027-01"}},
    {"json": {"period": "2027-01'; DROP TABLE export_batch; --"}},
    {"json": {"period": "x" * 10_000}},
    {"json": {"period": "2027-01", "reissue": "true"}},
    {"json": {"period": "2027-01", "reissue": 1}},
    {"json": {"period": "2027-01", "batch": 7}},
    {"json": {"period": "2027-01", "pad": "x" * 100_000}},
]


def test_hostile_keys_and_bodies_are_4xx_problems_and_write_nothing(payroll_api):
    before = data_snapshot(payroll_api.db_url)
    for key in HOSTILE_KEYS:
        headers = {} if key is None else {"Idempotency-Key": key.encode()}  # UTF-8 bytes
        response = payroll_api.post(
            "/exports", "payroll", headers=headers, json={"period": "2027-01", "reissue": True}
        )
        assert is_problem(response, 400), (key, response.text)
        assert "Idempotency-Key" in response.json()["detail"]
    for body in HOSTILE_BODIES:
        response = payroll_api.post(
            "/exports",
            "payroll",
            headers={"Idempotency-Key": "hostile", "Content-Type": "application/json"},
            **body,
        )
        assert 400 <= response.status_code < 500, (body, response.text)
        assert is_problem(response, response.status_code), response.text
    assert data_snapshot(payroll_api.db_url) == before


def test_hostile_paths_and_queries_are_4xx_problems_and_write_nothing(payroll_api):
    before = data_snapshot(payroll_api.db_url)
    paths = [
        f"/periods/{value}/payroll"
        for value in ("2027-07'", "..%2F..%2Fetc", "x" * 10_000, "%FF%FE", "%00", "2027-00")
    ]
    paths += [
        f"/exports/{value}"
        for value in ("abc", "0", "-1", "1e3", "1.5", "9" * 30, str(2**31), "%00", "x" * 10_000)
    ]
    paths += [
        f"/exports?period={value}" for value in ("2027-13", "0000-01", "'", "x" * 10_000, "%FF")
    ]
    for path in paths:
        response = payroll_api.get(path, "ops")
        assert 400 <= response.status_code < 500, (path[:50], response.text)
        assert is_problem(response, response.status_code), response.text
    assert data_snapshot(payroll_api.db_url) == before
