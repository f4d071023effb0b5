"""The database schema.

Money is stored as integer cents (BIGINT), decimals that are not money (splits,
quantities) as their exact text, months of aggregates as integer month indexes
(see ``compengine.months``) and periods as 'YYYY-MM' text. No FLOAT column exists.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel


def _cents() -> Column:
    return Column(BigInteger, nullable=False)


# --- master data and ledger (spec section 1) ---------------------------------------


class Payee(SQLModel, table=True):
    payee_id: str = Field(primary_key=True)
    name: str
    email: str | None = None
    manager_id: str | None = None
    title: str | None = None


class Account(SQLModel, table=True):
    account_id: str = Field(primary_key=True)
    name: str
    parent_id: str | None = None
    segment: str | None = None
    region: str | None = None


class Assignment(SQLModel, table=True):
    account_id: str = Field(primary_key=True)
    payee_id: str = Field(primary_key=True)
    role: str = Field(primary_key=True)
    start: date = Field(primary_key=True)
    end: date | None = None
    split: str = "1"
    load_id: int | None = None  # the load batch that last wrote the row (for true-ups)


class Contract(SQLModel, table=True):
    contract_id: str = Field(primary_key=True)
    account_id: str = Field(index=True)
    signed_on: date
    commit_monthly_cents: int = Field(sa_column=_cents())
    products: str = ""  # ';'-joined, trimmed; empty = all products
    ends_on: date | None = None  # last covered day; None = open-ended
    load_id: int | None = None  # the load batch that last wrote the row (for true-ups)


class UsageEntry(SQLModel, table=True):
    __tablename__ = "usage_entry"
    entry_id: str = Field(primary_key=True)
    account_id: str = Field(index=True)
    entry_date: date
    amount_cents: int = Field(sa_column=_cents())
    product: str = ""  # empty = no product: belongs only to all-products contracts
    quantity: str | None = None
    load_id: int | None = None


class MonthlyUsage(SQLModel, table=True):
    """Ledger aggregate kept current by every load, so that a run never rescans usage."""

    __tablename__ = "monthly_usage"
    account_id: str = Field(primary_key=True)
    product: str = Field(primary_key=True)
    month: int = Field(primary_key=True)
    amount_cents: int = Field(sa_column=_cents())
    entries: int = 0


class LoadBatch(SQLModel, table=True):
    __tablename__ = "load_batch"
    id: int | None = Field(default=None, primary_key=True)
    loaded_at: datetime
    actor: str
    source: str
    replace: bool = False
    files: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    summary: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    content_hash: str = ""


# Every action the audit log records, in the order of a cycle: `audit --action` knows an
# action before its first event, and a misspelt one from one never recorded yet.
AUDIT_ACTIONS = (
    "load",
    "replace",  # one per stored row a load replaced (ledger.store)
    "run",
    "adjust",
    "hold",
    "release",
    "approve",
    "reopen",
    "lock",
    "export",
    "export-reissue",
    "token-create",
    "token-revoke",
)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str
    action: str
    period: str | None = None
    payee_id: str | None = None
    reason: str | None = None
    before: str | None = Field(default=None, sa_column=Column(Text))
    after: str | None = Field(default=None, sa_column=Column(Text))


# --- payout cycles (spec sections 5 and 8) -----------------------------------------


class Period(SQLModel, table=True):
    period: str = Field(primary_key=True)
    state: str = "open"  # open | calculated | approved | locked
    stale: bool = False
    calculated_at: datetime | None = None
    approved_at: datetime | None = None
    locked_at: datetime | None = None
    last_run_id: int | None = None


class RunRecord(SQLModel, table=True):
    __tablename__ = "run_record"
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(index=True)
    started_at: datetime
    finished_at: datetime
    actor: str
    fingerprint: str
    plan_versions: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    line_count: int = 0
    total_cents: int = Field(default=0, sa_column=_cents())
    unassigned_cents: int = Field(default=0, sa_column=_cents())
    summary: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # the newest load batch when the run read the ledger: rows written by later batches
    # are what changed since (true-up explanations)
    last_load_id: int | None = None


class RunPlanVersion(SQLModel, table=True):
    """A plan version a run used, with its content hash: versions that paid a locked period
    are frozen (spec section 8)."""

    __tablename__ = "run_plan_version"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    plan_id: str
    version: int
    content_hash: str
    effective_from: str  # 'YYYY-MM'
    effective_to: str | None = None  # 'YYYY-MM'; None = open-ended


class PayoutLine(SQLModel, table=True):
    """One payout line with its lineage; adjustments are lines of component 'adjustment'."""

    __tablename__ = "payout_line"
    __table_args__ = (
        Index("ix_payout_line_key", "payee_id", "plan_id", "component_id", "contract_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(index=True)
    run_id: int | None = None
    kind: str = "calculated"  # calculated | adjustment
    payee_id: str
    plan_id: str = ""
    plan_version: int | None = None
    component_id: str
    component_type: str = ""
    contract_id: str | None = None
    account_id: str | None = None
    earned_to_date_cents: int = Field(default=0, sa_column=_cents())
    paid_before_cents: int = Field(default=0, sa_column=_cents())
    amount_cents: int = Field(sa_column=_cents())
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = "paid"  # paid | held
    # the latest locked period when the line was computed, and the payee's earnings
    # through it as the data stood then: what later true-ups are measured against
    locked_through: str | None = None
    locked_earned_cents: int | None = Field(default=None, sa_column=Column(BigInteger))
    reason: str | None = None
    created_at: datetime | None = None
    actor: str | None = None
    # the numbers behind the explanation, as JSON, so that statements and the API can
    # show the same reasons without parsing text
    lineage: str | None = Field(default=None, sa_column=Column(Text))
    # the code payroll books the amount under (the component's `earnings_code`, frozen
    # with the line); None on lines written before the column existed
    earnings_code: str | None = None


class Hold(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(index=True)
    payee_id: str
    reason: str
    active: bool = True
    created_at: datetime
    actor: str
    released_at: datetime | None = None
    release_reason: str | None = None


class UnassignedCredit(SQLModel, table=True):
    """Credit no payee held: never paid, never dropped, listed until ops fix it."""

    __tablename__ = "unassigned_credit"
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(index=True)
    run_id: int | None = None
    account_id: str
    contract_id: str
    plan_id: str
    component_id: str
    role: str
    month: str
    amount_exact: str  # 'numerator/denominator' cents, exact
    amount_cents: int = Field(sa_column=_cents())


class RunIssue(SQLModel, table=True):
    """Warnings a run went on despite (e.g. commit_monthly = 0 under a ramp)."""

    __tablename__ = "run_issue"
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(index=True)
    run_id: int | None = None
    severity: str = "warning"
    message: str = Field(sa_column=Column(Text, nullable=False))


class EngineLock(SQLModel, table=True):
    """One row per named lock; taken with the database's own row locking."""

    __tablename__ = "engine_lock"
    name: str = Field(primary_key=True)
    holder: str | None = None
    acquired_at: datetime | None = None


