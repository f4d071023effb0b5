"""A period's payout lines as the API serves them: filtered, in keyset pages behind an
opaque cursor, with a strong ETag, or as CSV streamed in chunks.

Pages are ordered by line id and continue after the last id served, so a walk serves
each line exactly once however other periods change meanwhile. A cursor remembers the
period's run; once the period itself is run again (its lines replaced), continuing the
walk would mix two runs, so the cursor is refused (409) and the walk starts over.

The CSV ETag is the version of the period's lines: lines are written only by a run
(all new ids, a new run id) or an adjustment (a new id), and changed only in their
status (hold, release). So (run id, count, largest id, sum of ids, sum of held ids)
changes whenever the lines do, and is read in the same snapshot the CSV streams from.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import astuple, dataclass

from sqlalchemy import case, func, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from compengine.api.problems import ApiProblem
from compengine.cycles.periods import get_period
from compengine.cycles.queries import LINE_ORDER, PAYOUT_COLUMNS, line_record
from compengine.safe_csv import csv_cell
from compengine.storage.models import PayoutLine

CSV_CHUNK_LINES = 2000  # lines read and written per chunk of a streamed CSV
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
_CSV_FIELDS = (
    PayoutLine.period,
    PayoutLine.payee_id,
    PayoutLine.plan_id,
    PayoutLine.plan_version,
    PayoutLine.component_id,
    PayoutLine.contract_id,
    PayoutLine.account_id,
    PayoutLine.earned_to_date_cents,
    PayoutLine.paid_before_cents,
    PayoutLine.amount_cents,
    PayoutLine.explanation,
    PayoutLine.status,
)


@dataclass(frozen=True)
class LineFilter:
    """Which of a period's lines a request asks for; None means any."""

    payee_id: str | None = None
    plan_id: str | None = None
    component_id: str | None = None

    def where(self, query: Select, period: str) -> Select:
        query = query.where(PayoutLine.period == period)
        for column, value in zip(
            (PayoutLine.payee_id, PayoutLine.plan_id, PayoutLine.component_id),
            astuple(self),
            strict=True,
        ):
            if value is not None:
                query = query.where(column == value)
        return query


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()


def strong_etag(*parts: object) -> str:
    return f'"{_digest(*parts)[:40]}"'


def content_etag(content: bytes) -> str:
    """The strong ETag of exact bytes."""
    return f'"{hashlib.sha256(content).hexdigest()[:40]}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names `etag` (or is '*'): then the answer is 304."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def lines_version(session: Session, period: str, only: LineFilter) -> list[object]:
    """What changes whenever the lines `only` selects change (see the module docstring)."""
    held = case((PayoutLine.status == "held", PayoutLine.id), else_=0)
    query = only.where(
        select(
            func.count(),
            func.coalesce(func.max(PayoutLine.id), 0),
            func.coalesce(func.sum(PayoutLine.id), 0),
            func.coalesce(func.sum(held), 0),
        ),
        period,
    )
    return [get_period(session, period).last_run_id, *map(int, session.execute(query).one())]


# --- cursor pagination ---------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    period: str
    scope: str  # the filters' digest: a cursor continues only the walk it came from
    run_id: int | None
    after_id: int

    def encode(self) -> str:
        text = json.dumps([1, self.period, self.scope, self.run_id, self.after_id])
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def filter_scope(only: LineFilter) -> str:
    return _digest(*astuple(only))[:16]


def read_cursor(text: str, period: str, only: LineFilter, run_id: int | None) -> int:
    """The line id a cursor continues after; 422 for anything that is not a cursor of
    this walk, 409 when the period was run again since the walk began."""
    bad = ApiProblem(
        422,
        "Unprocessable Entity",
        "query parameter cursor: not a cursor of this period and these filters; pass the "
        "next_cursor of the previous page as it was",
    )
    try:
        padded = text + "=" * (-len(text) % 4)
        version, c_period, scope, c_run, after = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise bad from None
    valid = (
        version == 1
        and isinstance(after, int)
        and not isinstance(after, bool)
        and 0 <= after < 2**63
        and (c_run is None or (isinstance(c_run, int) and not isinstance(c_run, bool)))
    )
    if not valid or c_period != period or scope != filter_scope(only):
        raise bad
    if c_run != run_id:
        raise ApiProblem(
            409,
            "Conflict",
            f"period {period} was run again since this walk began (its lines were replaced); "
            "start again without a cursor",
        )
    return after


def line_page(
    session: Session, period: str, only: LineFilter, after_id: int, limit: int
) -> tuple[list[PayoutLine], bool]:
    """Up to `limit` lines with ids above `after_id`, in id order; whether more follow."""
    query = (
        only.where(select(PayoutLine), period)
        .where(PayoutLine.id > after_id)
        .order_by(PayoutLine.id)
        .limit(limit + 1)
    )
    lines = list(session.execute(query).scalars())
    return lines[:limit], len(lines) > limit


# --- CSV -------------------------------------------------------------------------------


def _csv_text(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_chunks(session: Session, period: str, only: LineFilter) -> Iterator[bytes]:
    """`payouts --format csv` of the lines, chunk by chunk, in the order of `payouts`,
    read from `session`'s snapshot; closes the session when done."""
    try:
        yield _csv_text([PAYOUT_COLUMNS])
        query = only.where(select(*_CSV_FIELDS), period).order_by(*LINE_ORDER)
        result = session.execute(query, execution_options={"yield_per": CSV_CHUNK_LINES})
        for rows in result.partitions():
            records = (line_record(row) for row in rows)
            yield _csv_text([[csv_cell(r.get(c)) for c in PAYOUT_COLUMNS] for r in records])
    finally:
        session.close()


def wants_csv(accept: str | None) -> bool:
    """Whether the Accept header asks for text/csv (and not with q=0)."""
    for part in (accept or "").split(","):
        media, *params = [piece.strip().lower() for piece in part.split(";")]
        if media == "text/csv" and not any(p.replace(" ", "") in ("q=0", "q=0.0") for p in params):
            return True
    return False
