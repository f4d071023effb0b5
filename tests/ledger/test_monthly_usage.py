"""The aggregate the engine reads: monthly_usage equals usage_entry summed by
(account, product, month) after every load, whatever the load did."""

from __future__ import annotations

import random

from tests.ledger.conftest import assert_monthly_usage_matches_ledger, write_csv

ACCOUNTS = ("acme", "globex", "initech")
PRODUCTS = ("", "compute", "storage")


def _usage_csv(entries: dict[str, tuple[str, str, str, str]]) -> str:
    lines = ["entry_id,account_id,date,amount,product,quantity"]
    lines += [
        f"{entry},{account},{day},{amount},{product},"
        for entry, (account, day, amount, product) in entries.items()
    ]
    return "\n".join(lines) + "\n"


def _random_entry(rng: random.Random) -> tuple[str, str, str, str]:
    cents = rng.randint(-50_000, 500_000)
    sign = "-" if cents < 0 else ""
    amount = f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    day = f"2027-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}"
    return rng.choice(ACCOUNTS), day, amount, rng.choice(PRODUCTS)


def test_monthly_usage_follows_new_unchanged_and_replaced_rows(initialized, db_url, tmp_path):
    write_csv(
        tmp_path / "accounts",
        "accounts.csv",
        "account_id,name\n" + "".join(f"{account},{account.title()}\n" for account in ACCOUNTS),
    )
    assert initialized("load", tmp_path / "accounts").code == 0
    rng = random.Random(20270101)
    delivered: dict[str, tuple[str, str, str, str]] = {}
    for delivery in range(5):
        entries = {
            entry: (rng.choice([value, _random_entry(rng)]))  # re-delivered or changed
            for entry, value in rng.sample(sorted(delivered.items()), len(delivered) // 2)
        }
        entries.update({f"u{delivery}-{n}": _random_entry(rng) for n in range(30)})
        folder = tmp_path / f"delivery{delivery}"
        write_csv(folder, "usage.csv", _usage_csv(entries))

        result = initialized("load", folder, "--replace")

        assert result.code == 0, result.err
        delivered.update(entries)
        assert_monthly_usage_matches_ledger(db_url)


def test_a_correction_that_cancels_a_month_keeps_its_entries_counted(initialized, db_url, tmp_path):
    write_csv(tmp_path / "first", "accounts.csv", "account_id,name\nacme,Acme\n")
    write_csv(
        tmp_path / "first",
        "usage.csv",
        """
        entry_id,account_id,date,amount
        u1,acme,2027-03-10,120.00
    """,
    )
    write_csv(
        tmp_path / "late",
        "usage.csv",
        """
        entry_id,account_id,date,amount
        u1-fix,acme,2027-03-31,-120.00
    """,
    )

    assert initialized("load", tmp_path / "first").code == 0
    assert initialized("load", tmp_path / "late").code == 0

    assert_monthly_usage_matches_ledger(db_url)


MAX = "9999999999999.99"  # the largest amount a usage entry may have


def test_sums_of_the_largest_amounts_never_wrap(initialized, db_url, tmp_path):
    """40,000 entries of +-9,999,999,999,999.99 in one month sum to 0.00; re-delivering
    the 20,000 positive ones (one of them changed) subtracts 2e19 cents of stored rows
    and adds them back, beyond int64 on the way, exactly."""
    write_csv(tmp_path / "first", "accounts.csv", "account_id,name\nacme,Acme\n")
    rows = [f"p{n},acme,2027-03-01,{MAX},compute," for n in range(20_000)]
    rows += [f"n{n},acme,2027-03-02,-{MAX},compute," for n in range(20_000)]
    write_csv(tmp_path / "first", "usage.csv", _usage_csv({}) + "\n".join(rows) + "\n")
    assert initialized("load", tmp_path / "first").code == 0
    rows[0] = "p0,acme,2027-03-01,0.01,compute,"
    write_csv(tmp_path / "second", "usage.csv", _usage_csv({}) + "\n".join(rows[:20_000]) + "\n")

    result = initialized("load", tmp_path / "second", "--replace")

    assert result.code == 0, result.err
    assert_monthly_usage_matches_ledger(db_url)
