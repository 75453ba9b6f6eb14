"""The nightly run: enqueue every open invoice not yet queued, drain the queue, summarise.

Across a fleet the enqueue happens once per scheduled time: the first worker to insert the
(job, scheduled_for) row in XX_ARW_JOB_RUNS enqueues; the others only help drain.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from jobs.context import JobContext
from jobs.drain import drain_queue
from jobs.lease_owner import owner_is_alive, owner_prefix
from jobs.not_submitted import not_submitted
from jobs.run_summary import RunSummary
from jobs.status import poll_statuses

JOB_NAME = "nightly"
ENQUEUE_WAIT_S = 300.0
ENQUEUE_POLL_S = 1.0


async def _enqueue_abandoned(ctx: JobContext, slot: dt.datetime) -> bool:
    """Another worker owns this slot: wait for its enqueue; True if it died before finishing.

    Enqueueing is idempotent, so taking over an abandoned enqueue is safe; waiting first keeps a
    fleet from reading the whole open AR several times for nothing.
    """
    deadline = time.monotonic() + ENQUEUE_WAIT_S
    while True:
        owner = await ctx.db(ctx.store.job_run_for_slot, JOB_NAME, slot)
        if owner is None or owner["enqueued_count"] is not None:
            return False
        if owner["worker_name"].startswith(owner_prefix()) and not owner_is_alive(
            owner["worker_name"]
        ):
            ctx.log.warning("nightly.enqueue_taken_over", dead_worker=owner["worker_name"])
            return True
        if time.monotonic() > deadline:
            ctx.log.warning("nightly.enqueue_wait_expired", worker=owner["worker_name"])
            return True
        await asyncio.sleep(ENQUEUE_POLL_S)


async def run(ctx: JobContext, *, scheduled_for: dt.datetime | None = None) -> RunSummary:
    """Run the nightly job; ``scheduled_for`` identifies the schedule slot (default: now)."""
    started = time.monotonic()
    summary = RunSummary(job=JOB_NAME, run_id=ctx.run_id)
    slot = scheduled_for or ctx.clock()
    first = await ctx.db(
        ctx.store.start_job_run,
        run_id=ctx.run_id,
        job_name=JOB_NAME,
        scheduled_for=slot,
        worker_name=ctx.worker_name,
    )
    log = ctx.log.bind(job=JOB_NAME)
    try:
        if first or await _enqueue_abandoned(ctx, slot):
            result = await ctx.db(ctx.store.enqueue_open_invoices, run_id=ctx.run_id)
            summary.enqueued = result.enqueued
            if first:
                await ctx.db(ctx.store.mark_enqueued, ctx.run_id, result.enqueued)
            log.info("nightly.enqueued", enqueued=result.enqueued, already=result.already_queued)
            summary.not_submitted = not_submitted(
                await ctx.db(ctx.store.open_items_by_kind),
                include_debit_memos=ctx.settings.database.include_debit_memos,
            )
        else:
            summary.skipped_reason = "enqueue already done for this slot by another worker"
            log.info("nightly.enqueue_skipped", scheduled_for=slot.isoformat())
        pending = sum(
            n
            for status, n in (await ctx.db(ctx.store.status_counts)).items()
            if status in ("PENDING", "UNCERTAIN")
        )
        await drain_queue(ctx, summary, total_hint=pending)
        if not ctx.stop.is_set():
            await poll_statuses(ctx, summary)
    except BaseException:
        summary.status = "FAILED"
        raise
    finally:
        summary.duration_s = time.monotonic() - started
        if first:
            await ctx.db(
                ctx.store.finish_job_run,
                ctx.run_id,
                status=summary.status,
                counts=summary.counts(),
                summary=summary.text(),
            )
    log.info("nightly.finished", **summary.as_json())
    return summary
