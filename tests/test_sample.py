"""`compengine sample DIR`: the demo from an installed compengine, without the repository."""

from __future__ import annotations

from pathlib import Path


def test_the_sample_copies_data_and_plans_that_load_and_run(cli, tmp_path):
    copied = cli("sample", "demo")
    assert copied.code == 0, copied.err
    demo = tmp_path / "demo"
    assert sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*") if p.is_file()) == [
        "accounts.csv",
        "assignments.csv",
        "contracts.csv",
        "late/usage.csv",
        "payees.csv",
        "plans/ae-usage.yaml",
        "plans/csm-sustain.yaml",
        "usage.csv",
    ]
    assert cli("init").code == 0
    assert cli("load", demo).code == 0
    run = cli("run", "--period", "2027-01", "--plans", demo / "plans")
    assert run.code == 0, run.err
    # 6 lines (1,953.40) of the accounts signed in 2027, 8 (1,283.66) of those won in 2026
    # whose ramp windows ended before the plans' year: sustained usage and expansion only
    assert "14 payout lines, total 3,237.06" in run.out
    assert cli("load", demo / "late").code == 0


def test_the_sample_goes_only_into_a_new_or_empty_folder(cli, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    result = cli("sample", Path("taken"))
    assert result.code == 1 and "taken: exists and is not an empty folder" in result.err
    assert "Traceback" not in result.err
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
    (tmp_path / "empty").mkdir()
    assert cli("sample", "empty").code == 0
