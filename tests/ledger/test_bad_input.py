"""Every kind of bad input is refused as a whole: exit 1, each problem located as
`file:line: column: what`, and not a single row written (spec section 1)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

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
    before = table_snapshot(url)
    capsys.readouterr()

    code = main(["--db", url, "load", str(delivery), *(["--replace"] if case.replace else [])])

    out, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines() == case.expected
    assert out == ""
    assert table_snapshot(url) == before
