"""The three roles' monthly work in a real browser (headless Chromium through Selenium):
a rep reads a period and downloads the PDF, ops run, approve and lock through the forms,
payroll exports with a double click; screenshots at 1280 and 360 px are not blank."""

from __future__ import annotations

import csv
from decimal import Decimal

import httpx
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.web.browser import (
    chromium,
    click,
    no_horizontal_scroll,
    screenshot,
    shown_amount,
    sign_in,
    wait_for_file,
)
from tests.web.conftest import cli
from tests.web.test_ops import state
from tests.web.test_payroll import batches


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    downloads = tmp_path_factory.mktemp("downloads")
    with chromium(downloads) as driver:
        driver.downloads = downloads
        yield driver


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


def test_a_rep_reads_a_period_whose_amounts_equal_payouts_and_downloads_the_pdf(
    site, browser, shots
):
    sign_in(browser, site.base, site.tokens["ae1"])
    assert browser.current_url.endswith("/me")
    screenshot(browser, shots, "rep-periods")
    click(browser, (By.LINK_TEXT, "2027-01"))
    assert browser.current_url.endswith("/me/periods/2027-01")
    shown = sorted(
        shown_amount(cell.text) for cell in browser.find_elements(By.CSS_SELECTOR, ".line-amount")
    )
    rows = csv.DictReader(
        cli(site.db_url, "payouts", "--period", "2027-01", "--format", "csv").splitlines()
    )
    expected = sorted(Decimal(row["amount"]) for row in rows if row["payee_id"] == "ae1")
    assert shown == expected and shown
    paid = browser.find_element(By.CSS_SELECTOR, "#summary tr:first-child td").text
    assert shown_amount(paid) == sum(expected)  # 2027-01 has no held line
    assert "Final" in browser.find_element(By.TAG_NAME, "h1").find_element(By.XPATH, "..").text
    screenshot(browser, shots, "rep-period")
    browser.find_element(By.LINK_TEXT, "Download PDF").click()  # a download: no new page
    pdf = wait_for_file(browser.downloads, ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_ops_run_approve_and_lock_through_the_forms(site, browser, shots):
    sign_in(browser, site.base, site.tokens["ops"])
    assert browser.current_url.endswith("/ops")
    screenshot(browser, shots, "ops-dashboard")
    browser.get(f"{site.base}/ops/periods/2027-02")
    click(browser, (By.ID, "action-lock"))
    click(browser, (By.CSS_SELECTOR, "button.danger"))
    assert state(site.db_url, "2027-02") == ("locked", False)
    browser.get(f"{site.base}/ops/periods/2027-03")
    click(browser, (By.ID, "action-run"))
    assert "The period was run." in browser.page_source
    click(browser, (By.ID, "action-approve"))
    assert state(site.db_url, "2027-03") == ("approved", False)
    screenshot(browser, shots, "ops-period")
    click(browser, (By.ID, "action-lock"))
    screenshot(browser, shots, "ops-lock")
    click(browser, (By.CSS_SELECTOR, "button.danger"))
    assert state(site.db_url, "2027-03") == ("locked", False)
    assert "It is final." in browser.page_source


def test_payroll_exports_with_a_double_click_and_gets_one_batch(site, browser, shots):
    sign_in(browser, site.base, site.tokens["payroll"])
    assert browser.current_url.endswith("/payroll")
    screenshot(browser, shots, "payroll-periods")
    click(browser, (By.LINK_TEXT, "2027-01"))
    screenshot(browser, shots, "payroll-period")
    button = browser.find_element(By.ID, "export")
    form = {
        name: browser.find_element(By.NAME, name).get_attribute("value")
        for name in ("csrf_token", "idempotency_key")
    }
    ActionChains(browser).double_click(button).perform()
    WebDriverWait(browser, 120).until(lambda d: "/payroll/exports/" in d.current_url)
    WebDriverWait(browser, 120).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    exported = batches(site.db_url)
    assert [(b[1], b[3]) for b in exported] == [("2027-01", False)]
    assert browser.current_url.endswith(f"/payroll/exports/{exported[0][0]}")
    assert exported[0][4] in browser.page_source  # the sha256 of the CSV
    # the same form once more, however late: the same batch, still one
    cookie = browser.get_cookie("compengine_session")["value"]
    with httpx.Client(base_url=site.base, cookies={"compengine_session": cookie}) as again:
        resent = again.post("/payroll/periods/2027-01/export", data=form)
    assert resent.headers["location"] == f"/payroll/exports/{exported[0][0]}"
    assert len(batches(site.db_url)) == 1
    screenshot(browser, shots, "payroll-batch")


def test_the_pages_fit_a_phone(site, browser):
    sign_in(browser, site.base, site.tokens["ops"])
    browser.set_window_size(360, 800)
    for path in ("/ops", "/ops/periods/2027-02", "/payroll/periods/2027-01"):
        browser.get(site.base + path)
        assert no_horizontal_scroll(browser), path
    browser.set_window_size(1280, 900)
