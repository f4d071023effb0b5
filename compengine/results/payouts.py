"""From earnings to payout lines (spec section 5).

payout(p, x, c, P) = round(earned_to_date(p, x, c, P)) - paid before P, for every payee
with earnings or earlier payouts on (x, c); rounding half away from zero, to the cent,
is the only rounding step and happens here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from compengine.calc.after_window import expansion, sustained_usage
from compengine.calc.earnings import ComponentEarnings
from compengine.calc.errors import ConfigurationError
from compengine.calc.first_purchase import first_purchase
from compengine.calc.ramp import ramp_realization
from compengine.calc.snapshot import LedgerSnapshot
from compengine.calc.usage import ContractGrid, build_grid
from compengine.calc.versions import ComponentPlan, check_conflicts, component_plans
from compengine.crediting.credit import Credited, credit
from compengine.crediting.shares import ShareTable, build_shares
from compengine.money import format_cents
from compengine.plan.model import PlanVersion, earnings_code
from compengine.results.explain import ClauseWords, Explanation, clause_words, explain_line
from compengine.results.share_parts import share_clauses
from compengine.results.uncovered import uncovered_warnings

CALCULATORS: dict[str, Callable[[ComponentPlan, ContractGrid], ComponentEarnings]] = {
    "first_purchase": first_purchase,
    "ramp_realization": ramp_realization,
    "sustained_usage": sustained_usage,
    "expansion": expansion,
}

STORED_LINE_COLUMNS = [
    "payee_id",
    "plan_id",
    "plan_version",
    "component_id",
    "component_type",
    "contract_id",
    "account_id",
    "earned_to_date_cents",
    "paid_before_cents",
    "amount_cents",
    "explanation",
    "earnings_code",
]
# besides what is stored as columns: earnings through the latest locked month (true-ups),
# the role credited and the lineage dict (stored as JSON)
LINE_COLUMNS = [*STORED_LINE_COLUMNS, "earned_as_of_cents", "role", "lineage"]
PAID_COLUMNS = ["payee_id", "plan_id", "component_id", "contract_id", "paid_cents"]
UNASSIGNED_COLUMNS = [
    "account_id",
    "contract_id",
    "plan_id",
    "component_id",
    "role",
    "month",
    "amount",
]


@dataclass
class PeriodResult:
    lines: pd.DataFrame
    unassigned: pd.DataFrame  # amount: exact Fraction of cents; month: month index
    warnings: list[str] = field(default_factory=list)


def round_cents(numerators: np.ndarray, den: int) -> np.ndarray:
    """Half away from zero, element-wise, exactly."""
    numerators = np.asarray(numerators, dtype=object)
    magnitude = (2 * np.abs(numerators) + den) // (2 * den)
    return np.where(numerators < 0, -magnitude, magnitude).astype(np.int64)


def _line_version_index(
    plan: ComponentPlan, earnings: ComponentEarnings, grid: ContractGrid, period: int
) -> np.ndarray:
    """Per contract, the index (into plan.versions) of the version that governed the latest
    month <= P in which the component applied."""
    started = [i for i, v in enumerate(plan.versions) if v.effective_from <= period]
    fallback = started[-1] if started else 0  # the latest version that had begun by P
    if grid.months == 0:
        return np.full(grid.size, fallback)
    applied = earnings.version >= 0
    latest = grid.months - 1 - applied[:, ::-1].argmax(axis=1)
    index = np.where(applied.any(axis=1), earnings.version[np.arange(grid.size), latest], -1)
    return np.where(index >= 0, index, fallback)


def _version_codes(plan: ComponentPlan) -> np.ndarray:
    """The component's earnings code in each version; a version without the component
    takes the code of the latest earlier one that has it (else of the first that does)."""
    codes, last = [], next(earnings_code(p) for p in plan.parts if p is not None)
    for part in plan.parts:
        last = earnings_code(part) if part is not None else last
        codes.append(last)
    return np.array(codes, dtype=object)


def _last_applied(earnings: ComponentEarnings, rows: np.ndarray) -> np.ndarray:
    """Per line, the index of the version in force in the latest month the component
    applied to its contract; -1 where it never did."""
    if earnings.version.shape[1] == 0:
        return np.full(len(rows), -1)
    applied = earnings.version[rows] >= 0
    latest = earnings.version.shape[1] - 1 - applied[:, ::-1].argmax(axis=1)
    return np.where(applied.any(axis=1), earnings.version[rows, latest], -1)


def _line_roles(plan: ComponentPlan, last_applied: np.ndarray) -> list[str]:
    """The role each line credits: of the version that last applied, else of any version."""
    any_role = next(p.role for p in plan.parts if p is not None)
    roles = [p.role if p is not None else any_role for p in plan.parts] + [any_role]
    return [roles[i] for i in last_applied]


def _explain(
    plan: ComponentPlan,
    earnings: ComponentEarnings,
    grid: ContractGrid,
    credited: Credited,
    shares: ShareTable,
    lines: pd.DataFrame,
    rows: np.ndarray,
    last_applied: np.ndarray,
) -> tuple[list[str], list[dict]]:
    """Each line's sentence and lineage; the share clause only where the payee's part of the
    contract's earnings is not the whole."""
    total = earnings.earned()
    credited_mask = lines["earned_exact"].notna().to_numpy()
    payee_exact = lines["earned_exact"].fillna(0).to_numpy(object)
    contract_exact = total[rows] * shares.den
    partial = credited_mask & (contract_exact != 0) & (payee_exact != contract_exact)
    wanted = pd.DataFrame({"payee_id": lines["payee_id"][partial], "row": rows[partial]})
    clauses = share_clauses(
        credited.holders, shares, wanted, first_month=grid.first_month, delta_den=earnings.den
    )
    words = [clause_words(part) for part in plan.parts] + [ClauseWords()]  # [-1]: none
    contract_earns = (total[rows] != 0).tolist()
    results = [
        explain_line(
            Explanation(
                plan,
                earnings,
                grid,
                row,
                version,
                words[version],
                earns,
                earned_c,
                paid_c,
                amount,
                share=clauses.get((payee, row)),
                credited=is_credited,
                role=role,
            )
        )
        for payee, row, version, earns, earned_c, paid_c, amount, is_credited, role in zip(
            lines["payee_id"].tolist(),
            rows.tolist(),
            last_applied.tolist(),
            contract_earns,
            lines["earned_to_date_cents"].tolist(),
            lines["paid_before_cents"].tolist(),
            lines["amount_cents"].tolist(),
            credited_mask.tolist(),
            lines["role"].tolist(),
            strict=True,
        )
    ]
    return [text for text, _ in results], [lineage for _, lineage in results]


