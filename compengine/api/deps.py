"""What routes depend on: the server's configuration, who is asking (role checks in this
one place), a database session to read, the CLI's lock to write, and checked parameters.

Authentication reads the token table in a short session of its own and records the
use (`last_used_at`) at most once a minute, without ever waiting: while a run holds the
database's write lock, readers are still served (spec section 10, concurrency).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator
from sqlalchemy import exc, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from compengine.access.tokens import Principal, Role, authenticate
from compengine.api.problems import ApiProblem
from compengine.api.schemas import MAX_ID, PERIOD_PATTERN, checked_id, checked_period_text
from compengine.errors import UserError
from compengine.server import ServerConfig
from compengine.storage.locking import SQLITE_TIMEOUT_MS, exclusive
from compengine.storage.models import ApiToken

TOUCH_INTERVAL = timedelta(seconds=60)  # how fresh `token list`'s "last used" is kept

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token from `compengine token create`, as `Authorization: Bearer TOKEN`.",
)


def api_config(request: Request) -> ServerConfig:
    """The database and plans the server was started with."""
    return request.app.state.config


def reading_engine(engine: Engine) -> Engine:
    """The engine for reads: on PostgreSQL each request reads one snapshot (REPEATABLE
    READ), so a page, its ETag and its cursor agree even while a run commits; SQLite's
    WAL read transactions are snapshots already."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def read_session(config: ServerConfig = Depends(api_config)) -> Iterator[Session]:
    """A session for one request's reads; it writes nothing."""
    with Session(reading_engine(config.engine)) as session:
        yield session


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def _touch(engine: Engine, name: str, now: datetime) -> None:
    """Record the token's use now, unless that would wait for a lock: then a later request
    records it."""
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection if sqlite else None
        try:
            if raw is not None:
                raw.execute("PRAGMA busy_timeout = 0")
            else:
                connection.execute(text("SET LOCAL lock_timeout = '100ms'"))
            connection.execute(
                update(ApiToken).where(ApiToken.name == name).values(last_used_at=now)
            )
            connection.commit()
        except exc.OperationalError:
            connection.rollback()
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout = {SQLITE_TIMEOUT_MS}")


def _principal(engine: Engine, token: str) -> Principal | None:
    with Session(engine) as session:
        principal = authenticate(session, token, touch=False)
        if principal is None:
            return None
        last_used = session.get(ApiToken, principal.name).last_used_at
    now = datetime.now(UTC)
    if last_used is None or now - _aware(last_used) >= TOUCH_INTERVAL:
        _touch(engine, principal.name, now)
    return principal


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency returning the caller's Principal: 401 without a known token, 403 when
    its role is not one of `roles`. The only place the API checks roles."""
    allowed = frozenset(roles)

    def principal(
        credentials: HTTPAuthorizationCredentials | None = Security(_bearer),
        config: ServerConfig = Depends(api_config),
    ) -> Principal:
        if credentials is None:
            raise _unauthorized("send an API token as `Authorization: Bearer TOKEN`")
        found = _principal(config.engine, credentials.credentials)
        if found is None:
            raise _unauthorized("the token is unknown or revoked")
        if found.role not in allowed:
            raise ApiProblem(403, "Forbidden", f"a {found.role} token may not do this")
        return found

    return principal


@contextmanager
def refusals() -> Iterator[None]:
    """A UserError raised by a cycle function (a rule refused, the database is busy)
    becomes 409 with the CLI's own message."""
    try:
        yield
    except UserError as error:
        raise ApiProblem(409, "Conflict", str(error)) from None


@contextmanager
def exclusive_write(config: ServerConfig) -> Iterator[Session]:
    """A write under the CLI's database lock; busy or refused -> 409, never a wait."""
    with refusals(), exclusive(config.engine) as session:
        yield session


PERIOD_DESCRIPTION = "A month, YYYY-MM."
PeriodPath = Annotated[
    str,
    Path(pattern=PERIOD_PATTERN, description=PERIOD_DESCRIPTION, examples=["2027-07"]),
    AfterValidator(checked_period_text),
]
PeriodQuery = Annotated[
    str,
    Query(pattern=PERIOD_PATTERN, description=PERIOD_DESCRIPTION, examples=["2027-07"]),
    AfterValidator(checked_period_text),
]
PayeePath = Annotated[
    str,
    Path(min_length=1, max_length=MAX_ID, description="A payee id."),
    AfterValidator(checked_id),
]

IdQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=MAX_ID, description="Only lines with this id."),
    AfterValidator(checked_id),
]
