"""One payee's statement of one period, written to one file (`compengine statement`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from compengine.errors import UserError
from compengine.plan.model import PlanVersion
from compengine.statements.files import StatementFormat, statement_file_names, write_atomically
from compengine.statements.render import checked_locale, render_html, render_pdf
from compengine.views.payee_period import build_payee_period


def write_statement(
    engine: Engine,
    payee_id: str,
    period: str,
    plans: Sequence[PlanVersion],
    *,
    out: Path | None,
    fmt: StatementFormat,
    locale: str,
    paper: str,
) -> Path:
    """Render first, write last: a refusal (unknown payee, period never run, bad locale,
    no such folder) leaves no file behind."""
    checked_locale(locale)
    with Session(engine) as session:
        view = build_payee_period(session, payee_id, period, plans)
    target = out or Path(statement_file_names([payee_id], view.header.period, fmt)[payee_id])
    if not target.parent.is_dir():
        raise UserError.single(f"--out: folder {str(target.parent)!r} does not exist")
    if target.is_dir():
        raise UserError.single(f"--out: {str(target)!r} is a folder")
    if fmt is StatementFormat.pdf:
        content = render_pdf(view, locale=locale, paper=paper)
    else:
        content = render_html(view, locale=locale, paper=paper).encode("utf-8")
    try:
        write_atomically(target, content)
    except OSError as error:
        raise UserError.single(f"--out: cannot write {str(target)!r}: {error.strerror}") from None
    return target
