"""The promises across runs, polls, workers and clocks (issue 12), with real processes.

Each test runs the worker as ``python -m worker`` against the stand-in portals and reads the
database and the portal's ledger afterwards: a refused login is tried once by a daemon that
polls every few seconds; a worker that lost its lease never clicks submit; an unclear last
attempt is settled by a lookup, never re-uploaded blind; a portal that is down trips a breaker
instead of being hammered; an invoice EBS cannot bill correctly is never uploaded.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from connectors.oracle.records import SubmissionStatus
from sandbox.book import demo_book, password_ref
from sandbox.faults import Faults
from sandbox.seeder import portal_catalog
from sandbox.server import start_sandbox
from tests.support.workspace import TODAY, Workspace, assert_exactly_once, assert_no_duplicates

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

WAIT_S = 240
ONE = ("1001",)


def _wait_for(what: str, check: Callable[[], bool], *, timeout_s: float = WAIT_S) -> None:
    """Poll ``check`` (a database or ledger read) until it holds; fail naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def _log_events(path: Path, event: str) -> list[dict[str, object]]:
    lines = path.read_text().splitlines() if path.exists() else []
    found = []
    for line in lines:
        if f'"{event}"' in line:
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
    return found


def _eligible(account: str) -> tuple[list[str], set[str]]:
    """Eligible invoice numbers of ``account`` and those the portal must refuse."""
    book = demo_book(today=TODAY)
    numbers = [i.trx_number for i in book.eligible_invoices if i.account_number == account]
    return numbers, set(numbers) & set(book.expected_rejections)


def test_daemon_tries_a_refused_login_once_until_its_secret_changes(
    make_workspace: Callable[..., Workspace],
) -> None:
    """A daemon polling the queue every 5 s for a minute with a wrong password makes exactly
    one login attempt and writes one note; the account is never locked; once the secret file
    holds the right password, the next poll logs in and submits."""
    ws = make_workspace(accounts=ONE)
    secret = ws.root / "secrets" / password_ref("coupa")
    right = secret.read_text()
    secret.write_text("not-the-password")
    proc = ws.spawn(
        "run",
        "--nightly-now",
        "--log-level",
        "DEBUG",
        ARWORKER_SCHEDULER__QUEUE_POLL_INTERVAL_S="5",
        ARWORKER_SCHEDULER__STATUS_POLL_INTERVAL_S="10",
        ARWORKER_SCHEDULER__RESYNC_POLL_INTERVAL_S="2",
    )
    err: Path = proc.err_path  # type: ignore[attr-defined]
    store = ws.store()
    try:
        started = time.monotonic()

        def minute_of_polls() -> bool:
            assert proc.poll() is None, ws.stderr_of(proc)
            polls = [e for e in _log_events(err, "job.started") if e.get("job") == "queue_poll"]
            return len(polls) >= 12 and time.monotonic() - started >= 60

        _wait_for("a minute of queue polls", minute_of_polls, timeout_s=180)
        attempts = ws.logins()
        assert len(attempts) == 1, attempts
        assert not attempts[0]["ok"] and attempts[0]["reason"] != "locked", attempts
        account = demo_book(today=TODAY).customer("1001").cust_account_id
        notes = [n.text for n in store.notes_for_account(account)]
        assert sum("login to the" in t and "failed" in t for t in notes) == 1, notes
        assert any('"Invalid email or password"' in t for t in notes), notes
        assert ws.received() == []

        secret.write_text(right)
        numbers, _rejected = _eligible("1001")

        def all_done() -> bool:
            assert proc.poll() is None, ws.stderr_of(proc)
            rows = store.submissions()
            return len(rows) == len(numbers) and all(s.status.is_terminal for s in rows)

        _wait_for("the queue drained after the secret changed", all_done)
        assert [a["ok"] for a in ws.logins()][:2] == [False, True]
        assert all(a["reason"] != "locked" for a in ws.logins())
        assert_exactly_once(store, ws.received(), ONE, account_notes=1)
        assert store.active_pauses() == []
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        assert proc.returncode == 0, ws.stderr_of(proc)
    finally:
        store.engine.dispose()
        if proc.poll() is None:
            proc.kill()


