"""For random ledgers, the bridge agrees with section 12 restated in plain Fractions, the
groups add up to the total exactly, and end is the run rate of month Q."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compengine.analytics.bridge import GroupBy, compute_bridge
from compengine.analytics.figures import Figures
from compengine.errors import UserError
from compengine.months import month_of
from tests.analytics.bridge_reference import PARTS, ReferenceConfigError, reference_groups
from tests.results.test_engine_matches_reference import snapshot_of
from tests.strategies import FIRST_MONTH, HORIZON, scenarios

MONTHS = st.integers(FIRST_MONTH - 1, FIRST_MONTH + HORIZON - 1)


def parts(figures: Figures) -> dict[str, Fraction]:
    return {name: getattr(figures, name) for name in PARTS}


@settings(max_examples=max(10, settings.default.max_examples // 3))
@given(scenario=scenarios(), p=MONTHS, q=MONTHS, by=st.sampled_from(list(GroupBy)))
def test_bridge_equals_the_reference_adds_up_and_ends_at_the_run_rate_of_q(scenario, p, q, by):
    assume(p < q)
    role = "AE" if by is not GroupBy.payee else "CSM"
    try:
        expected = reference_groups(scenario, p, q, by.value, role)
    except ReferenceConfigError:
        expected = None
    try:
        bridge = compute_bridge(snapshot_of(scenario), list(scenario.plans), p, q, by=by, role=role)
    except UserError:
        assert expected is None, "the engine refused shares the reference accepts"
        return
    assert expected is not None, "the engine accepted shares above 1"
    assert {g: parts(f) for g, f in bridge.groups.items()} == expected
    assert sum(bridge.groups.values(), Figures()) == bridge.total
    total = bridge.total
    assert total.end == total.expected + total.realization_gap
    in_q = sum((e.amount * 100 for e in scenario.usage if month_of(e.date) == q), Fraction(0))
    in_p = sum((e.amount * 100 for e in scenario.usage if month_of(e.date) == p), Fraction(0))
    assert (total.start, total.end) == (in_p, in_q)
