"""`python -m tests.statements.bulk.with_fake_renderer ARGS...`: the real `compengine` command
line, with `statements` rendering through the `Slow` fake (marker file and seconds per
statement from FAKE_MARKER and FAKE_SECONDS), so that tests can run it in a process of
its own and interrupt it."""

from __future__ import annotations

import os
import sys

from compengine.cli import main
from compengine.statements import renderers
from tests.statements.bulk.fakes import Slow


def fake_renderer(*_settings) -> Slow:
    return Slow(os.environ["FAKE_MARKER"], float(os.environ.get("FAKE_SECONDS", "0")))


if __name__ == "__main__":
    renderers.StatementRenderer = fake_renderer
    sys.exit(main(sys.argv[1:]))