def test_a_worker_that_lost_its_lease_never_clicks_submit(
    make_workspace: Callable[..., Workspace],
) -> None:
    """Worker A's leases lapse (moved into the past in the table, as a host clock running
    ahead once made happen) while it is on the portal's pages before the click: A's fence
    refuses and it does not click; worker B submits each item once; the portal holds exactly
    what the database says."""
    ws = make_workspace(accounts=ONE, faults=Faults(latency_ms=300, seed=4))
    store = ws.store()
    store.enqueue(store.open_invoices())
    env = {
        "ARWORKER_QUEUE__LEASE_DURATION_S": "60",
        "ARWORKER_BROWSER__MAX_PAGES": "2",
        "ARWORKER_QUEUE__CLAIM_BATCH": "2",
    }
    worker_a = ws.spawn("submit", **env)
    sub = store.md.tables["xx_arw_submissions"]
    moved = 0
    try:

        def a_is_busy_before_the_click() -> bool:
            assert worker_a.poll() is None, ws.stderr_of(worker_a)
            rows = store.submissions(statuses=[SubmissionStatus.IN_PROGRESS])
            return sum(s.submit_started_at is None for s in rows) >= 2

        _wait_for("worker A holding items before their click", a_is_busy_before_the_click)
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        with store.engine.begin() as conn:
            # guarded like the fence itself: an item whose click A already proved is left alone
            moved = conn.execute(
                sa.update(sub)
                .where(
                    sub.c.status == SubmissionStatus.IN_PROGRESS.value,
                    sub.c.submit_started_at.is_(None),
                )
                .values(lease_expires_at=past)
            ).rowcount
        assert moved >= 2
        worker_b = ws.spawn("submit", **env)
        for proc in (worker_a, worker_b):
            proc.wait(timeout=600)
            assert proc.returncode == 0, ws.stderr_of(proc)
        fenced = _log_events(worker_a.err_path, "submission.fenced")  # type: ignore[attr-defined]
        assert fenced, "worker A never met the fence: the lapse was not exercised"
        # everything not done is done by a last drain (items A handed back late, if any)
        ws.cli_json("submit", **env)
        assert_exactly_once(store, ws.received(), ONE)
    finally:
        store.engine.dispose()
        if worker_a.poll() is None:
            worker_a.kill()


def test_unclear_last_attempt_then_resync_uploads_once(
    make_workspace: Callable[..., Workspace],
) -> None:
    """The last attempt's confirmation fails (500) and the lookup after it fails too (503):
    the item stays UNCERTAIN with no note asking for action. A resync looks it up, finds it,
    and it is SUBMITTED; the portal received it once; no ACTION NEEDED note for it."""
    ws = make_workspace(
        accounts=ONE, faults=Faults(confirm_fail_rate=1.0, lookup_error_rate=1.0, seed=2)
    )
    numbers, rejected = _eligible("1001")
    target = next(n for n in numbers if n not in rejected)
    env = {"ARWORKER_QUEUE__MAX_ATTEMPTS": "1", "ARWORKER_QUEUE__BACKOFF_BASE_S": "600"}
    # exit 5: the named invoice is still queued (UNCERTAIN: it is looked up before anything else)
    first = ws.cli_json_exiting(5, "submit", target, **env)
    assert first["uncertain"] == 1, first
    store = ws.store()
    try:
        (row,) = store.submissions(trx_numbers=[target])
        assert row.status is SubmissionStatus.UNCERTAIN and row.submit_started_at is not None
        assert assert_no_duplicates(ws.received())[target] == 1
        ws.set_faults(confirm_fail_rate=0.0, lookup_error_rate=0.0)
        ws.cli_json("resync", "1001", **env)
        (row,) = store.submissions(trx_numbers=[target])
        assert row.status is SubmissionStatus.SUBMITTED, row
        assert assert_no_duplicates(ws.received())[target] == 1
        kinds = [e["event_type"] for e in store.events(row.submission_id)]
        assert "ALREADY_SUBMITTED" in kinds, kinds
        account = demo_book(today=TODAY).customer("1001").cust_account_id
        mine = [
            n.text
            for n in store.notes_for_account(account)
            if dict(n.contexts).get("IEX_INVOICES") == row.payment_schedule_id
        ]
        assert mine and not any("ACTION NEEDED" in t for t in mine), mine
    finally:
        store.engine.dispose()


