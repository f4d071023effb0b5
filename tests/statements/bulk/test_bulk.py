"""`write_statements`: which payees, the manifest, all or nothing, any number of workers
(spec section 9), with small fake renderers in worker processes."""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

import pytest

from compengine.errors import UserError
from compengine.statements.bulk import progress_bar, write_statements
from compengine.statements.files import statement_file_names
from tests.conftest import table_snapshot
from tests.statements.bulk.conftest import leftovers, listing
from tests.statements.bulk.fakes import AdjustsWhileRendering, CannotStart, FailsFor, TinyStatements

WRITTEN = sorted(
    [
        *statement_file_names(["ae1", "ann/lee", "ann_lee"], "2027-02", "pdf").values(),
        "manifest.csv",
    ]
)


def write(
    db_url,
    out: Path,
    *,
    payees=(),
    renderer=None,
    force=False,
    workers=2,
    fmt="pdf",
    period="2027-02",
):
    return write_statements(
        db_url,
        period,
        list(payees),
        out,
        fmt=fmt,
        force=force,
        renderer=renderer or TinyStatements(fmt),
        workers=workers,
        progress=False,
    )


def manifest(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_payee_with_a_line_held_line_or_adjustment_gets_a_statement(
    bulk_cycle, db_url, tmp_path
):
    out = tmp_path / "statements"

    result = write(db_url, out)

    # csm1 and quiet have no line in 2027-02; ae1's lines are held
    assert sorted(path.name for path in out.iterdir()) == WRITTEN
    assert [row.payee_id for row in result.rows] == ["ae1", "ann/lee", "ann_lee"]
    assert leftovers(tmp_path) == []


def test_the_manifest_says_whose_file_it_is_its_lines_paid_held_and_sha256(
    bulk_cycle, db_url, tmp_path
):
    out = tmp_path / "statements"
    write(db_url, out)
    lines = csv.DictReader(
        bulk_cycle("payouts", "--period", "2027-02", "--format", "csv").out.splitlines()
    )
    ae1_held = sum(int(row["amount"].replace(".", "")) for row in lines if row["payee_id"] == "ae1")
    names = statement_file_names(["ae1", "ann/lee", "ann_lee"], "2027-02", "pdf")

    rows = manifest(out)

    assert [(r["payee_id"], r["file"], r["paid"]) for r in rows] == [
        ("ae1", names["ae1"], "0.00"),
        ("ann/lee", names["ann/lee"], "10.00"),
        ("ann_lee", names["ann_lee"], "-5.00"),
    ]
    assert rows[0]["held"] == f"{ae1_held / 100:.2f}" and ae1_held > 0
    assert [r["lines"] for r in rows[1:]] == ["1", "1"]
    assert int(rows[0]["lines"]) >= 1
    for row in rows:
        assert row["sha256"] == hashlib.sha256((out / row["file"]).read_bytes()).hexdigest()


def test_manifest_cells_that_a_spreadsheet_would_run_are_neutralised(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "statements"
    write(db_url, out)

    ann = next(row for row in manifest(out) if row["payee_id"] == "ann/lee")

    assert ann["name"] == '\'=HYPERLINK("http://x")'
    assert next(r for r in manifest(out) if r["payee_id"] == "ann_lee")["paid"] == "-5.00"


def test_only_the_payees_given_and_one_without_lines_gets_a_statement_too(
    bulk_cycle, db_url, tmp_path
):
    out = tmp_path / "statements"

    write(db_url, out, payees=["quiet", "ann_lee", "quiet"])

    assert sorted(path.name for path in out.iterdir()) == [
        "ann_lee_2027-02.pdf",  # alone, ann_lee collides with no one
        "manifest.csv",
        "quiet_2027-02.pdf",
    ]
    assert [(r["payee_id"], r["lines"], r["paid"], r["held"]) for r in manifest(out)] == [
        ("ann_lee", "1", "-5.00", "0.00"),
        ("quiet", "0", "0.00", "0.00"),
    ]


def test_the_files_do_not_depend_on_the_number_of_workers(bulk_cycle, db_url, tmp_path):
    write(db_url, tmp_path / "one", workers=1)
    write(db_url, tmp_path / "two", workers=2)

    assert listing(tmp_path / "one") == listing(tmp_path / "two")


def test_html_statements_are_named_html(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "statements"

    write(db_url, out, fmt="html", payees=["ae1"])

    assert sorted(path.name for path in out.iterdir()) == ["ae1_2027-02.html", "manifest.csv"]
    assert (out / "ae1_2027-02.html").read_bytes().startswith(b"<!doctype html>")


def refused(db_url, out: Path, message: str, **options) -> None:
    before, existed, tables = listing(out), out.exists(), table_snapshot(db_url)
    with pytest.raises(UserError) as error:
        write(db_url, out, **options)
    assert message in str(error.value)
    assert (listing(out), out.exists()) == (before, existed)
    if out.parent.is_dir():
        assert leftovers(out.parent) == []
    assert table_snapshot(db_url) == tables


def test_a_failure_names_the_payee_and_leaves_a_new_folder_unmade(bulk_cycle, db_url, tmp_path):
    refused(
        db_url,
        tmp_path / "statements",
        "the statement of payee 'ann_lee' failed: ValueError: no template for ann_lee; "
        "nothing was written",
        renderer=FailsFor("ann_lee"),
    )


def test_a_failure_leaves_an_existing_folder_exactly_as_it_was(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "statements"
    write(db_url, out)
    (out / "notes.txt").write_text("kept")

    refused(db_url, out, "payee 'ae1' failed", renderer=FailsFor("ae1"), force=True)


def test_a_renderer_that_cannot_start_fails_with_its_reason(bulk_cycle, db_url, tmp_path):
    refused(
        db_url,
        tmp_path / "statements",
        "the worker could not start: OSError: font DejaVuSans.ttf not found",
        renderer=CannotStart(),
    )


def test_lines_that_change_while_rendering_refuse_the_whole_folder(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "statements"
    with pytest.raises(UserError, match="the lines of 2027-02 changed while its statements"):
        write(db_url, out, renderer=AdjustsWhileRendering("ann_lee"))

    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_a_folder_holding_files_of_the_same_names_is_refused_without_force(
    bulk_cycle, db_url, tmp_path
):
    out = tmp_path / "statements"
    write(db_url, out, payees=["ae1"])

    refused(
        db_url,
        out,
        "already holds 2 of the files to write (ae1_2027-02.pdf, manifest.csv); "
        "use --force to replace them",
    )


def test_force_replaces_files_of_the_same_names_and_keeps_other_files(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "statements"
    out.mkdir()
    (out / "ae1_2027-02.pdf").write_bytes(b"old")
    (out / "notes.txt").write_text("kept")

    write(db_url, out, force=True)

    assert (out / "ae1_2027-02.pdf").read_bytes().startswith(b"%PDF-1.7 fake\nae1 2027-02")
    assert (out / "notes.txt").read_text() == "kept"
    assert leftovers(tmp_path) == []


def test_statements_of_another_period_are_refused_without_force(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "statements"
    write(db_url, out, period="2027-01")

    refused(db_url, out, "holds statements of another period (ae1_2027-01.pdf)", payees=["ae1"])
    write(db_url, out, payees=["ann_lee"], force=True)
    assert "ae1_2027-01.pdf" in listing(out)


def test_a_folder_named_like_a_statement_is_refused_even_with_force(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "statements"
    (out / "ae1_2027-02.pdf").mkdir(parents=True)

    refused(db_url, out, "ae1_2027-02.pdf is a folder", payees=["ae1"], force=True)


def test_out_must_be_a_folder_whose_parent_exists(bulk_cycle, db_url, tmp_path):
    (tmp_path / "file").write_text("x")

    refused(db_url, tmp_path / "file", "--out: ")
    refused(db_url, tmp_path / "no" / "such", "the folder")


@pytest.mark.parametrize(
    ("period", "payees", "message"),
    [
        ("2027-05", (), "--period: 2027-05 has not been run"),
        ("2027-13", (), "--period: "),
        (
            "2027-02",
            ("ae1", "nobody", "nobody2"),
            "--payee: unknown payee 'nobody'\n--payee: unknown payee 'nobody2'",
        ),
    ],
)
def test_refusals_write_nothing(bulk_cycle, db_url, tmp_path, period, payees, message):
    refused(db_url, tmp_path / "statements", message, period=period, payees=payees)


def test_the_progress_bar_goes_to_stderr_when_it_is_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    with progress_bar(True, 3, "2027-02") as advance:
        for _ in range(3):
            advance()

    assert "statements 2027-02" in terminal.getvalue()


def test_no_progress_bar_when_stderr_is_not_a_terminal(monkeypatch):
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)

    with progress_bar(True, 3, "2027-02") as advance:
        advance()

    assert quiet.getvalue() == ""
