"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from compengine.storage.database import make_engine, upgrade_schema


def test_migrated_schema_matches_the_models(db_url):
    engine = make_engine(db_url)
    try:
        upgrade_schema(engine)
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), SQLModel.metadata
            )
    finally:
        engine.dispose()
    assert differences == []
