"""Every kind of bad input is refused as a whole: exit 1, each problem located as
`file:line: column: what`, and not a single row written (spec section 1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from compengine.cli import main
from tests.conftest import fresh_postgres_database, table_snapshot
from tests.ledger.conftest import INPUT_NAMES, WORKED_EXAMPLE, edit


@dataclass(frozen=True)
class BadInput:
    """The worked example with some text replaced, and the problems that must be named."""

    edits: list[tuple[str, str, str]]  # (file, old text, new text)
    expected: list[str]
    stored_first: bool = False  # load the unedited worked example before
    only: tuple[str, ...] = INPUT_NAMES  # the files delivered
    replace: bool = False
    prepare: Callable[[Path], None] | None = None  # changes the delivery folder last


def _usage_file(content: str) -> Callable[[Path], None]:
    def prepare(delivery: Path) -> None:
        (delivery / "usage.csv").write_text(content, encoding="utf-8")

    return prepare


def _renamed(old: str, new: str) -> Callable[[Path], None]:
    return lambda delivery: (delivery / old).rename(delivery / new)


def _usage_replaced_by(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def prepare(delivery: Path) -> None:
        (delivery / "usage.csv").unlink()
        make(delivery / "usage.csv")

    return prepare


def _link_to_a_secret(delivery: Path) -> None:
    secret = delivery.parent / "shadow"
    secret.write_text("root:$6$s3cr3t-hash$:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n")
    (delivery / "usage.csv").unlink()
    (delivery / "usage.csv").symlink_to(secret)


def _as_crlf_with_lone_cr(delivery: Path) -> None:
    """CRLF line endings, one lone CR, and a quoted value holding a CRLF."""
    path = delivery / "usage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].removesuffix(",") + ',"1\r\n2"'
    path.write_bytes(("\r\n".join(lines[:3]) + "\r" + "\r\n".join(lines[3:]) + "\r\n").encode())


_USAGE_HEADER = "entry_id,account_id,date,amount,product,quantity\n"
_FORMULA = "an id may not begin with =, +, - or @ (a spreadsheet would run it as a formula)"
_NAMES = "payees.csv, accounts.csv, assignments.csv, contracts.csv, usage.csv, or .parquet"


CASES = {
    "required column missing": BadInput(
        [("usage.csv", "entry_id,account_id,date,amount,", "entry_id,account_id,date,")],
        ["usage.csv:1: amount: required column is missing"],
    ),
    "unknown extra column": BadInput(
        [
            ("payees.csv", "manager_id,title", "manager_id,title,phone"),
            ("payees.csv", ",,Account Executive", ",,Account Executive,555-0100"),
            ("payees.csv", ",,Customer Success Manager", ",,Customer Success Manager,555-0101"),
        ],
        [
            "payees.csv:1: phone: unknown column 'phone' "
            "(the columns are: payee_id, name, email, manager_id, title)"
        ],
    ),
    "malformed money": BadInput(
        [("usage.csv", "2027-02-15,4000.00", "2027-02-15,12.3.4")],
        ["usage.csv:3: amount: '12.3.4' is not a money amount"],
    ),
    "money with more than 2 decimals": BadInput(
        [("usage.csv", "2027-02-15,4000.00", "2027-02-15,4000.005")],
        ["usage.csv:3: amount: '4000.005' has more than 2 decimal places"],
    ),
    "impossible date": BadInput(
        [("usage.csv", "2027-02-15", "2027-02-30")],
        ["usage.csv:3: date: '2027-02-30' is not a date (YYYY-MM-DD)"],
    ),
    "assignment ends before it starts": BadInput(
        [("assignments.csv", "csm1,CSM,2027-07-01,,1", "csm1,CSM,2027-07-01,2027-06-30,1")],
        ["assignments.csv:3: end: '2027-06-30' is before start '2027-07-01'"],
    ),
    "split outside (0, 1]": BadInput(
        [
            ("assignments.csv", "2027-12-31,1", "2027-12-31,1.5"),
            ("assignments.csv", "2027-07-01,,1", "2027-07-01,,0"),
        ],
        [
            "assignments.csv:2: split: '1.5' is not in (0, 1]",
            "assignments.csv:3: split: '0' is not in (0, 1]",
        ],
    ),
    "malformed split": BadInput(
        [("assignments.csv", "2027-12-31,1", "2027-12-31,half")],
        ["assignments.csv:2: split: 'half' is not a decimal number"],
    ),
    "unknown payee": BadInput(
        [("assignments.csv", "acme,csm1,CSM", "acme,csm9,CSM")],
        ["assignments.csv:3: payee_id: unknown payee 'csm9': not in this load and not stored"],
    ),
    "unknown account, also against stored rows": BadInput(
        [("usage.csv", "u2027-08,acme,", "u2027-09,acne,")],
        ["usage.csv:9: account_id: unknown account 'acne': not in this load and not stored"],
        stored_first=True,
        only=("usage",),
    ),
    "unknown manager": BadInput(
        [("payees.csv", "carl.stone@example.com,,", "carl.stone@example.com,mgr9,")],
        ["payees.csv:3: manager_id: unknown payee 'mgr9': not in this load and not stored"],
    ),
    "duplicate key in one file": BadInput(
        [("usage.csv", "u2027-08,", "u2027-01,")],
        ["usage.csv:9: entry_id: usage entry entry_id 'u2027-01' is also on line 2"],
    ),
    "duplicate composite key": BadInput(
        [("assignments.csv", "acme,csm1,CSM,2027-07-01,,1", "acme,ae1,AE,2027-01-01,2027-06-30,1")],
        [
            "assignments.csv:3: assignment account_id 'acme', payee_id 'ae1', role 'AE', "
            "start 2027-01-01 is also on line 2"
        ],
    ),
    "stored key re-delivered with other content": BadInput(
        [("usage.csv", "u2027-01,acme,2027-01-15,2000.00", "u2027-01,acme,2027-01-15,2100.00")],
        [
            "usage.csv:2: amount: usage entry entry_id 'u2027-01' is already stored with other "
            "content (amount 2000.00 -> 2100.00): use --replace to change it"
        ],
        stored_first=True,
    ),
    "overlapping contracts in one file": BadInput(
        [("contracts.csv", "10000.00,\n", "10000.00,\nk2,acme,2027-03-01,500.00,compute\n")],
        [
            "contracts.csv:3: products: contract 'k2' overlaps contract 'k1' (line 2) "
            "on account 'acme': 'k1' covers all products, both from 2027-03-01 on"
        ],
    ),
    "contract overlapping a stored one": BadInput(
        [("contracts.csv", "k1,acme,2027-01-10,10000.00,", "k2,acme,2027-03-01,500.00,storage")],
        [
            "contracts.csv:2: products: contract 'k2' overlaps contract 'k1' (stored) "
            "on account 'acme': 'k1' covers all products, both from 2027-03-01 on"
        ],
        stored_first=True,
        only=("contracts",),
    ),
    "stored contract replaced by one that still overlaps": BadInput(
        [
            (
                "contracts.csv",
                "10000.00,\n",
                "10000.00,compute;storage\nk2,acme,2027-03-01,500.00, storage ; network\n",
            )
        ],
        [
            "contracts.csv:3: products: contract 'k2' overlaps contract 'k1' (line 2) "
            "on account 'acme': both cover 'storage' from 2027-03-01 on"
        ],
        stored_first=True,
        only=("contracts",),
        replace=True,
    ),
    "empty required field": BadInput(
        [("payees.csv", "csm1,Carl Stone,", "csm1,,")],
        ["payees.csv:3: name: is required"],
    ),
    "negative commit_monthly": BadInput(
        [("contracts.csv", "10000.00", "-10000.00")],
        ["contracts.csv:2: commit_monthly: '-10000.00' is negative (must be 0 or more)"],
    ),
    "row with too many fields": BadInput(
        [("usage.csv", "2027-02-15,4000.00,,", "2027-02-15,4000.00,,,")],
        ["usage.csv:3: has 7 fields, the header has 6"],
    ),
    "NUL character": BadInput(
        [("accounts.csv", "Acme Corp", "Acme\x00Corp")],
        ["accounts.csv:2: name: contains a NUL character"],
    ),
    "every problem of every file at once": BadInput(
        [
            ("payees.csv", "csm1,Carl Stone,", "csm1,,"),
            ("contracts.csv", "2027-01-10", "2027-13-10"),
            ("usage.csv", "2027-05-15,10000.00", "2027-05-15,ten thousand"),
            ("usage.csv", "u2027-08,", "u2027-07,"),
        ],
        [
            "payees.csv:3: name: is required",
            "contracts.csv:2: signed_on: '2027-13-10' is not a date (YYYY-MM-DD)",
            "usage.csv:6: amount: 'ten thousand' is not a money amount",
            "usage.csv:9: entry_id: usage entry entry_id 'u2027-07' is also on line 8",
        ],
    ),
    # Spec section 1, "Limits and hostile input".
    "id that a spreadsheet would run": BadInput(
        [("usage.csv", "u2027-02,", "@SUM(A1),")],
        [f"usage.csv:3: entry_id: '@SUM(A1)': {_FORMULA}"],
    ),
    "id with a terminal escape": BadInput(
        [("usage.csv", "u2027-03,", "u2027\x1b]0;owned\x07-03,")],
        ["usage.csv:4: entry_id: 'u2027\\x1b]0;owned\\x07-03' contains a control character"],
    ),
    "id longer than 200 characters": BadInput(
        [("usage.csv", "u2027-04,", "u" + "4" * 200 + ",")],
        [
            f"usage.csv:5: entry_id: {'u' + '4' * 39!r}... (201 characters) is too long: "
            "an id has at most 200 characters"
        ],
    ),
    "role with a trailing space": BadInput(
        [("assignments.csv", "ae1,AE,", "ae1,AE ,")],
        ["assignments.csv:2: role: 'AE ' begins or ends with a space"],
    ),
    "product list item that a spreadsheet would run": BadInput(
        [("contracts.csv", "10000.00,", "10000.00,compute;-storage")],
        [f"contracts.csv:2: products: 'compute;-storage': {_FORMULA}"],
    ),
    "free text with a terminal escape": BadInput(
        [("payees.csv", "Ada Evans", "Ada\x1b[2JEvans")],
        [
            "payees.csv:2: name: 'Ada\\x1b[2JEvans' contains a control character "
            "(only tab is allowed)"
        ],
    ),
    "a 10,000-character name": BadInput(
        [("payees.csv", "Ada Evans", "A" * 10_000)],
        [
            f"payees.csv:2: name: {'A' * 40!r}... (10,000 characters) is too long: "
            "text has at most 1,000 characters"
        ],
    ),
    "money in Arabic-Indic digits": BadInput(
        [("usage.csv", "2027-02-15,4000.00", "2027-02-15,\u0664\u0660\u0660\u0660.00")],
        ["usage.csv:3: amount: '\u0664\u0660\u0660\u0660.00' is not a money amount"],
    ),
    "date in fullwidth digits": BadInput(
        [("usage.csv", "2027-02-15", "\uff12\uff10\uff12\uff17-02-15")],
        ["usage.csv:3: date: '\uff12\uff10\uff12\uff17-02-15' is not a date (YYYY-MM-DD)"],
    ),
    "dates of year 0 and year 99999": BadInput(
        [("usage.csv", "2027-02-15", "0000-02-15"), ("usage.csv", "2027-03-15", "99999-03-15")],
        [
            "usage.csv:3: date: '0000-02-15' is not a date (YYYY-MM-DD)",
            "usage.csv:4: date: '99999-03-15' is not a date (YYYY-MM-DD)",
        ],
    ),
    "money with 14 digits before the point": BadInput(
        [("contracts.csv", "10000.00", "10000000000000.00")],
        [
            "contracts.csv:2: commit_monthly: '10000000000000.00' has more than 13 digits "
            "before the point"
        ],
    ),
    "split with 5,000 digits": BadInput(
        [("assignments.csv", "2027-12-31,1", "2027-12-31,0." + "5" * 5000)],
        [
            f"assignments.csv:2: split: {'0.' + '5' * 38!r}... (5,002 characters) has more "
            "than 12 decimal places or 13 digits before the point"
        ],
    ),
    "monthly usage total beyond 13 digits": BadInput(
        [
            (
                "usage.csv",
                "u2027-04,",
                "".join(f"big{n},acme,2027-03-20,9999999999999.99,,\n" for n in range(100))
                + "u2027-04,",
            )
        ],
        [
            "usage.csv:4: amount: account 'acme', product '', month 2027-03: the month's usage "
            "would total 1,000,000,000,005,999.00, more than 13 digits before the point"
        ],
    ),
    "stored and delivered usage of a month beyond 13 digits together": BadInput(
        [],
        [
            "usage.csv:2: amount: account 'acme', product '', month 2027-03: the month's usage "
            "would total 10,000,000,005,995.00, more than 13 digits before the point"
        ],
        stored_first=True,
        only=("usage",),
        prepare=_usage_file(_USAGE_HEADER + "x1,acme,2027-03-20,9999999999995.00,,\n"),
    ),
    "manager cycle": BadInput(
        [
            ("payees.csv", "ada.evans@example.com,,", "ada.evans@example.com,csm1,"),
            ("payees.csv", "carl.stone@example.com,,", "carl.stone@example.com,ae1,"),
        ],
        ["payees.csv:2: manager_id: managers form a cycle: 'ae1' -> 'csm1' -> 'ae1'"],
    ),
    "account that is its own parent": BadInput(
        [("accounts.csv", "acme,Acme Corp,,", "acme,Acme Corp,acme,")],
        ["accounts.csv:2: parent_id: account 'acme' is its own parent"],
    ),
    # Lines are physical lines of the file.
    "problems after a quoted value spanning two lines": BadInput(
        [
            ("usage.csv", "2027-01-15,2000.00,,", '2027-01-15,2000.00,,"1\n2"'),
            ("usage.csv", "2027-02-15,4000.00", "2027-02-15,4000.005"),
            ("usage.csv", "2027-03-15,6000.00,,", "2027-03-15,6000.00,,,"),
        ],
        [
            "usage.csv:2: quantity: '1\\n2' contains a control character (only tab is allowed)",
            "usage.csv:4: amount: '4000.005' has more than 2 decimal places",
            "usage.csv:5: has 7 fields, the header has 6",
        ],
    ),
    "problems in a file with mixed line endings": BadInput(
        [("usage.csv", "2027-04-15,9000.00", "2027-04-15,9000.001")],
        [
            "usage.csv:2: quantity: '1\\r\\n2' contains a control character (only tab is allowed)",
            "usage.csv:6: amount: '9000.001' has more than 2 decimal places",
        ],
        prepare=_as_crlf_with_lone_cr,
    ),
    "problem after 100,000 blank lines": BadInput(
        [("usage.csv", _USAGE_HEADER, _USAGE_HEADER + "\n" * 100_000)],
        ["usage.csv:100003: amount: '4000.00x' is not a money amount"],
        prepare=lambda delivery: edit(delivery / "usage.csv", "4000.00", "4000.00x"),
    ),
    "column named twice": BadInput(
        [("usage.csv", "amount,product", "amount,amount")],
        ["usage.csv:1: amount: column appears twice"],
    ),
    # Files in DIR.
    "misspelt input file name": BadInput(
        [],
        [f"usages.csv: not an input file name (the input files are {_NAMES})"],
        prepare=lambda delivery: shutil.copy(delivery / "usage.csv", delivery / "usages.csv"),
    ),
    "file name with a terminal escape": BadInput(
        [],
        [f"'usage\\x1b[2J.csv': not an input file name (the input files are {_NAMES})"],
        prepare=lambda delivery: (delivery / "usage\x1b[2J.csv").write_text("x\n"),
    ),
    "input name in another case": BadInput(
        [],
        ["Usage.CSV: file names are lowercase: rename it to usage.csv"],
        prepare=_renamed("usage.csv", "Usage.CSV"),
    ),
    "input name that is a folder": BadInput(
        [],
        ["usage.csv: is a folder, not a file"],
        prepare=_usage_replaced_by(Path.mkdir),
    ),
    "input name that is a FIFO": BadInput(
        [],
        ["usage.csv: is not a regular file (a FIFO, socket or device cannot be loaded)"],
        prepare=_usage_replaced_by(os.mkfifo),
    ),
    "input name that is a dangling link": BadInput(
        [],
        ["usage.csv: is a link to nothing (its target does not exist)"],
        prepare=_usage_replaced_by(lambda path: path.symlink_to(path.parent / "gone.csv")),
    ),
    "input name linked to a file that is not an input": BadInput(
        [],
        [
            "usage.csv:1: the header names none of the columns "
            "(entry_id, account_id, date, amount, product, quantity)"
        ],
        prepare=_link_to_a_secret,
    ),
}


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def databases(request, tmp_path_factory) -> Iterator[dict[bool, str]]:
    """Per backend, two databases shared by the cases: {stored_first: url}, one empty and
    one holding the worked example. Sharing is safe exactly when refused loads write
    nothing, which every case asserts."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            folder = tmp_path_factory.mktemp("bad_input")
            urls = [f"sqlite:///{folder / name}.db" for name in ("empty", "stored")]
        else:
            urls = [stack.enter_context(fresh_postgres_database()) for _ in range(2)]
        for url in urls:
            assert main(["--db", url, "init"]) == 0
        assert main(["--db", urls[1], "load", str(WORKED_EXAMPLE)]) == 0
        yield {False: urls[0], True: urls[1]}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_refused_whole_with_located_problems(
    case, databases, worked_example, tmp_path, capsys
):
    url = databases[case.stored_first]
    delivery = tmp_path / "delivery"
    shutil.copytree(worked_example, delivery)
    for name, old, new in case.edits:
        edit(delivery / name, old, new)
    for name in set(INPUT_NAMES) - set(case.only):
        (delivery / f"{name}.csv").unlink()
    if case.prepare:
        case.prepare(delivery)
    before = table_snapshot(url)
    capsys.readouterr()

    code = main(["--db", url, "load", str(delivery), *(["--replace"] if case.replace else [])])

    out, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines() == case.expected
    assert out == ""
    assert table_snapshot(url) == before
