"""Times are stored as UTC without an offset on both databases, whatever the server's time
zone: the ORM's writes and the bulk writes (COPY) of a run's lines agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from compengine.storage.database import make_engine
from compengine.storage.models import PayoutLine, RunRecord
from tests.cycles.conftest import PLAN


def _set_server_time_zone(db_url: str, zone: str) -> None:
    """The database's own default time zone, as an administrator would set it."""
    if make_url(db_url).get_backend_name() != "postgresql":
        return
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(db_url).database
        connection.execute(text(f"ALTER DATABASE \"{name}\" SET timezone = '{zone}'"))
    admin.dispose()


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
def test_a_run_stores_its_times_in_utc_whatever_the_server_time_zone(acme, db_url, zone):
    _set_server_time_zone(db_url, zone)
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    result = acme("run", "--period", "2027-01", "--plans", PLAN)
    assert result.code == 0, result.err
    after = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)
    engine = make_engine(db_url)
    with Session(engine) as session:
        (started,) = session.execute(select(RunRecord.started_at)).one()
        created = set(session.execute(select(PayoutLine.created_at)).scalars())
    engine.dispose()
    assert before <= started.replace(tzinfo=None) <= after
    (line_time,) = created  # one bulk write: one time for every line
    assert before <= line_time.replace(tzinfo=None) <= after
    assert abs(line_time.replace(tzinfo=None) - started.replace(tzinfo=None)) < timedelta(seconds=5)
