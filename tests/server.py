"""A real `compengine serve` on a free port, for the API and web page tests: real
uvicorn, real sockets, the installed entry point."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import start_compengine

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(db_url: str, plans: Path, cwd: Path) -> Iterator[str]:
    """The base URL (http://127.0.0.1:PORT) of a server on `db_url`, stopped afterwards;
    fails with the server's own output when it does not come up."""
    port = free_port()
    process = start_compengine("--db", db_url, "serve", "--port", port, "--plans", plans, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                out, err = process.communicate()
                raise AssertionError(f"compengine serve exited {process.returncode}:\n{out}{err}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("compengine serve did not answer /api/v1/health in time")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            out, err = process.communicate(timeout=20)
        except Exception:
            process.kill()
            out, err = process.communicate()
        if "Traceback" in out or "Traceback" in err:
            raise AssertionError(f"compengine serve printed a traceback:\n{out}{err}")
