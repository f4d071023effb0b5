"""Timing the API as payroll uses it, on a locked period of many lines: the whole period
as streamed CSV (MB/s), a walk through its JSON pages of 5,000 lines (pages/s), and many
concurrent readers of a short page (requests/s and the 95th percentile latency).

The period's lines are written straight into the database (the engine's speed is `bench
run`'s business, not this one's), then a real `compengine serve` answers real HTTP on a
free port. The client is the standard library's http.client, one keep-alive connection
per reader, so that nothing but the server is measured beyond the sockets.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

from compengine.access.tokens import Role, create_token
from compengine.errors import UserError
from compengine.storage.database import make_engine, transaction, upgrade_schema
from compengine.storage.models import Payee, PayoutLine, Period

PERIOD = "2027-06"
PAGE_LINES = 5_000
READER_PAGE_LINES = 100
CHUNK = 20_000  # lines per INSERT
START_SECONDS = 60


@dataclass(frozen=True)
class ApiBenchmark:
    lines: int
    setup_seconds: float
    csv_bytes: int
    csv_seconds: float
    pages: int
    pages_seconds: float
    readers: int
    reader_requests: int
    readers_seconds: float
    p95_ms: float

    @property
    def csv_mb_per_second(self) -> float:
        return self.csv_bytes / 1e6 / self.csv_seconds

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.pages_seconds

    @property
    def requests_per_second(self) -> float:
        return self.reader_requests / self.readers_seconds


def _line(number: int, payees: int, at: datetime) -> dict[str, object]:
    """A ramp line like the engine writes: amounts, a sentence, its lineage."""
    earned, paid = 10_000 + number % 90_000, 5_000 + number % 4_000
    return {
        "period": PERIOD,
        "run_id": 1,
        "kind": "calculated",
        "payee_id": f"p{number % payees:05d}",
        "plan_id": "ae-usage",
        "plan_version": 1,
        "component_id": "ramp",
        "component_type": "ramp_realization",
        "contract_id": f"k{number:07d}",
        "account_id": f"a{number:07d}",
        "earned_to_date_cents": earned,
        "paid_before_cents": paid,
        "amount_cents": earned - paid,
        "explanation": (
            "ramp month 4/6: realized 12,400.00 of 15,000.00 target (82.67%), marginal tiers "
            f"-> earned to date {earned / 100:.2f}, paid before {paid / 100:.2f}"
        ),
        "status": "paid",
        "created_at": at,
        "earnings_code": "COMM",
        "lineage": json.dumps({"kind": "ramp", "window_month": 4, "attainment": "0.8267"}),
    }


def seed_locked_period(url: str, lines: int, payees: int) -> str:
    """A locked period of `lines` lines over `payees` payees, and a payroll token."""
    engine = make_engine(url)
    at = datetime.now(UTC)
    try:
        upgrade_schema(engine)
        with transaction(engine) as session:
            if session.scalar(select(func.count()).select_from(Payee)):
                raise UserError.single(f"{url}: the benchmark needs a database without payees")
            session.add_all(
                Payee(payee_id=f"p{i:05d}", name=f"Payee {i}", email=f"p{i}@example.com")
                for i in range(payees)
            )
            session.add(
                Period(
                    period=PERIOD,
                    state="locked",
                    calculated_at=at,
                    approved_at=at,
                    locked_at=at,
                    last_run_id=1,
                )
            )
            for start in range(0, lines, CHUNK):
                stop = min(start + CHUNK, lines)
                session.execute(
                    insert(PayoutLine), [_line(n, payees, at) for n in range(start, stop)]
                )
            return create_token(session, "bench-payroll", Role.payroll, None, "bench")
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Client:
    """One keep-alive connection to the server, with the token."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, accept: str = "application/json") -> http.client.HTTPResponse:
        self.connection.request("GET", f"/api/v1{path}", headers={**self.headers, "Accept": accept})
        response = self.connection.getresponse()
        if response.status != 200:
            raise UserError.single(
                f"benchmark stopped: GET {path}: {response.status} {response.read()[:300]!r}"
            )
        return response

    def close(self) -> None:
        self.connection.close()


def _wait_until_up(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            raise UserError.single(
                f"benchmark stopped: compengine serve exited with {process.returncode}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise UserError.single(
                    "benchmark stopped: compengine serve did not start in time"
                ) from None
            time.sleep(0.1)


def _csv_pull(client: _Client) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get(f"/periods/{PERIOD}/payouts", accept="text/csv")
    size = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
    return size, time.perf_counter() - started


def _page_walk(client: _Client) -> tuple[int, float]:
    started, pages, cursor = time.perf_counter(), 0, None
    while True:
        query = f"?limit={PAGE_LINES}" + (f"&cursor={cursor}" if cursor else "")
        cursor = json.loads(client.get(f"/periods/{PERIOD}/payouts{query}").read())["next_cursor"]
        pages += 1
        if cursor is None:
            return pages, time.perf_counter() - started


def _readers(port: int, token: str, readers: int, requests: int) -> tuple[list[float], float]:
    """`readers` threads, each reading a short page `requests` times; latencies, wall."""
    latencies: list[float] = []
    errors: list[BaseException] = []
    start = threading.Barrier(readers + 1)

    def read() -> None:
        client = _Client(port, token)
        mine = []
        try:
            start.wait()
            for _ in range(requests):
                began = time.perf_counter()
                client.get(f"/periods/{PERIOD}/payouts?limit={READER_PAGE_LINES}").read()
                mine.append(time.perf_counter() - began)
        except BaseException as error:
            errors.append(error)
        finally:
            client.close()
            latencies.extend(mine)

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise UserError.single(f"benchmark stopped: a reader failed: {errors[0]}")
    return latencies, time.perf_counter() - began


def bench_api(
    url: str, lines: int, payees: int, readers: int, requests: int, workdir: Path
) -> ApiBenchmark:
    """Seed the period into the empty database at `url`, serve it, and time the reads."""
    started = time.perf_counter()
    token = seed_locked_period(url, lines, payees)
    setup = time.perf_counter() - started
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "compengine", "--db", url, "serve", "--port", str(port)],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(server, port)
        client = _Client(port, token)
        csv_bytes, csv_seconds = _csv_pull(client)
        pages, pages_seconds = _page_walk(client)
        client.close()
        latencies, readers_seconds = _readers(port, token, readers, requests)
    finally:
        server.terminate()
        server.wait(30)
    latencies.sort()
    return ApiBenchmark(
        lines=lines,
        setup_seconds=setup,
        csv_bytes=csv_bytes,
        csv_seconds=csv_seconds,
        pages=pages,
        pages_seconds=pages_seconds,
        readers=readers,
        reader_requests=len(latencies),
        readers_seconds=readers_seconds,
        p95_ms=latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
    )
