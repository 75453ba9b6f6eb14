"""Unattended operation under real faults: kill -9, fleets, ambiguous pages, outages, SIGTERM.

Each test runs the worker as separate processes (``python -m worker``) against the stand-in
portal with fault injection, then reads the database and the portal's ledger to prove the two
promises: nothing reaches a portal twice, nothing is lost, and each outcome has one note.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.records import Submission, SubmissionStatus
from connectors.oracle.store import Store
from sandbox.book import demo_book
from sandbox.faults import Faults
from sandbox.seeder import portal_catalog, seed_demo_book
from sandbox.server import start_sandbox
from tests.support.workspace import (
    DEFAULT_ACCOUNTS,
    TODAY,
    MakeWorkspace,
    Workspace,
    assert_exactly_once,
    base_env,
    enable_only,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

CRASH_ACCOUNTS = ("1001", "1002", "1003", "1004")  # 72 open invoices
FAST_RETRIES = {
    "ARWORKER_QUEUE__BACKOFF_BASE_S": "0.2",
    "ARWORKER_QUEUE__BACKOFF_MAX_S": "1",
    "ARWORKER_QUEUE__MAX_ATTEMPTS": "12",
    "ARWORKER_QUEUE__LEASE_DURATION_S": "30",
}
RUN_TIMEOUT_S = 600


def test_crash_kill9_many_times_exactly_once(make_workspace: MakeWorkspace) -> None:
    """Killed with SIGKILL at random points five times and restarted, the worker still submits
    every eligible invoice exactly once, loses none, and writes one note per outcome."""
    ws: Workspace = make_workspace(
        accounts=CRASH_ACCOUNTS,
        faults=Faults(error_rate=0.05, confirm_fail_rate=0.1, latency_ms=30, seed=11),
    )
    rng = random.Random(2026)
    kills = 0
    for _round in range(30):
        proc = ws.spawn("run", "--nightly-now", "--exit-when-drained", **FAST_RETRIES)
        if kills < 5:
            try:
                proc.wait(timeout=rng.uniform(3.0, 9.0))
            except subprocess.TimeoutExpired:
                children = psutil.Process(proc.pid).children(recursive=True)
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                kills += 1
                _, alive = psutil.wait_procs(children, timeout=20)
                alive = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
                assert not alive, f"a killed worker left processes behind: {alive}"
                continue
        else:
            proc.wait(timeout=RUN_TIMEOUT_S)
            assert proc.returncode == 0, ws.stderr_of(proc)
        store = ws.store()
        try:
            open_items = [s for s in store.submissions() if not s.status.is_terminal]
        finally:
            store.engine.dispose()
        if kills >= 5 and not open_items:
            break
        if open_items:
            time.sleep(1.0)  # let backoff of retried items elapse
    assert kills >= 5
    store = ws.store()
    try:
        assert_exactly_once(store, ws.received(), CRASH_ACCOUNTS)
        takeovers = [
            e
            for s in store.submissions()
            for e in store.events(s.submission_id)
            if e["event_type"] == "LEASE_EXPIRED"
        ]
        assert takeovers, "no kill landed mid-upload: the crash path was not exercised"
    finally:
        store.engine.dispose()


def test_ambiguous_confirmations_never_duplicate(make_workspace: MakeWorkspace) -> None:
    """With 20% of confirmation pages failing after the portal stored the invoice, every
    invoice still reaches the portal exactly once."""
    ws: Workspace = make_workspace(faults=Faults(confirm_fail_rate=0.2, seed=5))
    for _ in range(5):
        summary = ws.cli_json("nightly", **FAST_RETRIES)
        if summary["retry_scheduled"] == 0:
            break
        time.sleep(1.2)
    store = ws.store()
    try:
        assert_exactly_once(store, ws.received(), DEFAULT_ACCOUNTS)
        ambiguous = [
            e
            for s in store.submissions(statuses=[SubmissionStatus.SUBMITTED])
            for e in store.events(s.submission_id)
            if e["event_type"] == "SUBMITTED" and "found on the portal" in (e["detail"] or "")
        ]
        assert ambiguous, "the fault injection produced no ambiguous confirmation to settle"
    finally:
        store.engine.dispose()


def test_wrong_password_never_locks_the_account(workspace: Workspace) -> None:
    """Three runs with the same wrong password make one attempt in all: the refused login stays
    paused across runs until its secret changes, so the portal's lock-out after 3 failures in
    a row is never reached."""
    for _ in range(3):
        summary = workspace.cli_json("nightly", ARWORKER_SECRET_SANDBOX_COUPA_PASSWORD="wrong")
        assert summary["status"] == "DEGRADED", summary
    attempts = workspace.logins()
    assert len(attempts) == 1
    assert all(not a["ok"] and a["reason"] != "locked" for a in attempts)


def test_database_outage_outcome_survives_kill(
    make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    """An outcome that arrives while the database is unreachable goes to the journal, survives
    a kill -9, and is recorded exactly once after restart. The database goes away once the
    worker proved its lease before the submit click (without the database, it would not click)."""
    ws: Workspace = make_workspace(accounts=("1001",), faults=Faults(latency_ms=700, seed=3))
    book = demo_book(today=TODAY)
    target = next(
        i.trx_number
        for i in book.eligible_invoices
        if i.account_number == "1001" and i.trx_number not in book.expected_rejections
    )
    env = {"ARWORKER_DATABASE__CALL_TIMEOUT_MS": "1000", **FAST_RETRIES}
    store = ws.store()
    proc = ws.spawn("submit", target, **env)
    db_path = ws.db_url.removeprefix("sqlite:///")
    journal = Path(ws.env["ARWORKER_QUEUE__JOURNAL_PATH"])
    blocker = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = store.submissions(trx_numbers=[target])
            if rows and rows[0].submit_started_at is not None:
                break
            assert proc.poll() is None, ws.stderr_of(proc)
            time.sleep(0.1)
        # the database "goes away": another process holds its write lock
        blocker = sqlite3.connect(db_path, timeout=20, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (journal.exists() and journal.stat().st_size):
            time.sleep(0.1)
        assert journal.exists() and journal.stat().st_size, "no outcome was journalled"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if blocker is not None:
            blocker.execute("ROLLBACK")
            blocker.close()
        if proc.poll() is None:
            proc.kill()
    assert Counter(r["invoice_number"] for r in ws.received())[target] == 1
    again = ws.cli_json("submit", **env)
    assert again["submitted"] == 0
    (row,) = store.submissions(trx_numbers=[target])
    assert row.status is SubmissionStatus.SUBMITTED
    submitted_events = [
        e for e in store.events(row.submission_id) if e["event_type"] == "SUBMITTED"
    ]
    assert len(submitted_events) == 1
    notes = [
        n
        for n in store.notes_for_account(book.customer("1001").cust_account_id)
        if dict(n.contexts).get("IEX_INVOICES") == row.payment_schedule_id
    ]
    assert len(notes) == 1
    assert not journal.exists() or journal.stat().st_size == 0
    assert Counter(r["invoice_number"] for r in ws.received())[target] == 1
    store.engine.dispose()


def test_sigterm_mid_run_exits_cleanly(make_workspace: MakeWorkspace) -> None:
    """SIGTERM during a run: exit 0 within the grace period, no IN_PROGRESS item left with a
    live lease."""
    ws: Workspace = make_workspace(faults=Faults(latency_ms=150, seed=9))
    grace_s = 60  # well above an upload's time on a loaded machine: the drain must end by itself
    proc = ws.spawn("run", "--nightly-now", ARWORKER_QUEUE__SHUTDOWN_GRACE_S=str(grace_s))
    store = ws.store()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = sum(s.status is SubmissionStatus.SUBMITTED for s in store.submissions())
            if done >= 3:
                break
            assert proc.poll() is None, ws.stderr_of(proc)
            time.sleep(0.2)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=grace_s + 30)
        assert proc.returncode == 0, ws.stderr_of(proc)
        assert time.monotonic() - sent < grace_s + 15
        log = proc.err_path.read_text()  # type: ignore[attr-defined]
        assert '"event": "schedule.next"' in log and '"job": "nightly"' in log
        now = dt.datetime.now(dt.UTC)
        live = [
            s
            for s in store.submissions(statuses=[SubmissionStatus.IN_PROGRESS])
            if s.lease_expires_at is not None and s.lease_expires_at > now
        ]
        assert not live, _explain_live(store, live, log)
        # the nightly job wound down by itself within the grace period, nothing cancelled it
        assert '"event": "nightly.finished"' in log, log[-3000:]
        assert "Traceback" not in log and '"event": "job.cancelled"' not in log, log[-3000:]
        remaining = [s for s in store.submissions() if s.status is SubmissionStatus.PENDING]
        assert remaining, "the run finished before SIGTERM: nothing was left to hand back"
    finally:
        store.engine.dispose()
        if proc.poll() is None:
            proc.kill()


def _explain_live(store: Store, live: list[Submission], log: str) -> str:
    """What happened to items left IN_PROGRESS: their events and the worker's lines about them."""
    parts = []
    for s in live:
        sid = s.submission_id
        events = [(e["event_type"], e["to_status"], e["detail"]) for e in store.events(sid)]
        lines = [line for line in log.splitlines() if f'"submission_id": {sid}' in line]
        parts.append(f"submission {sid}: events {events}; log: {lines}")
    tail = "\n".join(log.splitlines()[-40:])
    return "left IN_PROGRESS with a live lease: " + "; ".join(parts) + f"\nlog tail:\n{tail}"


