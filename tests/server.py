"""A real `compengine serve` on a free port, for the API and web page tests: real
uvicorn, real sockets, the installed entry point."""

from __future__ import annotations

import socket
import threading
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


def _drain(stream, into: list[str]) -> threading.Thread:
    """Read a pipe as the server writes it: a full pipe would block the server's log."""
    thread = threading.Thread(target=lambda: into.extend(stream), daemon=True)
    thread.start()
    return thread


@contextmanager
def running_server(
    db_url: str, plans: Path, cwd: Path, output: list[str] | None = None
) -> Iterator[str]:
    """The base URL (http://127.0.0.1:PORT) of a server on `db_url`, stopped afterwards;
    fails with the server's own output when it does not come up. `output`, when given,
    receives everything the server printed once it has stopped."""
    port = free_port()
    process = start_compengine("--db", db_url, "serve", "--port", port, "--plans", plans, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    printed: list[str] = []
    readers = [_drain(process.stdout, printed), _drain(process.stderr, printed)]
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                for reader in readers:
                    reader.join()
                raise AssertionError(
                    f"compengine serve exited {process.returncode}:\n{''.join(printed)}"
                )
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
            process.wait(timeout=20)
        except Exception:
            process.kill()
            process.wait()
        for reader in readers:
            reader.join()
        text = "".join(printed)
        if output is not None:
            output.append(text)
        if "Traceback" in text:
            raise AssertionError(f"compengine serve printed a traceback:\n{text}")
