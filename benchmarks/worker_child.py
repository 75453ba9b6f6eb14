"""The worker as a benchmark runs it: ``arworker submit`` in a directory of its own.

Everything the worker writes (database copy, browser state, evidence, journal) lives in the run's
directory, its settings come from ``ARWORKER_*`` variables only (the shell's are dropped, and the
working directory has no ``.env``), and afterwards the run's queue says what was not submitted.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from pathlib import Path

from bench_book import SUPPLIER_NAME

REPO = Path(__file__).resolve().parents[1]
#: the queue drain of the nightly run, without its status poll of the portal afterwards
SUBMIT_COMMAND = (sys.executable, "-m", "worker", "submit", "--json")


def worker_environment(
    run_dir: Path,
    database: Path,
    secrets_dir: Path,
    *,
    max_pages: int,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """This process's environment without ``ARWORKER_*``, plus the run's own settings."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ARWORKER_")}
    env |= {
        "ARWORKER_DATABASE__URL": f"sqlite:///{database}",
        "ARWORKER_SECRETS_DIR": str(secrets_dir),
        "ARWORKER_BROWSER__MAX_PAGES": str(max_pages),
        "ARWORKER_BROWSER__ARTIFACTS_DIR": str(run_dir / "artifacts"),
        "ARWORKER_BROWSER__STATE_DIR": str(run_dir / "state"),
        "ARWORKER_QUEUE__JOURNAL_PATH": str(run_dir / "journal.jsonl"),
        "ARWORKER_LOGGING__FORMAT": "json",
        "ARWORKER_SUPPLIER__NAME": SUPPLIER_NAME,  # the seller on PDFs it renders
        "PYTHONPATH": str(REPO),
    }
    return env | (extra or {})


def parse_settings(pairs: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` command-line pairs as a mapping."""
    settings = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise SystemExit(f"--worker-setting wants NAME=VALUE, got {pair!r}")
        settings[name] = value
    return settings


def unsubmitted(database: Path) -> list[str]:
    """What the worker recorded for the invoices it did not submit (status, error)."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT trx_number, status, last_error_code, last_error_text "
            "FROM xx_arw_submissions WHERE status <> 'SUBMITTED' ORDER BY submission_id"
        ).fetchall()
    return [
        f"{number} {status} {code}: {(text or '')[:200]}" for number, status, code, text in rows
    ]
