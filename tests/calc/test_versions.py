"""Which plan version applies: the deal's version at F for life; after-window ones by month."""

from fractions import Fraction

import pytest

from compengine.calc.errors import ConfigurationError
from compengine.plan.model import FirstPurchase, RampRealization, SustainedUsage
from tests.builders import Cycle, monthly, plan, snapshot

TEAM = [
    ("acme", "ae1", "AE", "2027-01-01", None, "1"),
    ("acme", "csm1", "CSM", "2027-01-01", None, "1"),
]


def test_version_in_force_at_first_purchase_governs_the_ramp_for_life():
    v1 = plan(RampRealization("r", "AE", rate=Fraction("0.1")), version=1, end="2027-01", window=3)
    v2 = plan(
        RampRealization("r", "AE", rate=Fraction("0.2")), version=2, start="2027-02", window=3
    )
    data = snapshot(
        assignments=TEAM,
        contracts=[("k1", "acme", "2027-01-01", "100", "")],
        usage=monthly("acme", "2027-01", "100", "100", "100"),
    )
    cycle = Cycle(data, [v1, v2])
    lines = cycle.run("2027-03")
    assert lines[["plan_version", "amount_cents"]].values.tolist() == [[1, 3000]]


def test_first_purchase_outside_every_version_earns_nothing():
    late = plan(FirstPurchase("fp", "AE", flat_cents=100), start="2027-02")
    data = snapshot(
        assignments=TEAM,
        contracts=[("k1", "acme", "2027-01-01", "100", "")],
        usage=monthly("acme", "2027-01", "100", "100"),
    )
    assert Cycle(data, [late]).run("2027-02").empty


def test_account_out_of_scope_earns_nothing():
    scoped = plan(FirstPurchase("fp", "AE", flat_cents=100), scope=(("segment", ("smb",)),))
    data = snapshot(
        assignments=TEAM,
        contracts=[("k1", "acme", "2027-01-01", "100", "")],
        usage=monthly("acme", "2027-01", "100"),
    )
    assert Cycle(data, [scoped]).run("2027-01").empty


def test_sustained_uses_the_version_in_force_each_month():
    v1 = plan(
        SustainedUsage("s", "CSM", Fraction("0.1")), version=1, end="2027-02", window=1, baseline=1
    )
    v2 = plan(
        SustainedUsage("s", "CSM", Fraction("0.2")),
        version=2,
        start="2027-03",
        window=1,
        baseline=1,
    )
    data = snapshot(
        assignments=TEAM,
        contracts=[("k1", "acme", "2027-01-01", "100", "")],
        usage=monthly("acme", "2027-01", "100", "100", "100"),
    )
    cycle = Cycle(data, [v1, v2])
    cycle.run("2027-02")
    lines = cycle.run("2027-03")
    assert cycle.paid("csm1", "s", "2027-02") == "10.00"
    assert lines[["plan_version", "amount_cents"]].values.tolist() == [[2, 2000]]


def test_two_plans_crediting_one_role_with_one_type_are_a_configuration_error():
    first = plan(FirstPurchase("fp", "AE", flat_cents=100), plan_id="ae-a")
    second = plan(FirstPurchase("welcome", "AE", flat_cents=100), plan_id="ae-b", start="2027-02")
    data = snapshot(
        assignments=TEAM,
        contracts=[("k1", "acme", "2027-01-01", "100", "")],
        usage=monthly("acme", "2027-01", "100"),
    )
    cycle = Cycle(data, [first, second])
    cycle.run("2027-01")
    with pytest.raises(
        ConfigurationError,
        match=(
            r"components ae-a/fp \(v1\) and ae-b/welcome \(v1\) both credit role AE with "
            r"first_purchase on account acme in 2027-02"
        ),
    ):
        cycle.run("2027-02")
