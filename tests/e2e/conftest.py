"""End-to-end fixtures: the CLI as a subprocess, on a fresh SQLite file, against stand-in portals.

The stand-in portal runs in this test process (a background thread); the worker runs as
``python -m worker`` in its own process, exactly as a user or a scheduler would run it, so a test
can kill it, restart it, and read the database and the portal afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from sandbox.book import SUPPLIER_NAME
from sandbox.faults import Faults
from sandbox.seeder import portal_catalog, seed_demo_book
from sandbox.server import RunningSandbox, start_sandbox

REPO = Path(__file__).resolve().parents[2]
CLI_TIMEOUT_S = 600
TODAY = dt.date.today()


@dataclass
class Workspace:
    """A worker's world for one test: its database, secrets, artifacts, and the portal."""

    root: Path
    db_url: str
    sandbox: RunningSandbox
    env: dict[str, str]
    spawned: int = 0

    def store(self) -> Store:
        return Store(create_engine(DatabaseSettings(url=self.db_url)), org_ids=[204])

    def cli(
        self, *args: str, timeout: float = CLI_TIMEOUT_S, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "worker", *args],
            cwd=self.root,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def cli_json(self, *args: str, **env: str) -> dict[str, Any]:
        result = self.cli(*args, "--json", **env)
        assert result.returncode == 0, result.stderr[-3000:]
        lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
        assert len(lines) == 1, f"expected one JSON line on stdout, got: {result.stdout!r}"
        data: dict[str, Any] = json.loads(lines[0])
        return data

    def spawn(self, *args: str, **env: str) -> subprocess.Popen[str]:
        """Start the worker in the background; its output goes to ``logs/`` (never a full pipe)."""
        self.spawned += 1
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        out_path = logs / f"worker-{self.spawned}.out"
        err_path = logs / f"worker-{self.spawned}.err"
        with out_path.open("w") as out, err_path.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "worker", *args],
                cwd=self.root,
                env=self.env | env,
                stdout=out,
                stderr=err,
                text=True,
            )
        proc.err_path = err_path  # type: ignore[attr-defined]
        return proc

    @staticmethod
    def stderr_of(proc: subprocess.Popen[str]) -> str:
        """The tail of a spawned worker's log, for assertion messages."""
        path: Path = proc.err_path  # type: ignore[attr-defined]
        return path.read_text()[-4000:] if path.exists() else ""

    def received(self) -> list[dict[str, Any]]:
        return _get_json(f"{self.sandbox.url}/__sandbox/received")

    def logins(self) -> list[dict[str, Any]]:
        return _get_json(f"{self.sandbox.url}/__sandbox/logins")

    def set_faults(self, **faults: Any) -> None:
        request = urllib.request.Request(
            f"{self.sandbox.url}/__sandbox/faults",
            data=json.dumps(faults).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def base_env(root: Path, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARWORKER_")}
    env |= {
        "PYTHONPATH": str(REPO),
        "ARWORKER_DATABASE__URL": db_url,
        "ARWORKER_SECRETS_DIR": str(root / "secrets"),
        "ARWORKER_BROWSER__ARTIFACTS_DIR": str(root / "artifacts"),
        "ARWORKER_BROWSER__STATE_DIR": str(root / "state"),
        "ARWORKER_QUEUE__JOURNAL_PATH": str(root / "journal.jsonl"),
        "ARWORKER_QUEUE__BACKOFF_BASE_S": "0.5",
        "ARWORKER_QUEUE__BACKOFF_MAX_S": "2",
        "ARWORKER_LOGGING__FORMAT": "json",
        "ARWORKER_SUPPLIER__NAME": SUPPLIER_NAME,
    }
    return env


#: two customers: 33 open invoices, with a closed PO, an exhausted PO and a missing PO among them
DEFAULT_ACCOUNTS = ("1001", "1002")


def _enable_only(store: Store, account_numbers: tuple[str, ...]) -> None:
    """Keep the run small: other customers' portal accounts are disabled (enabled_flag 'N')."""
    import sqlalchemy as sa

    pa = store.md.tables["xx_arw_portal_accounts"]
    acct = store.md.tables["hz_cust_accounts"]
    keep = sa.select(acct.c.cust_account_id).where(acct.c.account_number.in_(account_numbers))
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(pa).where(pa.c.cust_account_id.not_in(keep)).values(enabled_flag=False)
        )


@pytest.fixture
def make_workspace(tmp_path: Path) -> Iterator[Callable[..., Workspace]]:
    """Build a seeded SQLite database whose portal accounts point at a fresh stand-in portal."""
    sandboxes: list[RunningSandbox] = []

    def make(
        accounts: tuple[str, ...] | None = DEFAULT_ACCOUNTS,
        faults: Faults | None = None,
        families: tuple[str, ...] = ("coupa",),
    ) -> Workspace:
        catalog = portal_catalog(today=TODAY, families=families)
        sandbox = start_sandbox(catalog, faults=faults or Faults())
        sandboxes.append(sandbox)
        db_url = f"sqlite:///{tmp_path / 'arworker.db'}"
        store = Store(create_engine(DatabaseSettings(url=db_url)), org_ids=[204])
        store.create_schema(include_ebs_stand_ins=True)
        seed_demo_book(
            store.engine,
            portal_base_url=sandbox.url,
            today=TODAY,
            secrets_dir=tmp_path / "secrets",
            families=families,
        )
        if accounts is not None:
            _enable_only(store, accounts)
        store.engine.dispose()
        return Workspace(
            root=tmp_path, db_url=db_url, sandbox=sandbox, env=base_env(tmp_path, db_url)
        )

    yield make
    for sandbox in sandboxes:
        sandbox.stop()


@pytest.fixture
def workspace(make_workspace: Callable[..., Workspace]) -> Workspace:
    """The default world: two enrolled customers on a fault-free Coupa stand-in."""
    return make_workspace()