# --- access: API tokens, web sessions, payroll exports (spec sections 10 and 11) -------


class ApiToken(SQLModel, table=True):
    """A named credential. Only the SHA-256 of the token is kept: the token itself is
    shown once, when it is created."""

    __tablename__ = "api_token"
    name: str = Field(primary_key=True)
    role: str  # ops | payroll | rep
    payee_id: str | None = None  # the one payee a rep token sees
    token_hash: str = Field(unique=True)
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = None


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random session id whose SHA-256 is the
    key here, so that a stolen database row is not a working cookie, and /logout
    deletes the row. It belongs to one token, by the token's hash: a new token given a
    revoked one's name never inherits its sessions."""

    __tablename__ = "web_session"
    session_hash: str = Field(primary_key=True)
    token_hash: str = Field(index=True)
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class ExportBatch(SQLModel, table=True):
    """One payroll export of a locked period, with the exact bytes it serves as CSV."""

    __tablename__ = "export_batch"
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(index=True)
    idempotency_key: str = Field(unique=True)
    created_at: datetime
    actor: str
    reissue: bool = False
    row_count: int = 0
    total_cents: int = Field(default=0, sa_column=_cents())
    sha256: str
    content: str = Field(sa_column=Column(Text, nullable=False))


class ExportRow(SQLModel, table=True):
    """A row of an export batch: one payee and earnings code."""

    __tablename__ = "export_row"
    batch_id: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    payee_id: str
    name: str
    email: str | None = None
    earnings_code: str
    amount_cents: int = Field(sa_column=_cents())
