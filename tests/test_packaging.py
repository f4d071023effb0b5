"""The wheel holds what an installed compengine needs: every package, the migrations, the
sample data and plans, the license; and no package without code or data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "compengine", "migrations"]


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> set[str]:
    """The file list of a wheel built from a copy of the sources (the build writes build/
    and *.egg-info next to the sources, so not in the working tree)."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            shutil.copy(origin, source / name)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = out.glob("compengine-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_ships_the_migrations_sample_and_license(wheel_files):
    versions = {p.name for p in (REPO / "migrations" / "versions").glob("*.py")}
    assert {f"compengine/migrations/versions/{name}" for name in versions} <= wheel_files
    assert {"compengine/migrations/env.py", "compengine/migrations/script.py.mako"} <= wheel_files
    sample = {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "compengine" / "sample").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert (
        {
            "compengine/sample/usage.csv",
            "compengine/sample/late/usage.csv",
            "compengine/sample/plans/ae-usage.yaml",
        }
        <= sample
        <= wheel_files
    )
    assert any(
        PurePosixPath(f).match("compengine-*.dist-info/licenses/LICENSE") for f in wheel_files
    )


def test_the_wheel_ships_every_package_and_none_empty(wheel_files):
    source_packages = {
        p.parent.relative_to(REPO).as_posix()
        for p in (REPO / "compengine").rglob("__init__.py")
        if "__pycache__" not in p.parts
    } | {"compengine/migrations", "compengine/migrations/versions"}
    shipped = {f.rsplit("/", 1)[0] for f in wheel_files if f.startswith("compengine/")}
    assert source_packages <= shipped
    tops = {f.split("/")[0] for f in wheel_files}
    assert len(tops) == 2 and "compengine" in tops
    assert all(
        top == "compengine" or PurePosixPath(top).match("compengine-*.dist-info") for top in tops
    )
    for package in sorted(source_packages):
        contents = {f for f in wheel_files if f.startswith(package + "/")}
        assert contents - {f"{package}/__init__.py"}, f"{package} ships nothing but __init__.py"
