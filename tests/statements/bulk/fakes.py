"""Small stand-ins for the real renderer, to test the bulk machinery on its own.

Each is a picklable factory, as `write_statements` needs: the worker calls it once and
then calls what it returns once per payee.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from compengine.cycles.queries import period_lines
from compengine.money import format_cents
from compengine.storage.models import PayoutLine


def payload(session: Session, payee_id: str, period: str, fmt: str) -> bytes:
    """A tiny document of the payee's lines, read from the database as a worker would."""
    lines = period_lines(session, period, payee_id)
    body = "".join(
        f"{line.component_id} {format_cents(line.amount_cents)} {line.status}\n" for line in lines
    )
    head = "%PDF-1.7 fake\n" if fmt == "pdf" else "<!doctype html><pre>\n"
    return f"{head}{payee_id} {period}\n{body}".encode()


@dataclass(frozen=True)
class TinyStatements:
    fmt: str = "pdf"

    def __call__(self):
        return lambda session, payee_id, period: payload(session, payee_id, period, self.fmt)


@dataclass(frozen=True)
class FailsFor:
    """Renders every payee but one, which fails as a bug in a template would."""

    payee_id: str

    def __call__(self):
        def render(session: Session, payee_id: str, period: str) -> bytes:
            if payee_id == self.payee_id:
                raise ValueError(f"no template for {payee_id}")
            return payload(session, payee_id, period, "pdf")

        return render


@dataclass(frozen=True)
class CannotStart:
    """A renderer whose warm-up fails (a missing font, say)."""

    def __call__(self):
        raise OSError("font DejaVuSans.ttf not found")


@dataclass(frozen=True)
class Slow:
    """Writes `marker` when its first statement is done, then takes `seconds` per
    statement: time to press Ctrl-C in the middle of a bulk run."""

    marker: str
    seconds: float

    def __call__(self):
        def render(session: Session, payee_id: str, period: str) -> bytes:
            content = payload(session, payee_id, period, "pdf")
            Path(self.marker).write_text(str(os.getpid()))
            time.sleep(self.seconds)
            return content

        return render


@dataclass(frozen=True)
class AdjustsWhileRendering:
    """Books an adjustment for `payee_id` while rendering its statement, as a user's
    `adjust` in another terminal would."""

    payee_id: str

    def __call__(self):
        def render(session: Session, payee_id: str, period: str) -> bytes:
            if payee_id == self.payee_id:
                with Session(session.get_bind()) as other, other.begin():
                    other.add(
                        PayoutLine(
                            period=period,
                            kind="adjustment",
                            payee_id=payee_id,
                            component_id="adjustment",
                            amount_cents=100,
                            reason="late spiff",
                        )
                    )
            return payload(session, payee_id, period, "pdf")

        return render
