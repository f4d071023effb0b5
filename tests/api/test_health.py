"""GET /health (spec section 10): 200 with the schema revision while the database is
usable, a 503 problem when it is not."""

from __future__ import annotations

import httpx
from sqlalchemy import create_engine, text

from tests.api.conftest import PLANS, is_problem
from tests.server import running_server


def set_revision(db_url: str, revision: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_health_is_503_when_the_schema_is_not_the_servers(cli, db_url, tmp_path):
    assert cli("init").code == 0
    with running_server(db_url, PLANS, tmp_path) as base:
        assert httpx.get(f"{base}/api/v1/health").json()["schema"] == "0005"
        set_revision(db_url, "0003")
        try:
            stale = httpx.get(f"{base}/api/v1/health")
        finally:
            set_revision(db_url, "0005")
        assert is_problem(stale, 503)
        assert (
            "revision 0003" in stale.json()["detail"]
            and "compengine init" in stale.json()["detail"]
        )
        assert httpx.get(f"{base}/api/v1/health").status_code == 200
