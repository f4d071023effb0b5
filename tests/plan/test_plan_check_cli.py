"""`compengine plan check PATH...`: one line per plan version, or every problem and exit 1.

No database is involved, so these run `main` directly rather than through the
database-parametrized `cli` fixture.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from compengine.cli import main

REPO = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_plans_print_one_line_each_and_exit_0(capsys, monkeypatch, tmp_path):
    shutil.copytree(REPO / "compengine" / "sample" / "plans", tmp_path / "plans")
    shutil.copy(REPO / "tests" / "data" / "worked_example" / "plan.yaml", tmp_path / "fy27.yaml")
    (tmp_path / "fy27.yaml").write_text(
        (tmp_path / "fy27.yaml").read_text(encoding="utf-8").replace("ae-usage", "ae-fy27"),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "plan", "check", "plans/", "fy27.yaml") == (
        0,
        (
            "plans/ae-usage.yaml: ae-usage v1, effective 2027-01.., 3 components\n"
            "plans/csm-sustain.yaml: csm-sustain v1, effective 2027-01.., 1 component\n"
            "fy27.yaml: ae-fy27 v1, effective 2027-01..2027-12, 4 components\n"
        ),
        "",
    )


def test_bad_plans_print_every_problem_to_stderr_and_exit_1(capsys, write_plan):
    broken = write_plan(
        """\
        plan: ae-usage
        version: 1
        effective: {from: 2027-01}
        lifecycle: {window_months: 6}
        components:
          - {id: grow, type: expansion, role: AE, rate: 5e-2}
          - {id: keep, type: sustained_usage, role: CSM}
        """,
        "broken.yaml",
    )
    assert run(capsys, "plan", "check", broken, "missing.yaml") == (
        1,
        "",
        (
            "missing.yaml: no such file or folder\n"
            "broken.yaml:6: components[0].rate: '5e-2' is not a plain decimal number\n"
            "broken.yaml:7: components[1].rate: is required\n"
        ),
    )
