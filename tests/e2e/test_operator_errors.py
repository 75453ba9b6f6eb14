"""Operator mistakes end in one clear message and exit status 2, never in a traceback: unknown
setting names, unreadable values, a database never set up, a broken recipe, no supplier."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.e2e.test_cli import REPO, arworker

pytestmark = pytest.mark.e2e

SUPPLIER = {"ARWORKER_SUPPLIER__NAME": "Northwind Supply Co."}
#: every command that reads the worker's tables, with its arguments
DATABASE_COMMANDS = (
    ("nightly",),
    ("submit", "10001"),
    ("resync", "1001"),
    ("resync", "--queue", "1001"),
    ("status",),
    ("run", "--exit-when-drained"),
)


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'arworker.db'}"


def _fake_chromium(tmp_path: Path) -> tuple[Path, Path]:
    """An "executable" that leaves a mark when launched: proof of whether a browser started."""
    marker = tmp_path / "chromium-was-launched"
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, marker


def _broken_recipes(tmp_path: Path) -> Path:
    recipes = tmp_path / "portals"
    recipes.mkdir()
    shipped = (REPO / "config" / "portals" / "upload.toml").read_text()
    (recipes / "acme.toml").write_text(shipped.replace("{invoice.number}", "{invoice.nubmer}", 1))
    return recipes


def test_config_check_reports_every_problem_with_key_and_fix(tmp_path: Path) -> None:
    """A misspelt variable, a cron the scheduler cannot use and a missing recipes folder: all
    three at once, each naming its key and what to do, exit 2."""
    result = arworker(
        tmp_path,
        "config",
        "check",
        ARWORKER_QUEUE__LEASE_DURATIN_S="600",
        ARWORKER_SCHEDULER__NIGHTLY_CRON="0 1 * * 1-5",
        ARWORKER_PORTALS_DIR=str(tmp_path / "no-such-folder"),
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "configuration has 3 problem(s)" in result.stderr
    assert "did you mean ARWORKER_QUEUE__LEASE_DURATION_S?" in result.stderr
    assert "scheduler.nightly_cron (ARWORKER_SCHEDULER__NIGHTLY_CRON)" in result.stderr
    assert "write weekdays as names" in result.stderr
    assert "ARWORKER_PORTALS_DIR" in result.stderr and "not a folder" in result.stderr


def test_config_check_shows_the_supplier_and_passes(tmp_path: Path) -> None:
    """A complete configuration prints the supplier it will print on PDFs, and exits 0."""
    result = arworker(
        tmp_path,
        "config",
        "check",
        **SUPPLIER,
        ARWORKER_SUPPLIER__TAX_ID="EIN 12-3456789",
        ARWORKER_SUPPLIER__ADDRESS='["1200 Harbor Way", "Oakland, CA 94607"]',
    )
    assert result.returncode == 0, result.stderr
    assert "supplier.name = 'Northwind Supply Co.'" in result.stdout
    assert "supplier.tax_id = 'EIN 12-3456789'" in result.stdout
    assert "supplier.address = ['1200 Harbor Way', 'Oakland, CA 94607']" in result.stdout
    assert result.stdout.rstrip().endswith("configuration OK")


def test_config_check_json_lists_problems(tmp_path: Path) -> None:
    """With --json, one object: the configuration, ``ok`` and the problems."""
    result = arworker(tmp_path, "config", "check", "--json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["supplier"]["name"] is None
    assert [p for p in data["problems"] if p.startswith("supplier.name")]


def test_bad_json_value_names_the_variable_and_an_example(tmp_path: Path) -> None:
    """ARWORKER_DATABASE__ORG_IDS='204,' stops the command naming the variable and a fix."""
    result = arworker(tmp_path, "nightly", "--json", ARWORKER_DATABASE__ORG_IDS="204,", **SUPPLIER)
    assert result.returncode == 2
    assert "ARWORKER_DATABASE__ORG_IDS (environment): '204,' is not valid JSON" in result.stderr
    assert "for example ARWORKER_DATABASE__ORG_IDS='[204, 458]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "command", (*DATABASE_COMMANDS, ("demo", "--customers", "1")), ids=" ".join
)
def test_unready_database_and_broken_recipe_stop_before_chromium(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """On a database never set up and with a broken recipe, each command reports both problems
    at once ("run `arworker db init`"; the recipe's file, line and key) and exits 2 before any
    browser is launched. The demo creates its own database, so it reports the recipe only."""
    chromium, marker = _fake_chromium(tmp_path)
    result = arworker(
        tmp_path,
        *command,
        ARWORKER_DATABASE__URL=_db(tmp_path),
        ARWORKER_PORTALS_DIR=str(_broken_recipes(tmp_path)),
        ARWORKER_BROWSER__EXECUTABLE_PATH=str(chromium),
        **SUPPLIER,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not marker.exists(), "Chromium was launched before the start-up checks"
    assert "acme.toml, line" in result.stderr
    assert "unknown invoice field 'nubmer'" in result.stderr
    if command[0] != "demo":
        assert "the worker's tables are missing (XX_ARW_PORTAL_ACCOUNTS, XX_ARW_SUBMISSIONS" in (
            result.stderr
        )
        assert "run `arworker db init`" in result.stderr


def test_uploading_command_without_supplier_stops_before_chromium(tmp_path: Path) -> None:
    """nightly without supplier.name refuses to start rather than render a placeholder seller."""
    db = _db(tmp_path)
    assert arworker(tmp_path, "db", "init", ARWORKER_DATABASE__URL=db).returncode == 0
    chromium, marker = _fake_chromium(tmp_path)
    result = arworker(
        tmp_path,
        "nightly",
        ARWORKER_DATABASE__URL=db,
        ARWORKER_BROWSER__EXECUTABLE_PATH=str(chromium),
    )
    assert result.returncode == 2
    assert "supplier.name (ARWORKER_SUPPLIER__NAME): not set" in result.stderr
    assert not marker.exists()
