"""The ops pages (spec section 11): the dashboard, a period page, and the cycle's actions
as forms that call the CLI's functions under its lock, show its refusals, and audit the
token's name. Each test holds whatever state the others (on the same server, in any
order) leave: they compare with the CLI at the time, or work on a period of their own."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import create_engine, text

from compengine.storage.database import open_database, parse_database_url
from compengine.storage.locking import exclusive
from tests.conftest import table_snapshot
from tests.web.conftest import cli, cli_refusal, csrf_of

ACTIONS = ["run", "approve", "lock", "reopen", "adjust", "hold", "release"]


@pytest.fixture(scope="module")
def ops(site):
    return site.sign_in("ops")


def state(url: str, period: str) -> tuple[str, bool]:
    engine = create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT state, stale FROM period WHERE period = :p"), {"p": period}
        ).one_or_none()
    engine.dispose()
    return (row[0], bool(row[1])) if row else ("open", False)


def scalar(url: str, sql: str, **values: object) -> object:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(sql), values).scalar()
    engine.dispose()
    return value


def post(client, path: str, **fields: str):
    """Submit a form of the period page as a browser would: with the page's CSRF token."""
    page = client.get(path.rsplit("/", 1)[0])
    return client.post(path, data={"csrf_token": csrf_of(page.text), **fields})


def refusal_shown(page, message: str) -> None:
    assert page.status_code == 409 and "Refused, nothing was changed" in page.text
    assert f"<pre>{escape(message)}</pre>" in page.text


def exceptions_shown(page: str, period: str) -> int:
    """The dashboard's exception count of `period`."""
    block = page.split(f'href="/ops/periods/{period}"', 1)[1].split("</tr>", 1)[0]
    return int(re.findall(r'"num">(?:<a [^>]*>)?([0-9]+)(?:</a>)?</td>', block)[-1])


def exceptions_found(site, period: str) -> int:
    """What `compengine exceptions` lists for `period`: one line per exception."""
    found = cli(site.db_url, "exceptions", "--period", period, "--plans", site.plans)
    return 0 if "no exceptions" in found else len(found.strip().splitlines())


def test_the_dashboard_shows_every_period_with_state_totals_and_exceptions(site, ops):
    page = ops.get("/ops")
    assert page.status_code == 200
    rows = re.findall(r'<tr>\s*<th scope="row"><a href="/ops/periods/([0-9-]+)">', page.text)
    status = cli(site.db_url, "status", "--format", "csv").splitlines()[1:]
    assert rows == [line.split(",")[0] for line in status] and rows[:3] == [
        "2027-01",
        "2027-02",
        "2027-03",
    ]
    assert "Final" in page.text and "DRAFT · " in page.text
    for line in status:
        period, _, _, _, _, paid, _, _ = line.split(",")
        block = page.text.split(f'href="/ops/periods/{period}"', 1)[1].split("</tr>", 1)[0]
        assert f'"num">{int(paid.replace(".", "")) // 100:,}.{paid[-2:]}<' in block
        assert exceptions_shown(page.text, period) == exceptions_found(site, period)


