"""A pause point for crash tests: lets a test kill a run at a known moment.

With COMPENGINE_PAUSE_AT set to a point's name, the process writes the file named by
COMPENGINE_PAUSE_FILE when it reaches that point and then sleeps, so that a test can
kill -9 it mid-transaction and check that the database is exactly as before.
Unset (always, outside tests), it does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    if os.environ.get("COMPENGINE_PAUSE_AT") != name:
        return
    Path(os.environ["COMPENGINE_PAUSE_FILE"]).write_text(str(os.getpid()))
    time.sleep(int(os.environ.get("COMPENGINE_PAUSE_SECONDS", "60")))
