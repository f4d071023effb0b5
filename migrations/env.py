"""Alembic environment: migrates the engine handed over by ``compengine init``."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from compengine.config import database_url
from compengine.storage import models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata
config = context.config


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(database_url())
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
