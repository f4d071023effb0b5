"""What changed in the ledger since a run read it: the causes a true-up names.

Every usage entry, assignment and contract row remembers the load batch that last wrote
it, and every run the newest batch it read. Rows written after the run that set a
line's reference, dated (usage) or starting (assignments) in a month through the locked
month, on the line's contract scope (from its signing month) or its account and role,
are the changes named; a first-purchase month that differs from the one the contract's
latest earlier line recorded in its lineage is named too. A few set-based queries
serve every line; the matching is joins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, func, select
from sqlmodel import Session

from compengine.months import format_period, last_day, month_of, parse_period
from compengine.results.explain import money
from compengine.storage.models import (
    Assignment,
    Contract,
    LoadBatch,
    PayoutLine,
    Period,
    RunRecord,
    UsageEntry,
)

CHUNK = 500  # ids per IN list


@dataclass
class LateChanges:
    """Ledger rows written after some run read the ledger, with the batch that wrote them."""

    run_loads: dict[int, int | None]  # run id -> newest load batch it read
    default_run: int | None  # the run of the locked period: the reference of new keys
    usage: pd.DataFrame  # account_id, product, month, load_id, cents, replaced
    assignments: pd.DataFrame  # account_id, role, payee_id, start, load_id
    contracts: pd.DataFrame  # contract_id, load_id
    first_purchase: dict[str, str | None]  # contract -> F as the latest earlier line recorded


def _previous_first_purchase(
    session: Session, period: str, contracts: list[str]
) -> dict[str, str | None]:
    """F of each contract as recorded in the lineage of its latest earlier lines."""
    result: dict[str, str | None] = {}
    for start in range(0, len(contracts), CHUNK):
        chunk = contracts[start : start + CHUNK]
        latest = (
            select(PayoutLine.contract_id, func.max(PayoutLine.period).label("period"))
            .where(
                PayoutLine.period < period,
                PayoutLine.kind == "calculated",
                PayoutLine.contract_id.in_(chunk),
                PayoutLine.lineage.is_not(None),
            )
            .group_by(PayoutLine.contract_id)
            .subquery()
        )
        rows = session.execute(
            select(PayoutLine.contract_id, PayoutLine.lineage).join(
                latest,
                and_(
                    PayoutLine.contract_id == latest.c.contract_id,
                    PayoutLine.period == latest.c.period,
                ),
            )
        ).all()
        for contract_id, lineage in rows:
            recorded = json.loads(lineage).get("first_purchase_month")
            if result.get(contract_id) is None:
                result[contract_id] = recorded
    return result


def late_changes(
    session: Session, baseline: pd.DataFrame, locked: str, period: str, contracts: list[str]
) -> LateChanges:
    """The rows written since the oldest reference run: a handful of set-based queries."""
    default_run = session.execute(
        select(Period.last_run_id).where(Period.period == locked)
    ).scalar_one_or_none()
    run_ids = {int(r) for r in baseline["reference_run"].dropna()} | (
        {default_run} if default_run is not None else set()
    )
    run_loads = dict(
        session.execute(
            select(RunRecord.id, RunRecord.last_load_id).where(RunRecord.id.in_(sorted(run_ids)))
        ).all()
    )
    known = [v for v in run_loads.values() if v is not None]
    first_purchase = _previous_first_purchase(session, period, contracts)
    if not known:  # runs from before load batches were recorded: only F can be compared
        return LateChanges(
            run_loads,
            default_run,
            pd.DataFrame(
                columns=["account_id", "product", "month", "load_id", "cents", "replaced"]
            ),
            pd.DataFrame(columns=["account_id", "role", "payee_id", "start", "load_id"]),
            pd.DataFrame(columns=["contract_id", "load_id"]),
            first_purchase,
        )
    since = min(known)
    through = last_day(parse_period(locked))
    usage_rows = session.execute(
        select(
            UsageEntry.account_id,
            UsageEntry.product,
            UsageEntry.entry_date,
            UsageEntry.load_id,
            UsageEntry.amount_cents,
        ).where(UsageEntry.load_id > since, UsageEntry.entry_date <= through)
    ).all()
    usage = pd.DataFrame(
        [(a, p, month_of(d), load, cents) for a, p, d, load, cents in usage_rows],
        columns=["account_id", "product", "month", "load_id", "cents"],
    )
    usage = usage.groupby(["account_id", "product", "month", "load_id"], as_index=False)[
        "cents"
    ].sum()
    replaced = set(
        session.execute(
            select(LoadBatch.id).where(LoadBatch.id > since, LoadBatch.replace.is_(True))
        ).scalars()
    )
    usage["replaced"] = usage["load_id"].isin(replaced)
    assignments = pd.DataFrame(
        [
            tuple(r)
            for r in session.execute(
                select(
                    Assignment.account_id,
                    Assignment.role,
                    Assignment.payee_id,
                    Assignment.start,
                    Assignment.load_id,
                ).where(Assignment.load_id > since, Assignment.start <= through)
            ).all()
        ],
        columns=["account_id", "role", "payee_id", "start", "load_id"],
    )
    changed_contracts = pd.DataFrame(
        [
            tuple(r)
            for r in session.execute(
                select(Contract.contract_id, Contract.load_id).where(Contract.load_id > since)
            ).all()
        ],
        columns=["contract_id", "load_id"],
    )
    return LateChanges(
        run_loads,
        default_run,
        usage,
        assignments,
        changed_contracts,
        first_purchase,
    )


def _usage_causes(lines: pd.DataFrame, changes: LateChanges, scopes: pd.DataFrame) -> pd.DataFrame:
    """(line, month, load_id, cents, replaced) of usage changes on each line's contract scope."""
    if changes.usage.empty or lines.empty:
        return pd.DataFrame(columns=["line", "month", "load_id", "cents", "replaced"])
    subject = lines[["line", "contract_id", "since"]].merge(scopes, on="contract_id")
    whole = subject[subject["products"] == ""].merge(changes.usage, on="account_id")
    scoped = subject[subject["products"] != ""].assign(
        product=lambda f: f["products"].str.split(";")
    )
    scoped = scoped.explode("product").drop_duplicates(["line", "product"])
    scoped = scoped.merge(changes.usage, on=["account_id", "product"])
    found = pd.concat([whole, scoped], ignore_index=True)
    found = found[(found["load_id"] > found["since"]) & (found["month"] >= found["signed"])]
    return found.groupby(["line", "month", "load_id", "replaced"], as_index=False)["cents"].sum()


