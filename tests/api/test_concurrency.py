"""Readers while the cycle writes (spec section 10, concurrency): a reader never sees a
half-written period, a run is not held up by readers, a write while another command
holds the lock is 409 at once, and a page walk serves each line exactly once."""

from __future__ import annotations

import time

from compengine.storage.locking import BUSY
from tests.api.conftest import PLANS, is_problem
from tests.conftest import finish, process_environment, start_compengine

PAUSE_SECONDS = 4


def line_ids(api, period: str) -> frozenset[int]:
    return frozenset(line_id for line_id, _run in lines_of(api, period))


def lines_of(api, period: str) -> frozenset[tuple[int, int | None]]:
    """(id, run) of each line: SQLite may give a new run's lines the ids of the old."""
    response = api.get(f"/periods/{period}/payouts", "ops", params={"limit": 5000})
    assert response.status_code == 200 and response.json()["next_cursor"] is None
    return frozenset((line["id"], line["run_id"]) for line in response.json()["data"])


def test_readers_during_a_run_see_the_old_lines_or_the_new_never_a_mix(api, tmp_path):
    old = lines_of(api, "2027-03")
    marker = tmp_path / "paused"
    env = process_environment(
        COMPENGINE_PAUSE_AT="run:written",
        COMPENGINE_PAUSE_FILE=str(marker),
        COMPENGINE_PAUSE_SECONDS=str(PAUSE_SECONDS),
    )
    args = ("--db", api.db_url, "run", "--period", "2027-03", "--plans", PLANS)
    started = time.monotonic()
    run = start_compengine(*args, cwd=tmp_path, env=env)
    seen, csv_bodies = [], set()
    busy = None
    while run.poll() is None:
        if marker.exists() and busy is None:
            busy = api.post("/periods/2027-04/run", "ops")
        seen.append(lines_of(api, "2027-03"))
        csv = api.get("/periods/2027-03/payouts", "ops", headers={"Accept": "text/csv"})
        csv_bodies.add(csv.content)
    result = finish(run, args)
    elapsed = time.monotonic() - started
    assert result.code == 0, result.err
    new = lines_of(api, "2027-03")

    assert new != old and len(new) == len(old)
    assert set(seen) <= {old, new}, "a reader saw part of a run"
    assert old in seen, "no reader ran while the run was in progress"
    assert len(csv_bodies) == 1, "unchanged inputs give the same CSV before and after"
    assert busy is not None and is_problem(busy, 409) and busy.json()["detail"] == BUSY
    assert elapsed < PAUSE_SECONDS + 90, "the run waited for readers"


def test_a_walk_serves_each_line_once_while_other_periods_change(api):
    full = line_ids(api, "2027-02")
    page = api.get("/periods/2027-02/payouts", "payroll", params={"limit": 2}).json()
    ids = [line["id"] for line in page["data"]]
    assert api.post("/periods/2027-03/run", "ops").status_code == 200
    adjusted = api.post(
        "/adjustments",
        "ops",
        json={"payee_id": "ae2", "period": "2027-03", "amount": "10.00", "reason": "walk"},
    )
    assert adjusted.status_code == 201
    cursor = page["next_cursor"]
    while cursor:
        page = api.get(
            "/periods/2027-02/payouts", "payroll", params={"limit": 2, "cursor": cursor}
        ).json()
        ids += [line["id"] for line in page["data"]]
        cursor = page["next_cursor"]
    assert len(ids) == len(set(ids)) and set(ids) == full


def test_a_walk_sees_a_line_added_to_its_own_period_once(api):
    page = api.get("/periods/2027-03/payouts", "ops", params={"limit": 2}).json()
    ids = [line["id"] for line in page["data"]]
    added = api.post(
        "/adjustments",
        "ops",
        json={"payee_id": "ae1", "period": "2027-03", "amount": "-5.00", "reason": "mid-walk"},
    ).json()
    cursor = page["next_cursor"]
    while cursor:
        page = api.get("/periods/2027-03/payouts", "ops", params={"limit": 2, "cursor": cursor})
        ids += [line["id"] for line in page.json()["data"]]
        cursor = page.json()["next_cursor"]
    assert len(ids) == len(set(ids)) and set(ids) == line_ids(api, "2027-03")
    assert ids[-1] == added["id"]


def test_a_walk_across_a_new_run_of_its_own_period_must_start_again(api):
    page = api.get("/periods/2027-03/payouts", "ops", params={"limit": 2}).json()
    assert api.post("/periods/2027-03/run", "ops").status_code == 200
    stale = api.get(
        "/periods/2027-03/payouts", "ops", params={"limit": 2, "cursor": page["next_cursor"]}
    )
    assert is_problem(stale, 409) and "start again" in stale.json()["detail"]


def test_an_etag_changes_with_a_hold_and_comes_back_with_its_release(api):
    def tags() -> tuple[str, str]:
        json_tag = api.get("/periods/2027-03/payouts", "ops").headers["etag"]
        csv_tag = api.get(
            "/periods/2027-03/payouts", "ops", headers={"Accept": "text/csv"}
        ).headers["etag"]
        return json_tag, csv_tag

    before = tags()
    hold = {"payee_id": "ae3", "period": "2027-03", "reason": "etag"}
    assert api.post("/holds", "ops", json=hold).status_code == 201
    held = tags()
    assert held[0] != before[0] and held[1] != before[1]
    stale = api.get("/periods/2027-03/payouts", "ops", headers={"If-None-Match": before[0]})
    assert stale.status_code == 200
    released = api.request("DELETE", "/holds/ae3/2027-03", "ops", json={"reason": "done"})
    assert released.status_code == 200
    assert tags() == before
