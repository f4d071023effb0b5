"""The synthetic ledger: deterministic for a seed, of the asked shape, and loadable."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from compengine.bench.synthetic import PRODUCTS, LedgerShape, UsageFormat, write_synthetic_ledger

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
    assert len(usage) == 500
    assert {row["date"][:7] for row in usage} == {"2027-01", "2027-02", "2027-03"}
    assert any(row["amount"].startswith("-") for row in usage)  # corrections
    scopes: dict[str, list[str]] = {}
    for contract in contracts:
        scopes.setdefault(contract["account_id"], []).append(contract["products"])
    for products in scopes.values():  # one all-products contract, or disjoint single products
        assert products == [""] or sorted(products) == sorted(set(products) & set(PRODUCTS))


def test_every_tenth_account_splits_its_ae_and_every_fifth_hands_its_csm_over(tmp_path):
    assignments = _rows(write_synthetic_ledger(SMALL, tmp_path) / "assignments.csv")

    ae_splits: dict[str, Fraction] = defaultdict(Fraction)
    for row in assignments:
        if row["role"] == "AE":
            ae_splits[row["account_id"]] += Fraction(row["split"])
    csm = sorted(
        (row["account_id"], row["start"], row["end"], row["payee_id"])
        for row in assignments
        if row["role"] == "CSM" and row["account_id"] in ("a000000", "a000001")
    )
    assert ae_splits == {f"a{n:06d}": Fraction(1) for n in range(12)}
    assert sum(row["role"] == "AE" for row in assignments) == 12 + 1  # a000009 split
    assert csm == [
        ("a000000", "2027-01-01", "", "p00004"),
        ("a000001", "2027-01-01", "2027-02-14", "p00005"),  # mid-month, mid-range
        ("a000001", "2027-02-15", "", "p00006"),
    ]
    assert sum(row["role"] == "CSM" for row in assignments) == 12 + 3  # a000001, 6 and 11


def test_impossible_shapes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="at most 8 contracts per account"):
        write_synthetic_ledger(LedgerShape(usage_rows=1, accounts=1, contracts=9), tmp_path)


def test_a_parquet_usage_file_holds_the_same_rows_typed_as_an_exporter_writes_them(tmp_path):
    text = _rows(write_synthetic_ledger(SMALL, tmp_path / "csv") / "usage.csv")
    folder = write_synthetic_ledger(replace(SMALL, usage_format=UsageFormat.parquet), tmp_path)

    typed = pq.read_table(folder / "usage.parquet")

    assert not (folder / "usage.csv").exists()
    assert typed.schema.field("date").type == pa.date32()
    assert typed.schema.field("amount").type == pa.decimal128(15, 2)
    first = typed.slice(0, 1).to_pylist()[0]
    assert first["date"] == date.fromisoformat(text[0]["date"])
    assert first["amount"] == Decimal(text[0]["amount"])
    assert typed.column("entry_id").to_pylist() == [row["entry_id"] for row in text]
