"""A worker's world for one end-to-end test, and what every such test checks at the end.

The worker runs as ``python -m worker`` in its own process (:meth:`Workspace.cli`,
:meth:`Workspace.spawn`) on its own database, secrets, artifacts and journal, against a stand-in
portal served from the test process; :func:`assert_exactly_once` reads the database and the
portal's ledger afterwards to prove nothing was lost, sent twice, or noted twice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.records import SubmissionStatus
from connectors.oracle.store import Store
from sandbox.book import SUPPLIER_NAME, demo_book
from sandbox.server import RunningSandbox

REPO = Path(__file__).resolve().parents[2]
CLI_TIMEOUT_S = 600
TODAY = dt.date.today()


#: the ``make_workspace`` fixture: accounts, faults and families in, a seeded workspace out
MakeWorkspace = Callable[..., "Workspace"]


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
        return self._run(args, timeout, env)

    def cli_json(self, *args: str, **env: str) -> dict[str, Any]:
        """Run a command with ``--json``; it must succeed and print one object."""
        return self.cli_json_exiting(0, *args, **env)

    def cli_json_exiting(self, exit_code: int, /, *args: str, **env: str) -> dict[str, Any]:
        """Run a command with ``--json``; it must exit ``exit_code`` and print one object
        (a run that left work undone, or refused an invoice, still reports in JSON)."""
        result = self._run((*args, "--json"), CLI_TIMEOUT_S, env)
        assert result.returncode == exit_code, (result.returncode, result.stderr[-3000:])
        lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
        assert len(lines) == 1, f"expected one JSON line on stdout, got: {result.stdout!r}"
        data: dict[str, Any] = json.loads(lines[0])
        return data

    def _run(
        self, args: tuple[str, ...], timeout: float, env: dict[str, str]
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


def _get_json(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(url, timeout=10) as response:
        data: list[dict[str, Any]] = json.load(response)
    return data


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


def enable_only(store: Store, account_numbers: tuple[str, ...]) -> None:
    """Keep the run small: other customers' portal accounts are disabled (enabled_flag 'N')."""
    import sqlalchemy as sa

    pa = store.md.tables["xx_arw_portal_accounts"]
    acct = store.md.tables["hz_cust_accounts"]
    keep = sa.select(acct.c.cust_account_id).where(acct.c.account_number.in_(account_numbers))
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(pa).where(pa.c.cust_account_id.not_in(keep)).values(enabled_flag=False)
        )


def eligible(accounts: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(all eligible invoice numbers, those the portal must reject) for these accounts."""
    book = demo_book(today=TODAY, with_documents=False)  # the same book, its PDFs not rendered
    numbers = {i.trx_number for i in book.eligible_invoices if i.account_number in accounts}
    return numbers, numbers & set(book.expected_rejections)


def assert_exactly_once(
    store: Store,
    received: list[dict[str, object]],
    accounts: tuple[str, ...],
    *,
    account_notes: int = 0,
) -> None:
    """Every eligible invoice ended where it should, reached the portal once, has one note;
    besides, exactly ``account_notes`` notes on the accounts themselves (pauses, resyncs)."""
    numbers, rejected = eligible(accounts)
    rows = {s.trx_number: s for s in store.submissions()}
    assert set(rows) == numbers, "an eligible invoice was lost (never queued)"
    statuses = Counter(r.status for r in rows.values())
    assert {n for n, r in rows.items() if r.status is SubmissionStatus.REJECTED} == rejected, (
        statuses
    )
    assert {
        n for n, r in rows.items() if r.status is SubmissionStatus.SUBMITTED
    } == numbers - rejected, statuses
    per_invoice = Counter(str(r["invoice_number"]) for r in received)
    duplicates = {n: c for n, c in per_invoice.items() if c > 1}
    assert not duplicates, f"uploaded more than once: {duplicates}"
    assert set(per_invoice) == numbers - rejected
    book = demo_book(today=TODAY, with_documents=False)
    notes: Counter[int] = Counter()
    on_accounts = []
    for account in accounts:
        for note in store.notes_for_account(book.customer(account).cust_account_id):
            schedule = dict(note.contexts).get("IEX_INVOICES")
            if schedule is None:
                on_accounts.append(note.text)
            else:
                notes[schedule] += 1
    assert len(on_accounts) == account_notes, f"account-level notes: {on_accounts}"
    for row in rows.values():
        assert notes[row.payment_schedule_id] == 1, (row.trx_number, notes[row.payment_schedule_id])


def assert_no_duplicates(received: list[dict[str, object]]) -> Counter[str]:
    """No invoice number reached the portal twice; returns the count per number."""
    per_invoice = Counter(str(r["invoice_number"]) for r in received)
    duplicates = {n: c for n, c in per_invoice.items() if c > 1}
    assert not duplicates, f"uploaded more than once: {duplicates}"
    return per_invoice
