"""State shared by all commands: the database and the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import typer
from sqlalchemy.engine import Engine

from compengine.storage.database import make_engine


@dataclass
class AppState:
    url: str
    actor: str
    plans: Path = Path("plans")  # what --plans defaults to

    def plans_path(self, given: Path | None) -> Path:
        """--plans when given, else the configured plans folder."""
        return given if given is not None else self.plans

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.url)


PLANS_OPTION = typer.Option(
    None, "--plans", help="Plan file or folder (default: the configured plans, else plans/)."
)


def state(ctx: typer.Context) -> AppState:
    return ctx.find_root().obj
