"""Stored rows in the words of the input files: for messages and audit records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_

from compengine.ledger.convert import shown_cell
from compengine.ledger.files import FileColumn, InputFile, Kind
from compengine.money import format_cents

_MONEY = (Kind.MONEY, Kind.NONNEGATIVE_MONEY)
_QUOTED = frozenset(
    {
        Kind.ID,
        Kind.OPTIONAL_ID,
        Kind.TEXT,
        Kind.OPTIONAL_TEXT,
        Kind.PRODUCT,
        Kind.PRODUCTS,
        Kind.SPLIT,
    }
)


def as_text(column: FileColumn, value: Any) -> str | None:
    """A stored value as it would be written in the file ('12.50', '2027-01-05')."""
    if value is None:
        return None
    if column.kind in _MONEY:
        return format_cents(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def shown(column: FileColumn, value: Any) -> str:
    """A stored value for a message: text quoted, empty said so."""
    written = as_text(column, value)
    if not written:
        return "(empty)"
    return shown_cell(written) if column.kind in _QUOTED else written


def as_file_row(spec: InputFile, stored: Mapping[str, Any]) -> dict[str, str | None]:
    """{file column: text} of a stored row, e.g. for the before/after of an audit event."""
    return {column.name: as_text(column, stored[column.stored_as]) for column in spec.columns}


def describe_key(spec: InputFile, stored: Mapping[str, Any]) -> str:
    """ "entry_id 'u1'" or "account_id 'acme', payee_id 'ae1', role 'AE', start 2027-01-01"."""
    return ", ".join(
        f"{name} {shown(spec.column(name), stored[spec.column(name).stored_as])}"
        for name in spec.key
    )


def key_field(spec: InputFile) -> str | None:
    """The field a key problem is reported under: the key column, if there is only one."""
    return spec.key[0] if len(spec.key) == 1 else None


def stored_names(spec: InputFile, names: tuple[str, ...]) -> list[str]:
    return [spec.column(name).stored_as for name in names]


def same_key(spec: InputFile, left: Table, right: Table) -> ColumnElement[bool]:
    return and_(*(left.c[name] == right.c[name] for name in stored_names(spec, spec.key)))


def content_differs(spec: InputFile, left: Table, right: Table) -> ColumnElement[bool]:
    return or_(
        *(
            left.c[column.stored_as].is_distinct_from(right.c[column.stored_as])
            for column in spec.content
        )
    )
