"""A run's input fingerprint: equal inputs give an equal fingerprint, on any database.

It covers the monthly usage aggregate (which the ledger rows determine), the usage
through ends_on of the end months that contracts end mid-month, accounts,
assignments, contracts, the plan files' text and the payouts recorded before the
period (they enter the payout formula), each in a canonical order.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from compengine.calc.snapshot import LedgerSnapshot
from compengine.plan.model import PlanVersion


def _frame_digest(frame: pd.DataFrame, keys: list[str], integers: tuple[str, ...] = ()) -> bytes:
    """Columns as text (what each database returns differs in type, not in text), but
    the `integers` as 64-bit integers: turning the aggregate's months and cents into
    text was most of a run's fingerprint time."""
    canonical = frame.astype({c: str for c in frame.columns if c not in integers})
    canonical = canonical.astype({c: "int64" for c in integers})
    canonical = canonical.sort_values(keys, kind="stable").reset_index(drop=True)
    canonical = canonical[sorted(canonical.columns)]
    return pd.util.hash_pandas_object(canonical, index=False).to_numpy().tobytes()


def fingerprint(
    snapshot: LedgerSnapshot, plans: list[PlanVersion], paid_before: pd.DataFrame, period: str
) -> str:
    digest = hashlib.sha256(period.encode())
    digest.update(
        _frame_digest(
            snapshot.monthly_usage, ["account_id", "product", "month"], ("month", "amount_cents")
        )
    )
    parts = [
        (snapshot.end_month_usage, ["contract_id", "product"]),
        (snapshot.accounts, ["account_id"]),
        (snapshot.assignments, ["account_id", "payee_id", "role", "start"]),
        (snapshot.contracts, ["contract_id"]),
        (paid_before, ["payee_id", "plan_id", "component_id", "contract_id"]),
    ]
    for frame, keys in parts:
        digest.update(_frame_digest(frame, keys))
    for plan in sorted(plans, key=lambda p: (p.plan_id, p.version)):
        digest.update(f"{plan.plan_id}:{plan.version}\n".encode())
        digest.update(plan.text.encode())
    return digest.hexdigest()
