"""Crediting ΔE: unassigned credit is kept, shares above 1 stop the run."""

from fractions import Fraction

import pytest

from compengine.calc.errors import ConfigurationError
from compengine.plan.model import FirstPurchase
from tests.builders import Cycle, monthly, plan, snapshot

FP = plan(FirstPurchase("fp", "AE", flat_cents=10000))


def test_uncovered_share_is_unassigned_not_dropped():
    data = snapshot(
        assignments=[("acme", "ae1", "AE", "2027-01-01", None, "0.75")],
        contracts=[("k1", "acme", "2027-01-01", "10", "")],
        usage=monthly("acme", "2027-01", "5"),
    )
    cycle = Cycle(data, [FP])
    lines = cycle.run("2027-01")
    assert lines["amount_cents"].tolist() == [7500]
    unassigned = cycle.last.unassigned
    assert unassigned[["contract_id", "component_id", "role"]].values.tolist() == [
        ["k1", "fp", "AE"]
    ]
    assert unassigned["amount"].tolist() == [Fraction(2500)]


def test_fixing_the_assignment_later_lets_the_payee_catch_up():
    cycle = Cycle(
        snapshot(
            contracts=[("k1", "acme", "2027-01-01", "10", "")],
            usage=monthly("acme", "2027-01", "5"),
        ),
        [FP],
    )
    assert cycle.run("2027-01").empty
    cycle.snapshot.assignments.loc[0] = [
        "acme",
        "ae1",
        "AE",
        cycle.snapshot.contracts.signed_on[0],
        None,
        "1",
    ]
    cycle.run("2027-02")
    assert cycle.paid("ae1", "fp", "2027-02") == "100.00"


def test_shares_above_one_where_credit_flows_are_a_configuration_error():
    data = snapshot(
        assignments=[
            ("acme", "ae1", "AE", "2027-01-01", None, "1"),
            ("acme", "ae2", "AE", "2027-01-01", None, "0.5"),
        ],
        contracts=[("k1", "acme", "2027-01-01", "10", "")],
        usage=monthly("acme", "2027-01", "5"),
    )
    with pytest.raises(ConfigurationError) as error:
        Cycle(data, [FP]).run("2027-01")
    assert str(error.value) == (
        "configuration error: shares of role AE on account acme add up to more than 1 in 2027-01 "
        "(payees: ae1, ae2)"
    )


def test_shares_above_one_in_a_month_without_credit_are_harmless():
    data = snapshot(
        assignments=[
            ("acme", "ae1", "AE", "2027-01-01", None, "1"),
            ("acme", "ae2", "AE", "2027-02-01", None, "1"),
        ],
        contracts=[("k1", "acme", "2027-01-01", "10", "")],
        usage=monthly("acme", "2027-01", "5"),
    )
    cycle = Cycle(data, [FP])
    cycle.run("2027-02")
    assert cycle.paid("ae1", "fp", "2027-02") == "100.00"
