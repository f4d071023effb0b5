"""Hostile plan files given to `run`: one located message, exit 1, no traceback, every table
as it was (the issue 9 review's findings on plan numbers, nesting and reserved ids)."""

from __future__ import annotations

import pytest

from tests.conftest import table_snapshot

PLAN = """\
plan: ae-usage
version: 1
effective: {from: 2027-01}
lifecycle: {window_months: 6}
components:
  - {id: first, type: first_purchase, role: AE, payout: {flat: 500}}
"""

CASES = {
    "a 23-digit version": (
        PLAN.replace("version: 1", "version: 99999999999999999999999"),
        "plan.yaml:2: version: must be at most 1,000,000 (is 99999999999999999999999)",
    ),
    "a 26-digit flat": (
        PLAN.replace("flat: 500", "flat: 12345678901234567890123456"),
        "plan.yaml:6: components[0].payout.flat: '12345678901234567890123456' has more than "
        "13 digits before the point",
    ),
    "a 20-digit within_months": (
        PLAN.replace("{flat: 500}", "{flat: 500}, clawback: {within_months: 12345678901234567890}"),
        "plan.yaml:6: components[0].clawback.within_months: must be at most 1,200 "
        "(is 12345678901234567890)",
    ),
    "a window of 100,000,000 months": (
        PLAN.replace("window_months: 6", "window_months: 100000000"),
        "plan.yaml:4: lifecycle.window_months: must be at most 1,200 (is 100000000)",
    ),
    "500-deep nesting": (
        PLAN + "  - " + "[" * 500 + "]" * 500 + "\n",
        "plan.yaml:7: nests deeper than 20 levels",
    ),
    "the component id adjustment-catch-up": (
        PLAN.replace("id: first", "id: adjustment-catch-up"),
        "plan.yaml:6: components[0].id: 'adjustment-catch-up' is reserved for compengine's own "
        "lines",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_run_refuses_a_hostile_plan_and_writes_nothing(cli, db_url, tmp_path, case):
    text, message = CASES[case]
    assert cli("init").code == 0
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    before = table_snapshot(db_url)
    result = cli("run", "--period", "2027-01", "--plans", "plan.yaml")
    assert (result.code, result.out, result.err) == (1, "", message + "\n")
    assert table_snapshot(db_url) == before
