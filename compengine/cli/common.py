"""State shared by all commands: the database, the plans and the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from compengine.config import Origin
from compengine.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

# compengine.storage.database is imported where it is used, so that commands without a
# database (`--version`, `plan check`) start without SQLAlchemy and the schema.


@dataclass
class AppState:
    url: str
    actor: str
    plans: Path = Path("plans")  # what --plans defaults to
    url_origin: Origin = field(default_factory=lambda: Origin("--db"))

    def plans_path(self, given: Path | None) -> Path:
        """--plans when given, else the configured plans folder."""
        return given if given is not None else self.plans

    @cached_property
    def database(self) -> URL:
        """The parsed URL; a bad one is an error located where it was set."""
        from compengine.storage.database import parse_database_url

        try:
            return parse_database_url(self.url)
        except ValueError as error:
            raise UserError([self.url_origin.problem(str(error))]) from None

    @cached_property
    def engine(self) -> Engine:
        """The database of every command but `init`: it must exist with a current schema."""
        from compengine.storage.database import open_database

        return open_database(self.database)

    def close(self) -> None:
        """Release the database's connections: a command run in-process (tests, the
        server's helpers) must not leave sessions open on the server."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    def engine_for_init(self) -> Engine:
        from compengine.storage.database import open_for_init

        return open_for_init(self.database)


PLANS_OPTION = typer.Option(
    None, "--plans", help="Plan file or folder (default: the configured plans, else plans/)."
)


def state(ctx: typer.Context) -> AppState:
    return ctx.find_root().obj
