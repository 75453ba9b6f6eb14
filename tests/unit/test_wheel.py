"""The wheel built from pyproject.toml ships the product and nothing of its scaffolding."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel: not in the quick tier

REPO = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 300
#: top-level packages that make the product (sandbox: the demo's stand-in portals)
SHIPPED = {"config", "connectors", "jobs", "worker", "sandbox"}
#: what never ships: tests, development tools, benchmarks
NEVER = ("tests/", "tools/", "benchmarks/", "connectors/oracle/dialect_rules", "sql_script")


def _source_tree(into: Path) -> Path:
    """A copy of the files git tracks (or the working tree, outside git), to build from."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=False, timeout=60
    )
    names = [n for n in listed.stdout.decode().split("\0") if n] if listed.returncode == 0 else []
    if not names:  # not a git checkout: everything but the local clutter
        ignore = shutil.ignore_patterns(".venv", ".git", "var", "*.egg-info", "build", "dist")
        shutil.copytree(REPO, into, ignore=ignore)
        return into
    for name in names:
        source = REPO / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The file names inside the wheel pyproject.toml builds."""
    root = tmp_path_factory.mktemp("wheel")
    source = _source_tree(root / "src")
    out = root / "dist"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    built = subprocess.run(
        [*pip_wheel, "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT_S,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = out.glob("arworker-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_wheel_ships_the_product(wheel_files: list[str]) -> None:
    """Every product package, the DBA scripts and the shipped recipe are in the wheel."""
    tops = {name.split("/", 1)[0] for name in wheel_files if "/" in name}
    assert SHIPPED <= tops, tops
    assert "connectors/oracle/ddl/install.sql" in wheel_files
    assert "config/portals/upload.toml" in wheel_files
    assert "worker/cli.py" in wheel_files and "sandbox/server.py" in wheel_files
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel_files)


def test_wheel_ships_no_scaffolding(wheel_files: list[str]) -> None:
    """No test, test tooling, development tool or benchmark is in the wheel."""
    tops = {name.split("/", 1)[0] for name in wheel_files if "/" in name}
    extra = tops - SHIPPED - {n for n in tops if n.endswith(".dist-info")}
    assert extra == set(), f"unexpected top-level folders in the wheel: {extra}"
    shipped_scaffolding = [n for n in wheel_files if any(part in n for part in NEVER)]
    assert shipped_scaffolding == []
    assert not [n for n in wheel_files if n.startswith("sandbox/") and "test" in n.lower()]