@pytest.fixture
def pg_workspace(pg_schema_url: str, tmp_path: Path) -> Iterator[Workspace]:
    """The default two-customer world on PostgreSQL (a schema of its own, dropped after)."""
    catalog = portal_catalog(today=TODAY)
    with start_sandbox(catalog, faults=Faults(latency_ms=20)) as sandbox:
        store = Store(create_engine(DatabaseSettings(url=pg_schema_url)), org_ids=[204])
        store.drop_schema()
        store.create_schema(include_ebs_stand_ins=True)
        seed_demo_book(
            store.engine, portal_base_url=sandbox.url, today=TODAY, secrets_dir=tmp_path / "secrets"
        )
        enable_only(store, DEFAULT_ACCOUNTS)
        store.engine.dispose()
        yield Workspace(
            root=tmp_path,
            db_url=pg_schema_url,
            sandbox=sandbox,
            env=base_env(tmp_path, pg_schema_url),
        )


@pytest.mark.external_service
def test_fleet_of_three_workers_on_postgresql(pg_workspace: Workspace) -> None:
    """Three workers on one PostgreSQL queue: the nightly enqueue runs once, no invoice is
    claimed or uploaded twice, and all are done."""
    ws = pg_workspace
    procs = [ws.spawn("run", "--nightly-now", "--exit-when-drained") for _ in range(3)]
    for proc in procs:
        proc.wait(timeout=RUN_TIMEOUT_S)
        assert proc.returncode == 0, ws.stderr_of(proc)
    store = ws.store()
    try:
        assert_exactly_once(store, ws.received(), DEFAULT_ACCOUNTS)
        runs = store.job_runs("nightly")
        assert len(runs) == 1, "the nightly enqueue ran more than once for one slot"
        claimed_by: Counter[int] = Counter()
        owners: set[str] = set()
        for s in store.submissions():
            events = store.events(s.submission_id)
            claims = [e for e in events if e["event_type"] == "CLAIMED"]
            claimed_by[s.submission_id] = len(claims)
            owners.update(e["detail"].split(" by ", 1)[1] for e in claims)
            assert [e["run_id"] for e in events if e["event_type"] == "ENQUEUED"] == [
                runs[0]["run_id"]
            ]
        assert max(claimed_by.values()) == 1, "an invoice was claimed twice"
        assert len(owners) >= 2, "only one worker did any work"
    finally:
        store.engine.dispose()


