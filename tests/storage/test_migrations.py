"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from compengine.storage.database import (
    alembic_config,
    make_engine,
    schema_revision,
    upgrade_schema,
)


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


def test_0005_drops_the_web_sessions_and_keys_new_ones_by_the_tokens_hash(db_url):
    """Sessions stored under a token's name are dropped (their owners sign in again);
    the downgrade goes back to names, and up again, on both databases."""
    engine = make_engine(db_url)
    config = alembic_config(engine)
    try:
        command.upgrade(config, "0004")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO web_session (session_hash, token_name, csrf_token, "
                    "created_at, expires_at) VALUES ('h', 'ops-web', 'c', :now, :now)"
                ),
                {"now": datetime(2027, 1, 1, tzinfo=UTC)},
            )
        command.upgrade(config, "0005")
        assert _web_session(engine) == (["session_hash", "token_hash"], 0)
        command.downgrade(config, "0004")
        assert _web_session(engine) == (["session_hash", "token_name"], 0)
        command.upgrade(config, "head")
        assert schema_revision(engine) == "0005"
    finally:
        engine.dispose()


def _web_session(engine) -> tuple[list[str], int]:
    """The first two columns of web_session and its number of rows."""
    with engine.connect() as connection:
        columns = [column["name"] for column in inspect(connection).get_columns("web_session")]
        count = connection.execute(text("SELECT count(*) FROM web_session")).scalar()
    return columns[:2], count
