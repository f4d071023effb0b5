"""A synthetic ledger of any size, deterministic for a seed, for benchmarks.

The shape is realistic enough for the engine: every account has an AE and a CSM
for the whole range, one in ten with the AE role split between two AEs and one in five
with a mid-month CSM handover halfway through; contracts of one account have disjoint
product scopes (one all-products contract, or one single-product contract per
product), and usage is spread over the months with a few negative corrections. Usage
is generated and written in chunks, so memory stays flat however many rows are asked
for.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from compengine.months import first_day, last_day, parse_period

PRODUCTS = ("compute", "storage", "network", "database", "analytics", "ml", "security", "support")
SEGMENTS = ("enterprise", "mid-market", "smb")
_CHUNK_ROWS = 250_000
_CSV = pcsv.WriteOptions(quoting_style="none")
SPLIT_EVERY = 10
HANDOVER_EVERY = 5


class UsageFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


_USAGE_TEXT = pa.schema(
    [
        (name, pa.string())
        for name in ("entry_id", "account_id", "date", "amount", "product", "quantity")
    ]
)
# Parquet as an exporter would write it: typed columns, exact decimals, no floats.
_USAGE_TYPED = pa.schema(
    [
        ("entry_id", pa.string()),
        ("account_id", pa.string()),
        ("date", pa.date32()),
        ("amount", pa.decimal128(15, 2)),
        ("product", pa.string()),
        ("quantity", pa.int64()),
    ]
)


@dataclass(frozen=True)
class LedgerShape:
    usage_rows: int
    accounts: int = 1_000
    contracts: int | None = None  # default: one per account
    payees: int = 50  # one manager, then AEs and CSMs half and half
    months: int = 12
    first_month: str = "2027-01"
    seed: int = 0
    segments: tuple[str, ...] = SEGMENTS  # given to the accounts in turn
    usage_format: UsageFormat = UsageFormat.csv  # the other files are always CSV

    @property
    def contract_count(self) -> int:
        return self.accounts if self.contracts is None else self.contracts


def write_synthetic_ledger(shape: LedgerShape, directory: Path | None = None) -> Path:
    """Write the five files into `directory` (a new temporary one by default)."""
    if shape.payees < 3 or shape.accounts < 1 or shape.months < 1:
        raise ValueError("a synthetic ledger needs at least 3 payees, 1 account and 1 month")
    if shape.contract_count > shape.accounts * len(PRODUCTS):
        raise ValueError(f"at most {len(PRODUCTS)} contracts per account (one per product)")
    directory = directory or Path(tempfile.mkdtemp(prefix="compengine-ledger-"))
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(shape.seed)
    days = _days(shape)
    _write(directory / "payees.csv", _payees(shape))
    _write(directory / "accounts.csv", _accounts(shape))
    _write(directory / "assignments.csv", _assignments(shape, days))
    _write(directory / "contracts.csv", _contracts(shape, rng, days))
    _write_usage(usage_file(directory, shape), shape, rng, days)
    return directory


def usage_file(directory: Path, shape: LedgerShape) -> Path:
    return directory / f"usage.{shape.usage_format}"


def _days(shape: LedgerShape) -> list[str]:
    start = first_day(parse_period(shape.first_month))
    end = last_day(parse_period(shape.first_month) + shape.months - 1)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def _write(path: Path, table: pa.Table) -> None:
    pcsv.write_csv(table, path, _CSV)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _numbered(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _roles(shape: LedgerShape) -> tuple[np.ndarray, np.ndarray]:
    """Payee numbers of the AEs and of the CSMs (payee 0 is their manager)."""
    staff = np.arange(1, shape.payees)
    half = len(staff) // 2
    return staff[:half], staff[half:]


def _payees(shape: LedgerShape) -> pa.Table:
    numbers = np.arange(shape.payees)
    aes, _csms = _roles(shape)
    staff_title = np.where(np.isin(numbers, aes), "Account Executive", "Customer Success Manager")
    title = np.where(numbers == 0, "Sales Manager", staff_title)
    ids = _ids("p", numbers, 5)
    return pa.table(
        {
            "payee_id": ids,
            "name": _numbered("Payee ", numbers),
            "email": pc.binary_join_element_wise(ids, "@example.com", ""),
            "manager_id": pa.array(np.where(numbers == 0, "", "p00000")),
            "title": pa.array(title),
        }
    )


def _accounts(shape: LedgerShape) -> pa.Table:
    numbers = np.arange(shape.accounts)
    return pa.table(
        {
            "account_id": _ids("a", numbers, 6),
            "name": _numbered("Account ", numbers),
            "segment": pa.array(np.array(shape.segments)[numbers % len(shape.segments)]),
            "region": pa.array(np.where(numbers % 2 == 0, "emea", "amer")),
        }
    )


def _assignments(shape: LedgerShape, days: list[str]) -> pa.Table:
    """An AE and a CSM on every account for the whole range, except that every
    SPLIT_EVERY-th account's AE role is split half and half between two AEs, and every
    HANDOVER_EVERY-th account's CSM hands over to another CSM in the middle of the range."""
    accounts = np.arange(shape.accounts)
    aes, csms = _roles(shape)
    split = (accounts % SPLIT_EVERY == SPLIT_EVERY - 1) & (len(aes) > 1)
    handed = (accounts % HANDOVER_EVERY == 1) & (len(csms) > 1)
    middle = len(days) // 2
    first, whole = days[0], np.where(split, "0.5", "1")
    return pa.concat_tables(
        [
            _assignment_rows(accounts, aes[accounts % len(aes)], "AE", first, "", whole),
            _assignment_rows(
                accounts[split], aes[(accounts[split] + 1) % len(aes)], "AE", first, "", "0.5"
            ),
            _assignment_rows(
                accounts,
                csms[accounts % len(csms)],
                "CSM",
                first,
                np.where(handed, days[middle - 1], ""),
                "1",
            ),
            _assignment_rows(
                accounts[handed],
                csms[(accounts[handed] + 1) % len(csms)],
                "CSM",
                days[middle],
                "",
                "1",
            ),
        ]
    )


