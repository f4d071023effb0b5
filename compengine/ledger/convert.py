"""Vectorized checks and conversions of one text column (pyarrow compute, no row loop).

Each converter returns the stored values (null where a cell is bad) and the checks
that failed, as boolean masks with a message builder, so that messages are only
built for the few rows that are shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from compengine.ledger.files import Kind
from compengine.months import month_of

_DECIMAL = r"^[+-]?\d+(\.\d+)?$"
_MONEY = r"^[+-]?\d+(\.\d{1,2})?$"
_MONEY_SIZE = r"^[+-]?0*\d{1,15}(\.\d+)?$"  # stays far inside BIGINT cents
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # date.fromisoformat takes more
_SPLIT_RANGE = r"^\+?0*(1(\.0+)?|0\.\d*[1-9]\d*)$"  # (0, 1]


@dataclass(frozen=True)
class Check:
    """Cells that failed one rule; `message(text)` describes one of them."""

    rule: str
    bad: np.ndarray
    message: Callable[[str], str]


@dataclass
class Converted:
    values: pa.Array
    checks: list[Check] = field(default_factory=list)
    month: pa.Array | None = None  # month index of a date, for the usage aggregate

    def fail(self, rule: str, bad: pa.Array | np.ndarray, message: Callable[[str], str]) -> None:
        mask = bad if isinstance(bad, np.ndarray) else _mask(bad)
        if mask.any():
            self.checks.append(Check(rule, mask, message))


def _mask(condition: pa.Array) -> np.ndarray:
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)


def _matches(text: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(text, pattern)


def _null_where(condition: pa.Array, values: pa.Array) -> pa.Array:
    return pc.if_else(condition, pa.scalar(None, values.type), values)


def _required(text: pa.Array, converted: Converted) -> pa.Array:
    """Marks empty cells of a required column; returns the emptiness mask."""
    empty = pc.equal(pc.utf8_trim_whitespace(text), "")
    converted.fail("required", empty, lambda _text: "is required")
    return empty


def convert(kind: Kind, text: pa.Array) -> Converted:
    """Stored values of one column of file text, and the checks its cells failed."""
    return _CONVERTERS[kind](text)


def _text(text: pa.Array) -> Converted:
    converted = Converted(text)
    _required(text, converted)
    return converted


def _optional_text(text: pa.Array) -> Converted:
    return Converted(_null_where(pc.equal(text, ""), text))


def _product(text: pa.Array) -> Converted:
    return Converted(text)


def _products(text: pa.Array) -> Converted:
    """'compute ; storage;' -> 'compute;storage': items trimmed, empty items dropped."""
    joined = pc.replace_substring_regex(text, r"\s*;\s*", ";")
    joined = pc.replace_substring_regex(joined, r";{2,}", ";")
    return Converted(pc.utf8_trim(pc.utf8_trim_whitespace(joined), characters=";"))


def _money(text: pa.Array, *, nonnegative: bool = False) -> Converted:
    trimmed = pc.utf8_trim_whitespace(text)
    converted = Converted(pa.nulls(len(text), pa.int64()))
    empty = _required(text, converted)
    decimal = _matches(trimmed, _DECIMAL)
    two_places = _matches(trimmed, _MONEY)
    small = _matches(trimmed, _MONEY_SIZE)
    converted.fail(
        "money",
        pc.and_(pc.invert(empty), pc.invert(decimal)),
        lambda cell: f"{cell!r} is not a money amount",
    )
    converted.fail(
        "places",
        pc.and_(decimal, pc.invert(two_places)),
        lambda cell: f"{cell!r} has more than 2 decimal places",
    )
    converted.fail(
        "size", pc.and_(two_places, pc.invert(small)), lambda cell: f"{cell!r} is too large"
    )
    good = pc.and_(two_places, small)
    # '12' -> '12.00', '12.5' -> '12.50'; then drop '.' and '+' and read the cents.
    padded = pc.replace_substring_regex(trimmed, r"^([+-]?\d+)$", r"\1.00")
    padded = pc.replace_substring_regex(padded, r"^([+-]?\d+\.\d)$", r"\10")
    digits = pc.replace_substring(pc.replace_substring(padded, ".", ""), "+", "")
    cents = pc.cast(pc.if_else(good, digits, "0"), pa.int64())
    converted.values = _null_where(pc.invert(good), cents)
    if nonnegative:
        converted.fail(
            "negative",
            pc.less(converted.values, 0),
            lambda cell: f"{cell!r} is negative (must be 0 or more)",
        )
    return converted


def _nonnegative_money(text: pa.Array) -> Converted:
    return _money(text, nonnegative=True)


def _date(text: pa.Array, *, optional: bool = False) -> Converted:
    """ISO dates checked once per distinct value: a ledger has few distinct days."""
    trimmed = pc.utf8_trim_whitespace(text)
    converted = Converted(pa.nulls(len(text), pa.string()))
    empty = pc.equal(trimmed, "") if optional else _required(text, converted)
    encoded = pc.dictionary_encode(trimmed)
    distinct = encoded.dictionary.to_pylist()
    months = np.array([_month_of_iso(day) for day in distinct] or [0], dtype=np.int64)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    month = months[indices]
    invalid = (month < 0) & ~_mask(empty)
    converted.fail("date", invalid, lambda cell: f"{cell!r} is not a date (YYYY-MM-DD)")
    usable = ~invalid & ~_mask(empty)
    converted.values = pc.if_else(pa.array(usable), trimmed, pa.scalar(None, pa.string()))
    converted.month = pa.array(np.where(usable, month, 0))
    return converted


def _month_of_iso(text: str) -> int:
    """Month index of a 'YYYY-MM-DD' date, or -1 when it is not one (2027-02-30)."""
    if not _DATE_SHAPE.fullmatch(text):
        return -1
    try:
        return month_of(date.fromisoformat(text))
    except ValueError:
        return -1


def _optional_date(text: pa.Array) -> Converted:
    return _date(text, optional=True)


def _split(text: pa.Array) -> Converted:
    trimmed = pc.utf8_trim_whitespace(text)
    empty = pc.equal(trimmed, "")
    decimal = _matches(trimmed, _DECIMAL)
    in_range = _matches(trimmed, _SPLIT_RANGE)
    converted = Converted(pc.if_else(empty, "1", _null_where(pc.invert(in_range), trimmed)))
    converted.fail(
        "decimal",
        pc.and_(pc.invert(empty), pc.invert(decimal)),
        lambda cell: f"{cell!r} is not a decimal number",
    )
    converted.fail(
        "range", pc.and_(decimal, pc.invert(in_range)), lambda cell: f"{cell!r} is not in (0, 1]"
    )
    return converted


_CONVERTERS: dict[Kind, Callable[[pa.Array], Converted]] = {
    Kind.TEXT: _text,
    Kind.OPTIONAL_TEXT: _optional_text,
    Kind.PRODUCT: _product,
    Kind.PRODUCTS: _products,
    Kind.MONEY: _money,
    Kind.NONNEGATIVE_MONEY: _nonnegative_money,
    Kind.DATE: _date,
    Kind.OPTIONAL_DATE: _optional_date,
    Kind.SPLIT: _split,
}
