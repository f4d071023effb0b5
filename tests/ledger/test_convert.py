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
        ("9999999999999.99", 999_999_999_999_999),
        ("-0", 0),
        ("-0.00", 0),
        ("0009999999999999.99", 999_999_999_999_999),
    ],
)
def test_money_becomes_exact_cents(text, cents):
    converted = convert(Kind.MONEY, pa.array([text]))

    assert converted.values.to_pylist() == [cents]
    assert converted.checks == []


def test_bad_money_is_named_by_what_is_wrong_with_it():
    cells = ["", "12.3.4", "1e3", "12.345", "0.10", "10000000000000.00", "-5.00"]

    assert _failures(Kind.NONNEGATIVE_MONEY, cells) == [
        "is required",
        "'12.3.4' is not a money amount",
        "'1e3' is not a money amount",
        "'12.345' has more than 2 decimal places",
        None,
        "'10000000000000.00' has more than 13 digits before the point",
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
    cells = ["", "1", "0.5", "0.333333333333", "1.00", "0", "0.0", "1.5", "-0.5", ".5"]

    converted = convert(Kind.SPLIT, pa.array(cells))

    assert converted.values.to_pylist()[:5] == ["1", "1", "0.5", "0.333333333333", "1.00"]
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


def test_digits_are_ascii_only():
    """Arabic-Indic and fullwidth digits are digits to Python's \\d, not to a ledger."""
    assert _failures(Kind.MONEY, ["\u0665", "\uff15.00"]) == [
        "'\u0665' is not a money amount",
        "'\uff15.00' is not a money amount",
    ]
    assert _failures(Kind.DATE, ["\u0662\u0660\u0662\u0667-01-05"]) == [
        "'\u0662\u0660\u0662\u0667-01-05' is not a date (YYYY-MM-DD)"
    ]
    assert _failures(Kind.SPLIT, ["0.\u0665"]) == ["'0.\u0665' is not a decimal number"]


def test_dates_outside_the_calendar_years_are_refused():
    cells = ["0000-01-01", "99999-01-01", "-2027-01-01", "9999-12-31"]

    assert _failures(Kind.DATE, cells) == [
        "'0000-01-01' is not a date (YYYY-MM-DD)",
        "'99999-01-01' is not a date (YYYY-MM-DD)",
        "'-2027-01-01' is not a date (YYYY-MM-DD)",
        None,
    ]


def test_a_split_has_at_most_12_places_however_long_the_text():
    cells = ["0.123456789012", "0.1234567890123", "0." + "3" * 5000, "1." + "0" * 13]

    assert _failures(Kind.SPLIT, cells) == [
        None,
        "'0.1234567890123' has more than 12 decimal places or 13 digits before the point",
        "'0.33333333333333333333333333333333333333'... (5,002 characters) has more than "
        "12 decimal places or 13 digits before the point",
        "'1.0000000000000' has more than 12 decimal places or 13 digits before the point",
    ]


@pytest.mark.parametrize("kind", [Kind.ID, Kind.OPTIONAL_ID, Kind.PRODUCT])
def test_ids_are_short_plain_and_cannot_run_in_a_spreadsheet(kind):
    cells = [
        "acme-1",
        "x" * 200,
        "x" * 201,
        "ac\x1b[2Jme",
        "ac\tme",
        '=HYPERLINK("http://evil")',
        "+1",
        "-1",
        "@SUM(A1)",
        " ae1",
        "ae1 ",
        "ae1\u200b",
        "ac\u202eme",
    ]

    assert _failures(kind, cells) == [
        None,
        None,
        f"{'x' * 40!r}... (201 characters) is too long: an id has at most 200 characters",
        "'ac\\x1b[2Jme' contains a control character",
        "'ac\\tme' contains a control character",
        "'=HYPERLINK(\"http://evil\")': an id may not begin with =, +, - or @ "
        "(a spreadsheet would run it as a formula)",
        "'+1': an id may not begin with =, +, - or @ (a spreadsheet would run it as a formula)",
        "'-1': an id may not begin with =, +, - or @ (a spreadsheet would run it as a formula)",
        "'@SUM(A1)': an id may not begin with =, +, - or @ "
        "(a spreadsheet would run it as a formula)",
        "' ae1' begins or ends with a space",
        "'ae1 ' begins or ends with a space",
        "'ae1\\u200b' contains an invisible formatting character (it would look like another id)",
        "'ac\\u202eme' contains an invisible formatting character (it would look like another id)",
    ]


def test_each_product_of_a_list_is_an_id():
    cells = ["compute;=cmd", "compute;" + "p" * 201, "p" * 200 + ";storage", "a\x07;b"]

    failures = _failures(Kind.PRODUCTS, cells)

    assert failures[0] == (
        "'compute;=cmd': an id may not begin with =, +, - or @ "
        "(a spreadsheet would run it as a formula)"
    )
    assert failures[1].endswith("is too long: an id has at most 200 characters")
    assert failures[2:] == [None, "'a\\x07;b' contains a control character"]


def test_free_text_allows_tabs_but_no_other_control_character():
    cells = ["Ada\tEvans", "Ada\rEvans", "Ada\u009bEvans", "=not an id, so kept", "é" * 1001]

    assert _failures(Kind.OPTIONAL_TEXT, cells) == [
        None,
        "'Ada\\rEvans' contains a control character (only tab is allowed)",
        "'Ada\\x9bEvans' contains a control character (only tab is allowed)",
        None,
        f"{'é' * 40!r}... (1,001 characters) is too long: text has at most 1,000 characters",
    ]
