"""Alembic migrations, shipped inside the package as ``compengine.migrations``."""
