"""The status pass over a real store and a fake portal: list reads first, an invoice's own page
only for what the list did not settle, poll by need, one worker per account and pass.

Each pass is a new ``JobContext`` (a new run, as the next night or another host would start):
what carries over can only come from the database. The store's clock is the test's, so "the
next night" is a clock moved forward, not a wait.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import structlog
from pydantic import SecretStr

from config.settings import QueueSettings, Settings, SupplierSettings
from connectors.oracle.store import Store
from connectors.portals.base import PortalInvoice, PortalStatus
from jobs import status
from jobs.context import JobContext
from jobs.drain import drain_queue
from jobs.run_summary import RunSummary
from tests.support.books.ebs import SampleBook
from tests.support.clock import Clock
from tests.support.fake_gateway import FakeGateway

SECRETS = {"COUPA_PW": "right", "COUPA_TOTP": "JBSWY3DPEHPK3PXP"}
HOUR = 3600.0


def _context(
    store: Store,
    portal: FakeGateway,
    tmp_path: Path,
    *,
    run_id: str,
    worker: str = "a/1/1",
    **queue: object,
) -> JobContext:
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
        worker_name=worker,
        resolve_secret=lambda ref: SecretStr(SECRETS[ref]),
        clock=store.clock,
    )


def _verdict(number: str, status_: PortalStatus, **facts: object) -> PortalInvoice:
    return PortalInvoice(
        invoice_number=number,
        portal_reference=f"REF-{number}",
        raw_status=status_.value.title(),
        status=status_,
        **facts,  # type: ignore[arg-type]
    )


def _submitted(store: Store, tmp_path: Path) -> tuple[FakeGateway, list[str]]:
    """Every eligible invoice of the sample book uploaded; the portal has them all pending."""
    store.enqueue_open_invoices()
    portal = FakeGateway()
    summary = RunSummary(job="submit", run_id="submit-1")
    asyncio.run(drain_queue(_context(store, portal, tmp_path, run_id="submit-1"), summary))
    numbers = sorted(portal.uploads)
    assert len(numbers) >= 4, "the sample book must give a few submitted invoices"
    for n in numbers:
        portal.on_portal[n] = _verdict(n, PortalStatus.PENDING_APPROVAL)
    return portal, numbers


def _pass(
    store: Store, portal: FakeGateway, tmp_path: Path, run_id: str, *, every: bool = False
) -> RunSummary:
    ctx = _context(store, portal, tmp_path, run_id=run_id)
    return asyncio.run(status.run(ctx, every=every))


def _notes_about(store: Store, book: SampleBook, number: str) -> list[str]:
    return [
        n.text
        for account in (book.acme_account_id, book.globex_account_id)
        for n in store.notes_for_account(account)
        if f"invoice {number} was approved" in n.text
    ]


def test_the_list_settles_what_it_shows_and_the_rest_is_read_one_by_one(
    store: Store, tmp_path: Path
) -> None:
    portal, numbers = _submitted(store, tmp_path)
    unlisted = numbers[0]
    portal.listed = set(numbers[1:])
    summary = _pass(store, portal, tmp_path, "status-1")
    assert summary.statuses_due == summary.statuses_watched == len(numbers)
    assert summary.statuses_read == len(numbers)
    assert portal.status_reads == 1, "only the invoice the list did not show has its own read"
    assert summary.status_invoice_pages == 1
    assert summary.status_list_pages == portal.list_reads >= 1
    assert any(unlisted in asked for asked in portal.list_asked)


def test_no_list_pages_reads_every_invoice_from_its_own_page(store: Store, tmp_path: Path) -> None:
    """``queue.status_list_max_pages = 0``: the list is never asked, each invoice's page is."""
    portal, numbers = _submitted(store, tmp_path)
    portal.listed = set(numbers)
    ctx = _context(store, portal, tmp_path, run_id="status-1", status_list_max_pages=0)
    summary = asyncio.run(status.run(ctx))
    assert portal.list_reads == 0 and portal.status_reads == len(numbers)
    assert summary.statuses_read == summary.status_invoice_pages == len(numbers)
    assert summary.status_list_pages == 0


