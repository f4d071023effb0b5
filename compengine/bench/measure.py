"""Measuring a command as a user starts it: in a child process, with its own wall time,
CPU time and peak memory; and running heavy preparation in a fresh interpreter so that
its memory is not counted in the measured commands'."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from compengine.errors import UserError

T = TypeVar("T")


@dataclass(frozen=True)
class Measured:
    """One command's own figures."""

    wall_seconds: float
    cpu_seconds: float  # user + system
    peak_rss_mib: float


def measure_command(args: list[str], log: Path) -> Measured:
    """Run `compengine ARGS` in a child process; its output goes to `log`."""
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "compengine", *args], stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise UserError.single(
            f"benchmark stopped: compengine {' '.join(args)} failed:\n{log.read_text().strip()}"
        )
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def in_fresh_process(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in a new interpreter, so that this process stays small: on Linux
    a child's peak RSS (what `measure_command` reports) starts at its parent's when it is
    started, and generating 10M rows or DuckDB's buffers would otherwise be counted in
    every later load and run."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)
