"""Vectorized checks and conversions of one text column (pyarrow compute, no row loop).

Each converter returns the stored values (null where a cell is bad) and the checks
that failed, as boolean masks with a message builder, so that messages are only
built for the few rows that are shown.

Digits are ASCII `0-9` everywhere (spec section 1): the patterns spell `[0-9]`.
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
from compengine.money import DECIMAL_PLACES, DECIMAL_WHOLE_DIGITS, MONEY_WHOLE_DIGITS
from compengine.months import month_of

_DECIMAL = r"^[+-]?[0-9]+(\.[0-9]+)?$"
_MONEY = r"^[+-]?[0-9]+(\.[0-9]{1,2})?$"
_MONEY_SIZE = rf"^[+-]?0*[0-9]{{1,{MONEY_WHOLE_DIGITS}}}(\.[0-9]+)?$"
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # date.fromisoformat takes more
_SPLIT_RANGE = r"^\+?0*(1(\.0+)?|0\.[0-9]*[1-9][0-9]*)$"  # (0, 1]
_SPLIT_TOO_LONG = rf"^[+-]?[0-9]{{{DECIMAL_WHOLE_DIGITS + 1}}}|\.[0-9]{{{DECIMAL_PLACES + 1}}}"

ID_LENGTH = 200  # spec section 1
TEXT_LENGTH = 1000  # names, titles, e-mails: the spec is silent, no real one is longer
_CONTROL = r"[\x{00}-\x{1f}\x{7f}-\x{9f}]"  # Unicode category Cc
_CONTROL_BUT_TAB = r"[\x{00}-\x{08}\x{0a}-\x{1f}\x{7f}-\x{9f}]"
_FORMAT = r"\p{Cf}"  # zero-width and bidirectional marks: 'ae1\u200b' looks like 'ae1'
_FORMULA = "[=+@-]"  # a spreadsheet runs a cell that begins with one of these
_ID_SUSPECT = rf"{_CONTROL}|{_FORMAT}|^{_FORMULA}|^\s|\s$"
_SHOWN_CHARACTERS = 40


def shown_cell(cell: str) -> str:
    """A cell quoted for a message: control characters escaped, a long cell cut short."""
    if len(cell) <= _SHOWN_CHARACTERS:
        return repr(cell)
    return f"{cell[:_SHOWN_CHARACTERS]!r}... ({len(cell):,} characters)"


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


def _id(text: pa.Array) -> Converted:
    converted = Converted(text)
    empty = _required(text, converted)
    _check_id(text, pc.invert(empty), converted)
    return converted


def _optional_id(text: pa.Array) -> Converted:
    converted = Converted(_null_where(pc.equal(text, ""), text))
    _check_id(text, pc.not_equal(text, ""), converted)
    return converted


def _product(text: pa.Array) -> Converted:
    converted = Converted(text)
    _check_id(text, pc.not_equal(text, ""), converted)
    return converted


def _check_id(text: pa.Array, present: pa.Array, converted: Converted) -> None:
    """The id rules of spec section 1: ids end up in spreadsheets and on terminals.

    Ids are compared exactly, so one with a space at either end or an invisible
    formatting character is refused too: it would silently differ from the id it
    looks like.
    """
    long = pc.greater(pc.utf8_length(text), ID_LENGTH)
    suspect = _matches(text, _ID_SUSPECT)  # one scan; the checks run only when needed
    if not (_mask(long).any() or _mask(suspect).any()):
        return
    _check_id_items(text, present, long, "^", converted)
    converted.fail(
        "id spaces",
        pc.and_(present, _matches(text, r"^\s|\s$")),
        lambda cell: f"{shown_cell(cell)} begins or ends with a space",
    )


def _check_id_items(
    text: pa.Array, present: pa.Array, long: pa.Array, start: str, converted: Converted
) -> None:
    """Length, control characters and formula start of the ids that begin at `start`."""
    converted.fail(
        "id length",
        pc.and_(present, long),
        lambda cell: f"{shown_cell(cell)} is too long: an id has at most {ID_LENGTH} characters",
    )
    converted.fail(
        "id control",
        pc.and_(present, _matches(text, _CONTROL)),
        lambda cell: f"{shown_cell(cell)} contains a control character",
    )
    converted.fail(
        "id invisible",
        pc.and_(present, _matches(text, _FORMAT)),
        lambda cell: (
            f"{shown_cell(cell)} contains an invisible formatting character "
            "(it would look like another id)"
        ),
    )
    converted.fail(
        "id formula",
        pc.and_(present, _matches(text, start + _FORMULA)),
        lambda cell: (
            f"{shown_cell(cell)}: an id may not begin with =, +, - or @ "
            "(a spreadsheet would run it as a formula)"
        ),
    )


def _text(text: pa.Array) -> Converted:
    converted = Converted(text)
    empty = _required(text, converted)
    _check_text(text, pc.invert(empty), converted)
    return converted


def _optional_text(text: pa.Array) -> Converted:
    converted = Converted(_null_where(pc.equal(text, ""), text))
    _check_text(text, pc.not_equal(text, ""), converted)
    return converted


def _check_text(text: pa.Array, present: pa.Array, converted: Converted) -> None:
    """Free text: no control character but tab, and a bounded length."""
    converted.fail(
        "text length",
        pc.and_(present, pc.greater(pc.utf8_length(text), TEXT_LENGTH)),
        lambda cell: f"{shown_cell(cell)} is too long: text has at most {TEXT_LENGTH:,} characters",
    )
    converted.fail(
        "text control",
        pc.and_(present, _matches(text, _CONTROL_BUT_TAB)),
        lambda cell: f"{shown_cell(cell)} contains a control character (only tab is allowed)",
    )


def _products(text: pa.Array) -> Converted:
    """'compute ; storage;' -> 'compute;storage': items trimmed, empty items dropped;
    each item is an id."""
    joined = pc.replace_substring_regex(text, r"\s*;\s*", ";")
    joined = pc.replace_substring_regex(joined, r";{2,}", ";")
    joined = pc.utf8_trim(pc.utf8_trim_whitespace(joined), characters=";")
    converted = Converted(joined)
    long = _matches(joined, f"(^|;)[^;]{{{ID_LENGTH + 1}}}")
    _check_id_items(joined, pc.not_equal(joined, ""), long, "(^|;)", converted)
    return converted


def _money(text: pa.Array, *, nonnegative: bool = False) -> Converted:
    """Integer cents of a decimal with at most 2 places and 13 whole digits
    (the rules of `compengine.money.parse_money`, vectorized)."""
    trimmed = pc.utf8_trim_whitespace(text)
    converted = Converted(pa.nulls(len(text), pa.int64()))
    empty = _required(text, converted)
    decimal = _matches(trimmed, _DECIMAL)
    two_places = _matches(trimmed, _MONEY)
    small = _matches(trimmed, _MONEY_SIZE)
    converted.fail(
        "money",
        pc.and_(pc.invert(empty), pc.invert(decimal)),
        lambda cell: f"{shown_cell(cell)} is not a money amount",
    )
    converted.fail(
        "places",
        pc.and_(decimal, pc.invert(two_places)),
        lambda cell: f"{shown_cell(cell)} has more than 2 decimal places",
    )
    converted.fail(
        "size",
        pc.and_(two_places, pc.invert(small)),
        lambda cell: (
            f"{shown_cell(cell)} has more than {MONEY_WHOLE_DIGITS} digits before the point"
        ),
    )
    good = pc.and_(two_places, small)
    # '12' -> '12.00', '12.5' -> '12.50'; then drop '.' and '+' and read the cents.
    padded = pc.replace_substring_regex(trimmed, r"^([+-]?[0-9]+)$", r"\1.00")
    padded = pc.replace_substring_regex(padded, r"^([+-]?[0-9]+\.[0-9])$", r"\10")
    digits = pc.replace_substring(pc.replace_substring(padded, ".", ""), "+", "")
    cents = pc.cast(pc.if_else(good, digits, "0"), pa.int64())
    converted.values = _null_where(pc.invert(good), cents)
    if nonnegative:
        converted.fail(
            "negative",
            pc.less(converted.values, 0),
            lambda cell: f"{shown_cell(cell)} is negative (must be 0 or more)",
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
    converted.fail("date", invalid, lambda cell: f"{shown_cell(cell)} is not a date (YYYY-MM-DD)")
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
    """A decimal in (0, 1] with at most 12 places, kept as its text (read exactly later)."""
    trimmed = pc.utf8_trim_whitespace(text)
    empty = pc.equal(trimmed, "")
    decimal = _matches(trimmed, _DECIMAL)
    bounded = pc.and_(decimal, pc.invert(_matches(trimmed, _SPLIT_TOO_LONG)))
    in_range = pc.and_(bounded, _matches(trimmed, _SPLIT_RANGE))
    converted = Converted(pc.if_else(empty, "1", _null_where(pc.invert(in_range), trimmed)))
    converted.fail(
        "decimal",
        pc.and_(pc.invert(empty), pc.invert(decimal)),
        lambda cell: f"{shown_cell(cell)} is not a decimal number",
    )
    converted.fail(
        "digits",
        pc.and_(decimal, pc.invert(bounded)),
        lambda cell: (
            f"{shown_cell(cell)} has more than {DECIMAL_PLACES} decimal places "
            f"or {DECIMAL_WHOLE_DIGITS} digits before the point"
        ),
    )
    converted.fail(
        "range",
        pc.and_(bounded, pc.invert(in_range)),
        lambda cell: f"{shown_cell(cell)} is not in (0, 1]",
    )
    return converted


_CONVERTERS: dict[Kind, Callable[[pa.Array], Converted]] = {
    Kind.ID: _id,
    Kind.OPTIONAL_ID: _optional_id,
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
