"""`compengine init` says what it did; `compengine --version` prints the version."""

from __future__ import annotations

from importlib.metadata import version

from sqlalchemy.engine import make_url

from compengine.storage.database import SCHEMA_REVISION
from tests.conftest import run_compengine


def test_init_says_it_created_the_schema_then_that_it_is_up_to_date(cli, db_url):
    shown = make_url(db_url).render_as_string(hide_password=True)
    created = cli("init")
    assert created.code == 0
    assert created.out == f"created the compengine schema (revision {SCHEMA_REVISION}) in {shown}\n"
    again = cli("init")
    assert again.code == 0
    assert again.out == f"schema is up to date (revision {SCHEMA_REVISION}) in {shown}\n"


def test_version_prints_the_package_version(cli_here, tmp_path):
    result = cli_here("--version")
    assert result.code == 0
    assert result.out == f"compengine {version('compengine')}\n"
    assert list(tmp_path.iterdir()) == []


def test_the_installed_command_prints_its_version(tmp_path):
    result = run_compengine("--version", cwd=tmp_path)
    assert (result.code, result.out) == (0, f"compengine {version('compengine')}\n")
