"""The drain's and the status pass's branches against a real store and a fake portal gateway.

Each run below is a new ``JobContext`` (a new run, as the next daemon poll or the next host
would start), so what carries over from one to the next can only come from the database:
paused logins and portals, the outage breaker, "submit started", one status record per
transition.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import structlog
from pydantic import SecretStr

from config.settings import QueueSettings, Settings, SupplierSettings
from connectors.oracle.records import (
    PauseKind,
    PortalStatusChange,
    SubmissionStatus,
)
from connectors.oracle.store import Store
from connectors.portals.base import PortalInvoice, PortalStatus
from connectors.portals.errors import LoginFailed, PortalChanged, PortalUnavailable
from jobs import resync, status
from jobs.context import JobContext
from jobs.drain import drain_queue
from jobs.run_summary import RunSummary
from tests.support.books.ebs import SampleBook
from tests.support.clock import Clock
from tests.support.fake_gateway import FakeGateway

SECRETS = {"COUPA_PW": "right", "COUPA_TOTP": "JBSWY3DPEHPK3PXP"}


def _context(
    store: Store, portal: FakeGateway, tmp_path: Path, *, run_id: str, **queue: object
) -> JobContext:
    """A new run's context over ``store``; ``SECRETS`` is what the secret store holds now."""
    settings = Settings(
        supplier=SupplierSettings(name="Northwind Supply Co."),
        secrets_dir=tmp_path / "secrets",
        queue=QueueSettings(
            journal_path=tmp_path / "journal.jsonl",
            backoff_base_s=0,
            **queue,
        ),
    )
    return JobContext(
        settings=settings,
        store=store,
        portals=portal,  # type: ignore[arg-type]
        log=structlog.get_logger("test"),
        run_id=run_id,
        worker_name="testhost/1/1",
        resolve_secret=lambda ref: SecretStr(SECRETS[ref]),
        clock=store.clock,
    )


def _drain(ctx: JobContext) -> RunSummary:
    summary = RunSummary(job="submit", run_id=ctx.run_id)
    asyncio.run(drain_queue(ctx, summary))
    return summary


def _account_notes(store: Store, book: SampleBook) -> list[str]:
    return [
        n.text
        for account in (book.acme_account_id, book.globex_account_id)
        for n in store.notes_for_account(account)
        if dict(n.contexts).get("IEX_INVOICES") is None
    ]