def _assignment_rows(
    accounts: np.ndarray, payees: np.ndarray, role: str, start: str, end, split
) -> pa.Table:
    """Assignment rows; `end` and `split` are one text for all or one per row."""
    count = len(accounts)
    return pa.table(
        {
            "account_id": _ids("a", accounts, 6),
            "payee_id": _ids("p", payees, 5),
            "role": pa.array(np.full(count, role)),
            "start": pa.array(np.full(count, start)),
            "end": pa.array(np.broadcast_to(np.asarray(end), count).astype(str)),
            "split": pa.array(np.broadcast_to(np.asarray(split), count).astype(str)),
        }
    )


def _contracts_per_account(shape: LedgerShape) -> np.ndarray:
    base, extra = divmod(shape.contract_count, shape.accounts)
    return base + (np.arange(shape.accounts) < extra)


def _contracts(shape: LedgerShape, rng: np.random.Generator, days: list[str]) -> pa.Table:
    numbers = np.arange(shape.contract_count)
    accounts = numbers % shape.accounts
    nth = numbers // shape.accounts  # the how-many-th contract of its account
    alone = _contracts_per_account(shape)[accounts] == 1
    signing_days = np.array(days[:90])
    return pa.table(
        {
            "contract_id": _ids("k", numbers, 7),
            "account_id": _ids("a", accounts, 6),
            "signed_on": pa.array(signing_days[rng.integers(0, len(signing_days), len(numbers))]),
            "commit_monthly": _money(rng.integers(1_000, 50_000, len(numbers)) * 100),
            "products": pa.array(np.where(alone, "", np.array(PRODUCTS)[nth % len(PRODUCTS)])),
        }
    )


def _money(cents: np.ndarray) -> pa.Array:
    """'-12.05' from -1205: exact decimal text of integer cents."""
    magnitude = np.abs(cents)
    whole = pc.cast(pa.array(magnitude // 100), pa.string())
    fraction = pc.utf8_lpad(pc.cast(pa.array(magnitude % 100), pa.string()), 2, "0")
    sign = pa.array(np.where(cents < 0, "-", ""))
    return pc.binary_join_element_wise(sign, whole, ".", fraction, "")


def _write_usage(path: Path, shape: LedgerShape, rng: np.random.Generator, days: list[str]) -> None:
    per_account = _contracts_per_account(shape)
    day_names = np.array(days)
    products = np.array(PRODUCTS)
    parquet = path.suffix == ".parquet"
    schema = _USAGE_TYPED if parquet else _USAGE_TEXT
    writer = (
        pq.ParquetWriter(path, schema)
        if parquet
        else pcsv.CSVWriter(path, schema, write_options=_CSV)
    )
    with writer:
        for start in range(0, shape.usage_rows, _CHUNK_ROWS):
            rows = min(_CHUNK_ROWS, shape.usage_rows - start)
            accounts = rng.integers(0, shape.accounts, rows)
            scoped = per_account[accounts]
            pick = rng.integers(0, len(PRODUCTS), rows)
            # Accounts with several contracts buy the products their contracts cover.
            product = products[np.where(scoped > 1, pick % np.maximum(scoped, 1), pick)]
            cents = rng.integers(100, 500_000, rows)
            cents = np.where(rng.random(rows) < 0.02, -cents // 10, cents)  # corrections
            text = pa.table(
                {
                    "entry_id": _ids("e", np.arange(start, start + rows), 10),
                    "account_id": _ids("a", accounts, 6),
                    "date": pa.array(day_names[rng.integers(0, len(days), rows)]),
                    "amount": _money(cents),
                    "product": pa.array(product),
                    "quantity": pc.cast(pa.array(rng.integers(1, 1_000, rows)), pa.string()),
                },
                schema=_USAGE_TEXT,
            )
            writer.write_table(text.cast(schema))
