"""`compengine statement` (spec section 9): a real PDF/A-3b document whose text, attachment
and totals are the payee's `payouts`, read back with poppler's own tools."""

from __future__ import annotations

import csv
import hashlib
import struct
import subprocess
from decimal import Decimal

from babel.numbers import format_currency

from tests.conftest import table_snapshot
from tests.cycles.conftest import PLAN
from tests.statements.conftest import (
    page_count,
    payee_csv,
    pdf_text,
    squeezed,
    statement,
)

DRAFT = "DRAFT — not final"


def dollars(amount: str) -> str:
    return format_currency(Decimal(amount), "USD", locale="en_US")


def test_every_amount_id_and_explanation_of_the_payee_is_in_the_text(cycle, tmp_path):
    statement(cycle, "--payee", "ae1", "--period", "2027-02")
    pdf = tmp_path / "ae1_2027-02.pdf"
    text = squeezed(pdf_text(pdf))
    rows = list(csv.DictReader(payee_csv(cycle, "2027-02", "ae1").splitlines()))
    assert {row["component_id"] for row in rows} == {"ramp", "adjustment"}
    for row in rows:
        for amount in (row["amount"], row["earned_to_date"], row["paid_before"]):
            assert squeezed(dollars(amount)) in text
        # an adjustment is shown with its reason, the rest of its explanation
        explanation = row["explanation"].removeprefix("manual adjustment: ")
        for value in (row["contract_id"], row["account_id"], explanation):
            assert squeezed(value) in text
    for component in ("ramp", "adjustments"):
        key = "adjustment" if component == "adjustments" else component
        subtotal = sum(Decimal(r["amount"]) for r in rows if r["component_id"] == key)
        assert squeezed(f"Subtotal {component}{dollars(str(subtotal))}") in text
    total = sum(Decimal(row["amount"]) for row in rows)
    lines = squeezed(pdf_text(pdf, layout=True))
    assert squeezed(f"Total of all lines (paid and held){dollars(str(total))}") in lines
    # held: every line of the period is on hold, nothing is paid
    assert squeezed(f"Held this period{dollars(str(total))}") in text
    assert squeezed(f"Paid this period{dollars('0')}") in text
    assert squeezed("On hold: second check") in text
    assert squeezed("Hold released: missing paperwork (") in text
    assert squeezed("released: paperwork signed") in text
    assert "Ada Evans (ae1)" in pdf_text(pdf)


def test_a_draft_says_so_on_every_page_and_a_locked_period_says_final(cycle, tmp_path):
    statement(cycle, "--payee", "ae1", "--period", "2027-02", "--out", "draft.pdf")
    draft = tmp_path / "draft.pdf"
    for page in range(1, page_count(draft) + 1):
        one = pdf_text(draft, page)
        assert DRAFT in one
        assert f"page {page} of {page_count(draft)}" in one
        assert "amounts in USD, rounded half away from zero to the cent" in one
        assert "Statement ST-2027-02-" in one
    statement(cycle, "--payee", "ae1", "--period", "2027-01", "--out", "final.pdf")
    final = pdf_text(tmp_path / "final.pdf")
    assert "Final" in final and "DRAFT" not in final and "locked 20" in final


def test_lines_csv_is_attached_and_equals_payouts_for_the_payee(cycle, tmp_path):
    statement(cycle, "--payee", "ae1", "--period", "2027-02", "--out", "s.pdf")
    listing = subprocess.run(
        ["pdfdetach", "-list", str(tmp_path / "s.pdf")], capture_output=True, text=True
    )
    assert listing.stdout.splitlines()[1:] == ["1: lines.csv"]
    saved = tmp_path / "saved.csv"
    subprocess.run(
        ["pdfdetach", "-save", "1", "-o", str(saved), str(tmp_path / "s.pdf")], check=True
    )
    expected = payee_csv(cycle, "2027-02", "ae1")
    assert saved.read_text(encoding="utf-8") == expected
    assert "manual adjustment: =spiff correction" in expected
    assert len(expected.splitlines()) == 3


def test_the_pdf_is_pdf_a_3b_with_embedded_fonts(cycle, tmp_path):
    statement(cycle, "--payee", "ae1", "--period", "2027-01", "--out", "s.pdf")
    meta = subprocess.run(
        ["pdfinfo", "-meta", str(tmp_path / "s.pdf")], capture_output=True, text=True
    ).stdout
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "s.pdf")], capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts and all("DejaVu-Sans" in f and " yes " in f for f in fonts)  # embedded
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "s.pdf")], capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert images == []  # no text as images