def test_the_period_page_shows_exceptions_payees_runs_and_audit(site, ops):
    page = ops.get("/ops/periods/2027-02")
    assert page.status_code == 200
    for part in ('id="exceptions"', "Lines by payee", "Run records", "Audit entries"):
        assert part in page.text
    assert "Ada Evans" in page.text and "Carl Stone" in page.text
    assert 'class="badge held">held' in page.text
    assert "paperwork" in page.text and "Stone&#39;s onboarding bonus" in page.text
    run_id = scalar(site.db_url, "SELECT last_run_id FROM period WHERE period = '2027-02'")
    assert f"<td>{run_id}</td>" in page.text
    payee = ops.get("/ops/periods/2027-02/payees/csm1")
    assert payee.status_code == 200 and "On hold" in payee.text
    pdf = ops.get("/ops/periods/2027-02/payees/csm1/statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert ops.get("/ops/periods/2027-02/payees/nobody").status_code == 404
    assert ops.get("/ops/analytics").status_code == 200


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_without_the_csrf_token_is_refused_and_changes_nothing(site, ops, action):
    before = table_snapshot(site.db_url)
    fields = {"payee": "ae1", "amount": "5.00", "reason": "forged", "confirm": "lock"}
    for forged in ({}, {"csrf_token": "forged"}):
        answer = ops.post(f"/ops/periods/2027-03/{action}", data={**fields, **forged})
        assert answer.status_code == 403 and "Nothing was changed" in answer.text
    assert table_snapshot(site.db_url) == before


def test_a_refused_action_shows_the_clis_message_and_changes_nothing(site, ops):
    before = table_snapshot(site.db_url)
    refusal_shown(
        post(ops, "/ops/periods/2027-03/lock", confirm="lock"),
        cli_refusal(site.db_url, "lock", "--period", "2027-03"),
    )
    refusal_shown(
        post(ops, "/ops/periods/2027-03/adjust", payee="ae1", amount="1e9", reason="typo"),
        cli_refusal(
            site.db_url,
            "adjust",
            "--payee",
            "ae1",
            "--period",
            "2027-03",
            "--amount",
            "1e9",
            "--reason",
            "typo",
        ),
    )
    refusal_shown(
        post(ops, "/ops/periods/2027-03/hold", payee="nobody", reason="x"),
        cli_refusal(
            site.db_url, "hold", "--payee", "nobody", "--period", "2027-03", "--reason", "x"
        ),
    )
    page = post(ops, "/ops/periods/2027-03/adjust", payee="ae1", amount="1e9", reason="typo")
    assert 'value="1e9"' in page.text  # what was typed stays in the form
    assert table_snapshot(site.db_url) == before


def test_a_write_while_another_command_holds_the_lock_is_refused_as_busy(site, ops):
    engine = open_database(parse_database_url(site.db_url))
    page = ops.get("/ops/periods/2027-03")
    before = table_snapshot(site.db_url)
    with exclusive(engine):
        answer = ops.post("/ops/periods/2027-03/approve", data={"csrf_token": csrf_of(page.text)})
    engine.dispose()
    assert answer.status_code == 409 and "another compengine command" in answer.text
    assert table_snapshot(site.db_url) == before


def test_adjust_hold_release_and_run_through_the_forms(site, ops):
    before = exceptions_shown(ops.get("/ops").text, "2027-03")
    answer = post(ops, "/ops/periods/2027-03/adjust", payee="ae1", amount="-5000.00",
                  reason="desk review")  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ops/periods/2027-03?done=adjust"
    assert "The adjustment was recorded." in ops.get(answer.headers["location"]).text
    adjustments = (
        "SELECT count(*) FROM payout_line WHERE period = '2027-03' AND kind = 'adjustment'"
    )
    assert scalar(site.db_url, adjustments) == 1
    # ae1's and the period's totals of 2027-03 are now negative: run warnings that the
    # dashboard counts at once
    after = exceptions_shown(ops.get("/ops").text, "2027-03")
    assert after == exceptions_found(site, "2027-03") == before + 2
    assert post(ops, "/ops/periods/2027-03/hold", payee="ae1", reason="check").status_code == 303
    held = "SELECT count(*) FROM payout_line WHERE period = '2027-03' AND status = 'held'"
    assert scalar(site.db_url, held) > 0
    answer = post(ops, "/ops/periods/2027-03/release", payee="ae1", reason="checked")
    assert answer.status_code == 303 and scalar(site.db_url, held) == 0
    runs = "SELECT count(*) FROM run_record WHERE period = '2027-03'"
    before = scalar(site.db_url, runs)
    assert post(ops, "/ops/periods/2027-03/run").status_code == 303
    assert scalar(site.db_url, runs) == before + 1
    actors = "SELECT DISTINCT actor FROM audit_event WHERE period = '2027-03' AND action <> 'run'"
    engine = create_engine(site.db_url)
    with engine.connect() as connection:
        assert {row[0] for row in connection.execute(text(actors))} >= {"ops-web"}
    engine.dispose()


def test_approve_lock_with_confirmation_and_reopen_with_a_reason(site, ops):
    assert post(ops, "/ops/periods/2027-03/approve").status_code == 303
    assert state(site.db_url, "2027-03") == ("approved", False)
    refusal_shown(
        post(ops, "/ops/periods/2027-03/reopen", reason="  "),
        cli_refusal(site.db_url, "reopen", "--period", "2027-03", "--reason", "  "),
    )
    assert post(ops, "/ops/periods/2027-03/reopen", reason="late deal").status_code == 303
    assert state(site.db_url, "2027-03") == ("calculated", False)
    confirm = ops.get("/ops/periods/2027-02/lock")
    assert confirm.status_code == 200 and "Yes, lock 2027-02" in confirm.text
    unconfirmed = ops.post("/ops/periods/2027-02/lock", data={"csrf_token": csrf_of(confirm.text)})
    assert unconfirmed.headers["location"] == "/ops/periods/2027-02/lock"
    assert state(site.db_url, "2027-02") == ("approved", False)
    answer = ops.post(
        "/ops/periods/2027-02/lock", data={"csrf_token": csrf_of(confirm.text), "confirm": "lock"}
    )
    assert answer.status_code == 303 and state(site.db_url, "2027-02") == ("locked", False)
    assert "It is final" in ops.get(answer.headers["location"]).text
    by = "SELECT actor FROM audit_event WHERE period = '2027-02' AND action = 'lock'"
    assert scalar(site.db_url, by) == "ops-web"


def test_a_period_never_run_is_opened_and_run_from_the_dashboard(site, ops):
    answer = ops.get("/ops/go", params={"period": "2027-04"})
    assert answer.headers["location"] == "/ops/periods/2027-04"
    page = ops.get("/ops/periods/2027-04")
    assert "has not been run yet" in page.text and 'id="action-run"' in page.text
    assert post(ops, "/ops/periods/2027-04/run").status_code == 303
    assert state(site.db_url, "2027-04") == ("calculated", False)
    assert ops.get("/ops/go", params={"period": "April"}).status_code == 404
