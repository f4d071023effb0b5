"""A database holding the spec's worked example, for commands that need data."""

from __future__ import annotations

import pytest

from tests.cycles.conftest import load_worked_example


@pytest.fixture
def loaded(cli, from_template):
    """init + load of the worked example (section 7); returns the cli runner."""
    from_template("worked-example", load_worked_example)
    return cli
