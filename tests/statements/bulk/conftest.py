"""A database with lines of every kind in 2027-02: ae1's lines held, adjustments for two
payees whose ids share a safe file name, and 2027-01 locked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.cycles.conftest import DATA, run

PAYEES = """payee_id,name,email,manager_id,title
ann/lee,=HYPERLINK("http://x"),,,Account Executive
ann_lee,Ann Lee,,,Account Executive
quiet,Quinn Quiet,,,Account Executive
"""


def build_bulk_cycle(cli, folder: Path) -> None:
    """The worked example run through 2027-02 (2027-01 locked), with a hold and two
    adjustments in 2027-02."""
    assert cli("init").code == 0
    assert cli("load", DATA).code == 0
    extra = folder / "extra"
    extra.mkdir()
    (extra / "payees.csv").write_text(PAYEES)
    assert cli("load", extra).code == 0
    run(cli, "2027-01")
    for command in ("approve", "lock"):
        assert cli(command, "--period", "2027-01").code == 0
    run(cli, "2027-02")
    for args in (
        ("hold", "--payee", "ae1", "--period", "2027-02", "--reason", "contract under review"),
        (
            "adjust",
            "--payee",
            "ann/lee",
            "--period",
            "2027-02",
            "--amount",
            "10.00",
            "--reason",
            "spiff",
        ),
        (
            "adjust",
            "--payee",
            "ann_lee",
            "--period",
            "2027-02",
            "--amount",
            "-5.00",
            "--reason",
            "correction",
        ),
    ):
        result = cli(*args)
        assert result.code == 0, result.err


@pytest.fixture
def bulk_cycle(cli, from_template):
    """The cycle above; returns the cli runner."""
    from_template("bulk-cycle", build_bulk_cycle)
    return cli


def listing(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under `folder` (folders as 'dir')."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): (
            "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        )
        for path in sorted(folder.rglob("*"))
    }


def leftovers(parent: Path) -> list[str]:
    """Temporary folders of a bulk run left in `parent`."""
    return sorted(path.name for path in parent.iterdir() if ".compengine-" in path.name)
