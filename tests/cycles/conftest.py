"""A database holding the spec's worked example (section 7), loaded through the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data" / "worked_example"
PLAN = DATA / "plan.yaml"


def load_worked_example(cli, _folder: Path) -> None:
    """init + load of the worked example: the start of most database tests (a template)."""
    assert cli("init").code == 0
    loaded = cli("load", DATA)
    assert loaded.code == 0, loaded.err


@pytest.fixture
def acme(cli, from_template):
    """init + load of the worked example; returns the cli runner."""
    from_template("worked-example", load_worked_example)
    return cli


def run(cli, period: str, *extra: str):
    result = cli("run", "--period", period, "--plans", PLAN, *extra)
    assert result.code == 0, result.err
    return result


def payouts(cli, period: str) -> list[dict[str, str]]:
    result = cli("payouts", "--period", period, "--format", "csv")
    assert result.code == 0, result.err
    return list(csv.DictReader(result.out.splitlines()))


def amounts(cli, period: str) -> dict[tuple[str, str], str]:
    """{(payee, component): amount} of a period's lines."""
    return {(row["payee_id"], row["component_id"]): row["amount"] for row in payouts(cli, period)}


def write_usage(folder: Path, *rows: tuple[str, str, str, str]) -> Path:
    """A usage.csv of (entry_id, account_id, date, amount) rows, e.g. a late correction."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "usage.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["entry_id", "account_id", "date", "amount", "product", "quantity"])
        writer.writerows([(*row, "", "") for row in rows])
    return folder
