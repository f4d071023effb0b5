"""Timing the REST API's reads on a big locked period: the CSV pull (MB/s), JSON pages of
5,000 lines (pages/s) and many concurrent readers (requests/s, 95th percentile).

The period's lines are written straight into the database (this measures serving
them, not computing them); a real `compengine serve` answers over a real socket, and
its own peak memory (VmHWM) after the CSV pull shows whether the stream stayed a stream.

    python -m compengine.bench.api_bench --lines 1000000 [--db URL] [--readers 50]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from compengine.access.tokens import Role, create_token
from compengine.storage.database import make_engine, upgrade_schema
from compengine.storage.models import Payee, PayoutLine, Period

PERIOD = "2030-01"
CHUNK = 50_000


@dataclass(frozen=True)
class ApiBenchmark:
    lines: int
    csv_bytes: int
    csv_seconds: float
    server_peak_mib: float
    pages: int
    pages_seconds: float
    readers: int
    requests: int
    readers_seconds: float
    p95_ms: float


def write_period(url: str, lines: int) -> str:
    """A locked period of `lines` synthetic lines; the token of a payroll reader."""
    engine = make_engine(url)
    upgrade_schema(engine)
    now = datetime.now(UTC)
    payees = [f"p{n:05d}" for n in range(1000)]
    with Session(engine) as session, session.begin():
        session.add_all(Payee(payee_id=p, name=f"Payee {p}") for p in payees)
        session.add(Period(period=PERIOD, state="locked", calculated_at=now, locked_at=now))
        for start in range(0, lines, CHUNK):
            session.execute(
                insert(PayoutLine),
                [
                    {
                        "period": PERIOD,
                        "run_id": 1,
                        "payee_id": payees[n % len(payees)],
                        "plan_id": "ae-usage",
                        "plan_version": 1,
                        "component_id": "ramp",
                        "component_type": "ramp_realization",
                        "contract_id": f"k{n}",
                        "account_id": f"a{n % 5000}",
                        "earned_to_date_cents": 123_456 + n,
                        "paid_before_cents": 100_000,
                        "amount_cents": 23_456 + n,
                        "explanation": f"ramp month 3/6: realized 12,400.00 of 15,000.00 target "
                        f"(82.67%), marginal tiers -> payout {n}",
                        "lineage": '{"kind":"ramp_realization"}',
                        "created_at": now,
                    }
                    for n in range(start, min(start + CHUNK, lines))
                ],
            )
        token = create_token(session, "bench", Role.payroll, None, "bench")
    engine.dispose()
    return token


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_api(url: str, lines: int, readers: int, seconds: float) -> ApiBenchmark:
    import httpx

    token = write_period(url, lines)
    port = _free_port()
    compengine = Path(sys.executable).with_name("compengine")
    server = subprocess.Popen(
        [str(compengine), "--db", url, "serve", "--port", str(port), "--plans", "."],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        payouts = f"{base}/periods/{PERIOD}/payouts"
        started = time.perf_counter()
        size = 0
        with httpx.stream(
            "GET", payouts, headers={**auth, "Accept": "text/csv"}, timeout=None
        ) as r:
            for chunk in r.iter_bytes():
                size += len(chunk)
        csv_seconds = time.perf_counter() - started
        peak = _peak_mib(server.pid)

        started, pages, cursor = time.perf_counter(), 0, None
        with httpx.Client(headers=auth, timeout=None) as client:
            while True:
                params = {"limit": 5000, **({"cursor": cursor} if cursor else {})}
                cursor = client.get(payouts, params=params).json()["next_cursor"]
                pages += 1
                if cursor is None or time.perf_counter() - started > seconds:
                    break
        pages_seconds = time.perf_counter() - started

        latencies: list[float] = []
        deadline = time.perf_counter() + seconds

        def reader() -> None:
            with httpx.Client(headers=auth, timeout=None) as client:
                while time.perf_counter() < deadline:
                    begun = time.perf_counter()
                    client.get(payouts, params={"limit": 100}).raise_for_status()
                    latencies.append(time.perf_counter() - begun)

        started = time.perf_counter()
        threads = [threading.Thread(target=reader) for _ in range(readers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        readers_seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    return ApiBenchmark(
        lines=lines,
        csv_bytes=size,
        csv_seconds=csv_seconds,
        server_peak_mib=peak,
        pages=pages,
        pages_seconds=pages_seconds,
        readers=readers,
        requests=len(latencies),
        readers_seconds=readers_seconds,
        p95_ms=statistics.quantiles(latencies, n=20)[-1] * 1000,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--db", help="an empty database (default: a throw-away SQLite file)")
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="compengine-bench-") as scratch:
        url = args.db or f"sqlite:///{Path(scratch) / 'bench.db'}"
        result = bench_api(url, args.lines, args.readers, args.seconds)
    mb = result.csv_bytes / 1e6
    print(f"lines:               {result.lines:,}")
    print(
        f"CSV pull:            {mb:,.1f} MB in {result.csv_seconds:.1f} s = "
        f"{mb / result.csv_seconds:,.1f} MB/s ({result.lines / result.csv_seconds:,.0f} lines/s)"
    )
    print(f"server peak memory:  {result.server_peak_mib:,.0f} MiB after the CSV pull")
    print(
        f"JSON pages of 5,000: {result.pages} in {result.pages_seconds:.1f} s = "
        f"{result.pages / result.pages_seconds:.2f} pages/s"
    )
    print(
        f"{result.readers} readers:          {result.requests:,} requests in "
        f"{result.readers_seconds:.1f} s = {result.requests / result.readers_seconds:,.0f}/s, "
        f"p95 {result.p95_ms:,.0f} ms (pages of 100 lines)"
    )


if __name__ == "__main__":
    main()
