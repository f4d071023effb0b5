"""Ops run the cycle over HTTP (spec sections 8 and 10): the CLI's functions and rules,
its database lock, the token's name in the audit log, and 409 with the CLI's message
when a rule refuses or the database is busy."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import create_engine

from compengine.money import format_cents, parse_money
from compengine.storage.locking import BUSY, exclusive
from tests.api.conftest import PLANS, data_snapshot, is_problem


def audit(api, period: str) -> list[dict]:
    return json.loads(api.cli("audit", "--period", period, "--format", "json").out)


def state_of(api, period: str) -> str:
    return {p["period"]: p["state"] for p in api.get("/periods", "ops").json()}[period]


def test_ops_run_a_whole_cycle_over_http_audited_with_the_token_name(api):
    run = api.post("/periods/2027-04/run", "ops")
    assert run.status_code == 200, run.text
    summary = run.json()
    stored = json.loads(api.cli("payouts", "--period", "2027-04", "--format", "json").out)
    by_component: dict[str, int] = defaultdict(int)
    for line in stored:
        by_component[f"{line['plan_id']}/{line['component_id']}"] += parse_money(line["amount"])
    assert summary["period"] == "2027-04" and summary["lines"] == len(stored) > 2
    assert summary["total"] == format_cents(sum(by_component.values()))
    assert summary["stale"] == []
    assert summary["by_component"] == {k: format_cents(v) for k, v in sorted(by_component.items())}
    assert {"ae-usage/first-purchase", "ae-usage/ramp"} <= set(summary["by_component"])
    exceptions = api.get("/periods/2027-04/exceptions", "ops").json()
    cli_exceptions = api.cli("exceptions", "--period", "2027-04", "--plans", PLANS).out
    assert exceptions["unassigned"] == [] and exceptions["warnings"]
    assert all(f"warning: {w}" in cli_exceptions for w in exceptions["warnings"])

    adjustment = api.post(
        "/adjustments",
        "ops",
        json={"payee_id": "ae3", "period": "2027-04", "amount": "250.00", "reason": "SPIFF"},
    )
    assert adjustment.status_code == 201
    assert adjustment.json()["amount"] == "250.00"
    assert adjustment.json()["component_id"] == "adjustment"
    hold = api.post(
        "/holds", "ops", json={"payee_id": "ae1", "period": "2027-04", "reason": "plan unsigned"}
    )
    assert hold.status_code == 201 and hold.json()["held"] is True
    held = api.get("/periods/2027-04/payouts", "ops", params={"payee_id": "ae1"}).json()["data"]
    assert held and {line["status"] for line in held} == {"held"}
    released = api.request("DELETE", "/holds/ae1/2027-04", "ops", params={"reason": "signed"})
    assert released.status_code == 200 and released.json()["held"] is False
    paid = api.get("/periods/2027-04/payouts", "ops", params={"payee_id": "ae1"}).json()["data"]
    assert {line["status"] for line in paid} == {"paid"}

    for period in ("2027-03", "2027-04"):
        assert api.post(f"/periods/{period}/approve", "ops").json()["state"] == "approved"
    reopened = api.post("/periods/2027-04/reopen", "ops", json={"reason": "recheck ae3"})
    assert reopened.json()["state"] == "calculated"
    assert api.post("/periods/2027-04/approve", "ops").status_code == 200
    for period in ("2027-03", "2027-04"):
        locked = api.post(f"/periods/{period}/lock", "ops").json()
        assert locked["state"] == "locked" and locked["locked_at"].endswith("+00:00")

    events = audit(api, "2027-04")
    assert [e["action"] for e in events] == [
        "run",
        "adjust",
        "hold",
        "release",
        "approve",
        "reopen",
        "approve",
        "lock",
    ]
    assert {e["actor"] for e in events} == {"ops-bot"}
    assert events[5]["reason"] == "recheck ae3"
    payroll = api.get("/periods/2027-04/payouts", "payroll", params={"limit": 5000}).json()
    assert len(payroll["data"]) == len(stored) + 1 and payroll["next_cursor"] is None


def test_a_refusal_is_409_with_the_cli_message_and_writes_nothing(api):
    before = data_snapshot(api.db_url)
    refusals = [
        (api.post("/periods/2027-01/run", "ops"), ("run", "--period", "2027-01", "--plans", PLANS)),
        (api.post("/periods/2027-09/approve", "ops"), ("approve", "--period", "2027-09")),
        (api.post("/periods/2027-09/lock", "ops"), ("lock", "--period", "2027-09")),
        (
            api.post("/periods/2027-01/reopen", "ops", json={"reason": "oops"}),
            ("reopen", "--period", "2027-01", "--reason", "oops"),
        ),
        (
            api.post(
                "/adjustments",
                "ops",
                json={"payee_id": "ae1", "period": "2027-01", "amount": "5.00", "reason": "late"},
            ),
            (
                "adjust",
                "--payee",
                "ae1",
                "--period",
                "2027-01",
                "--amount",
                "5.00",
                "--reason",
                "x",
            ),
        ),
        (
            api.post("/holds", "ops", json={"payee_id": "ae1", "period": "2027-02", "reason": "x"}),
            ("hold", "--payee", "ae1", "--period", "2027-02", "--reason", "x"),
        ),
        (
            api.request("DELETE", "/holds/ae2/2027-09", "ops", json={"reason": "x"}),
            ("release", "--payee", "ae2", "--period", "2027-09", "--reason", "x"),
        ),
    ]
    for response, command in refusals:
        assert is_problem(response, 409), response.text
        cli = api.cli(*command)
        assert cli.code == 1 and response.json()["detail"] in cli.err, (response.text, cli.err)
    assert data_snapshot(api.db_url) == before


def test_a_busy_database_is_409_with_the_cli_message_not_a_wait(api):
    engine = create_engine(api.db_url)
    try:
        from compengine.storage.database import make_engine

        engine = make_engine(api.db_url)
        with exclusive(engine):
            busy = api.post("/periods/2027-09/approve", "ops")
            run = api.post("/periods/2027-09/run", "ops")
            reads = api.get("/periods/2027-01/payouts", "payroll")
    finally:
        engine.dispose()
    for response in (busy, run):
        assert is_problem(response, 409) and response.json()["detail"] == BUSY
    assert reads.status_code == 200


def test_bad_write_bodies_are_422_and_write_nothing(api):
    before = data_snapshot(api.db_url)
    bodies = [
        {"payee_id": "ae1", "period": "2027-09", "amount": 12.5, "reason": "float"},
        {"payee_id": "ae1", "period": "2027-09", "amount": "1e5", "reason": "exponent"},
        {"payee_id": "ae1", "period": "2027-09", "amount": "0.00", "reason": "zero"},
        {"payee_id": "ae1", "period": "2027-09", "amount": "1" * 20, "reason": "huge"},
        {"payee_id": "ae1", "period": "2027-09", "amount": "1.001", "reason": "places"},
        {"payee_id": "ae1", "period": "2027-13", "amount": "1.00", "reason": "month"},
        {"payee_id": "ae1", "period": "2027-09", "amount": "1.00", "reason": "   "},
        {"payee_id": "ae1", "period": "2027-09", "amount": "1.00", "reason": "a\x1b[2Jb"},
        {"payee_id": "nobody", "period": "2027-09", "amount": "1.00", "reason": "who"},
        {"payee_id": ["ae1"], "period": "2027-09", "amount": "1.00", "reason": "list"},
        {"payee_id": "ae1", "period": "2027-09", "amount": "1.00", "reason": "x", "extra": 1},
        {"payee_id": "ae1", "period": "2027-09", "amount": "1.00"},
        [],
        "text",
        None,
    ]
    for body in bodies:
        response = api.post("/adjustments", "ops", json=body)
        assert is_problem(response, 422), (body, response.text)
    assert is_problem(api.post("/periods/2027-09/reopen", "ops", json={"reason": 5}), 422)
    assert is_problem(api.request("DELETE", "/holds/ae1/2027-09", "ops"), 422)
    assert is_problem(
        api.request("DELETE", "/holds/nobody/2027-09", "ops", params={"reason": "x"}), 404
    )
    assert data_snapshot(api.db_url) == before
