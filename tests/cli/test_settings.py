"""compengine.toml (or --config FILE) sets db, plans and user; the environment and the
command line override it; a bad file is a located error (spec section 6)."""

from __future__ import annotations

import shutil

import pytest

from tests.cycles.conftest import DATA, PLAN


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_settings_file_chooses_database_plans_and_user(cli_here, db_url, tmp_path):
    shutil.copy(PLAN, write(tmp_path / "my-plans" / "README", "").parent / "plan.yaml")
    write(
        tmp_path / "compengine.toml",
        f'db = "{db_url}"\nplans = "my-plans"\nuser = "ops-anna"\n',
    )
    assert cli_here("init").code == 0
    assert cli_here("load", DATA).code == 0
    ran = cli_here("run", "--period", "2027-01")  # no --plans: my-plans/ from the file
    assert ran.code == 0, ran.err
    assert "first-purchase" in ran.out
    runs = cli_here("runs")
    assert "ops-anna" in runs.out


def test_options_beat_the_environment_which_beats_the_file(cli_here, tmp_path, monkeypatch):
    write(tmp_path / "compengine.toml", 'db = "sqlite:///from-file.db"\n')
    monkeypatch.setenv("COMPENGINE_DB", f"sqlite:///{tmp_path / 'from-env.db'}")
    assert cli_here("--db", f"sqlite:///{tmp_path / 'from-flag.db'}", "init").code == 0
    assert cli_here("init").code == 0
    monkeypatch.delenv("COMPENGINE_DB")
    assert cli_here("init").code == 0
    assert sorted(p.name for p in tmp_path.glob("*.db")) == [
        "from-env.db",
        "from-file.db",
        "from-flag.db",
    ]


def test_user_and_plans_follow_the_same_order(cli_here, tmp_path, monkeypatch):
    write(tmp_path / "compengine.toml", 'user = "from-file"\nplans = "no-such-folder"\n')
    assert cli_here("init").code == 0
    assert cli_here("load", DATA).code == 0
    monkeypatch.setenv("COMPENGINE_USER", "from-env")
    monkeypatch.setenv("COMPENGINE_PLANS", str(PLAN))
    assert cli_here("run", "--period", "2027-01").code == 0  # COMPENGINE_PLANS
    assert cli_here("--user", "from-flag", "run", "--period", "2027-02").code == 0
    monkeypatch.delenv("COMPENGINE_PLANS")
    refused = cli_here("run", "--period", "2027-03")  # the file's plans: missing
    assert refused.code == 1
    assert "no-such-folder" in refused.err
    assert cli_here("run", "--period", "2027-03", "--plans", PLAN).code == 0
    assert "from-env" in cli_here("runs", "--period", "2027-01").out
    assert "from-flag" in cli_here("runs", "--period", "2027-02").out
    monkeypatch.delenv("COMPENGINE_USER")
    assert cli_here("run", "--period", "2027-04", "--plans", PLAN).code == 0
    assert "from-file" in cli_here("runs", "--period", "2027-04").out


def test_relative_paths_in_a_settings_file_are_relative_to_its_folder(cli_here, tmp_path):
    settings = write(
        tmp_path / "ops" / "settings.toml", 'db = "sqlite:///data/pay.db"\nplans = "plans"\n'
    )
    (tmp_path / "ops" / "data").mkdir()
    shutil.copy(PLAN, write(tmp_path / "ops" / "plans" / "x", "").parent / "plan.yaml")
    (tmp_path / "ops" / "plans" / "x").unlink()
    assert cli_here("--config", settings, "init").code == 0
    assert (tmp_path / "ops" / "data" / "pay.db").is_file()
    assert cli_here("--config", settings, "load", DATA).code == 0
    assert cli_here("--config", settings, "run", "--period", "2027-01").code == 0
    assert not (tmp_path / "compengine.db").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'db = "sqlite:///x.db"\nplans = \n',
            "compengine.toml:2: not valid TOML: Invalid value (column 9)",
        ),
        (
            'db = "x"\ncolour = "red"\n',
            "compengine.toml:2: colour: unknown setting (known: db, plans, user)",
        ),
        ("# settings\nplans = 3\n", "compengine.toml:2: plans: must be a string, not a number"),
        (
            'user = "a"\n\n[plans]\nfolder = "p"\n',
            "compengine.toml:3: plans: must be a string, not a table",
        ),
        ('"user" = ""\n', "compengine.toml:1: user: must not be empty"),
        (
            'user = "ops\\u001b[2J"\n',
            "compengine.toml:1: user: must be 1-200 characters without control characters",
        ),
        ('db = "foo"\n', "compengine.toml:1: db: 'foo' is not a database URL"),
    ],
)
def test_a_bad_settings_file_is_a_located_error(cli_here, tmp_path, text, message):
    write(tmp_path / "compengine.toml", text)
    result = cli_here("status")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(message), result.err
    assert not (tmp_path / "compengine.db").exists()


def test_every_problem_of_the_file_is_reported_at_once(cli_here, tmp_path):
    write(tmp_path / "compengine.toml", 'plans = 3\nuser = true\nwho = "x"\n')
    result = cli_here("status")
    assert result.code == 1
    assert result.err.splitlines() == [
        "compengine.toml:1: plans: must be a string, not a number",
        "compengine.toml:2: user: must be a string, not a boolean",
        "compengine.toml:3: who: unknown setting (known: db, plans, user)",
    ]


def test_a_settings_file_that_is_not_utf8(cli_here, tmp_path):
    (tmp_path / "compengine.toml").write_bytes(b'user = "\xff"\n')
    result = cli_here("runs")
    assert result.code == 1
    assert result.err == "compengine.toml: is not UTF-8 text\n"


def test_a_missing_config_file_is_an_error(cli_here, tmp_path):
    result = cli_here("--config", tmp_path / "nope.toml", "status")
    assert result.code == 1
    assert result.err == f"--config: {tmp_path / 'nope.toml'}: no such file\n"


def test_a_user_with_control_characters_is_refused(cli_here):
    result = cli_here("--user", "eve\x1b]0;pwned\x07", "status")
    assert result.code == 1
    assert result.err == "--user: must be 1-200 characters without control characters\n"
