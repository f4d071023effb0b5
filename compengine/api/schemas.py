"""The API's bodies, typed (spec section 10): money as a string with exactly two
decimals made from integer cents, periods as 'YYYY-MM', times as ISO 8601 with their
UTC offset. Request bodies accept exactly their fields, with strict types: an amount
sent as a JSON number is refused rather than passed through a binary float.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr

from compengine.cycles.inputs import MAX_REASON_LENGTH, checked_reason
from compengine.cycles.reports import utc_text
from compengine.errors import UserError
from compengine.money import format_cents, parse_money
from compengine.months import parse_period
from compengine.storage.models import PayoutLine

MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
MAX_REASON = MAX_REASON_LENGTH  # characters of a reason, like every free text (README)
MAX_ID = 200  # spec section 1

Money = Annotated[
    str,
    Field(pattern=MONEY_PATTERN, examples=["1234.50"], description="Exact, two decimals."),
]
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2027-07"])]
Timestamp = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        examples=["2027-08-01T09:30:00+00:00"],
        description="ISO 8601 with its UTC offset.",
    ),
]
PeriodState = Literal["open", "calculated", "approved", "locked"]


def money(cents: int) -> str:
    """'-1234.50' from -123450 cents: exact, never through a float."""
    return format_cents(cents)


def timestamp(moment: datetime | None) -> str | None:
    """'2027-08-01T09:30:00+00:00'; stored times are UTC."""
    return utc_text(moment)


class Health(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    status: Literal["ok"] = "ok"
    database: Literal["ok"] = "ok"
    schema_revision: str = Field(alias="schema", description="The database's schema revision.")


class PeriodSummary(BaseModel):
    """A period as `compengine status` shows it, with its lock time."""

    period: Period
    state: PeriodState
    stale: bool = Field(description="An earlier period was run after it: run it again.")
    last_run: Timestamp | None
    last_run_id: int | None
    approved_at: Timestamp | None
    locked_at: Timestamp | None
    lines: int
    paid: Money
    held: Money
    adjustments: Money


class PayoutLineOut(BaseModel):
    """One payout line: the columns of `payouts --format csv` (spec section 6), its
    status, its id and run, and its lineage (the numbers behind the explanation)."""

    id: int
    run_id: int | None = Field(description="The run that wrote the line; null: an adjustment.")
    period: Period
    payee_id: str
    plan_id: str
    plan_version: int | None
    component_id: str
    contract_id: str | None
    account_id: str | None
    earned_to_date: Money
    paid_before: Money
    amount: Money
    explanation: str
    status: Literal["paid", "held"]
    lineage: dict[str, Any] | None

    @classmethod
    def of(cls, line: PayoutLine) -> PayoutLineOut:
        return cls(
            id=line.id,
            run_id=line.run_id,
            period=line.period,
            payee_id=line.payee_id,
            plan_id=line.plan_id,
            plan_version=line.plan_version,
            component_id=line.component_id,
            contract_id=line.contract_id,
            account_id=line.account_id,
            earned_to_date=money(line.earned_to_date_cents),
            paid_before=money(line.paid_before_cents),
            amount=money(line.amount_cents),
            explanation=line.explanation,
            status=line.status,
            lineage=None if line.lineage is None else json.loads(line.lineage),
        )


class PayoutPage(BaseModel):
    data: list[PayoutLineOut]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page."
    )


class PayeeLines(BaseModel):
    """A payee's own lines of one period."""

    period: Period
    state: PeriodState
    data: list[PayoutLineOut]


class Payee(BaseModel):
    payee_id: str
    name: str
    email: str | None
    title: str | None
    manager_id: str | None


class PayeePeriodOut(BaseModel):
    """A period a rep may read (approved or locked)."""

    period: Period
    state: Literal["approved", "locked"]
    approved_at: Timestamp | None
    locked_at: Timestamp | None


class UnassignedItem(BaseModel):
    account_id: str
    contract_id: str
    plan_id: str
    component_id: str
    role: str
    month: Period
    amount: Money


class Exceptions(BaseModel):
    """What `compengine exceptions` lists: unassigned credit and the run's warnings."""

    period: Period
    unassigned: list[UnassignedItem]
    warnings: list[str]


class RunResult(BaseModel):
    """What `compengine run` prints, as values."""

    period: Period
    run_id: int
    lines: int
    total: Money
    by_component: dict[str, Money]
    taken_back: dict[str, Money]
    unassigned: Money
    unassigned_items: int
    warnings: list[str]
    stale: list[Period] = Field(description="Later periods that must be run again.")
    fingerprint: str


# --- request values, checked by the rules the CLI applies to the same options ----------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def checked_period_text(text: str) -> str:
    parse_period(text)  # ValueError: '0000-01' matches the pattern but is no month
    return text


def checked_id(value: str | None) -> str | None:
    """An id as one can be loaded: no control characters, valid UTF-8."""
    if value is None:
        return None
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed in an id")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("not valid UTF-8")
    return value


def checked_reason_text(text: str) -> str:
    try:
        return checked_reason(text)
    except UserError as error:
        raise ValueError(str(error).removeprefix("--reason: ")) from None


def checked_amount(text: str) -> str:
    if parse_money(text) == 0:  # ValueError names a malformed amount
        raise ValueError("an adjustment of 0.00 changes nothing")
    return text.strip()


Reason = Annotated[
    StrictStr, Field(min_length=1, max_length=MAX_REASON), AfterValidator(checked_reason_text)
]
PayeeId = Annotated[StrictStr, Field(min_length=1, max_length=MAX_ID), AfterValidator(checked_id)]
PeriodText = Annotated[
    StrictStr,
    Field(pattern=PERIOD_PATTERN, examples=["2027-07"]),
    AfterValidator(checked_period_text),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReasonBody(_Body):
    reason: Reason


class AdjustmentBody(_Body):
    payee_id: PayeeId
    period: PeriodText
    amount: Annotated[
        StrictStr,
        Field(
            min_length=1,
            max_length=40,
            examples=["-150.00"],
            description="Decimal text with at most 2 places; not 0.",
        ),
        AfterValidator(checked_amount),
    ]
    reason: Reason


class HoldBody(_Body):
    payee_id: PayeeId
    period: PeriodText
    reason: Reason


class HoldOut(BaseModel):
    payee_id: str
    period: Period
    held: StrictBool
    reason: str