def _component_lines(
    plan: ComponentPlan,
    grid: ContractGrid,
    shares: ShareTable,
    paid_before: pd.DataFrame,
    period: int,
    as_of: int | None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str]]:
    earnings = CALCULATORS[plan.type](plan, grid)
    credited = credit(
        plan, earnings, grid, shares, None if as_of is None else as_of - grid.first_month
    )
    earned = credited.earned
    earned_cents = round_cents(earned["earned"].to_numpy(object), credited.den)
    lines = pd.DataFrame(
        {
            "payee_id": earned["payee_id"].to_numpy(object),
            "contract_id": grid.contract_ids[earned["row"].to_numpy(np.int64)],
            "earned_to_date_cents": pd.array(earned_cents, dtype="Int64"),
            "earned_exact": earned["earned"].to_numpy(object),
            "earned_as_of_cents": pd.array(
                round_cents(earned["earned_as_of"].to_numpy(object), credited.den), dtype="Int64"
            ),
        }
    )
    paid = paid_before[
        (paid_before["plan_id"] == plan.plan_id)
        & (paid_before["component_id"] == plan.component_id)
    ]
    # nullable Int64 keeps cents exact where the outer join leaves gaps (float64 would not)
    paid = paid[["payee_id", "contract_id", "paid_cents"]].astype({"paid_cents": "Int64"})
    lines = lines.merge(paid, on=["payee_id", "contract_id"], how="outer")
    lines["earned_to_date_cents"] = lines["earned_to_date_cents"].fillna(0).astype(np.int64)
    lines["earned_as_of_cents"] = lines["earned_as_of_cents"].fillna(0).astype(np.int64)
    lines["paid_before_cents"] = lines["paid_cents"].fillna(0).astype(np.int64)
    lines["amount_cents"] = lines["earned_to_date_cents"] - lines["paid_before_cents"]
    lines = lines[lines["amount_cents"] != 0].reset_index(drop=True)

    row_of = pd.Series(np.arange(grid.size), index=grid.contract_ids)
    rows = row_of.reindex(lines["contract_id"]).to_numpy(np.int64)
    lines["plan_id"] = plan.plan_id
    lines["component_id"] = plan.component_id
    lines["component_type"] = plan.type
    version_index = _line_version_index(plan, earnings, grid, period)[rows]
    lines["plan_version"] = np.array([v.version for v in plan.versions], np.int64)[version_index]
    lines["earnings_code"] = _version_codes(plan)[version_index]
    lines["account_id"] = grid.account_ids[rows]
    last_applied = _last_applied(earnings, rows)
    lines["role"] = _line_roles(plan, last_applied)
    lines["explanation"], lines["lineage"] = _explain(
        plan, earnings, grid, credited, shares, lines, rows, last_applied
    )

    unassigned = credited.unassigned
    unassigned_frame = pd.DataFrame(
        {
            "account_id": grid.account_ids[unassigned["row"].to_numpy(np.int64)],
            "contract_id": grid.contract_ids[unassigned["row"].to_numpy(np.int64)],
            "plan_id": plan.plan_id,
            "component_id": plan.component_id,
            "role": unassigned["role"].to_numpy(object),
            "month": unassigned["month"].to_numpy(np.int64) + grid.first_month,
            "amount": [Fraction(int(a), credited.den) for a in unassigned["amount"]],
        },
        columns=UNASSIGNED_COLUMNS,
    )
    return lines[LINE_COLUMNS], unassigned_frame, credited.problems, earnings.warnings


