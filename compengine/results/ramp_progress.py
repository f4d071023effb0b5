"""How far each contract has ramped: cumulative realized usage against the cumulative target.

A rep's statement charts R_k against TC_k for window months k = 1 .. min(W, P - F + 1)
(spec sections 4 and 9). The numbers come from the engine's own grid, version rule and
ramp calculator (``calc.ramp.progress``), so the chart can never disagree with what was
paid. Only the given contracts are put on the grid: U(c, m) depends on nothing but c's
own account and scope, so the answer for a contract does not depend on which others are
asked with it. A call costs about 20 ms of fixed pandas work plus a little per contract,
so a bulk run should ask once for all its contracts and hand each statement its share.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from compengine.calc.earnings import governing_version
from compengine.calc.ramp import progress
from compengine.calc.snapshot import LedgerSnapshot
from compengine.calc.usage import build_grid
from compengine.calc.versions import component_plans
from compengine.plan.model import PlanVersion, RampRealization


@dataclass(frozen=True)
class RampPoint:
    k: int  # window month, 1-based
    month: int  # month index of window month k (F + k - 1)
    realized_cents: int  # R_k
    target_cents: Fraction  # TC_k, exact
    attainment: Fraction | None  # R_k / TC_k; None when TC_k is 0 (commit_monthly 0)


@dataclass(frozen=True)
class RampProgress:
    contract_id: str
    plan_id: str
    version: int  # the version in force in F, which governs the ramp for life
    window: int  # W of that version
    first_month: int  # month index of F
    points: tuple[RampPoint, ...]  # window months 1 .. min(W, P - F + 1)
    component_id: str = ""  # which ramp component of the plan

    @property
    def attainment(self) -> Fraction | None:
        """The latest attainment: what the statement prints in the chart's title."""
        return self.points[-1].attainment


def _only(snapshot: LedgerSnapshot, contract_ids: set[str]) -> LedgerSnapshot:
    """The snapshot cut down to the given contracts and their accounts' usage."""
    contracts = snapshot.contracts[snapshot.contracts["contract_id"].isin(contract_ids)]
    accounts = set(contracts["account_id"])
    end_month = snapshot.end_month_usage
    return LedgerSnapshot(
        accounts=snapshot.accounts[snapshot.accounts["account_id"].isin(accounts)],
        assignments=snapshot.assignments.iloc[0:0],
        contracts=contracts,
        monthly_usage=snapshot.monthly_usage[snapshot.monthly_usage["account_id"].isin(accounts)],
        end_month_usage=end_month[end_month["contract_id"].isin(contract_ids)],
    )


def ramp_progress(
    snapshot: LedgerSnapshot, plans: list[PlanVersion], period: int, contract_ids: Collection[str]
) -> dict[str, RampProgress]:
    """RampProgress through `period` for each given contract a ramp_realization component
    governs (the version in force in F, its account in that version's scope).

    Contracts with no first purchase by the period, or no governing ramp component, are
    left out. A contract two ramp components govern (plans for different roles) gets the
    first in (plan id, component order in the plan) order, the order `run` computes in.
    """
    wanted = set(contract_ids)
    if not wanted:
        return {}
    cut = _only(snapshot, wanted)
    grid = build_grid(cut, period)
    result: dict[str, RampProgress] = {}
    for plan in component_plans(plans, grid, cut.accounts):
        if plan.type != "ramp_realization":
            continue
        governing = governing_version(plan, grid)
        taken = np.array([c in result for c in grid.contract_ids], dtype=bool)
        for index, part in enumerate(plan.parts):
            rows = np.flatnonzero((governing == index) & ~taken)
            if not isinstance(part, RampRealization) or rows.size == 0:
                continue
            version = plan.versions[index]
            window = version.lifecycle.window_months
            k, realized, target, den = progress(part, window, grid, rows)
            for i, row in enumerate(rows):
                first = int(grid.first_purchase[row])
                months = range(first, min(first + window, grid.months))
                contract_id = str(grid.contract_ids[row])
                result[contract_id] = RampProgress(
                    contract_id=contract_id,
                    plan_id=plan.plan_id,
                    version=version.version,
                    window=window,
                    first_month=grid.first_month + first,
                    points=tuple(
                        _point(
                            int(k[i, t]),
                            grid.first_month + t,
                            int(realized[i, t]),
                            Fraction(int(target[i, t]), den),
                        )
                        for t in months
                    ),
                    component_id=plan.component_id,
                )
    return result


def _point(k: int, month: int, realized: int, target: Fraction) -> RampPoint:
    return RampPoint(k, month, realized, target, realized / target if target else None)