def causes(lines: pd.DataFrame, changes: LateChanges, scopes: pd.DataFrame) -> dict[int, list]:
    """Per true-up line (its position): the changes named, as (text, lineage) pairs."""
    causes: dict[int, list] = {int(i): [] for i in lines["line"]}
    for line, contract, now in zip(
        lines["line"], lines["contract_id"], lines["first_purchase"], strict=True
    ):
        before = changes.first_purchase.get(contract)
        if before is not None and before != now:
            text = (
                f"first purchase month moved from {before} to {now}"
                if now
                else f"first purchase month {before} is gone (no usage in scope any more)"
            )
            causes[int(line)].append(
                (text, {"kind": "first_purchase_moved", "from": before, "to": now})
            )
    known = lines[lines["since"].notna()].astype({"since": "int64"})
    usage = _usage_causes(known, changes, scopes).sort_values(["line", "month", "load_id"])
    for item in usage.itertuples(index=False):
        month, load = format_period(int(item.month)), int(item.load_id)
        if item.replaced:
            text = f"usage of {month} re-delivered with --replace (load batch {load})"
            facts = {"kind": "usage", "month": month, "load_id": load, "replaced": True}
        else:
            text = f"usage of {month} changed by {money(int(item.cents))} (load batch {load})"
            facts = {
                "kind": "usage",
                "month": month,
                "load_id": load,
                "change_cents": int(item.cents),
            }
        causes[int(item.line)].append((text, facts))
    roles = known[["line", "account_id", "role", "since"]].merge(
        changes.assignments, on=["account_id", "role"]
    )
    roles = roles[roles["load_id"] > roles["since"]]
    for (line, account, role, load), group in roles.groupby(
        ["line", "account_id", "role", "load_id"], sort=True
    ):
        causes[int(line)].append(
            (
                f"assignment of {account}/{role} changed (load batch {int(load)})",
                {
                    "kind": "assignment",
                    "account_id": account,
                    "role": role,
                    "payees": sorted(set(group["payee_id"])),
                    "load_id": int(load),
                },
            )
        )
    contracts = known[["line", "contract_id", "since"]].merge(changes.contracts, on="contract_id")
    for item in contracts[contracts["load_id"] > contracts["since"]].itertuples(index=False):
        causes[int(item.line)].append(
            (
                f"contract {item.contract_id} changed (load batch {int(item.load_id)})",
                {"kind": "contract", "contract_id": item.contract_id, "load_id": int(item.load_id)},
            )
        )
    return causes
