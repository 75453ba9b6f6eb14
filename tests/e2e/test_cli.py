"""The CLI contract for people and scripts: help, exit codes, config errors, db commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def arworker(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ARWORKER_")}
    return subprocess.run(
        [sys.executable, "-m", "worker", *args],
        cwd=tmp_path,
        env=base | {"PYTHONPATH": str(REPO)} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_imports_neither_playwright_nor_sqlalchemy(tmp_path: Path) -> None:
    """``arworker --help`` answers without loading the heavy libraries."""
    probe = (
        "import sys, contextlib, io\n"
        "from worker import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    cli.main(['--help'])\n"
        "print(sorted(m for m in ('playwright', 'sqlalchemy', 'oracledb') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_help_lists_every_command(tmp_path: Path) -> None:
    """The help names each command a user needs."""
    result = arworker(tmp_path, "--help")
    assert result.returncode == 0
    for command in (
        "demo",
        "nightly",
        "submit",
        "resync",
        "status",
        "run",
        "config",
        "db",
        "sandbox",
    ):
        assert command in result.stdout


def test_bad_configuration_exits_2_naming_key_and_fix(tmp_path: Path) -> None:
    """A bad value stops the command with exit 2, the key, the problem and an example."""
    result = arworker(tmp_path, "nightly", "--json", ARWORKER_QUEUE__MAX_ATTEMPTS="lots")
    assert result.returncode == 2
    assert "queue.max_attempts (ARWORKER_QUEUE__MAX_ATTEMPTS)" in result.stderr
    assert "for example queue.max_attempts = 5" in result.stderr
    assert result.stdout == ""


def test_config_check_masks_secrets(tmp_path: Path) -> None:
    """``config check --json`` prints the effective configuration with the password masked."""
    result = arworker(
        tmp_path,
        "config",
        "check",
        "--json",
        ARWORKER_DATABASE__PASSWORD="hunter2-secret",
        ARWORKER_SUPPLIER__NAME="Northwind Supply Co.",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["database"]["password"] == "********"
    assert "hunter2-secret" not in result.stdout


def test_db_init_seed_and_ddl(tmp_path: Path) -> None:
    """``db init`` creates the tables, ``db seed`` loads the demo book once, ``db ddl`` prints
    the Oracle DDL with the worker's tables."""
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert arworker(tmp_path, "db", "init", ARWORKER_DATABASE__URL=db).returncode == 0
    seeded = arworker(tmp_path, "db", "seed", ARWORKER_DATABASE__URL=db)
    assert seeded.returncode == 0, seeded.stderr
    assert "open invoices to submit" in seeded.stdout
    assert (tmp_path / "var" / "secrets" / "SANDBOX_COUPA_PASSWORD").exists()
    again = arworker(tmp_path, "db", "seed", ARWORKER_DATABASE__URL=db)
    assert "not seeded again" in again.stdout
    ddl = arworker(tmp_path, "db", "ddl", "--dialect", "oracle")
    assert ddl.returncode == 0
    assert (
        "CREATE TABLE xx_arw_submissions" in ddl.stdout
        or "XX_ARW_SUBMISSIONS" in ddl.stdout.upper()
    )
    assert "FOR UPDATE" not in ddl.stdout


def test_unknown_account_resync_exits_2(tmp_path: Path) -> None:
    """Resync of an account that does not exist is a usage error, not a crash."""
    db = f"sqlite:///{tmp_path / 'x.db'}"
    arworker(tmp_path, "db", "init", ARWORKER_DATABASE__URL=db)
    result = arworker(tmp_path, "resync", "--queue", "NOPE", ARWORKER_DATABASE__URL=db)
    assert result.returncode == 2
    assert "NOPE" in result.stderr


def test_config_check_refuses_a_broken_recipe(tmp_path: Path) -> None:
    """A portal recipe with a mistake fails ``config check`` with its file, line and key."""
    recipes = tmp_path / "portals"
    recipes.mkdir()
    shipped = (REPO / "config" / "portals" / "upload.toml").read_text()
    (recipes / "acme.toml").write_text(shipped.replace("{invoice.number}", "{invoice.nubmer}", 1))
    result = arworker(tmp_path, "config", "check", ARWORKER_PORTALS_DIR=str(recipes))
    assert result.returncode == 2
    assert "acme.toml, line" in result.stderr
    assert "unknown invoice field 'nubmer'" in result.stderr
