"""The spec's worked example run through the CLI into a few closed and open periods, for
statements to be rendered from."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from tests.cycles.conftest import PLAN, load_worked_example, run


def close(cli, period: str) -> None:
    assert cli("approve", "--period", period).code == 0
    assert cli("lock", "--period", period).code == 0


@pytest.fixture
def acme(cli, from_template):
    from_template("worked-example", load_worked_example)
    return cli


def statement_cycle(cli, folder: Path) -> None:
    """2027-01 locked; 2027-02 calculated with an adjustment, and ae1 on hold in 2027-02
    after a released hold: every kind of line and reason a statement shows."""
    load_worked_example(cli, folder)
    run(cli, "2027-01")
    close(cli, "2027-01")
    run(cli, "2027-02")
    adjust = ("adjust", "--payee", "ae1", "--period", "2027-02")
    assert cli(*adjust, "--amount", "-12.34", "--reason", "=spiff correction").code == 0
    hold = ("--payee", "ae1", "--period", "2027-02", "--reason")
    assert cli("hold", *hold, "missing paperwork").code == 0
    assert cli("release", *hold, "paperwork signed").code == 0
    assert cli("hold", *hold, "second check").code == 0


@pytest.fixture
def cycle(cli, from_template):
    """The statement cycle above; returns the cli runner."""
    from_template("statement-cycle", statement_cycle)
    return cli


def statement(cli, *args: object):
    result = cli("statement", "--plans", PLAN, *args)
    assert result.code == 0, result.err
    return result


def payee_csv(cli, period: str, payee_id: str) -> str:
    """`payouts --format csv` of one payee: the header and that payee's rows."""
    result = cli("payouts", "--period", period, "--format", "csv")
    assert result.code == 0, result.err
    header, *rows = result.out.splitlines(keepends=True)
    cells = csv.reader(rows)
    return header + "".join(
        row for row, cell in zip(rows, cells, strict=True) if cell[1] == payee_id
    )


def pdf_text(path: Path, *pages: int, layout: bool = False) -> str:
    """pdftotext's reading order, or with `layout` the physical lines (a label and its amount
    stay together even where a page footer would be read between them)."""
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    mode = ["-layout"] if layout else []
    return subprocess.run(
        ["pdftotext", *mode, *first_last, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    (line,) = [x for x in info.stdout.splitlines() if x.startswith("Pages:")]
    return int(line.split()[1])


def squeezed(text: str) -> str:
    """Text without any whitespace: explanations wrap across lines in a PDF."""
    return "".join(text.split())
