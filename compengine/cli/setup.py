"""`compengine init`: create or migrate the schema."""

from __future__ import annotations

import typer

from compengine.cli.common import state
from compengine.storage.database import upgrade_schema


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(ctx: typer.Context) -> None:
        """Create or migrate the database schema (Alembic)."""
        app_state = state(ctx)
        upgrade_schema(app_state.engine)
        typer.echo(
            f"schema is up to date on {app_state.engine.url.render_as_string(hide_password=True)}"
        )