def test_a_refused_login_is_tried_once_across_runs_until_the_secret_changes(
    store: Store, book: SampleBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run 1: one login, refused; the login is paused, a note on each account that uses it,
    every item handed back untouched. Runs 2 and 3 (new gateways, as daemon polls): no login
    at all, no new note. After the password changes: the next run logs in and submits."""
    store.enqueue_open_invoices()
    refused = FakeGateway(login_error=LoginFailed("Invalid email or password"))
    first = _drain(_context(store, refused, tmp_path, run_id="run-1"))
    assert refused.logins == 1 and refused.uploads == []
    assert first.status == "DEGRADED" and first.left_undone == len(book.eligible_trx_numbers)
    assert "coupa:ar@supplier.example" in first.paused_logins
    (pause,) = store.active_pauses()
    assert pause.kind is PauseKind.LOGIN and pause.reason == "Invalid email or password"
    assert len(_account_notes(store, book)) == 2, "one note per account using the login"
    assert all(s.attempts == 0 for s in store.submissions())
    for run in ("run-2", "run-3"):
        later = FakeGateway(login_error=LoginFailed("Invalid email or password"))
        summary = _drain(_context(store, later, tmp_path, run_id=run))
        assert later.logins == 0 and summary.status == "DEGRADED"
    assert len(_account_notes(store, book)) == 2, "no note repeated"
    monkeypatch.setitem(SECRETS, "COUPA_PW", "the-new-one")
    fixed = FakeGateway()
    done = _drain(_context(store, fixed, tmp_path, run_id="run-4"))
    assert fixed.logins == 1 and sorted(fixed.uploads) == sorted(book.eligible_trx_numbers)
    assert done.status == "COMPLETED" and store.active_pauses() == []


def test_a_missing_secret_pauses_until_it_appears(
    store: Store, book: SampleBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No password configured: held, one note saying which secret to set, not repeated; once
    the secret exists, the next run goes on by itself."""
    store.enqueue_open_invoices()
    monkeypatch.delitem(SECRETS, "COUPA_PW")

    def resolve(ref: str) -> SecretStr:
        from config.secrets import SecretNotFound

        if ref not in SECRETS:
            raise SecretNotFound(f"secret {ref!r} not found: set ARWORKER_SECRET_{ref}")
        return SecretStr(SECRETS[ref])

    for run in ("run-1", "run-2"):
        ctx = _context(store, FakeGateway(), tmp_path, run_id=run)
        ctx.resolve_secret = resolve
        assert _drain(ctx).status == "DEGRADED"
    notes = _account_notes(store, book)
    assert len(notes) == 2 and all("COUPA_PW" in n for n in notes), notes
    monkeypatch.setitem(SECRETS, "COUPA_PW", "right")
    portal = FakeGateway()
    ctx = _context(store, portal, tmp_path, run_id="run-3")
    ctx.resolve_secret = resolve
    assert _drain(ctx).status == "COMPLETED"
    assert sorted(portal.uploads) == sorted(book.eligible_trx_numbers)


def test_the_outage_breaker_opens_hands_back_and_closes(
    store: Store, book: SampleBook, tmp_path: Path, clock: Clock
) -> None:
    """An unreachable portal: after ``breaker_threshold`` faults the breaker opens for every
    later run until its cool-down ends; no attempt is counted against any item; the first run
    after the cool-down submits everything and closes the breaker."""
    store.enqueue_open_invoices()
    down = FakeGateway(submit_error=PortalUnavailable("net::ERR_CONNECTION_REFUSED"))
    queue = {"breaker_threshold": 2, "breaker_cooldown_s": 600.0}
    summary = _drain(_context(store, down, tmp_path, run_id="run-1", **queue))
    assert summary.status == "DEGRADED" and "coupa" in summary.outages, summary
    assert all(s.attempts == 0 for s in store.submissions()), [
        (
            s.attempts,
            s.status,
            [(e["event_type"], e["detail"]) for e in store.events(s.submission_id)],
        )
        for s in store.submissions()
        if s.attempts
    ]
    assert all(s.status is SubmissionStatus.PENDING for s in store.submissions())
    (breaker,) = store.active_pauses()
    assert breaker.kind is PauseKind.OUTAGE
    clock.advance(300)
    still = FakeGateway()
    assert _drain(_context(store, still, tmp_path, run_id="run-2", **queue)).status == "DEGRADED"
    assert still.uploads == [], "an open breaker holds every worker back"
    clock.advance(301)
    back = FakeGateway()
    assert _drain(_context(store, back, tmp_path, run_id="run-3", **queue)).status == "COMPLETED"
    assert sorted(back.uploads) == sorted(book.eligible_trx_numbers)
    assert store.unresolved_outages() == []


def test_a_changed_portal_is_paused_then_reprobed_with_one_item(
    store: Store, book: SampleBook, tmp_path: Path, clock: Clock
) -> None:
    """A changed page pauses the portal with one note; later runs do not touch it; after the
    re-probe interval one worker lets one item through, and its success lifts the pause."""
    store.enqueue_open_invoices()
    changed = FakeGateway(submit_error=PortalChanged("no #invoice-number on the form"))
    queue = {"portal_reprobe_after_s": 3600.0}
    _drain(_context(store, changed, tmp_path, run_id="run-1", **queue))
    (pause,) = store.active_pauses()
    assert pause.kind is PauseKind.PORTAL
    assert len(_account_notes(store, book)) == 1
    idle = FakeGateway()
    _drain(_context(store, idle, tmp_path, run_id="run-2", **queue))
    assert idle.uploads == [] and idle.logins == 0
    clock.advance(3601)
    fixed = FakeGateway()
    _drain(_context(store, fixed, tmp_path, run_id="run-3", **queue))
    assert store.active_pauses() == []
    assert sorted(fixed.uploads) == sorted(book.eligible_trx_numbers)
    # the re-probe's item went alone: every other claim of that run came after its success
    events = sorted(
        (e["event_id"], e["event_type"], e["submission_id"])
        for s in store.submissions()
        for e in store.events(s.submission_id)
        if e["run_id"] == "run-3" and e["event_type"] in ("CLAIMED", "SUBMITTED")
    )
    probe = events[0][2]
    assert events[1] == (events[1][0], "SUBMITTED", probe), events
    assert len(_account_notes(store, book)) == 1


def test_two_workers_polling_one_verdict_record_it_once(store: Store, book: SampleBook) -> None:
    """Two status passes seeing the same new verdict at once: one event, one note."""
    store.enqueue_open_invoices()
    (item,) = store.claim(owner="h/1/1", limit=1, lease_s=60)
    from connectors.oracle.records import EventType, OutcomeRecord

    store.record_outcome(
        item.submission_id,
        item.lease_token,
        OutcomeRecord(
            outcome_uid="u-1",
            to_status=SubmissionStatus.SUBMITTED,
            event_type=EventType.SUBMITTED,
            detail="ok",
            portal_reference="CP-1",
        ),
    )
    from connectors.oracle.records import CollectionNote

    change = PortalStatusChange(
        portal_status="APPROVED",
        detail="portal status Approved",
        note=CollectionNote(
            cust_account_id=item.cust_account_id,
            party_id=book.acme_party_id,
            payment_schedule_id=item.payment_schedule_id,
            text="approved",
        ),
    )
    results: list[int | None] = []
    start = threading.Barrier(4)

    def record() -> None:
        start.wait()
        results.append(store.record_portal_status(item.submission_id, seen=None, change=change))

    threads = [threading.Thread(target=record) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for r in results if r) == 1, results
    events = [e for e in store.events(item.submission_id) if e["event_type"] == "PORTAL_STATUS"]
    assert len(events) == 1
    notes = [
        n
        for n in store.notes_for_account(item.cust_account_id)
        if dict(n.contexts).get("IEX_INVOICES") == item.payment_schedule_id
    ]
    assert len(notes) == 1


def test_resync_leaves_an_item_the_portal_holds_under_its_number(
    store: Store, book: SampleBook, tmp_path: Path
) -> None:
    """A disputed invoice on a portal that takes no new number: resync does not re-queue it
    (a re-upload could only be refused as a duplicate), does not count it as re-queued, and
    uploads nothing; when the portal shows the dispute resolved, it is SUBMITTED again."""
    store.enqueue_open_invoices(cust_account_id=book.globex_account_id)
    portal = FakeGateway()
    _drain(_context(store, portal, tmp_path, run_id="run-1"))
    target = sorted(portal.uploads)[0]
    portal.on_portal[target] = PortalInvoice(
        invoice_number=target,
        portal_reference="FK-1",
        raw_status="Disputed",
        status=PortalStatus.DISPUTED,
        reason="Price does not match the PO",
    )
    for other in [u for u in portal.uploads if u != target]:
        portal.on_portal[other] = PortalInvoice(
            invoice_number=other,
            portal_reference="FK-2",
            raw_status="Pending Approval",
            status=PortalStatus.PENDING_APPROVAL,
        )
    polled = RunSummary(job="status", run_id="status-1")
    asyncio.run(status.poll_statuses(_context(store, portal, tmp_path, run_id="s"), polled))
    (row,) = store.submissions(trx_numbers=[target])
    assert row.status is SubmissionStatus.REJECTED and row.portal_reference is not None
    uploads_before = list(portal.uploads)
    for run in ("resync-1", "resync-2"):
        summary = asyncio.run(
            resync.run(_context(store, portal, tmp_path, run_id=run), account_number="1002")
        )
        assert summary.requeued == 0, "nothing was re-queued: nothing may be counted"
    assert portal.uploads == uploads_before, "nothing uploaded again"
    (row,) = store.submissions(trx_numbers=[target])
    assert row.status is SubmissionStatus.REJECTED
    resync_notes = [t for t in _account_notes(store, book) if "resync of account 1002" in t]
    assert resync_notes and "resolve them on the portal" in resync_notes[-1]
    portal.on_portal[target] = PortalInvoice(
        invoice_number=target,
        portal_reference="FK-1",
        raw_status="Approved",
        status=PortalStatus.APPROVED,
    )
    asyncio.run(
        resync.run(_context(store, portal, tmp_path, run_id="resync-3"), account_number="1002")
    )
    (row,) = store.submissions(trx_numbers=[target])
    assert row.status is SubmissionStatus.SUBMITTED and row.portal_status == "APPROVED"
    assert portal.uploads == uploads_before
