"""Where the database is and who is acting: resolved once per command."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

DEFAULT_DB_FILE = "compengine.db"


def database_url(explicit: str | None = None) -> str:
    """--db beats COMPENGINE_DB beats an SQLite file in the working directory."""
    url = explicit or os.environ.get("COMPENGINE_DB")
    if url:
        return url
    return f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"


def current_actor(explicit: str | None = None) -> str:
    """--user when given, else the operating-system user (for run records and audit)."""
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
