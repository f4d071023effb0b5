"""Checking what a command names (a payee, a reason) before acting or reporting on it."""

from __future__ import annotations

import re

from sqlmodel import Session

from compengine.errors import UserError
from compengine.storage.models import Payee

# Free text may hold tabs but no other control character (spec section 1).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def require_payee(session: Session, payee_id: str) -> str:
    """The payee id when it is loaded; a UserError otherwise, so that a typo never reads
    as 'no lines' or books pay for nobody."""
    if session.get(Payee, payee_id) is None:
        raise UserError.single(f"--payee: unknown payee {payee_id!r}")
    return payee_id


MAX_REASON_LENGTH = 1000  # characters: a reason is a sentence, printed on statements


def checked_reason(reason: str) -> str:
    """A reason as it is stored: trimmed, not empty, without control characters, at most
    MAX_REASON_LENGTH characters (the statements print it; a bound keeps them fast)."""
    if not reason.strip():
        raise UserError.single("--reason: a reason is required")
    if len(reason.strip()) > MAX_REASON_LENGTH:
        raise UserError.single(
            f"--reason: at most {MAX_REASON_LENGTH:,} characters, not {len(reason.strip()):,}"
        )
    if _CONTROL.search(reason):
        raise UserError.single("--reason: control characters are not allowed (tabs are)")
    return reason.strip()
