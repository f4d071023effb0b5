"""State shared by all commands: the database, the plans and the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import typer
from sqlalchemy.engine import URL, Engine

from compengine.config import Origin
from compengine.errors import UserError
from compengine.storage.database import open_database, open_for_init, parse_database_url


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
        try:
            return parse_database_url(self.url)
        except ValueError as error:
            raise UserError([self.url_origin.problem(str(error))]) from None

    @cached_property
    def engine(self) -> Engine:
        """The database of every command but `init`: it must exist with a current schema."""
        return open_database(self.database)

    def engine_for_init(self) -> Engine:
        return open_for_init(self.database)


PLANS_OPTION = typer.Option(
    None, "--plans", help="Plan file or folder (default: the configured plans, else plans/)."
)


def state(ctx: typer.Context) -> AppState:
    return ctx.find_root().obj
