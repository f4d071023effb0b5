"""Settings resolve in one order: options, environment, settings file, defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from compengine.config import load_settings
from compengine.errors import UserError


def settings_in(folder: Path, text: str, **options):
    (folder / "compengine.toml").write_text(text)
    return load_settings(cwd=folder, environ={}, **options)


def test_defaults_without_a_file(tmp_path):
    settings = load_settings(cwd=tmp_path, environ={"COMPENGINE_USER": "ops"})
    assert settings.db.value == f"sqlite:///{tmp_path / 'compengine.db'}"
    assert (settings.plans, settings.user) == (Path("plans"), "ops")


@pytest.mark.parametrize(
    ("db", "resolved"),
    [
        ("sqlite:///pay.db", "sqlite:///{folder}/pay.db"),
        ("sqlite:////srv/pay.db", "sqlite:////srv/pay.db"),
        ("sqlite:///file:pay.db?mode=ro&uri=true", "sqlite:///file:pay.db?mode=ro&uri=true"),
        ("postgresql://ops@dbhost/pay", "postgresql://ops@dbhost/pay"),
    ],
)
def test_a_relative_sqlite_file_in_the_file_is_relative_to_its_folder(tmp_path, db, resolved):
    settings = settings_in(tmp_path, f'db = "{db}"\nplans = "p"\n')
    assert settings.db.value == resolved.format(folder=tmp_path)
    assert settings.plans == tmp_path / "p"
    assert str(settings.db.origin.problem("x")) == "compengine.toml:1: db: x"


def test_the_environment_beats_the_file_and_options_beat_both(tmp_path):
    (tmp_path / "compengine.toml").write_text('db = "sqlite:///f.db"\nuser = "file"\n')
    environ = {"COMPENGINE_DB": "sqlite:///e.db", "COMPENGINE_USER": "env"}
    from_env = load_settings(cwd=tmp_path, environ=environ)
    assert (from_env.db.value, from_env.user) == ("sqlite:///e.db", "env")
    assert str(from_env.db.origin.problem("x")) == "COMPENGINE_DB: x"
    from_flags = load_settings(cwd=tmp_path, environ=environ, db="sqlite:///o.db", user="me")
    assert (from_flags.db.value, from_flags.user) == ("sqlite:///o.db", "me")


def test_a_key_is_located_on_its_line(tmp_path):
    with pytest.raises(UserError) as refused:
        settings_in(tmp_path, '# ops settings\n\ndb = "sqlite:///x.db"\n  plans = [1]\n')
    assert [str(p) for p in refused.value.problems] == [
        "compengine.toml:4: plans: must be a string, not a list"
    ]
