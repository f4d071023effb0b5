"""Small builders for engine inputs, so that a test states only what its example needs."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pandas as pd

from compengine.calc.snapshot import (
    ACCOUNT_COLUMNS,
    ASSIGNMENT_COLUMNS,
    CONTRACT_COLUMNS,
    END_MONTH_COLUMNS,
    USAGE_COLUMNS,
    LedgerSnapshot,
)
from compengine.money import format_cents
from compengine.months import format_period, parse_period
from compengine.plan.model import Component, PlanVersion
from compengine.results.payouts import PAID_COLUMNS, calculate_period
from tests.reference.scenario import make_plan


def plan(
    *components: Component,
    plan_id: str = "p",
    version: int = 1,
    start: str = "2027-01",
    end: str | None = None,
    window: int = 6,
    baseline: int | None = None,
    scope: tuple = (),
) -> PlanVersion:
    return make_plan(
        plan_id,
        components,
        version=version,
        effective=(start, end),
        scope=scope,
        window_months=window,
        baseline_months=baseline,
    )


def snapshot(
    *,
    accounts: list[dict] | None = None,
    assignments: list[tuple] = (),
    contracts: list[tuple] = (),
    usage: dict[tuple[str, str, str], str] | None = None,
    end_month_usage: dict[tuple[str, str], str] | None = None,
) -> LedgerSnapshot:
    """assignments: (account, payee, role, 'start', 'end' or None, split);
    contracts: (contract, account, 'signed_on', 'commit dollars', 'products'[, 'ends_on']);
    end_month_usage: {(contract, product): 'dollars'} dated through ends_on in its month;
    usage: {(account, product, 'YYYY-MM'): 'dollars'}."""
    accounts = accounts or [{"account_id": "acme", "name": "Acme", "segment": "enterprise"}]
    return LedgerSnapshot(
        accounts=pd.DataFrame(
            [{c: a.get(c) for c in ACCOUNT_COLUMNS} for a in accounts], columns=ACCOUNT_COLUMNS
        ),
        assignments=pd.DataFrame(
            [
                (a, p, r, date.fromisoformat(s), date.fromisoformat(e) if e else None, split)
                for a, p, r, s, e, split in assignments
            ],
            columns=ASSIGNMENT_COLUMNS,
        ),
        contracts=pd.DataFrame(
            [
                (
                    c,
                    a,
                    date.fromisoformat(s),
                    int(Fraction(commit) * 100),
                    products,
                    date.fromisoformat(ends[0]) if ends else None,
                )
                for c, a, s, commit, products, *ends in contracts
            ],
            columns=CONTRACT_COLUMNS,
        ),
        monthly_usage=pd.DataFrame(
            [
                (a, p, parse_period(m), int(Fraction(v) * 100))
                for (a, p, m), v in (usage or {}).items()
            ],
            columns=USAGE_COLUMNS,
        ).astype({"month": "int64", "amount_cents": "int64"}),
        end_month_usage=pd.DataFrame(
            [(c, p, int(Fraction(v) * 100)) for (c, p), v in (end_month_usage or {}).items()],
            columns=END_MONTH_COLUMNS,
        ).astype({"contract_id": object, "product": object, "amount_cents": "int64"}),
    )


def monthly(
    account: str, start: str, *dollars: str, product: str = ""
) -> dict[tuple[str, str, str], str]:
    """Usage of consecutive months from `start`: monthly('acme', '2027-01', '2000', '4000')."""
    first = parse_period(start)
    return {(account, product, format_period(first + i)): d for i, d in enumerate(dollars)}


class Cycle:
    """Runs periods like the product does: paid before P = recorded payouts of periods < P."""

    def __init__(self, snapshot: LedgerSnapshot, plans: list[PlanVersion]):
        self.snapshot, self.plans = snapshot, plans
        self.recorded: dict[str, pd.DataFrame] = {}

    def run(self, period: str) -> pd.DataFrame:
        earlier = [lines for p, lines in self.recorded.items() if p < period]
        paid = (
            pd.concat(earlier)
            if earlier
            else pd.DataFrame(columns=[*PAID_COLUMNS[:-1], "amount_cents"])
        )
        paid = paid.rename(columns={"amount_cents": "paid_cents"})
        paid = paid.groupby(PAID_COLUMNS[:-1], as_index=False)["paid_cents"].sum()
        result = calculate_period(self.snapshot, self.plans, parse_period(period), paid)
        self.last = result
        self.recorded[period] = result.lines
        return result.lines

    def paid(self, payee: str, component: str, period: str) -> str:
        lines = self.recorded[period]
        chosen = lines[(lines["payee_id"] == payee) & (lines["component_id"] == component)]
        return format_cents(int(chosen["amount_cents"].sum()))
