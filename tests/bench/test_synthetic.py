"""The synthetic ledger: deterministic for a seed, of the asked shape, and loadable."""

from __future__ import annotations

import csv

import pytest

from compengine.bench.synthetic import PRODUCTS, LedgerShape, write_synthetic_ledger

SMALL = LedgerShape(usage_rows=500, accounts=12, contracts=20, payees=7, months=3, seed=7)


def _rows(path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path):
    first = write_synthetic_ledger(SMALL, tmp_path / "a")
    second = write_synthetic_ledger(SMALL, tmp_path / "b")
    other = write_synthetic_ledger(LedgerShape(**{**SMALL.__dict__, "seed": 8}), tmp_path / "c")

    for name in ("payees", "accounts", "assignments", "contracts", "usage"):
        assert (first / f"{name}.csv").read_bytes() == (second / f"{name}.csv").read_bytes()
    assert (first / "usage.csv").read_bytes() != (other / "usage.csv").read_bytes()


def test_the_ledger_has_the_asked_shape(tmp_path):
    folder = write_synthetic_ledger(SMALL, tmp_path)

    usage = _rows(folder / "usage.csv")
    contracts = _rows(folder / "contracts.csv")
    assert (len(_rows(folder / "payees.csv")), len(_rows(folder / "accounts.csv"))) == (7, 12)
    assert len(contracts) == 20
    assert len(_rows(folder / "assignments.csv")) == 2 * 12  # an AE and a CSM per account
    assert len(usage) == 500
    assert {row["date"][:7] for row in usage} == {"2027-01", "2027-02", "2027-03"}
    assert any(row["amount"].startswith("-") for row in usage)  # corrections
    scopes: dict[str, list[str]] = {}
    for contract in contracts:
        scopes.setdefault(contract["account_id"], []).append(contract["products"])
    for products in scopes.values():  # one all-products contract, or disjoint single products
        assert products == [""] or sorted(products) == sorted(set(products) & set(PRODUCTS))


def test_impossible_shapes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="at most 8 contracts per account"):
        write_synthetic_ledger(LedgerShape(usage_rows=1, accounts=1, contracts=9), tmp_path)
