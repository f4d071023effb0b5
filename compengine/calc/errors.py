"""Configuration errors found while calculating: the run stops and writes nothing."""

from __future__ import annotations

from compengine.errors import UserError


class ConfigurationError(UserError):
    """Plans and assignments contradict each other (shares above 1, two components for one role)."""
