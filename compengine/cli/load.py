"""`compengine load DIR [--replace]`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the load command (written by the ledger work)."""
