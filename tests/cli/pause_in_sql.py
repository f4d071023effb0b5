"""`python -m tests.cli.pause_in_sql ARGS...`: the compengine command, paused inside the
first SQL statement that matches COMPENGINE_TEST_PAUSE_SQL (a regular expression).

At that statement it writes the file COMPENGINE_PAUSE_FILE and sleeps before the
statement runs, so that a test can press Ctrl-C (SIGINT) in the middle of a
statement's execution, the worst moment: SQLAlchemy then invalidates the connection
and the cleanup that follows meets a PendingRollbackError.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from compengine.cli import entry_point

PATTERN = re.compile(os.environ["COMPENGINE_TEST_PAUSE_SQL"])


@event.listens_for(Engine, "before_cursor_execute")
def _pause(_connection, _cursor, statement, *_args) -> None:
    if PATTERN.search(statement):
        Path(os.environ["COMPENGINE_PAUSE_FILE"]).write_text(str(os.getpid()))
        time.sleep(60)


entry_point()
