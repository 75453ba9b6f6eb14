"""Portal status tracking: "submitted" is not "paid".

For every submitted invoice whose portal verdict is not final, read the portal's status,
normalise it, store it on the submission, and write a note only when it changed: approved (with
the projected pay date), disputed (with the reason, flagged for action), paid (date and payment
number). A dispute or a rejection after submission sends the item back to a person: it becomes
REJECTED, where resync can re-submit it once corrected.
"""

from __future__ import annotations

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

JOB_NAME = "status"
#: verdicts that hand the invoice back to a person
BACK_TO_A_PERSON = {PortalStatus.DISPUTED, PortalStatus.REJECTED}


async def run(ctx: JobContext, *, account_number: str | None = None) -> RunSummary:
    """Poll portal statuses (all accounts, or one) and note every transition once."""
    started = time.monotonic()
    summary = RunSummary(job=JOB_NAME, run_id=ctx.run_id)
    await poll_statuses(ctx, summary, account_number=account_number)
    summary.duration_s = time.monotonic() - started
    ctx.log.info("status.finished", **summary.as_json())
    return summary


async def poll_statuses(
    ctx: JobContext,
    summary: RunSummary,
    *,
    account_number: str | None = None,
    include_held: bool = False,
) -> None:
    """The status pass itself; nightly and resync call it after their drain.

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
    records = {r.portal_account_id: r for r in await ctx.db(ctx.store.portal_accounts)}
    board = await pause_board(ctx, records.values())
    items = await ctx.db(ctx.store.submissions_to_poll, cust_account_id=cust_account_id)
    held: list[Submission] = []
    if include_held and cust_account_id is not None:
        held = await ctx.db(ctx.store.held_on_portal, cust_account_id=cust_account_id)
    held_ids = {h.submission_id for h in held}
    work = [*items, *held]
    skipped = 0
    for done, item in enumerate(work, start=1):
        if ctx.stop.is_set():
            break
        record = records.get(item.portal_account_id)
        if record is None:
            continue
        if item.portal_account_id in board.blocked():
            skipped += 1
            continue
        seen = await _read_verdict(ctx, board, item, record, summary)
        ctx.progress(JOB_NAME, done, len(work), item.trx_number)
        if seen is None:
            continue
        is_held = item.submission_id in held_ids
        if is_held and seen.status in BACK_TO_A_PERSON:
            continue  # still disputed or rejected there: the person's, not ours
        if seen.status.value == item.portal_status and not _changed(item, seen) and not is_held:
            continue
        change = _change(ctx, item, record, seen, back_on_portal=is_held)
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
            continue
        if note_id is None:
            continue  # another worker recorded this transition first
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
    await report_pauses(ctx, board, summary, not_read=skipped)


async def _read_verdict(
    ctx: JobContext,
    board: PauseBoard,
    item: Submission,
    record: PortalAccountRecord,
    summary: RunSummary,
) -> PortalInvoice | None:
    """The portal's verdict on one item; None when it could not be read (or is not there)."""
    code = record.portal_code
    try:
        account = to_portal_account(record, ctx.resolve_secret)
        seen = await ctx.portals.invoice_status(
            account, item.portal_invoice_number, evidence=f"status-{item.submission_id}"
        )
    except SecretNotFound as exc:
        summary.notes_written += await board.login_refused(
            ctx, record, str(exc), code="SECRET_MISSING"
        )
        return None
    except LoginFailed as exc:
        summary.notes_written += await board.login_refused(ctx, record, exc.message, code=exc.code)
        return None
    except PortalPaused:
        return None  # held in this run (a pause, an open outage breaker): nothing was tried
    except PortalChanged as exc:
        summary.notes_written += await board.page_changed(ctx, record, exc.message)
        return None
    except PortalUnavailable as exc:
        ctx.log.warning("status.unavailable", invoice=item.trx_number, error=str(exc))
        if not board.breaker_open(code):
            board.unavailable(code)
            if board.should_trip(ctx, code):
                await board.trip(ctx, code, exc.message)
        return None
    except PortalError as exc:
        ctx.log.warning("status.unreadable", invoice=item.trx_number, error=str(exc))
        return None
    await board.answered(ctx, code)
    return seen


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
    )
