"""`compengine plan check PATH...`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the plan sub-commands (written by the plan-language work)."""