def test_resync_request_picked_up_by_running_worker(workspace: Workspace) -> None:
    """A queued resync request (``arworker resync --queue``) is run once by the daemon within
    the poll interval and marked DONE with its summary."""
    proc = workspace.spawn("run", ARWORKER_SCHEDULER__RESYNC_POLL_INTERVAL_S="1")
    store = workspace.store()
    try:
        queued = workspace.cli_json("resync", "--queue", "1002")
        assert queued["queued"] is True
        deadline = time.monotonic() + 120
        request: dict[str, object] = {}
        while time.monotonic() < deadline:
            (request,) = store.resync_requests()
            if request["status"] in ("DONE", "FAILED"):
                break
            assert proc.poll() is None, workspace.stderr_of(proc)
            time.sleep(0.5)
        assert request["status"] == "DONE", request
        assert "submitted" in str(request["result_text"])
        book = demo_book(today=TODAY)
        account = book.customer("1002")
        done = store.submissions(cust_account_id=account.cust_account_id)
        assert done and all(s.status.is_terminal for s in done)
        notes = store.notes_for_account(account.cust_account_id)
        assert sum("resync of account 1002" in n.text for n in notes) == 1
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        assert proc.returncode == 0, workspace.stderr_of(proc)
    finally:
        store.engine.dispose()
        if proc.poll() is None:
            proc.kill()
