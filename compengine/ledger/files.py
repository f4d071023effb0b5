"""The five input files of spec section 1: their columns, keys, references and tables.

Everything else in the ledger package is driven by these declarations, so adding a
column means adding one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from sqlalchemy import Table

from compengine.storage.models import Account, Assignment, Contract, Payee, UsageEntry


class Kind(Enum):
    """How a file column is checked and what it becomes in its table."""

    ID = "id"  # required id, kept exactly (see convert.py for what an id may hold)
    OPTIONAL_ID = "optional id"  # NULL when empty
    TEXT = "text"  # required free text, kept exactly
    OPTIONAL_TEXT = "optional text"  # NULL when empty
    PRODUCT = "product"  # an id, '' when empty
    PRODUCTS = "products"  # ';'-list of ids, items trimmed, '' = all products
    MONEY = "money"  # integer cents, may be negative
    NONNEGATIVE_MONEY = "non-negative money"
    DATE = "date"
    OPTIONAL_DATE = "optional date"  # NULL when empty
    SPLIT = "split"  # exact decimal text in (0, 1], '1' when empty


REQUIRED_KINDS = frozenset({Kind.ID, Kind.TEXT, Kind.MONEY, Kind.NONNEGATIVE_MONEY, Kind.DATE})


@dataclass(frozen=True)
class FileColumn:
    name: str  # header in the file
    kind: Kind
    stored_as: str  # column of the table

    @property
    def required(self) -> bool:
        return self.kind in REQUIRED_KINDS


@dataclass(frozen=True)
class Reference:
    """A column that must name a row of another input (in this load or stored)."""

    column: str
    target: str  # name of the referenced InputFile


@dataclass(frozen=True)
class InputFile:
    name: str  # base name: 'usage' for usage.csv / usage.parquet
    noun: str  # what one row is, for messages
    table: Table
    columns: tuple[FileColumn, ...]
    key: tuple[str, ...]  # file column names
    references: tuple[Reference, ...] = ()
    ordered: tuple[tuple[str, str], ...] = ()  # (earlier, later) date columns
    month_of: str | None = None  # date column whose month the usage aggregate needs

    def column(self, name: str) -> FileColumn:
        return next(column for column in self.columns if column.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def content(self) -> tuple[FileColumn, ...]:
        """The columns that are not part of the key: what a re-delivery may change."""
        return tuple(column for column in self.columns if column.name not in self.key)


def _col(name: str, kind: Kind, stored_as: str | None = None) -> FileColumn:
    return FileColumn(name, kind, stored_as or name)


PAYEES = InputFile(
    "payees",
    "payee",
    Payee.__table__,
    (
        _col("payee_id", Kind.ID),
        _col("name", Kind.TEXT),
        _col("email", Kind.OPTIONAL_TEXT),
        _col("manager_id", Kind.OPTIONAL_ID),
        _col("title", Kind.OPTIONAL_TEXT),
    ),
    key=("payee_id",),
    references=(Reference("manager_id", "payees"),),
)

ACCOUNTS = InputFile(
    "accounts",
    "account",
    Account.__table__,
    (
        _col("account_id", Kind.ID),
        _col("name", Kind.TEXT),
        _col("parent_id", Kind.OPTIONAL_ID),
        _col("segment", Kind.OPTIONAL_TEXT),
        _col("region", Kind.OPTIONAL_TEXT),
    ),
    key=("account_id",),
    references=(Reference("parent_id", "accounts"),),
)

ASSIGNMENTS = InputFile(
    "assignments",
    "assignment",
    Assignment.__table__,
    (
        _col("account_id", Kind.ID),
        _col("payee_id", Kind.ID),
        _col("role", Kind.ID),
        _col("start", Kind.DATE),
        _col("end", Kind.OPTIONAL_DATE),
        _col("split", Kind.SPLIT),
    ),
    key=("account_id", "payee_id", "role", "start"),
    references=(Reference("account_id", "accounts"), Reference("payee_id", "payees")),
    ordered=(("start", "end"),),
)

CONTRACTS = InputFile(
    "contracts",
    "contract",
    Contract.__table__,
    (
        _col("contract_id", Kind.ID),
        _col("account_id", Kind.ID),
        _col("signed_on", Kind.DATE),
        _col("commit_monthly", Kind.NONNEGATIVE_MONEY, "commit_monthly_cents"),
        _col("products", Kind.PRODUCTS),
        _col("ends_on", Kind.OPTIONAL_DATE),
    ),
    key=("contract_id",),
    references=(Reference("account_id", "accounts"),),
    ordered=(("signed_on", "ends_on"),),
)

USAGE = InputFile(
    "usage",
    "usage entry",
    UsageEntry.__table__,
    (
        _col("entry_id", Kind.ID),
        _col("account_id", Kind.ID),
        _col("date", Kind.DATE, "entry_date"),
        _col("amount", Kind.MONEY, "amount_cents"),
        _col("product", Kind.PRODUCT),
        _col("quantity", Kind.OPTIONAL_TEXT),
    ),
    key=("entry_id",),
    references=(Reference("account_id", "accounts"),),
    month_of="date",
)

# Referenced files come first, so that problems read in the order a user fixes them.
INPUT_FILES: tuple[InputFile, ...] = (PAYEES, ACCOUNTS, ASSIGNMENTS, CONTRACTS, USAGE)
BY_NAME = {spec.name: spec for spec in INPUT_FILES}
SUFFIXES = (".csv", ".parquet")


@dataclass(frozen=True)
class FoundInput:
    spec: InputFile
    path: Path

    @property
    def source(self) -> str:
        """The name problems are reported under, e.g. 'usage.csv'."""
        return self.path.name
