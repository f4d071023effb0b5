"""`compengine serve` answers on its port and says which schema it serves."""

from __future__ import annotations

import httpx

from tests.cycles.conftest import DATA
from tests.server import running_server


def test_serve_answers_health_on_a_real_socket(cli, db_url, tmp_path):
    assert cli("init").code == 0
    with running_server(db_url, DATA / "plan.yaml", tmp_path) as base:
        health = httpx.get(f"{base}/api/v1/health").json()
    assert health["status"] == "ok" and health["schema"] == "0005"
