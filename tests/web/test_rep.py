"""A rep's pages (spec section 11): their approved and locked periods, each with the
statement's numbers (every one from the view model, equal to `payouts`), charts and PDF;
never anything of another payee."""

from __future__ import annotations

import csv
import re
import subprocess

from markupsafe import escape
from sqlalchemy import create_engine
from sqlmodel import Session

from compengine.money import format_cents
from compengine.plan.load import load_plans
from compengine.views.payee_period import build_payee_period
from compengine.web.render import money
from tests.cycles.conftest import PLAN
from tests.web.conftest import cli

CENTS = re.compile(r'class="num line-amount" data-cents="(-?[0-9]+)"')


def payouts(url: str, period: str) -> list[dict[str, str]]:
    return list(
        csv.DictReader(cli(url, "payouts", "--period", period, "--format", "csv").splitlines())
    )


def view(url: str, payee_id: str, period: str):
    engine = create_engine(url)
    with Session(engine) as session:
        built = build_payee_period(session, payee_id, period, load_plans([PLAN]))
    engine.dispose()
    return built


def test_a_rep_sees_their_approved_and_locked_periods_only(site):
    page = site.sign_in("ae1").get("/me")
    assert page.status_code == 200 and "Ada Evans" in page.text
    assert 'href="/me/periods/2027-01"' in page.text and 'href="/me/periods/2027-02"' in page.text
    assert "2027-03" not in page.text  # calculated: not the rep's to see yet
    assert "Final" in page.text and "DRAFT" in page.text


def test_the_period_page_shows_the_view_models_numbers_which_equal_payouts(site):
    client = site.sign_in("ae1")
    for period in ("2027-01", "2027-02"):
        page = client.get(f"/me/periods/{period}")
        assert page.status_code == 200
        model = view(site.db_url, "ae1", period)
        summary = model.summary
        for cents in (summary.paid_cents, summary.held_cents, summary.total_cents,
                      summary.year_to_date_paid_cents):  # fmt: skip
            assert f'data-cents="{cents}">' in page.text and money(cents) in page.text
        mine = [row for row in payouts(site.db_url, period) if row["payee_id"] == "ae1"]
        shown = sorted(format_cents(int(c)) for c in CENTS.findall(page.text))
        assert shown == sorted(row["amount"] for row in mine) and shown
        for row in mine:
            if row["component_id"] == "adjustment":
                continue  # shown with its reason, under "Adjustments and holds"
            assert str(escape(row["explanation"])) in page.text
        for group in model.groups:
            assert f'data-cents="{group.subtotal_cents}"' in page.text
    locked = client.get("/me/periods/2027-01").text
    assert "Final" in locked and "SPIFF for the acme launch" in locked
    assert "DRAFT — not final" in client.get("/me/periods/2027-02").text


def test_the_ramp_chart_is_the_statements_svg(site):
    page = site.sign_in("ae1").get("/me/periods/2027-02").text
    if any(chart.progress for chart in view(site.db_url, "ae1", "2027-02").ramp_charts):
        assert "<svg" in page and "Ramp progress" in page
    else:
        assert "<svg" not in page


def test_download_pdf_is_the_statement_of_section_9(site, tmp_path):
    answer = site.sign_in("ae1").get("/me/periods/2027-01/statement.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert 'filename="ae1_2027-01.pdf"' in answer.headers["content-disposition"]
    (tmp_path / "s.pdf").write_bytes(answer.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    paid = view(site.db_url, "ae1", "2027-01").summary.paid_cents
    assert "Final" in text and money(paid) in text


def test_a_period_neither_approved_nor_locked_or_malformed_is_not_found(site):
    client = site.sign_in("ae1")
    for path in ("/me/periods/2027-03", "/me/periods/2027-03/statement.pdf",
                 "/me/periods/2031-01", "/me/periods/27-1", "/me/periods/2027-01.pdf"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 404 and "Not found" in answer.text, path


def test_a_rep_never_sees_another_payees_name_id_or_amount_on_any_page(site, tmp_path):
    client = site.sign_in("ae1")
    theirs, mine = set(), set()
    for period in ("2027-01", "2027-02", "2027-03"):
        for row in payouts(site.db_url, period):
            (mine if row["payee_id"] == "ae1" else theirs).add(int(row["amount"].replace(".", "")))
    for period in ("2027-01", "2027-02"):
        s = view(site.db_url, "ae1", period).summary
        mine |= {s.paid_cents, s.held_cents, s.total_cents, s.year_to_date_paid_cents,
                 s.adjustments_cents, s.true_ups_cents}  # fmt: skip
    secrets = {"csm1", "Carl Stone", "carl.stone", "onboarding bonus"} | {
        text for cents in theirs - mine for text in (money(cents), format_cents(cents))
    }
    pages = [client.get(path) for path in (
        "/me", "/me/periods/2027-01", "/me/periods/2027-02", "/me/periods/2027-03",
        "/me/periods/2027-01?payee=csm1", "/ops", "/ops/periods/2027-02/payees/csm1",
        "/payroll", "/nowhere",
    )]  # fmt: skip
    texts = [page.text for page in pages]
    for period in ("2027-01", "2027-02"):
        pdf = tmp_path / f"{period}.pdf"
        pdf.write_bytes(client.get(f"/me/periods/{period}/statement.pdf").content)
        texts.append(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                    text=True, check=True).stdout)  # fmt: skip
    assert theirs - mine, "the test needs amounts of csm1 that ae1 does not have"
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_a_held_rep_sees_their_hold(site):
    page = site.sign_in("csm1").get("/me/periods/2027-02").text
    assert "On hold" in page and "paperwork" in page and 'class="badge held"' in page
    assert "Ada Evans" not in page and "ae1" not in page
