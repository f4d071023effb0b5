"""A plan version's content hash changes with what decides pay, and only with that."""

from __future__ import annotations

import pytest

from compengine.plan.content import content_hash
from compengine.plan.load import load_plans

PLAN = """\
# comment
plan: ae-usage
version: 1
name: AE plan
effective: {from: 2027-01}
scope: {segment: [enterprise, mid-market], region: emea}
lifecycle: {window_months: 6}
components:
  - {id: first, type: first_purchase, role: AE, payout: {flat: 500}}
  - id: ramp
    type: ramp_realization
    role: AE
    rate: 0.05
"""


def _hash(write_plan, text: str) -> str:
    (plan,) = load_plans([write_plan(text)])
    return content_hash(plan)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("# comment", "# another comment\n\n"),
        ("rate: 0.05", "rate: 0.050"),
        ("{flat: 500}", "{flat: 500.00}"),
        ("lifecycle: {window_months: 6}", "lifecycle:\n  window_months: 6\n  baseline_months: 3"),
        ("    rate: 0.05\n", "    rate: 0.05\n    curve: linear\n"),
        ("[enterprise, mid-market], region: emea", "[mid-market, enterprise], region: emea"),
        (
            "{segment: [enterprise, mid-market], region: emea}",
            "{region: emea, segment: [enterprise, mid-market]}",
        ),
        ("name: AE plan", "name: AE plan FY27"),
        ("{from: 2027-01}", "{from: 2027-01, to: 2027-06}"),
    ],
)
def test_what_does_not_decide_pay_keeps_the_hash(write_plan, old, new):
    assert PLAN.count(old) == 1
    assert _hash(write_plan, PLAN.replace(old, new)) == _hash(write_plan, PLAN)


def test_components_in_another_order_keep_the_hash(write_plan):
    first = "  - {id: first, type: first_purchase, role: AE, payout: {flat: 500}}\n"
    reordered = PLAN.replace(first, "") + first
    assert _hash(write_plan, reordered) == _hash(write_plan, PLAN)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("rate: 0.05", "rate: 0.06"),
        ("{flat: 500}", "{flat: 501}"),
        ("role: AE\n    rate", "role: AM\n    rate"),
        ("region: emea", "region: amer"),
        ("window_months: 6", "window_months: 7"),
        ("version: 1", "version: 2"),
        ("    rate: 0.05\n", "    rate: 0.05\n    curve: flat\n"),
    ],
)
def test_what_decides_pay_changes_the_hash(write_plan, old, new):
    assert PLAN.count(old) == 1
    assert _hash(write_plan, PLAN.replace(old, new)) != _hash(write_plan, PLAN)


# content_hash(PLAN) as computed before `earnings_code` existed: hashes frozen in users'
# databases then must not change now.
HASH_BEFORE_EARNINGS_CODES = "e7fa0d7d749c51ee23186023d193089e944aa901c082a5a76f8393ec71c2704b"


def test_a_plan_without_earnings_codes_keeps_the_hash_it_had_before_they_existed(write_plan):
    assert _hash(write_plan, PLAN) == HASH_BEFORE_EARNINGS_CODES


def test_an_earnings_code_written_as_its_default_keeps_the_hash(write_plan):
    explicit = PLAN.replace("    rate: 0.05\n", "    rate: 0.05\n    earnings_code: ramp\n")
    assert _hash(write_plan, explicit) == HASH_BEFORE_EARNINGS_CODES


def test_an_earnings_code_decides_what_payroll_books_so_it_changes_the_hash(write_plan):
    coded = PLAN.replace("    rate: 0.05\n", "    rate: 0.05\n    earnings_code: COMM\n")
    recoded = coded.replace("COMM", "COMM2")
    hashes = {_hash(write_plan, text) for text in (PLAN, coded, recoded)}
    assert len(hashes) == 3
