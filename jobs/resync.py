"""Resync one customer account: what a collector asks for after fixing an invoice.

Re-read the account's open AR, put its rejected and failed items back in the queue, submit what
is new or re-queued, and leave one summary note on the account.
"""

from __future__ import annotations

import time

from connectors.oracle.records import CollectionNote, SubmissionStatus
from jobs import note_text
from jobs.context import JobContext
from jobs.drain import drain_queue
from jobs.not_submitted import not_submitted
from jobs.run_summary import RunSummary
from jobs.status import poll_statuses

JOB_NAME = "resync"


class UnknownAccount(LookupError):
    """The account number is not in HZ_CUST_ACCOUNTS or has no enabled portal account."""


async def run(ctx: JobContext, *, account_number: str) -> RunSummary:
    started = time.monotonic()
    summary = RunSummary(job=JOB_NAME, run_id=ctx.run_id)
    cust_account_id = await ctx.db(ctx.store.account_id, account_number)
    if cust_account_id is None:
        raise UnknownAccount(f"account {account_number!r} is not in HZ_CUST_ACCOUNTS")
    accounts = await ctx.db(ctx.store.portal_accounts, account_number=account_number)
    if not accounts:
        raise UnknownAccount(
            f"account {account_number!r} has no enabled portal account in XX_ARW_PORTAL_ACCOUNTS"
        )
    await ctx.db(
        ctx.store.start_job_run,
        run_id=ctx.run_id,
        job_name=JOB_NAME,
        scheduled_for=ctx.clock(),
        worker_name=ctx.worker_name,
    )
    try:
        requeue = await ctx.db(
            ctx.store.requeue, cust_account_id=cust_account_id, run_id=ctx.run_id
        )
        summary.requeued = len(requeue.requeued)
        result = await ctx.db(
            ctx.store.enqueue_open_invoices, cust_account_id=cust_account_id, run_id=ctx.run_id
        )
        summary.enqueued = result.enqueued
        summary.not_submitted = not_submitted(
            await ctx.db(ctx.store.open_items_by_kind, cust_account_id=cust_account_id),
            include_debit_memos=ctx.settings.database.include_debit_memos,
        )
        await drain_queue(ctx, summary, cust_account_id=cust_account_id)
        await poll_statuses(ctx, summary, account_number=account_number, include_held=True)
        held = await ctx.db(ctx.store.held_on_portal, cust_account_id=cust_account_id)
        still = await ctx.db(
            ctx.store.submissions,
            cust_account_id=cust_account_id,
            statuses=[SubmissionStatus.PENDING, SubmissionStatus.UNCERTAIN],
        )
        note = note_text.resync_summary(
            account_number=account_number,
            requeued=summary.requeued,
            enqueued=summary.enqueued,
            submitted=summary.submitted,
            already_submitted=summary.already_submitted,
            rejected=summary.rejected,
            failed=summary.failed,
            still_queued=len(still),
            held_on_portal=len(held),
            at=ctx.clock(),
        )
        await ctx.db(
            ctx.store.write_account_note,
            CollectionNote(
                cust_account_id=cust_account_id,
                party_id=accounts[0].party_id,
                payment_schedule_id=None,
                text=note,
            ),
        )
        summary.notes_written += 1
    except BaseException:
        summary.status = "FAILED"
        raise
    finally:
        summary.duration_s = time.monotonic() - started
        await ctx.db(
            ctx.store.finish_job_run,
            ctx.run_id,
            status=summary.status,
            counts=summary.counts(),
            summary=summary.text(),
        )
    return summary
