"""`python -m compengine` is the `compengine` command."""

from compengine.cli import entry_point

entry_point()
