"""API tokens (spec section 10): who may use the API and the web pages, as what.

A token is 32 random bytes from `secrets`, shown once. The database keeps only its
SHA-256: a token has 256 bits of entropy, so a plain hash cannot be reversed by
guessing, and lookups stay one indexed query. The stored hash is still compared
with `hmac.compare_digest`, so that the answer's timing says nothing about it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete
from sqlmodel import Session, select

from compengine.cycles import audit
from compengine.cycles.inputs import require_payee
from compengine.errors import UserError
from compengine.storage.models import ApiToken, WebSession

TOKEN_PREFIX = "ce_"
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200  # longer text is no token of ours: refused before hashing
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"


class Role(StrEnum):
    ops = "ops"
    payroll = "payroll"
    rep = "rep"


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the token's name is the actor in the audit log."""

    name: str
    role: Role
    payee_id: str | None


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        roles = " | ".join(role.value for role in Role)
        raise UserError.single(f"--role: {text!r} is not a role ({roles})") from None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def create_token(session: Session, name: str, role: Role, payee_id: str | None, actor: str) -> str:
    """A new token, returned once; only its hash is stored."""
    problems = []
    if not NAME_PATTERN.fullmatch(name):
        problems.append(f"--name: {name!r} is not a token name ({NAME_RULE})")
    elif session.get(ApiToken, name) is not None:
        problems.append(f"--name: a token named {name!r} exists (revoke it first)")
    if role is Role.rep and payee_id is None:
        problems.append("--payee: a rep token is bound to one payee; name it with --payee")
    if role is not Role.rep and payee_id is not None:
        problems.append(f"--payee: only rep tokens are bound to a payee, not {role} tokens")
    if problems:
        raise UserError(problems)
    if payee_id is not None:
        require_payee(session, payee_id)
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    now = datetime.now(UTC)
    session.add(
        ApiToken(
            name=name,
            role=role.value,
            payee_id=payee_id,
            token_hash=token_hash(token),
            created_at=now,
            created_by=actor,
        )
    )
    audit.record(
        session,
        actor,
        "token-create",
        payee_id=payee_id,
        after={"name": name, "role": role.value, "payee_id": payee_id},
    )
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(ApiToken.name)))


def revoke_token(session: Session, name: str, actor: str) -> None:
    """Delete the token: requests and web sessions made with it stop working at once."""
    row = session.get(ApiToken, name)
    if row is None:
        raise UserError.single(f"--name: no token is named {name!r} (see `compengine token list`)")
    session.execute(delete(WebSession).where(WebSession.token_hash == row.token_hash))
    session.delete(row)
    audit.record(
        session,
        actor,
        "token-revoke",
        payee_id=row.payee_id,
        before={"name": name, "role": row.role, "payee_id": row.payee_id},
    )


def authenticate(session: Session, token: str, *, touch: bool = True) -> Principal | None:
    """The principal of a presented token, or None for an unknown, revoked or malformed
    one. `touch` records the use (last_used_at), committed by the caller's session."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = token_hash(token)
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if touch:
        row.last_used_at = datetime.now(UTC)
        session.add(row)
    return Principal(name=row.name, role=Role(row.role), payee_id=row.payee_id)
