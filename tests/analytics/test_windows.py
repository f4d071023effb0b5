"""Ramp windows from the data (spec section 12): ramp lengths, nearest-rank percentiles,
the suggestion, and its recovery of known ramp lengths on synthetic noisy logistic ramps."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from compengine.analytics.plan_windows import check_windows
from compengine.analytics.windows import (
    WindowsBy,
    compute_windows,
    contract_histories,
    nearest_rank,
    ramp_length,
)
from compengine.errors import UserError
from compengine.months import format_period, parse_period
from compengine.plan.model import RampRealization
from tests.builders import monthly, plan, snapshot


@pytest.mark.parametrize(
    ("usage", "length"),
    [
        ([0, 50, 95, 100, 100, 100], 3),  # 90 % of the plateau (100) is reached in month 3
        ([95, 50, 100, 100, 100], 3),  # a dip after reaching it restarts the count
        ([90, 90, 90], 1),
        ([100, 100, 50], None),  # the last month falls short of 0.9 x 83.33: never settled
        ([10, -10, 0], None),  # plateau 0
        ([-5, -5, -5], None),
        ([0, 0, 27, 30, 30, 30], 3),  # 27 is exactly 0.9 x 30: reached
        ([0, 0, 26, 30, 30, 30], 4),
    ],
)
def test_ramp_length_is_the_first_month_from_which_every_month_reaches_90_percent(usage, length):
    assert ramp_length(np.array(usage, dtype=np.int64)) == length


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([4, 1, 3, 2], Fraction(1, 4), 1),
        ([4, 1, 3, 2], Fraction(1, 2), 2),
        ([4, 1, 3, 2], Fraction(3, 4), 3),
        ([5, 1, 4, 2, 3], Fraction(1, 4), 2),  # rank ceil(1.25) = 2
        ([5, 1, 4, 2, 3], Fraction(1, 2), 3),
        ([7], Fraction(3, 4), 7),
    ],
)
def test_percentiles_are_by_nearest_rank(values, p, expected):
    assert nearest_rank(sorted(values), p) == expected


def ledger(**contracts: tuple[str, str, list[str], str | None]):
    """contracts: id -> (segment, first month, monthly dollars, ends_on)."""
    usage = {}
    for contract_id, (_, start, dollars, _) in contracts.items():
        usage |= monthly(contract_id, start, *dollars)
    return snapshot(
        accounts=[
            {"account_id": c, "name": c, "segment": segment, "region": None}
            for c, (segment, *_) in contracts.items()
        ],
        contracts=[
            (c, c, f"{start}-01", "100", "", *([ends] if ends else []))
            for c, (_, start, _, ends) in contracts.items()
        ],
        usage=usage,
    )


def test_history_runs_to_the_ledgers_last_month_or_the_contracts_end_zero_months_included():
    data = ledger(
        a=("enterprise", "2027-01", ["10", "50", "100", "100", "100"], None),
        b=("smb", "2027-02", ["100", "100", "100"], "2027-04-30"),
        c=("", "2027-03", ["20"], None),  # then silent: months without usage count
        d=("smb", "2027-04", ["100"], None),
    )
    histories = {h.contract_id: h for h in contract_histories(data, 3, WindowsBy.segment)}
    assert {c: h.history_months for c, h in histories.items()} == {"a": 5, "b": 3, "c": 3}
    assert histories["a"].plateau == 10_000 and histories["a"].ramp_length == 3
    assert histories["c"].plateau == Fraction(2000, 3) and histories["c"].ramp_length is None
    assert histories["c"].group == "(none)"
    assert histories["a"].curve == (Fraction(1, 10), Fraction(1, 2), Fraction(1))


def test_groups_report_percentiles_the_suggestion_and_the_exact_mean_curve():
    data = ledger(
        a=("enterprise", "2027-01", ["50", "100", "100", "100"], None),
        b=("enterprise", "2027-01", ["10", "25", "100", "100"], None),  # plateau 75
        c=("smb", "2027-01", ["100", "100", "100", "100"], None),
    )
    windows = compute_windows(data, 4, WindowsBy.segment)
    enterprise, smb = windows.groups
    assert (enterprise.group, enterprise.contracts) == ("enterprise", 2)
    assert (enterprise.p25, enterprise.p50, enterprise.p75) == (2, 2, 3)
    assert enterprise.suggested_window == 2
    # a: 1/2, 1, 1, 1; b: 10/75, 25/75, 100/75, 100/75
    assert enterprise.curve == (Fraction(19, 60), Fraction(2, 3), Fraction(7, 6), Fraction(7, 6))
    assert (smb.group, smb.suggested_window) == ("smb", 1)
    assert [g.group for g in compute_windows(data, 4).groups] == ["all"]


@pytest.mark.parametrize("bad", [2, 0, -1, 1201, 10**9])
def test_min_history_is_between_3_and_1200(bad):
    with pytest.raises(UserError, match=r"^--min-history: .* is not between 3 and 1200 months$"):
        compute_windows(ledger(a=("x", "2027-01", ["1"] * 3, None)), bad)


def logistic_ledger(lengths: dict[str, int], contracts: int, months: int, seed: int):
    """Per segment, contracts whose usage follows a logistic ramp that first reaches 90 % of
    its plateau in window month `length`, with ±3 % multiplicative noise, in whole cents;
    each starts in one of 6 months and uses through the ledger's last month (2026-12), so
    its history has `months` to `months` + 5 months."""
    rng = np.random.default_rng(seed)
    usage, accounts, rows = {}, [], []
    for segment, length in lengths.items():
        steepness = 0.7
        middle = length - 0.5 - steepness * math.log(9)  # f(length - 0.5) = 0.9
        for n in range(contracts):
            cid = f"{segment}-{n}"
            plateau = int(rng.integers(1_000_00, 50_000_00))
            start = parse_period("2026-12") - months + 1 - int(rng.integers(0, 6))
            cents = [
                round(plateau / (1 + math.exp(-(k - middle) / steepness)) * rng.uniform(0.97, 1.03))
                for k in range(1, parse_period("2026-12") - start + 2)
            ]
            usage |= monthly(cid, format_period(start), *(f"{c / 100:.2f}" for c in cents))
            accounts.append({"account_id": cid, "name": cid, "segment": segment})
            rows.append((cid, cid, f"{format_period(start)}-01", "1000", ""))
    return snapshot(accounts=accounts, contracts=rows, usage=usage)


def test_the_suggestion_recovers_known_ramp_lengths_of_two_segments_within_one_month():
    lengths = {"enterprise": 9, "smb": 4}
    data = logistic_ledger(lengths, contracts=15, months=24, seed=20271)
    windows = compute_windows(data, 12, WindowsBy.segment)
    suggested = {g.group: g.suggested_window for g in windows.groups}
    assert suggested.keys() == lengths.keys()
    for segment, length in lengths.items():
        assert abs(suggested[segment] - length) <= 1, (segment, suggested[segment])
    for history in windows.histories:
        assert abs(history.ramp_length - lengths[history.group]) <= 1


def test_plan_check_windows_compares_each_versions_scope_with_its_suggestion():
    data = logistic_ledger({"enterprise": 9, "smb": 4}, contracts=9, months=15, seed=7)
    ramp = RampRealization("ramp", "AE", rate=Fraction(1, 20))
    plans = [
        plan(ramp, plan_id="ent", window=6, scope=(("segment", ("enterprise",)),)),
        plan(ramp, plan_id="smb", window=5, scope=(("segment", ("smb",)),)),
        plan(ramp, plan_id="none", window=5, scope=(("segment", ("public",)),)),
    ]
    histories = contract_histories(data, 12)
    checks = {c.plan.plan_id: c for c in check_windows(plans, histories, data.accounts)}
    assert checks["ent"].differs and abs(checks["ent"].suggestion.suggested_window - 9) <= 1
    assert not checks["smb"].differs
    assert checks["none"].suggestion is None and not checks["none"].differs
    assert "no contract in its scope" in checks["none"].message(12)
    assert checks["ent"].message(12).startswith(": ent v1: window_months 6 differs from")
