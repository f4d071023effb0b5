"""Cell checks and conversions, column at a time: exact cents, real dates, splits in (0, 1]."""

from __future__ import annotations

import pyarrow as pa
import pytest

from compengine.ledger.convert import convert
from compengine.ledger.files import Kind


def _failures(kind: Kind, cells: list[str]) -> list[str | None]:
    """Per cell: the message of the first failed check, or None."""
    converted = convert(kind, pa.array(cells))
    return [
        next((check.message(cell) for check in converted.checks if check.bad[i]), None)
        for i, cell in enumerate(cells)
    ]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.05", 1205),
        ("-0.05", -5),
        ("+3.10", 310),
        (" 7.00 ", 700),
        ("007.1", 710),
        ("999999999999999.99", 99_999_999_999_999_999),
    ],
)
def test_money_becomes_exact_cents(text, cents):
    converted = convert(Kind.MONEY, pa.array([text]))

    assert converted.values.to_pylist() == [cents]
    assert converted.checks == []


def test_bad_money_is_named_by_what_is_wrong_with_it():
    cells = ["", "12.3.4", "1e3", "12.345", "0.10", "1000000000000000.00", "-5.00"]

    assert _failures(Kind.NONNEGATIVE_MONEY, cells) == [
        "is required",
        "'12.3.4' is not a money amount",
        "'1e3' is not a money amount",
        "'12.345' has more than 2 decimal places",
        None,
        "'1000000000000000.00' is too large",
        "'-5.00' is negative (must be 0 or more)",
    ]


def test_dates_must_exist_on_the_calendar():
    cells = [
        "2027-02-28",
        "2028-02-29",
        "2027-02-29",
        "2027-02-30",
        "2027-13-01",
        "2027-1-05",
        "05/01/2027",
        "20270105",
    ]

    converted = convert(Kind.DATE, pa.array(cells))

    assert _failures(Kind.DATE, cells) == [None, None] + [
        f"{cell!r} is not a date (YYYY-MM-DD)" for cell in cells[2:]
    ]
    assert converted.values.to_pylist()[:2] == ["2027-02-28", "2028-02-29"]
    assert converted.month.to_pylist()[:2] == [2027 * 12 + 1, 2028 * 12 + 1]


def test_an_empty_optional_date_is_open_ended():
    converted = convert(Kind.OPTIONAL_DATE, pa.array(["", "2027-06-30"]))

    assert converted.values.to_pylist() == [None, "2027-06-30"]
    assert converted.checks == []


def test_split_is_kept_as_exact_text_in_0_to_1():
    cells = ["", "1", "0.5", "0.333333333333333333", "1.00", "0", "0.0", "1.5", "-0.5", ".5"]

    converted = convert(Kind.SPLIT, pa.array(cells))

    assert converted.values.to_pylist()[:5] == ["1", "1", "0.5", "0.333333333333333333", "1.00"]
    assert _failures(Kind.SPLIT, cells)[5:] == [
        "'0' is not in (0, 1]",
        "'0.0' is not in (0, 1]",
        "'1.5' is not in (0, 1]",
        "'-0.5' is not in (0, 1]",
        "'.5' is not a decimal number",
    ]


def test_product_lists_are_trimmed_and_empty_means_all_products():
    converted = convert(Kind.PRODUCTS, pa.array(["", " compute ; storage;", "analytics", " ; "]))

    assert converted.values.to_pylist() == ["", "compute;storage", "analytics", ""]


def test_optional_text_is_null_when_empty_and_exact_otherwise():
    converted = convert(Kind.OPTIONAL_TEXT, pa.array(["", " Acme "]))

    assert converted.values.to_pylist() == [None, " Acme "]
