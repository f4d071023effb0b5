"""Values taken from URLs: a malformed one is a page that does not exist (404)."""

from __future__ import annotations

from fastapi import HTTPException

from compengine.cycles.periods import checked_period
from compengine.errors import UserError


def url_period(text: str) -> str:
    try:
        return checked_period(text)
    except UserError:
        raise HTTPException(404) from None
