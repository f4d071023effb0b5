"""The payroll pages (spec section 11): locked periods, what each payee is paid, an export
that a double click or a re-sent form makes once, batches whose CSV is the stored bytes."""

from __future__ import annotations

import hashlib
import re
import time

import pytest
from markupsafe import escape
from sqlalchemy import create_engine, text
from sqlmodel import Session

from compengine.cycles.payroll import payroll_rows
from compengine.money import format_cents
from compengine.storage.database import open_database, parse_database_url
from compengine.storage.locking import BUSY, exclusive
from compengine.web.payroll import EXPORT_WAIT_SECONDS
from tests.conftest import table_snapshot
from tests.web.conftest import csrf_of

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


@pytest.fixture(scope="module")
def clerk(site):
    return site.sign_in("payroll")


def batches(url: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, period, actor, reissue, sha256, content FROM export_batch ORDER BY id")
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def export_form(client, period: str) -> dict[str, str]:
    page = client.get(f"/payroll/periods/{period}")
    assert page.status_code == 200
    return {"csrf_token": csrf_of(page.text), "idempotency_key": KEY.search(page.text).group(1)}


def test_payroll_sees_the_locked_periods_only(site, clerk):
    page = clerk.get("/payroll")
    assert page.status_code == 200
    assert 'href="/payroll/periods/2027-01"' in page.text
    assert "/payroll/periods/2027-02" not in page.text  # approved, not locked
    for period in ("2027-02", "2027-03"):  # approved; not run: refused as the API does
        refused = clerk.get(f"/payroll/periods/{period}")
        assert refused.status_code == 409
        assert "payroll pulls only locked periods" in refused.text
    assert clerk.get("/payroll/periods/2027-13").status_code == 404  # no such month


def test_the_period_page_shows_each_payees_pay_by_earnings_code(site, clerk):
    page = clerk.get("/payroll/periods/2027-01").text
    engine = create_engine(site.db_url)
    with Session(engine) as session:
        rows = payroll_rows(session, "2027-01")
    engine.dispose()
    assert rows
    for row in rows:
        assert f"<td>{row.earnings_code}</td>" in page
        assert f'"num">{format_cents(row.amount_cents, grouping=True)}<' in page


def test_an_export_sent_twice_makes_one_batch_whose_csv_is_the_stored_bytes(site, clerk):
    """One story, in order (each step needs the one before): export, the same form
    again, download, a new export refused, a reissue."""
    form = export_form(clerk, "2027-01")
    first = clerk.post("/payroll/periods/2027-01/export", data=form)
    again = clerk.post("/payroll/periods/2027-01/export", data=form)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    (batch,) = batches(site.db_url)
    batch_id, period, actor, reissue, sha256, content = batch
    assert (period, actor, reissue) == ("2027-01", "payroll-web", False)
    assert first.headers["location"] == f"/payroll/exports/{batch_id}"
    page = clerk.get(first.headers["location"])
    assert page.status_code == 200 and sha256 in page.text

    download = clerk.get(f"/payroll/exports/{batch_id}.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.content == content.encode("utf-8")
    assert hashlib.sha256(download.content).hexdigest() == sha256
    assert "attachment" in download.headers["content-disposition"]
    assert site.sign_in("ops").get(f"/payroll/exports/{batch_id}.csv").content == download.content

    form = export_form(clerk, "2027-01")
    before = table_snapshot(site.db_url)
    refused = clerk.post("/payroll/periods/2027-01/export", data=form)
    assert refused.status_code == 409 and "Refused, nothing was changed" in refused.text
    assert f"period 2027-01 was already exported (batch {batch_id}" in refused.text
    assert table_snapshot(site.db_url) == before
    form = {**export_form(clerk, "2027-01"), "reissue": "yes"}
    assert clerk.post("/payroll/periods/2027-01/export", data=form).status_code == 303
    assert [b[3] for b in batches(site.db_url)] == [False, True]


def test_an_export_without_the_csrf_token_or_by_ops_changes_nothing(site, clerk):
    ops = site.sign_in("ops")
    form = export_form(clerk, "2027-01")
    before = table_snapshot(site.db_url)
    for forged in ("", "forged"):
        answer = clerk.post(
            "/payroll/periods/2027-01/export", data={**form, "csrf_token": forged, "reissue": "yes"}
        )
        assert answer.status_code == 403
    page = ops.get("/payroll/periods/2027-01")
    assert page.status_code == 200 and 'id="export"' not in page.text
    answer = ops.post(
        "/payroll/periods/2027-01/export",
        data={**form, "csrf_token": csrf_of(page.text), "reissue": "yes"},
    )
    assert answer.status_code == 403
    assert table_snapshot(site.db_url) == before


@pytest.mark.parametrize(
    "path",
    ["/payroll/exports/999", "/payroll/exports/abc", "/payroll/exports/1e3.csv",
     "/payroll/exports/99999999999999999999999.csv", "/payroll/exports/%C2%B9",
     "/payroll/exports/" + "9" * 5000, "/payroll/exports/" + "9" * 5000 + ".csv"],
)  # fmt: skip
def test_a_batch_that_does_not_exist_is_not_found(site, clerk, path):
    answer = clerk.get(path)
    assert answer.status_code == 404 and "Not found" in answer.text


def test_an_export_while_another_command_holds_the_lock_waits_only_seconds(site, clerk):
    """Busy for longer than EXPORT_WAIT_SECONDS: refused with the CLI's message, the form
    keeping its key; the same form sent again after the batch was recorded (a double
    click) shows that batch, busy or not."""
    form = {**export_form(clerk, "2027-01"), "reissue": "yes"}
    engine = open_database(parse_database_url(site.db_url))
    before = table_snapshot(site.db_url)
    with exclusive(engine):
        started = time.monotonic()
        busy = clerk.post("/payroll/periods/2027-01/export", data=form)
        waited = time.monotonic() - started
    assert EXPORT_WAIT_SECONDS <= waited < EXPORT_WAIT_SECONDS + 10
    assert table_snapshot(site.db_url) == before
    assert busy.status_code == 409 and str(escape(BUSY)) in busy.text
    assert KEY.search(busy.text).group(1) == form["idempotency_key"]

    first = clerk.post("/payroll/periods/2027-01/export", data=form)
    assert first.status_code == 303
    before = table_snapshot(site.db_url)
    with exclusive(engine):
        again = clerk.post("/payroll/periods/2027-01/export", data=form)
    engine.dispose()
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert table_snapshot(site.db_url) == before


def test_an_export_of_a_period_that_is_not_locked_shows_the_refusal(site, clerk):
    form = export_form(clerk, "2027-01")
    before = table_snapshot(site.db_url)
    answer = clerk.post("/payroll/periods/2027-03/export", data=form)
    assert answer.status_code == 409
    assert "period 2027-03 is calculated: payroll pulls only locked periods" in answer.text
    assert table_snapshot(site.db_url) == before
