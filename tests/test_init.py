"""`compengine init` creates the schema, and running it again is harmless."""

from sqlalchemy import create_engine, inspect


def test_init_creates_every_table_and_is_idempotent(cli, db_url):
    first = cli("init")
    assert first.code == 0, first.err
    again = cli("init")
    assert again.code == 0, again.err
    engine = create_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {
        "payee",
        "account",
        "assignment",
        "contract",
        "usage_entry",
        "monthly_usage",
        "load_batch",
        "audit_event",
        "payout_line",
        "period",
        "run_record",
    } <= tables
