"""`plan check --windows`: each plan version's window_months against what the data suggests
for the accounts in its scope (spec section 12). Advice only: the window stays a number in
the plan file, since a window that moved with the data would re-price deals already paid."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compengine.analytics.windows import ContractHistory, WindowGroup, suggestion_for
from compengine.plan.model import PlanVersion


@dataclass(frozen=True)
class WindowCheck:
    plan: PlanVersion
    suggestion: WindowGroup | None  # None: no contract in its scope qualifies

    @property
    def differs(self) -> bool:
        """More than one month away from the suggestion."""
        return (
            self.suggestion is not None
            and abs(self.plan.lifecycle.window_months - self.suggestion.suggested_window) > 1
        )

    def message(self, min_history: int) -> str:
        name = f"{self.plan.source}: {self.plan.plan_id} v{self.plan.version}"
        window = self.plan.lifecycle.window_months
        if self.suggestion is None:
            return (
                f"{name}: no contract in its scope has a ramp in at least {min_history} months "
                "of history; nothing to compare window_months with"
            )
        s = self.suggestion
        basis = (
            f"ramp lengths p25 {s.p25}, median {s.p50}, p75 {s.p75} months over {s.contracts} "
            f"contract(s) with at least {min_history} months of history"
        )
        verdict = "differs from" if self.differs else "agrees with"
        return (
            f"{name}: window_months {window} {verdict} the data's suggestion "
            f"{s.suggested_window} ({basis})"
        )


def in_scope(plan: PlanVersion, accounts: pd.DataFrame) -> set[str]:
    """The accounts a version's scope holds: every listed field's value is one of its values
    (an empty field matches nothing), as `run` evaluates it."""
    held = pd.Series(True, index=accounts.index)
    for field, allowed in plan.scope:
        held &= accounts[field].isin(list(allowed))
    return set(accounts.loc[held, "account_id"])


def check_windows(
    plans: list[PlanVersion], histories: list[ContractHistory], accounts: pd.DataFrame
) -> list[WindowCheck]:
    checks = []
    for plan in plans:
        scope = in_scope(plan, accounts)
        checks.append(WindowCheck(plan, suggestion_for(histories, scope.__contains__)))
    return checks
