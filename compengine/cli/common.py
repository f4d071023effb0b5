"""State shared by all commands: the database and the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import typer
from sqlalchemy.engine import Engine

from compengine.storage.database import make_engine


@dataclass
class AppState:
    url: str
    actor: str

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.url)


def state(ctx: typer.Context) -> AppState:
    return ctx.find_root().obj