def test_portal_down_trips_the_breaker_then_everything_goes_once(
    make_workspace: Callable[..., Workspace],
) -> None:
    """With the portal refusing connections for a whole nightly: a handful of attempts, then
    the outage breaker; the run ends quickly, DEGRADED, naming the portal, with no attempt
    counted against any item. After the portal is back and the cool-down over, the next run
    submits everything once."""
    ws = make_workspace(accounts=ONE)
    port = urlsplit(ws.sandbox.url).port
    ws.sandbox.stop()
    threshold, pages = 5, 2
    env = {
        "ARWORKER_QUEUE__BREAKER_THRESHOLD": str(threshold),
        "ARWORKER_QUEUE__BREAKER_COOLDOWN_S": "3",
        "ARWORKER_BROWSER__MAX_PAGES": str(pages),
    }
    started = time.monotonic()
    proc = ws.spawn("nightly", "--json", **env)
    proc.wait(timeout=300)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, ws.stderr_of(proc)
    out_path = proc.err_path.with_suffix(".out")  # type: ignore[attr-defined]
    summary = json.loads(out_path.read_text().strip().splitlines()[-1])
    assert summary["status"] == "DEGRADED", summary
    assert "coupa" in summary["outages"], summary
    assert summary["duration_s"] < 30 and elapsed < 60, (summary["duration_s"], elapsed)
    failures = _log_events(proc.err_path, "portal.operation_failed")  # type: ignore[attr-defined]
    assert len(failures) <= threshold + pages - 1, len(failures)
    store = ws.store()
    restarted = None
    try:
        rows = store.submissions()
        assert rows and all(s.status is SubmissionStatus.PENDING for s in rows)
        assert all(s.attempts == 0 for s in rows), [s.attempts for s in rows]
        assert summary["left_undone"] == len(rows)

        restarted = ws.sandbox = start_sandbox(portal_catalog(today=TODAY), port=port or 0)
        _wait_for(
            f"the breaker's cool-down (in force: {store.active_pauses()})",
            lambda: store.active_pauses() == [],
            timeout_s=30,
        )
        again = ws.cli_json("nightly", **env)
        assert again["status"] == "COMPLETED", again
        assert_exactly_once(store, ws.received(), ONE)
        assert store.unresolved_outages() == [], "the first answer closes the breaker"
    finally:
        store.engine.dispose()
        if restarted is not None:
            restarted.stop()


def test_invoices_ebs_cannot_bill_are_never_uploaded(
    make_workspace: Callable[..., Workspace],
) -> None:
    """An invoice with no lines (3,759.20 open was once uploaded as 0.00) and one whose lines
    do not add up to its payment schedule are refused before any upload, each with a note
    saying what to fix in EBS."""
    ws = make_workspace(accounts=ONE)
    book = demo_book(today=TODAY)
    numbers, rejected = _eligible("1001")
    no_lines, off_by_ten = [book.invoice(n) for n in numbers if n not in rejected][:2]
    store = ws.store()
    lines = store.md.tables["ra_customer_trx_lines_all"]
    try:
        with store.engine.begin() as conn:
            conn.execute(
                sa.delete(lines).where(lines.c.customer_trx_id == no_lines.customer_trx_id)
            )
            first_line = conn.execute(
                sa.select(sa.func.min(lines.c.customer_trx_line_id)).where(
                    lines.c.customer_trx_id == off_by_ten.customer_trx_id
                )
            ).scalar_one()
            conn.execute(
                sa.update(lines)
                .where(lines.c.customer_trx_line_id == first_line)
                .values(extended_amount=lines.c.extended_amount + 10)
            )
        # exit 4: the named invoices were rejected (a person fixes them in EBS, then resyncs)
        summary = ws.cli_json_exiting(4, "submit", no_lines.trx_number, off_by_ten.trx_number)
        assert summary["rejected"] == 2, summary
        assert ws.received() == [], "nothing may be uploaded"
        texts = {}
        for trx in (no_lines, off_by_ten):
            (row,) = store.submissions(trx_numbers=[trx.trx_number])
            assert row.status is SubmissionStatus.REJECTED
            assert row.last_error_code == "DATA_INVALID"
            (note,) = [
                n.text
                for n in store.notes_for_account(trx.cust_account_id)
                if dict(n.contexts).get("IEX_INVOICES") == row.payment_schedule_id
            ]
            texts[trx.trx_number] = note
        assert "no lines" in texts[no_lines.trx_number]
        assert "add up to" in texts[off_by_ten.trx_number]
        assert all("Correct it in EBS" in t for t in texts.values())
    finally:
        store.engine.dispose()
