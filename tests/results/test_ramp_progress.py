"""Ramp progress for statements: R_k and TC_k by window month, as the engine computes them."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given

from compengine.months import parse_period
from compengine.plan.model import RampRealization
from compengine.results.ramp_progress import ramp_progress
from tests.builders import monthly, plan, snapshot
from tests.reference import fraction_reference as ref
from tests.results.test_engine_matches_reference import snapshot_of
from tests.results.test_worked_example import ACME, SPEC_PLAN
from tests.strategies import months, scenarios

JAN = parse_period("2027-01")


def ramp(curve="linear", rate="0.05") -> RampRealization:
    return RampRealization("ramp", "AE", curve, Fraction(rate))


def points(progress) -> list[tuple[int, int, Fraction]]:
    return [(p.k, p.realized_cents, p.target_cents) for p in progress.points]


def test_worked_example_by_window_month():
    """Spec section 7: TC_1 = 10,000/6, R_1 = 2,000 ... TC_6 = 35,000, R_6 = 42,000, A_6 = 1.2."""
    progress = ramp_progress(ACME, [SPEC_PLAN], parse_period("2027-08"), ["k1"])["k1"]
    assert (progress.plan_id, progress.component_id, progress.version) == ("ae-usage", "ramp", 1)
    assert (progress.window, progress.first_month) == (6, JAN)
    assert [p.month for p in progress.points] == list(range(JAN, JAN + 6))  # stops at W
    first, last = progress.points[0], progress.points[-1]
    assert first.target_cents == Fraction(1_000_000, 6)  # 1,666.67 before rounding
    assert first.realized_cents == 200_000
    assert first.attainment == Fraction(6, 5)
    assert [p.realized_cents for p in progress.points] == [
        200_000,
        600_000,
        1_200_000,
        2_100_000,
        3_100_000,
        4_200_000,
    ]
    assert last.target_cents == 3_500_000
    assert last.attainment == Fraction(6, 5) == progress.attainment


def test_points_stop_at_the_period():
    progress = ramp_progress(ACME, [SPEC_PLAN], parse_period("2027-03"), ["k1"])["k1"]
    assert points(progress) == [
        (1, 200_000, Fraction(1_000_000, 6)),
        (2, 600_000, Fraction(3_000_000, 6)),
        (3, 1_200_000, Fraction(6_000_000, 6)),
    ]
    assert progress.attainment == Fraction(6, 5)


def test_flat_curve_targets_commit_each_month():
    ledger = snapshot(
        contracts=[("k1", "acme", "2027-01-01", "1000", "")],
        usage=monthly("acme", "2027-01", "500", "1500"),
    )
    progress = ramp_progress(ledger, [plan(ramp("flat"), window=3)], JAN + 1, ["k1"])["k1"]
    assert points(progress) == [(1, 50_000, 100_000), (2, 200_000, 200_000)]
    assert [p.attainment for p in progress.points] == [Fraction(1, 2), 1]


def test_list_curve_adds_its_fractions():
    ledger = snapshot(
        contracts=[("k1", "acme", "2027-01-01", "1000", "")],
        usage=monthly("acme", "2027-01", "100", "100", "100"),
    )
    curve = (Fraction("0.25"), Fraction("0.3333"), Fraction("1.2"))
    progress = ramp_progress(ledger, [plan(ramp(curve), window=3)], JAN + 5, ["k1"])["k1"]
    assert [p.target_cents for p in progress.points] == [25_000, 58_330, 178_330]


def test_first_purchase_month_moved_by_a_correction():
    """A negative correction empties January: F moves to February and the window with it."""
    usage = monthly("acme", "2027-01", "2000", "4000")
    usage[("acme", "fix", "2027-01")] = "-2000"
    ledger = snapshot(contracts=[("k1", "acme", "2027-01-01", "6000", "")], usage=usage)
    progress = ramp_progress(ledger, [plan(ramp())], JAN + 1, ["k1"])["k1"]
    assert progress.first_month == JAN + 1
    assert points(progress) == [(1, 400_000, 100_000)]


def test_negative_realized_usage_after_the_first_purchase():
    ledger = snapshot(
        contracts=[("k1", "acme", "2027-01-01", "6000", "")],
        usage=monthly("acme", "2027-01", "100", "-300"),
    )
    progress = ramp_progress(ledger, [plan(ramp())], JAN + 1, ["k1"])["k1"]
    assert [p.realized_cents for p in progress.points] == [10_000, -20_000]
    assert progress.attainment == Fraction(-20_000, 300_000)


def test_contract_that_ends_counts_no_usage_after_its_end():
    ledger = snapshot(
        contracts=[("k1", "acme", "2027-01-01", "6000", "", "2027-02-28")],
        usage=monthly("acme", "2027-01", "1000", "1000", "1000"),
    )
    progress = ramp_progress(ledger, [plan(ramp())], JAN + 2, ["k1"])["k1"]
    assert [p.realized_cents for p in progress.points] == [100_000, 200_000, 200_000]


def test_zero_commit_has_no_attainment():
    ledger = snapshot(
        contracts=[("k1", "acme", "2027-01-01", "0", "")],
        usage=monthly("acme", "2027-01", "1000"),
    )
    progress = ramp_progress(ledger, [plan(ramp())], JAN, ["k1"])["k1"]
    assert progress.points[0].target_cents == 0 and progress.attainment is None


def test_absent_without_first_purchase_ramp_or_scope():
    ledger = snapshot(
        accounts=[
            {"account_id": "acme", "name": "Acme", "segment": "enterprise"},
            {"account_id": "tiny", "name": "Tiny", "segment": "smb"},
        ],
        contracts=[
            ("late", "acme", "2027-01-01", "1000", "storage"),
            ("small", "tiny", "2027-01-01", "1000", ""),
            ("k1", "acme", "2027-01-01", "1000", "compute"),
        ],
        usage={
            ("acme", "storage", "2027-03"): "50",
            ("tiny", "", "2027-01"): "50",
            ("acme", "compute", "2027-01"): "50",
        },
    )
    scoped = plan(ramp(), scope=(("segment", ("enterprise",)),))
    wanted = ["late", "small", "k1", "unknown"]
    assert set(ramp_progress(ledger, [scoped], JAN + 1, wanted)) == {"k1"}
    assert ramp_progress(ledger, [scoped], JAN + 1, []) == {}
    no_ramp = plan(*[c for c in SPEC_PLAN.components if c.type != "ramp_realization"])
    assert ramp_progress(ledger, [no_ramp], JAN + 1, wanted) == {}


def test_version_in_force_at_first_purchase_governs_for_life():
    """F in 2027-02 under v1 (W = 2); v2 (W = 4) from 2027-03 does not change its window."""
    v1 = plan(ramp(), version=1, end="2027-02", window=2)
    v2 = plan(ramp("flat"), version=2, start="2027-03", window=4)
    ledger = snapshot(
        contracts=[
            ("k1", "acme", "2027-01-01", "1000", ""),
            ("k2", "acme", "2027-03-01", "1000", ""),
        ],
        usage=monthly("acme", "2027-02", "100", "100", "100", "100"),
    )
    result = ramp_progress(ledger, [v2, v1], JAN + 4, ["k1", "k2"])
    assert (result["k1"].version, result["k1"].window, len(result["k1"].points)) == (1, 2, 2)
    assert (result["k2"].version, result["k2"].window, len(result["k2"].points)) == (2, 4, 3)


def test_two_ramp_components_pick_the_first_plan():
    am = RampRealization("am-ramp", "AM", "flat", Fraction("0.01"))
    ledger = snapshot(
        contracts=[("k1", "acme", "2027-01-01", "1000", "")],
        usage=monthly("acme", "2027-01", "100"),
    )
    plans = [plan(am, plan_id="b-am"), plan(ramp(), plan_id="a-ae")]
    progress = ramp_progress(ledger, plans, JAN, ["k1"])["k1"]
    assert (progress.plan_id, progress.component_id) == ("a-ae", "ramp")


@given(scenarios(), months())
def test_matches_the_fraction_reference(scenario, period_text):
    """R_k, TC_k and A_k of every governed contract equal the reference's, for k up to P."""
    P = parse_period(period_text)
    contract_ids = [c.contract_id for c in scenario.contracts]
    result = ramp_progress(snapshot_of(scenario), list(scenario.plans), P, contract_ids)
    expected = {}
    accounts = {a.account_id: a for a in scenario.accounts}
    plan_ids = sorted({v.plan_id for v in scenario.plans})
    for contract in scenario.contracts:
        usage = ref.monthly_usage(scenario, contract)
        first = ref.F(contract, {m: u for m, u in usage.items() if m <= P})
        if first is None or first > P:
            continue
        for plan_id in plan_ids:
            ramp_ids = [
                c.id
                for v in sorted(scenario.plans, key=lambda v: v.effective_from)
                if v.plan_id == plan_id
                for c in v.components
                if c.type == "ramp_realization"
            ]
            found = None
            for component_id in dict.fromkeys(ramp_ids):
                found = ref.governing(
                    scenario.plans, plan_id, component_id, accounts[contract.account_id], first
                )
                if found:
                    break
            if found is None:
                continue
            version, component = found
            W = version.lifecycle.window_months
            expected[contract.contract_id] = (
                plan_id,
                version.version,
                [
                    (
                        k,
                        ref.R(usage, first, k),
                        ref.TC(component, contract, k, W),
                    )
                    for k in range(1, min(W, P - first + 1) + 1)
                ],
            )
            break
    assert set(result) == set(expected)
    for contract_id, (plan_id, version, want) in expected.items():
        got = result[contract_id]
        assert (got.plan_id, got.version) == (plan_id, version)
        assert points(got) == want
        for point, (_, R_k, TC_k) in zip(got.points, want, strict=True):
            assert point.attainment == (ref.A(R_k, TC_k) if TC_k else None)
    for contract_id in sorted(expected)[:1]:  # asked alone, a contract gets the same answer
        alone = ramp_progress(snapshot_of(scenario), list(scenario.plans), P, [contract_id])
        assert alone == {contract_id: result[contract_id]}
