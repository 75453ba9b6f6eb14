"""Portal status tracking: "submitted" is not "paid".

For every submitted invoice whose portal verdict is not final, read the portal's status,
normalise it, store it on the submission, and write a note only when it changed: approved (with
the projected pay date), disputed (with the reason, flagged for action), paid (date and payment
number). A dispute or a rejection after submission sends the item back to a person: it becomes
REJECTED, where resync can re-submit it once corrected.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from config.secrets import SecretNotFound
from connectors.oracle.errors import StoreUnavailable
from connectors.oracle.records import (
    CollectionNote,
    PortalAccountRecord,
    PortalStatusChange,
    Submission,
    SubmissionStatus,
)
from connectors.portals.base import PortalInvoice, PortalStatus
from connectors.portals.errors import (
    LoginFailed,
    PortalChanged,
    PortalError,
    PortalPaused,
    PortalUnavailable,
)
from jobs import note_text
from jobs.context import JobContext
from jobs.portal_accounts import to_portal_account
from jobs.portal_pauses import PauseBoard, pause_board, report_pauses
from jobs.run_summary import RunSummary
from jobs.status_schedule import next_status_check

JOB_NAME = "status"
#: verdicts that hand the invoice back to a person
BACK_TO_A_PERSON = {PortalStatus.DISPUTED, PortalStatus.REJECTED}
#: how long one worker's claim on an account's status reads lasts (renewed as it reads)
STATUS_PASS_LEASE_S = 900.0
#: renew the claim every this many invoices
RENEW_EVERY = 50


async def run(
    ctx: JobContext, *, account_number: str | None = None, every: bool = False
) -> RunSummary:
    """Poll portal statuses (all accounts, or one) and note every transition once.

    ``every`` (``arworker status --all``): read every watched verdict, due or not.
    """
    started = time.monotonic()
    summary = RunSummary(job=JOB_NAME, run_id=ctx.run_id)
    await poll_statuses(ctx, summary, account_number=account_number, every=every)
    summary.duration_s = time.monotonic() - started
    ctx.log.info("status.finished", **summary.as_json())
    return summary


async def poll_statuses(
    ctx: JobContext,
    summary: RunSummary,
    *,
    account_number: str | None = None,
    include_held: bool = False,
    every: bool = False,
) -> None:
    """The status pass itself; nightly and resync call it after their drain.

    Reads only the verdicts due for a look (:mod:`jobs.status_schedule`) unless ``every``;
    per portal account, from the portal's list pages first and from an invoice's own page only
    for what the list cannot settle. Accounts are read concurrently (at most
    ``browser.max_pages`` at once, the gateway's per-portal caps and pacing apply) and each by
    one worker of the fleet per pass (a claim on the account, on the database's clock).

    ``include_held`` (resync): also re-read items a person must resolve on the portal (disputed
    or rejected there, under a number it will not take again): when the portal's verdict moved
    on (the dispute was resolved, the invoice approved or paid), they are SUBMITTED again.
    Paused logins and portals are not read; a refused login, a changed page and an outage are
    handled as in the drain (paused once, noted once, breaker shared).
    """
    cust_account_id = None
    if account_number is not None:
        cust_account_id = await ctx.db(ctx.store.account_id, account_number)
        if cust_account_id is None:
            raise LookupError(f"account {account_number!r} is not in HZ_CUST_ACCOUNTS")
    records = [
        r
        for r in await ctx.db(ctx.store.portal_accounts)
        if cust_account_id is None or r.cust_account_id == cust_account_id
    ]
    board = await pause_board(ctx, records)
    held: dict[int, list[Submission]] = {}
    if include_held and cust_account_id is not None:
        for item in await ctx.db(ctx.store.held_on_portal, cust_account_id=cust_account_id):
            held.setdefault(item.portal_account_id, []).append(item)
    pass_ = _StatusPass(ctx, board, summary, every=every)
    await asyncio.gather(
        *(pass_.read_account(r, held.get(r.portal_account_id, [])) for r in records)
    )
    await report_pauses(ctx, board, summary, not_read=pass_.not_read)


class _StatusPass:
    """One pass over the portal accounts: the shared counts, the bound on accounts at once."""

    def __init__(
        self, ctx: JobContext, board: PauseBoard, summary: RunSummary, *, every: bool
    ) -> None:
        self.ctx = ctx
        self.board = board
        self.summary = summary
        self.every = every
        self.not_read = 0
        self.done = 0
        self._accounts_at_once = asyncio.Semaphore(ctx.settings.browser.max_pages)

    async def read_account(self, record: PortalAccountRecord, held: list[Submission]) -> None:
        """Claim the account for this pass, read what is due, give the account back."""
        ctx = self.ctx
        async with self._accounts_at_once:
            if ctx.stop.is_set():
                return
            owner = ctx.worker_name
            account_id = record.portal_account_id
            if not await ctx.db(
                ctx.store.claim_status_pass, account_id, owner=owner, lease_s=STATUS_PASS_LEASE_S
            ):
                self.summary.status_accounts_elsewhere += 1
                ctx.log.info("status.account_elsewhere", portal_account_id=account_id)
                return
            try:
                await self._read_claimed(record, held)
            finally:
                try:
                    await ctx.db(ctx.store.end_status_pass, account_id, owner=owner)
                except StoreUnavailable as exc:  # the claim lapses by itself
                    ctx.log.warning("status.claim_not_released", error=str(exc))

    async def _read_claimed(self, record: PortalAccountRecord, held: list[Submission]) -> None:
        ctx, summary = self.ctx, self.summary
        book = await ctx.db(ctx.store.status_book, record.portal_account_id, every=self.every)
        summary.statuses_watched += book.watched
        summary.statuses_due += len(book.due)
        work = [*book.due, *held]
        if not work:
            return
        if record.portal_account_id in self.board.blocked():
            self.not_read += len(work)
            return
        listed = await self._list_read(record, [item.portal_invoice_number for item in work])
        if listed is None:
            return
        held_ids = {h.submission_id for h in held}
        next_checks: dict[int, dt.datetime | None] = {}
        for count, item in enumerate(work, start=1):
            if ctx.stop.is_set() or record.portal_account_id in self.board.blocked():
                self.not_read += len(work) - count + 1
                break
            if count % RENEW_EVERY == 0 and not await ctx.db(
                ctx.store.claim_status_pass,
                record.portal_account_id,
                owner=ctx.worker_name,
                lease_s=STATUS_PASS_LEASE_S,
            ):
                # our claim lapsed and another worker took the account: it reads the rest
                ctx.log.warning("status.claim_lost", portal_account_id=record.portal_account_id)
                break
            seen: PortalInvoice | None
            if item.portal_invoice_number in listed:
                read, seen = True, listed[item.portal_invoice_number]
            else:
                summary.status_invoice_pages += 1
                read, seen = await _read_verdict(ctx, self.board, item, record, summary)
            self.done += 1
            ctx.progress(JOB_NAME, self.done, None, item.trx_number)
            if not read:
                continue  # not read (an outage, a pause): still due at the next pass
            summary.statuses_read += 1
            due = next_status_check(
                seen.status if seen else None,
                projected_pay_date=seen.projected_pay_date if seen else None,
                now=book.as_of,
            )
            is_held = item.submission_id in held_ids
            if not await self._store_verdict(record, item, seen, due, is_held=is_held):
                if not is_held:
                    next_checks[item.submission_id] = due
        try:
            await ctx.db(ctx.store.schedule_status_checks, next_checks)
        except StoreUnavailable as exc:  # they stay due: read again at the next pass
            ctx.log.error("status.schedule_not_stored", error=str(exc))

    async def _list_read(
        self, record: PortalAccountRecord, numbers: list[str]
    ) -> dict[str, PortalInvoice] | None:
        """Verdicts the portal's list pages settle; None when the account cannot be read now
        (a pause or an outage: everything stays due)."""
        ctx, board, summary = self.ctx, self.board, self.summary
        code = record.portal_code
        if ctx.settings.queue.status_list_max_pages == 0:
            return {}
        try:
            account = to_portal_account(record, ctx.resolve_secret)
            listing = await ctx.portals.invoice_statuses(
                account,
                numbers,
                evidence=f"status-list-{record.portal_account_id}",
                max_pages=ctx.settings.queue.status_list_max_pages,
            )
        except (SecretNotFound, PortalError) as exc:
            if not await _portal_fault(ctx, board, record, summary, exc):
                ctx.log.warning("status.list_unreadable", portal=code, error=str(exc))
                return {}  # read them one by one
        else:
            await board.answered(ctx, code)
            summary.status_list_pages += listing.pages_read
            return listing.verdicts
        self.not_read += len(numbers)
        return None

    async def _store_verdict(
        self,
        record: PortalAccountRecord,
        item: Submission,
        seen: PortalInvoice | None,
        due: dt.datetime | None,
        *,
        is_held: bool,
    ) -> bool:
        """Store and note a verdict that changed; False when nothing changed (or it could not
        be stored), so that only the next look is scheduled."""
        ctx, summary = self.ctx, self.summary
        if seen is None:
            return False
        if is_held and seen.status in BACK_TO_A_PERSON:
            return False  # still disputed or rejected there: the person's, not ours
        if seen.status.value == item.portal_status and not _changed(item, seen) and not is_held:
            return False
        change = _change(ctx, item, record, seen, back_on_portal=is_held, next_check=due)
        try:
            note_id = await ctx.db(
                ctx.store.record_portal_status,
                item.submission_id,
                seen=item.portal_status,
                change=change,
                from_status=SubmissionStatus.REJECTED if is_held else SubmissionStatus.SUBMITTED,
            )
        except StoreUnavailable as exc:
            ctx.log.error("status.not_recorded", invoice=item.trx_number, error=str(exc))
            return True  # not stored, and not scheduled either: read again next time
        if note_id is None:
            return True  # another worker recorded this transition first
        if note_id:
            summary.notes_written += 1
        if change.to_status is SubmissionStatus.REJECTED:
            summary.rejected += 1
        ctx.log.info(
            "status.changed",
            invoice=item.trx_number,
            old=item.portal_status,
            new=seen.status.value,
            noted=bool(note_id),
        )
        return True


async def _read_verdict(
    ctx: JobContext,
    board: PauseBoard,
    item: Submission,
    record: PortalAccountRecord,
    summary: RunSummary,
) -> tuple[bool, PortalInvoice | None]:
    """The portal's verdict on one item, from its own page: (read, verdict). ``read`` False
    when it could not be read; a verdict None when the portal does not have the invoice."""
    try:
        account = to_portal_account(record, ctx.resolve_secret)
        seen = await ctx.portals.invoice_status(
            account, item.portal_invoice_number, evidence=f"status-{item.submission_id}"
        )
    except (SecretNotFound, PortalError) as exc:
        if not await _portal_fault(ctx, board, record, summary, exc, invoice=item.trx_number):
            ctx.log.warning("status.unreadable", invoice=item.trx_number, error=str(exc))
        return False, None
    await board.answered(ctx, record.portal_code)
    return True, seen


async def _portal_fault(
    ctx: JobContext,
    board: PauseBoard,
    record: PortalAccountRecord,
    summary: RunSummary,
    exc: Exception,
    **where: str,
) -> bool:
    """A read's failure handled as the drain handles it: a refused login or a changed page
    paused and noted once, an outage counted towards the shared breaker, a held portal left
    alone. False for any other portal error, which the caller handles."""
    code = record.portal_code
    if isinstance(exc, SecretNotFound):
        summary.notes_written += await board.login_refused(
            ctx, record, str(exc), code="SECRET_MISSING"
        )
    elif isinstance(exc, LoginFailed):
        summary.notes_written += await board.login_refused(ctx, record, exc.message, code=exc.code)
    elif isinstance(exc, PortalPaused):
        pass  # held in this run (a pause, an open outage breaker): nothing was tried
    elif isinstance(exc, PortalChanged):
        summary.notes_written += await board.page_changed(ctx, record, exc.message)
    elif isinstance(exc, PortalUnavailable):
        ctx.log.warning("status.unavailable", portal=code, error=str(exc), **where)
        if not board.breaker_open(code):
            board.unavailable(code)
            if board.should_trip(ctx, code):
                await board.trip(ctx, code, exc.message)
    else:
        return False
    return True


def _changed(item: Submission, seen: PortalInvoice) -> bool:
    """Same verdict, but new facts worth storing (a projected date that moved)."""
    return seen.projected_pay_date != item.projected_pay_date


def _change(
    ctx: JobContext,
    item: Submission,
    record: PortalAccountRecord,
    seen: PortalInvoice,
    *,
    back_on_portal: bool = False,
    next_check: dt.datetime | None = None,
) -> PortalStatusChange:
    status = seen.status
    text = None
    if status.value != item.portal_status:
        text = note_text.portal_status(
            invoice_number=item.portal_invoice_number,
            portal_name=note_text.portal_name_of(record),
            buyer_name=record.buyer_name,
            status=status.value,
            reason=seen.reason,
            projected_pay_date=seen.projected_pay_date,
            payment_date=seen.payment_date,
            payment_reference=seen.payment_reference,
        )
    note = None
    if text is not None:
        note = CollectionNote(
            cust_account_id=record.cust_account_id,
            party_id=record.party_id,
            payment_schedule_id=item.payment_schedule_id,
            text=text,
        )
    back = status in BACK_TO_A_PERSON
    to_status = SubmissionStatus.REJECTED if back else None
    if back_on_portal and not back:
        to_status = SubmissionStatus.SUBMITTED  # resolved on the portal: watched again
    return PortalStatusChange(
        portal_status=status.value,
        detail=f"portal status {seen.raw_status}" + (f": {seen.reason}" if seen.reason else ""),
        reason=seen.reason,
        projected_pay_date=seen.projected_pay_date,
        payment_date=seen.payment_date,
        payment_reference=seen.payment_reference,
        to_status=to_status,
        error_code=f"PORTAL_{status.value}" if back else None,
        note=note,
        run_id=ctx.run_id,
        next_status_check_at=next_check,
    )