def test_a_locked_period_renders_byte_identical(cycle, cli_process, tmp_path):
    statement(cycle, "--payee", "ae1", "--period", "2027-01", "--out", "one.pdf")
    # another process: no cache of this one can make the two agree
    other = cli_process(
        "statement", "--payee", "ae1", "--period", "2027-01", "--plans", PLAN, "--out", "two.pdf"
    )
    assert other.code == 0, other.err

    def digest(name: str) -> str:
        return hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()

    assert digest("one.pdf") == digest("two.pdf")


def test_a_payee_without_lines_gets_a_statement_saying_so(cycle, tmp_path):
    statement(cycle, "--payee", "csm1", "--period", "2027-01")
    text = pdf_text(tmp_path / "csm1_2027-01.pdf")
    assert "There is no payout for you in January 2027." in text
    assert squeezed(f"Paid this period{dollars('0')}") in squeezed(text)


def test_html_is_self_contained(cycle, tmp_path):
    statement(cycle, "--payee", "ae1", "--period", "2027-02", "--format", "html")
    html = (tmp_path / "ae1_2027-02.html").read_text(encoding="utf-8")
    assert "<style>" in html and "@page" in html
    outside_namespaces = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http:" not in outside_namespaces and "https:" not in outside_namespaces
    assert "<script" not in html
    assert DRAFT in html and "&#39;=spiff" not in html and "=spiff correction" in html


def test_refusals_exit_1_and_write_nothing(cycle, db_url, tmp_path):
    before_tables, before_files = table_snapshot(db_url), sorted(tmp_path.iterdir())
    for args, message in [
        (("--payee", "nobody", "--period", "2027-01"), "--payee: unknown payee 'nobody'"),
        (("--payee", "ae1", "--period", "2027-13"), "--period: '2027-13' is not a month"),
        (("--payee", "ae1", "--period", "2027-09"), "--period: 2027-09 has not been run"),
        (("--payee", "ae1", "--period", "2027-01", "--locale", "xx_QQ"), "--locale: unknown"),
        (("--payee", "ae1", "--period", "2027-01", "--out", "no/such/s.pdf"), "--out: folder"),
    ]:
        result = cycle("statement", "--plans", PLAN, *args)
        assert result.code == 1, args
        assert message in result.err
    assert sorted(tmp_path.iterdir()) == before_files
    assert table_snapshot(db_url) == before_tables


def test_an_unwritable_out_is_a_located_error(cycle):
    # /proc takes no new file, not even from root
    result = cycle(
        "statement", "--plans", PLAN, "--payee", "ae1", "--period", "2027-01",
        "--out", "/proc/s.pdf",
    )  # fmt: skip
    assert result.code == 1 and "--out: cannot write '/proc/s.pdf'" in result.err


def test_page_one_image_is_a_full_page(cycle, tmp_path):
    statement(cycle, "--payee", "ae1", "--period", "2027-02", "--paper", "a4", "--out", "s.pdf")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "s.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    (image,) = tmp_path.glob("p*.png")
    width, height = struct.unpack(">II", image.read_bytes()[16:24])
    assert (width, height) == (497, 702)  # A4 (210 x 297 mm) at 60 dpi
    # a page with a header, a summary and tables compresses far worse than an empty one
    assert image.stat().st_size > 20_000


def test_statement_locale_formats_amounts(cycle, tmp_path):
    statement(
        cycle, "--payee", "ae1", "--period", "2027-01", "--locale", "de_DE", "--out", "de.pdf"
    )
    text = pdf_text(tmp_path / "de.pdf")
    assert "500,00 $" in text and "Januar 2027" in text


def test_accounts_to_watch_shows_the_payee_s_alerts_in_pdf_and_html(cycle, tmp_path):
    """ae1's k1 would end its window at 62.9 % of its commitment at February's pace:
    1,390.00 of ramp pay at risk (tests/views). A payee without alerts gets no box."""
    statement(cycle, "--payee", "ae1", "--period", "2027-02")
    text = squeezed(pdf_text(tmp_path / "ae1_2027-02.pdf", layout=True))
    assert squeezed("Accounts to watch") in text
    assert squeezed("Acme Corp (acme) k1 ramp month 2/6: 120.0% of the target so far;") in text
    assert squeezed(dollars("1390.00")) in text
    statement(cycle, "--payee", "ae1", "--period", "2027-02", "--format", "html")
    html = (tmp_path / "ae1_2027-02.html").read_text(encoding="utf-8")
    assert "Accounts to watch" in html and "ends at 62.9% of its commitment" in html
    statement(cycle, "--payee", "csm1", "--period", "2027-02")
    assert "Accounts to watch" not in pdf_text(tmp_path / "csm1_2027-02.pdf")