def _not_in_plans(
    paid_before: pd.DataFrame, known: set[tuple[str, str]], grid: ContractGrid
) -> pd.DataFrame:
    """Take-back lines for what earlier periods paid on components that are in no plan file
    given (spec section 5). A run refuses this when the pay was locked (frozen versions), so
    these lines take back only pay that is not final yet."""
    unknown = [
        key not in known
        for key in zip(paid_before["plan_id"], paid_before["component_id"], strict=True)
    ]
    gone = paid_before[np.array(unknown, dtype=bool) & (paid_before["paid_cents"] != 0).to_numpy()]
    account_of = dict(zip(grid.contract_ids, grid.account_ids, strict=True))
    rows = []
    for key in gone.sort_values(PAID_COLUMNS[:-1]).itertuples(index=False):
        paid = int(key.paid_cents)
        rows.append(
            {
                "payee_id": key.payee_id,
                "plan_id": key.plan_id,
                "plan_version": None,
                "component_id": key.component_id,
                "component_type": "",
                "contract_id": key.contract_id,
                "account_id": account_of.get(key.contract_id),
                "earned_to_date_cents": 0,
                "paid_before_cents": paid,
                "amount_cents": -paid,
                "earnings_code": key.component_id,
                "explanation": (
                    f"taken back, component {key.plan_id}/{key.component_id} is in none of the "
                    f"plan files given -> earned to date 0.00, paid before "
                    f"{format_cents(paid, grouping=True)}, payout "
                    f"{format_cents(-paid, grouping=True)}"
                ),
                "earned_as_of_cents": 0,
                "role": None,
                "lineage": {
                    "kind": "not_in_plans",
                    "earned_to_date_cents": 0,
                    "paid_before_cents": paid,
                    "amount_cents": -paid,
                    "take_back": {"reason": "not_in_plans"},
                },
            }
        )
    return pd.DataFrame(rows, columns=LINE_COLUMNS, dtype=object)


def calculate_period(
    snapshot: LedgerSnapshot,
    plans: list[PlanVersion],
    period: int,
    paid_before: pd.DataFrame,
    as_of: int | None = None,
) -> PeriodResult:
    """All payout lines of `period`; raises ConfigurationError (nothing to write) on conflicts.

    With `as_of` (a month before `period`), each line also carries the rounded earnings
    through that month as the data stands now, so that a change to a locked month can be
    told apart from new earnings and explained as a true-up.
    """
    grid = build_grid(snapshot, period)
    components = component_plans(plans, grid, snapshot.accounts)
    check_conflicts(components, grid)
    shares = build_shares(snapshot.assignments, grid.first_month, grid.months)
    paid_before = paid_before if len(paid_before) else pd.DataFrame(columns=PAID_COLUMNS)

    lines, unassigned, problems, warnings = [], [], [], []
    for plan in components:
        component_lines, component_unassigned, component_problems, component_warnings = (
            _component_lines(plan, grid, shares, paid_before, period, as_of)
        )
        lines.append(component_lines)
        unassigned.append(component_unassigned)
        problems += component_problems
        warnings += component_warnings
    if problems:
        raise ConfigurationError(list(dict.fromkeys(problems)))
    known = {(c.plan_id, c.component_id) for c in components}
    lines.append(_not_in_plans(paid_before, known, grid))
    warnings += uncovered_warnings(grid.uncovered)

    result_lines = (
        pd.concat(lines, ignore_index=True) if lines else pd.DataFrame(columns=LINE_COLUMNS)
    )
    result_lines = result_lines.sort_values(
        ["payee_id", "plan_id", "component_id", "contract_id"], kind="stable"
    )
    result_unassigned = (
        pd.concat(unassigned, ignore_index=True)
        if unassigned
        else pd.DataFrame(columns=UNASSIGNED_COLUMNS)
    )
    return PeriodResult(result_lines.reset_index(drop=True), result_unassigned, warnings)
