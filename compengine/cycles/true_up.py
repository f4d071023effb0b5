"""True-ups: telling late changes to locked months apart from new earnings, and saying
which changes they were (spec sections 5 and 8).

A line of period P is a true-up when the payee's earnings through the latest locked
month L, as the data stands now, differ from what was last known about them: the
value recorded on the latest line of a period between L and P (each line stores its
`locked_earned_cents`), or else what was settled when L was run. Measuring against
the latest record labels a change once, in the next period that is run.

What changed is named too (see `late_changes`).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from compengine.cycles.late_changes import causes, late_changes
from compengine.months import month_of
from compengine.results.explain import money
from compengine.results.payouts import PAID_COLUMNS
from compengine.storage.models import PayoutLine, Period

KEY = PAID_COLUMNS[:-1]  # payee_id, plan_id, component_id, contract_id
MAX_CAUSES = 6  # more changes than this are counted, not listed


def _settled_at_lock(session: Session, locked: str) -> pd.DataFrame:
    """round(earned to date) as it stood when `locked` was run, per key: what was paid
    before it plus its own lines, paid or held (section 5's formula makes them equal)."""
    key = [getattr(PayoutLine, column) for column in KEY]
    counted = (PayoutLine.period < locked) & (PayoutLine.status == "paid") | (
        PayoutLine.period == locked
    )
    rows = session.execute(
        select(*key, func.sum(PayoutLine.amount_cents))
        .where(PayoutLine.kind == "calculated", PayoutLine.period <= locked, counted)
        .group_by(*key)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[*KEY, "baseline_cents"])
    run_id = session.execute(
        select(Period.last_run_id).where(Period.period == locked)
    ).scalar_one_or_none()
    return frame.assign(reference_run=run_id)


def _known_since_lock(session: Session, locked: str, period: str) -> pd.DataFrame:
    """Per key, the earnings through `locked` recorded by the latest line after it."""
    columns = [getattr(PayoutLine, column) for column in KEY]
    rows = session.execute(
        select(*columns, PayoutLine.locked_earned_cents, PayoutLine.run_id)
        .where(
            PayoutLine.kind == "calculated",
            PayoutLine.period > locked,
            PayoutLine.period < period,
            PayoutLine.locked_through == locked,
            PayoutLine.locked_earned_cents.is_not(None),
        )
        .order_by(PayoutLine.period)
    ).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=[*KEY, "baseline_cents", "reference_run"]
    )
    return frame.drop_duplicates(KEY, keep="last")


def true_up_baseline(session: Session, locked: str, period: str) -> pd.DataFrame:
    """Per key: the last known earnings through `locked` and the run that recorded them."""
    settled = _settled_at_lock(session, locked)
    known = _known_since_lock(session, locked, period)
    return pd.concat([settled, known]).drop_duplicates(KEY, keep="last")


def _sentence(change: int, locked: str, named: list) -> str:
    text = f"true-up: earned to date changed by {money(change)} after {locked} was locked"
    if not named:
        return f"{text}; "
    shown = [t for t, _ in named[:MAX_CAUSES]]
    if len(named) > MAX_CAUSES:
        shown.append(f"and {len(named) - MAX_CAUSES} more change(s)")
    return f"{text}: {', '.join(shown)}; "


def label_true_ups(
    session: Session, lines: pd.DataFrame, locked: str, period: str, contracts: pd.DataFrame
) -> pd.DataFrame:
    """Prefix the lines whose earnings through the locked month changed since last known,
    naming what changed, and record it in their lineage."""
    baseline = true_up_baseline(session, locked, period)
    merged = lines.merge(baseline, on=KEY, how="left")
    change = (merged["earned_as_of_cents"] - merged["baseline_cents"].fillna(0)).astype("int64")
    if not change.any():
        return lines
    changed_contracts = sorted(set(lines.loc[(change != 0).to_numpy(), "contract_id"].dropna()))
    changes = late_changes(session, baseline, locked, period, changed_contracts)
    reference = merged["reference_run"].fillna(
        -1 if changes.default_run is None else changes.default_run
    )
    since = reference.map(lambda run: changes.run_loads.get(int(run)))
    true_ups = lines.assign(
        line=range(len(lines)),
        since=since.to_numpy(),
        first_purchase=[
            lineage.get("first_purchase_month") if isinstance(lineage, dict) else None
            for lineage in lines["lineage"]
        ],
    )[(change != 0).to_numpy()]
    scopes = contracts[["contract_id", "account_id", "products"]].assign(
        signed=[month_of(d) for d in contracts["signed_on"]]
    )
    named_by_line = causes(true_ups, changes, scopes)
    explanations = list(lines["explanation"])
    for line, amount in zip(true_ups["line"], change[(change != 0).to_numpy()], strict=True):
        named = named_by_line[int(line)]
        explanations[line] = _sentence(int(amount), locked, named) + explanations[line]
        lines["lineage"].iloc[line]["true_up"] = {
            "locked": locked,
            "change_cents": int(amount),
            "causes": [facts for _, facts in named],
        }
    return lines.assign(explanation=explanations)
