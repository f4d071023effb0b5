"""Which plan version governs which contract and month (spec section 3).

A component x is identified by (plan id, component id) across the versions of its
plan. ``month_version`` says which version is in force in each grid month and
``in_scope`` whether a contract's account is in each version's scope; the
calculators combine them with the rule of their component type.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from compengine.calc.errors import ConfigurationError
from compengine.calc.usage import ContractGrid
from compengine.months import format_period
from compengine.plan.model import Component, PlanVersion


@dataclass
class ComponentPlan:
    plan_id: str
    component_id: str
    type: str
    versions: list[PlanVersion]  # all versions of the plan, by effective month
    parts: list[Component | None]  # this component in each version, None where absent
    month_version: np.ndarray  # (months,) index into versions in force, -1 for none
    in_scope: np.ndarray  # (contracts, versions) bool

    def applies(self, version: np.ndarray) -> np.ndarray:
        """Per contract: whether version index `version` (-1 for none) has this component
        and covers the contract's account."""
        has_part = np.array([p is not None for p in self.parts] + [False])
        index = np.where(version < 0, len(self.parts), version)
        valid = version >= 0
        scope = np.zeros(index.shape, dtype=bool)
        scope[valid] = self.in_scope[np.flatnonzero(valid), index[valid]]
        return has_part[index] & scope


def _month_version(versions: list[PlanVersion], grid: ContractGrid) -> np.ndarray:
    in_force = np.full(grid.months, -1, dtype=np.int64)
    months = np.arange(grid.months) + grid.first_month
    for index, version in enumerate(versions):
        upper = version.effective_to if version.effective_to is not None else months.max(initial=0)
        in_force[(months >= version.effective_from) & (months <= upper)] = index
    return in_force


def _in_scope(
    versions: list[PlanVersion], grid: ContractGrid, accounts: pd.DataFrame
) -> np.ndarray:
    fields = accounts.set_index("account_id")
    contract_accounts = fields.reindex(grid.account_ids)
    result = np.ones((grid.size, len(versions)), dtype=bool)
    for index, version in enumerate(versions):
        for name, allowed in version.scope:
            values = (
                pd.Series(grid.account_ids) if name == "account_id" else contract_accounts[name]
            )
            result[:, index] &= values.isin(list(allowed)).to_numpy()
    return result


def component_plans(
    plans: list[PlanVersion], grid: ContractGrid, accounts: pd.DataFrame
) -> list[ComponentPlan]:
    by_plan: dict[str, list[PlanVersion]] = defaultdict(list)
    for plan in plans:
        by_plan[plan.plan_id].append(plan)
    result = []
    for plan_id in sorted(by_plan):
        versions = sorted(by_plan[plan_id], key=lambda v: v.effective_from)
        month_version = _month_version(versions, grid)
        in_scope = _in_scope(versions, grid, accounts)
        ids = dict.fromkeys(c.id for v in versions for c in v.components)
        for component_id in ids:
            parts = [
                next((c for c in v.components if c.id == component_id), None) for v in versions
            ]
            kind = next(p.type for p in parts if p is not None)
            result.append(
                ComponentPlan(plan_id, component_id, kind, versions, parts, month_version, in_scope)
            )
    return result


def check_conflicts(components: list[ComponentPlan], grid: ContractGrid) -> None:
    """Two components crediting one role with one type for one account and month is an error.

    Checked for accounts with a contract, from the contract's signing month on.
    """
    problems = []
    months = np.arange(grid.months)
    live = months[None, :] >= grid.signed[:, None]
    for i, first in enumerate(components):
        for second in components[i + 1 :]:
            if first.type != second.type:
                continue
            for v1, part1 in enumerate(first.parts):
                for v2, part2 in enumerate(second.parts):
                    if part1 is None or part2 is None or part1.role != part2.role:
                        continue
                    both = (first.month_version == v1) & (second.month_version == v2)
                    cells = live & both[None, :]
                    cells &= (first.in_scope[:, v1] & second.in_scope[:, v2])[:, None]
                    if cells.any():
                        row, t = np.argwhere(cells)[0]
                        problems.append(
                            f"configuration error: components {first.plan_id}/{first.component_id} "
                            f"(v{first.versions[v1].version}) and "
                            f"{second.plan_id}/{second.component_id} "
                            f"(v{second.versions[v2].version}) both credit role {part1.role} with "
                            f"{first.type} on account {grid.account_ids[row]} in "
                            f"{format_period(grid.first_month + int(t))}"
                        )
    if problems:
        raise ConfigurationError(problems)
