"""`compengine init`: create or migrate the schema, and say which it did."""

from __future__ import annotations

import typer

from compengine.cli.common import state
from compengine.storage.database import shown, upgrade_schema


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(ctx: typer.Context) -> None:
        """Create or migrate the database schema (Alembic)."""
        app_state = state(ctx)
        engine = app_state.engine_for_init()
        try:
            change = upgrade_schema(engine)
        finally:
            engine.dispose()
        where = shown(app_state.database)
        if change.before is None:
            typer.echo(f"created the compengine schema (revision {change.after}) in {where}")
        elif change.before != change.after:
            typer.echo(
                f"migrated the compengine schema in {where} "
                f"from revision {change.before} to {change.after}"
            )
        else:
            typer.echo(f"schema is up to date (revision {change.after}) in {where}")
