"""`compengine statements`: the command's refusals and Ctrl-C (spec sections 6 and 9).

Refusals happen before any renderer runs; the runs that render use the real command
line with a fake renderer in a process of its own (`with_fake_renderer`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ctrl_c_as_in_a_terminal, finish, process_environment, table_snapshot
from tests.cycles.conftest import PLAN
from tests.statements.bulk.conftest import leftovers, listing

REPOSITORY = Path(__file__).parents[3]


def start(db_url: str, cwd: Path, *args: object, **env: str) -> subprocess.Popen[str]:
    """`compengine --db URL ARGS` with the fake renderer, in a session of its own (so
    that Ctrl-C can go to its whole process group, as a terminal sends it)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.statements.bulk.with_fake_renderer",
            "--db",
            db_url,
            *map(str, args),
        ],
        cwd=cwd,
        env=process_environment(PYTHONPATH=str(REPOSITORY), **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )


def wait_for(marker: Path, process: subprocess.Popen[str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the command never reached its pause point"
        time.sleep(0.05)


def statements(period: str, out: Path, *extra: object) -> tuple[object, ...]:
    return ("statements", "--period", period, "--out", out, "--plans", PLAN, *extra)


def test_statements_writes_every_file_and_says_where(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "out"
    process = start(db_url, tmp_path, *statements("2027-02", out), FAKE_MARKER=str(tmp_path / "m"))

    result = finish(process)

    assert result.code == 0, result.err
    assert result.out == f"wrote 3 statement(s) of 2027-02 and manifest.csv to {out}\n"
    assert len(listing(out)) == 4
    assert result.err == ""  # no progress bar when stderr is not a terminal


def refused(cli, db_url, out: Path, *args: object) -> str:
    before, tables = listing(out), table_snapshot(db_url)
    result = cli(*args)
    assert result.code == 1, result.out
    assert listing(out) == before
    assert leftovers(out.parent) == []
    assert table_snapshot(db_url) == tables
    return result.err


@pytest.mark.parametrize(
    ("period", "extra", "message"),
    [
        ("2027-06", (), "--period: 2027-06 has not been run: there are no statements\n"),
        ("27-02", (), "--period: "),
        ("2027-02", ("--payee", "ae1", "--payee", "ghost"), "--payee: unknown payee 'ghost'\n"),
        ("2027-02", ("--locale", "xx_YY"), "--locale: unknown locale 'xx_YY'\n"),
    ],
)
def test_refusals_exit_1_and_write_nothing(bulk_cycle, db_url, tmp_path, period, extra, message):
    out = tmp_path / "out"

    err = refused(bulk_cycle, db_url, out, *statements(period, out, *extra))

    assert message in err
    assert not out.exists()


def test_a_folder_holding_the_same_files_is_refused_without_force(bulk_cycle, db_url, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.csv").write_text("mine")

    err = refused(bulk_cycle, db_url, out, *statements("2027-02", out))

    assert "already holds 1 of the files to write (manifest.csv); use --force" in err


def test_an_unknown_format_is_a_usage_error(bulk_cycle, tmp_path):
    result = bulk_cycle(*statements("2027-02", tmp_path / "out", "--format", "docx"))

    assert result.code == 2
    assert not (tmp_path / "out").exists()


def interrupted(process: subprocess.Popen[str], marker: Path):
    wait_for(marker, process)
    os.killpg(process.pid, signal.SIGINT)  # the whole group: parent and workers
    result = finish(process, timeout=90)
    assert result.code == 130, result.err
    assert "interrupted: any unfinished change was rolled back" in result.err
    return result


def test_ctrl_c_while_rendering_exits_130_and_leaves_the_folder_as_it_was(
    bulk_cycle, db_url, tmp_path
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("kept")
    before = listing(out)
    marker = tmp_path / "rendering"
    process = start(
        db_url,
        tmp_path,
        *statements("2027-02", out, "--workers", 1),
        FAKE_MARKER=str(marker),
        FAKE_SECONDS="2",
    )

    interrupted(process, marker)

    assert listing(out) == before
    assert leftovers(tmp_path) == []


def test_ctrl_c_while_moving_files_in_puts_back_what_was_moved_and_replaced(
    bulk_cycle, db_url, tmp_path
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ae1_2027-02.pdf").write_bytes(b"the statement ae1 already has")
    before = listing(out)
    marker = tmp_path / "moving"
    process = start(
        db_url,
        tmp_path,
        *statements("2027-02", out, "--force"),
        FAKE_MARKER=str(tmp_path / "rendering"),
        COMPENGINE_PAUSE_AT="statements:moving",
        COMPENGINE_PAUSE_FILE=str(marker),
        COMPENGINE_PAUSE_SECONDS="1",
    )

    interrupted(process, marker)

    assert listing(out) == before
    assert leftovers(tmp_path) == []


def test_real_statements_of_a_locked_period_are_the_same_bytes_on_any_number_of_workers(
    bulk_cycle, db_url, tmp_path
):
    one, two = tmp_path / "one", tmp_path / "two"

    for out, workers in ((one, 1), (two, 2)):
        result = bulk_cycle(*statements("2027-01", out, "--workers", workers))
        assert result.code == 0, result.err

    assert listing(one) == listing(two)
    assert sorted(listing(one)) == ["ae1_2027-01.pdf", "manifest.csv"]
    text = subprocess.run(
        ["pdftotext", str(one / "ae1_2027-01.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "ae1" in text and "Final" in text


def test_statements_take_the_locale_and_paper_of_a_single_statement(bulk_cycle, tmp_path):
    out = tmp_path / "de"
    args = ("--locale", "de_DE", "--paper", "a4", "--workers", 1)
    result = bulk_cycle(*statements("2027-01", out, *args))
    assert result.code == 0, result.err
    pdf = str(out / "ae1_2027-01.pdf")
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True)
    assert "500,00 $" in text.stdout and "Januar 2027" in text.stdout
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
