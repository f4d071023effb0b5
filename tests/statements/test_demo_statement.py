"""The demo's statement of ae2 for 2027-07: a true-up, a negative line, a draft, and what
its first page looks like as an image."""

from __future__ import annotations

import struct
import subprocess

import pytest

from tests.statements.conftest import pdf_text, squeezed


def demo_cycle(cli, folder):
    """The `make demo` cycle through 2027-07, which is run but not yet approved; returns
    the plans folder."""
    assert cli("sample", "demo").code == 0
    plans = folder / "demo" / "plans"
    assert cli("init").code == 0
    assert cli("load", folder / "demo").code == 0
    for month in range(1, 7):
        period = f"2027-{month:02d}"
        assert cli("run", "--period", period, "--plans", plans).code == 0
        assert cli("approve", "--period", period).code == 0
        assert cli("lock", "--period", period).code == 0
    assert cli("load", folder / "demo" / "late").code == 0
    assert cli("run", "--period", "2027-07", "--plans", plans).code == 0
    return plans


@pytest.fixture
def demo(cli, from_template):
    return cli, from_template("demo", demo_cycle)


def test_the_demo_statement_shows_the_true_up_as_a_negative_amount(demo, tmp_path):
    cli, plans = demo
    result = cli("statement", "--payee", "ae2", "--period", "2027-07", "--plans", plans)
    assert result.code == 0, result.err
    pdf = tmp_path / "ae2_2027-07.pdf"
    text = squeezed(pdf_text(pdf))
    assert squeezed("of which true-ups -$111.00") in text
    assert squeezed("true-up: earned to date changed by -111.00 after 2027-06 was locked") in text
    assert squeezed("Total of all lines (paid and held) $523.33") in text
    assert squeezed("Year-to-date paid 2027 $6,212.33") in text
    assert "DRAFT — not final" in pdf_text(pdf, 1)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (image,) = tmp_path.glob("page*.png")
    width, height = struct.unpack(">II", image.read_bytes()[16:24])
    assert (width, height) == (510, 660)  # US letter at 60 dpi
    assert image.stat().st_size > 20_000  # a page with text and rules, not an empty one
