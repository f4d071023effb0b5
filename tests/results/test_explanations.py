"""Explanations and lineage built by the engine itself (no database): shares by their
parts, and the take-back of a payee who no longer holds the role."""

from __future__ import annotations

from fractions import Fraction

from compengine.plan.model import FirstPurchase, SustainedUsage
from tests.builders import Cycle, monthly, plan, snapshot

FP = plan(FirstPurchase("fp", "AE", flat_cents=50000))


def only(lines, payee):
    return lines[lines["payee_id"] == payee].iloc[0]


def test_a_payee_who_no_longer_holds_the_role_is_told_so():
    data = snapshot(
        assignments=[("acme", "ae1", "AE", "2027-01-01", None, "1")],
        contracts=[("k1", "acme", "2027-01-01", "10", "")],
        usage=monthly("acme", "2027-01", "5", "5"),
    )
    cycle = Cycle(data, [FP])
    cycle.run("2027-01")
    cycle.snapshot.assignments.loc[0] = ["acme", "ae2", "AE", data.assignments.start[0], None, "1"]
    line = only(cycle.run("2027-02"), "ae1")
    assert line["explanation"] == (
        "first purchase in 2027-01: flat 500.00; taken back, you no longer hold role AE on "
        "account acme in the months that earned -> earned to date 0.00, paid before 500.00, "
        "payout -500.00"
    )
    assert line["lineage"]["take_back"] == {"reason": "not_credited"}


def test_a_share_of_several_rows_shows_each_and_months_alike_are_one_range():
    sustain = plan(SustainedUsage("s", "CSM", rate=Fraction(1, 10)), window=1)
    data = snapshot(
        assignments=[
            ("acme", "csm1", "CSM", "2027-01-01", None, "0.5"),
            ("acme", "csm1", "CSM", "2027-04-21", "2027-04-30", "0.5"),
            ("acme", "csm2", "CSM", "2027-01-01", "2027-04-20", "0.5"),
        ],
        contracts=[("k1", "acme", "2027-01-01", "10", "")],
        usage=monthly("acme", "2027-01", "100", "100", "100", "100"),
    )
    line = only(Cycle(data, [sustain]).run("2027-04"), "csm1")
    assert (
        "your share 50% (split 50%) of the 20.00 earned in 2027-02 to 2027-03, "
        in (line["explanation"])
    )
    assert (
        "66.67% (split 50% + split 50% × 10/30 days) of the 10.00 earned in 2027-04"  # noqa: RUF001
        in line["explanation"]
    )
    assert line["lineage"]["share"][-1] == {
        "from": "2027-04",
        "to": "2027-04",
        "share": "2/3",
        "earned_cents": "1000",
        "parts": [
            {"split": "0.5", "whole_month": True},
            {"split": "0.5", "days": 10, "days_in_month": 30},
        ],
    }


def test_every_line_carries_its_numbers_as_lineage():
    data = snapshot(
        assignments=[("acme", "ae1", "AE", "2027-01-01", None, "1")],
        contracts=[("k1", "acme", "2027-01-01", "10", "")],
        usage=monthly("acme", "2027-01", "5"),
    )
    line = only(Cycle(data, [FP]).run("2027-01"), "ae1")
    assert line["lineage"] == {
        "kind": "first_purchase",
        "component": {"flat_cents": 50000},
        "first_purchase_month": "2027-01",
        "earned_to_date_cents": 50000,
        "paid_before_cents": 0,
        "amount_cents": 50000,
    }
