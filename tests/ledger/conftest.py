"""Input folders for load tests: copies of the worked example that a test edits."""

from __future__ import annotations

import shutil
import textwrap
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Executable, create_engine, select

from compengine.storage.models import MonthlyUsage, UsageEntry

WORKED_EXAMPLE = Path(__file__).parents[1] / "data" / "worked_example"
SAMPLE = Path(__file__).parents[2] / "compengine" / "sample"
INPUT_NAMES = ("payees", "accounts", "assignments", "contracts", "usage")


def write_csv(directory: Path, name: str, content: str) -> Path:
    """Write `content` (dedented) as DIR/name, creating DIR."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def worked_example(tmp_path) -> Path:
    """A private copy of tests/data/worked_example's five CSV files."""
    directory = tmp_path / "worked_example"
    directory.mkdir()
    for name in INPUT_NAMES:
        shutil.copy(WORKED_EXAMPLE / f"{name}.csv", directory)
    return directory


def create_schema(cli, _folder: Path) -> None:
    result = cli("init")
    assert result.code == 0, result.err


@pytest.fixture
def initialized(cli, from_template) -> Callable:
    """The `cli` runner on a database whose schema exists."""
    from_template("schema", create_schema)
    return cli


def rows(url: str, query: Executable) -> list[tuple]:
    """The rows of a SQLAlchemy query, typed (dates as dates on SQLite too)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in the file by `new`; `old` must be there."""
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} is not in {path.name}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def assert_monthly_usage_matches_ledger(url: str) -> None:
    """monthly_usage == SUM(amount), COUNT(*) of usage_entry by (account, product, month)."""
    expected: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for account, product, day, cents in rows(
        url,
        select(
            UsageEntry.account_id,
            UsageEntry.product,
            UsageEntry.entry_date,
            UsageEntry.amount_cents,
        ),
    ):
        totals = expected[(account, product, day.year * 12 + day.month - 1)]
        totals[0] += cents
        totals[1] += 1
    stored = rows(
        url,
        select(
            MonthlyUsage.account_id,
            MonthlyUsage.product,
            MonthlyUsage.month,
            MonthlyUsage.amount_cents,
            MonthlyUsage.entries,
        ),
    )
    assert {(a, p, m): [cents, n] for a, p, m, cents, n in stored} == dict(expected)