def test_poll_by_need_reads_only_what_is_due_and_all_reads_everything(
    store: Store, book: SampleBook, tmp_path: Path, clock: Clock
) -> None:
    portal, numbers = _submitted(store, tmp_path)
    portal.listed = set(numbers)
    approved_far, approved_soon, paid = numbers[1:4]
    today = clock.now.date()
    portal.on_portal[approved_far] = _verdict(
        approved_far, PortalStatus.APPROVED, projected_pay_date=today + dt.timedelta(days=30)
    )
    portal.on_portal[approved_soon] = _verdict(
        approved_soon, PortalStatus.APPROVED, projected_pay_date=today + dt.timedelta(days=3)
    )
    portal.on_portal[paid] = _verdict(
        paid,
        PortalStatus.PAID,
        payment_date=today,
        payment_reference="PAY-9",
    )
    first = _pass(store, portal, tmp_path, "night-1")
    assert first.statuses_due == len(numbers) and first.statuses_read == len(numbers)

    # an hourly poll the same night: nothing is due, no portal page is loaded
    clock.advance(HOUR)
    reads = (portal.list_reads, portal.status_reads)
    again = _pass(store, portal, tmp_path, "poll-1")
    assert (again.statuses_due, again.statuses_read) == (0, 0)
    assert (portal.list_reads, portal.status_reads) == reads
    assert again.statuses_watched == len(numbers) - 1, "the paid invoice is watched no more"

    # the next night: pending ones are due; approved ones wait for their pay dates; paid: never
    clock.advance(22 * HOUR)
    since = len(portal.list_asked)
    night_2 = _pass(store, portal, tmp_path, "night-2")
    not_due = {approved_far, approved_soon}
    assert night_2.statuses_due == len(numbers) - 1 - len(not_due)
    assert _asked(portal, since) == set(numbers) - not_due - {paid}

    # three days on, the soon pay date has come: that one is due again, the far one is not
    clock.advance(3 * 24 * HOUR)
    since = len(portal.list_asked)
    night_5 = _pass(store, portal, tmp_path, "night-5")
    assert _asked(portal, since) == set(numbers) - {approved_far, paid}
    assert night_5.statuses_due == len(numbers) - 2

    # --all reads every watched verdict, due or not
    since = len(portal.list_asked)
    everything = _pass(store, portal, tmp_path, "all", every=True)
    assert everything.statuses_due == everything.statuses_watched == len(numbers) - 1
    assert _asked(portal, since) == set(numbers) - {paid}


def _asked(portal: FakeGateway, since: int) -> set[str]:
    """The invoice numbers the list reads since read number ``since`` asked for."""
    return {n for asked in portal.list_asked[since:] for n in asked}


def test_a_changed_verdict_is_noted_once_across_passes(
    store: Store, book: SampleBook, tmp_path: Path, clock: Clock
) -> None:
    portal, numbers = _submitted(store, tmp_path)
    portal.listed = set(numbers)
    target = numbers[1]
    _pass(store, portal, tmp_path, "night-1")
    assert _notes_about(store, book, target) == []
    portal.on_portal[target] = _verdict(
        target, PortalStatus.APPROVED, projected_pay_date=clock.now.date() + dt.timedelta(days=2)
    )
    for night in range(3):
        clock.advance(24 * HOUR)
        _pass(store, portal, tmp_path, f"night-{night + 2}", every=night == 2)
    notes = _notes_about(store, book, target)
    assert len(notes) == 1, notes
    (row,) = store.submissions(trx_numbers=[target])
    assert row.portal_status == "APPROVED"


def test_an_account_another_worker_is_reading_is_left_to_it(
    store: Store, book: SampleBook, tmp_path: Path, clock: Clock
) -> None:
    portal, numbers = _submitted(store, tmp_path)
    portal.listed = set(numbers)
    accounts = {r.portal_account_id for r in store.portal_accounts()}
    busy = min(accounts)
    assert store.claim_status_pass(busy, owner="b/2/2", lease_s=600)
    summary = _pass(store, portal, tmp_path, "status-1")
    assert summary.status_accounts_elsewhere == 1
    read = {n for asked in portal.list_asked for n in asked}
    busy_items = {s.portal_invoice_number for s in store.status_book(busy).due}
    assert busy_items and not (read & busy_items), "the other worker's account was not read"
    # that worker died: its claim lapses, and the next pass reads the account
    clock.advance(601)
    later = _pass(store, portal, tmp_path, "status-2")
    assert later.status_accounts_elsewhere == 0
    assert portal.list_asked[-1] and set(portal.list_asked[-1]) == busy_items, (
        "only what was left is due, and read"
    )
    assert later.statuses_due == len(busy_items)


def test_a_worker_whose_claim_lapsed_stops_reading_that_account(
    store: Store, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mid-pass, the claim lapses and another worker takes the account: at its next renewal
    the first worker stops, and what it did not read stays due (the other reads it)."""
    portal, numbers = _submitted(store, tmp_path)
    monkeypatch.setattr(status, "RENEW_EVERY", 2)

    def lapse_and_steal() -> None:
        clock.advance(status.STATUS_PASS_LEASE_S + 1)
        for account in store.portal_accounts():
            assert store.claim_status_pass(account.portal_account_id, owner="b/2/2", lease_s=600)

    portal.during_list_read = lapse_and_steal
    summary = _pass(store, portal, tmp_path, "status-1")
    due = sum(len(store.status_book(a.portal_account_id).due) for a in store.portal_accounts())
    assert summary.statuses_read < len(numbers)
    assert due == len(numbers) - summary.statuses_read, "unread ones stay due"


def test_two_workers_at_once_read_each_account_once(store: Store, tmp_path: Path) -> None:
    portal, numbers = _submitted(store, tmp_path)
    portal.listed = set(numbers)

    async def both() -> list[RunSummary]:
        runs = [
            status.run(_context(store, portal, tmp_path, run_id=f"s-{w}", worker=f"{w}/1/1"))
            for w in ("a", "b")
        ]
        return list(await asyncio.gather(*runs))

    summaries = asyncio.run(both())
    read = [n for asked in portal.list_asked for n in asked]
    assert sorted(read) == sorted(numbers), "every invoice read once, by one worker"
    assert sum(s.statuses_read for s in summaries) == len(numbers)
