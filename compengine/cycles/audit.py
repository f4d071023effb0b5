"""The audit log: who did what, when, why, and what it was before and after."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from compengine.storage.models import AUDIT_ACTIONS, AuditEvent


def now() -> datetime:
    return datetime.now(UTC)


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    period: str | None = None,
    payee_id: str | None = None,
    reason: str | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"{action!r} is not in AUDIT_ACTIONS")
    session.add(
        AuditEvent(
            at=now(),
            actor=actor,
            action=action,
            period=period,
            payee_id=payee_id,
            reason=reason,
            before=None if before is None else json.dumps(before, sort_keys=True, default=str),
            after=None if after is None else json.dumps(after, sort_keys=True, default=str),
        )
    )
