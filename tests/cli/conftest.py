"""A database holding the spec's worked example, for commands that need data."""

from __future__ import annotations

import pytest

from tests.cycles.conftest import DATA


@pytest.fixture
def loaded(cli):
    """init + load of the worked example (section 7); returns the cli runner."""
    assert cli("init").code == 0
    result = cli("load", DATA)
    assert result.code == 0, result.err
    return cli
