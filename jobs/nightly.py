"""The nightly run: enqueue every open invoice not yet queued, drain the queue, summarise.

Across a fleet the enqueue happens once per scheduled time: the first worker to insert the
(job, scheduled_for) row in XX_ARW_JOB_RUNS enqueues; the others only help drain.
"""

from __future__ import annotations

import datetime as dt
import time

from jobs.context import JobContext
from jobs.drain import drain_queue
from jobs.run_summary import RunSummary

JOB_NAME = "nightly"


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
        if first:
            result = await ctx.db(
                lambda: ctx.store.enqueue(ctx.store.open_invoices(), run_id=ctx.run_id)
            )
            summary.enqueued = result.enqueued
            log.info("nightly.enqueued", enqueued=result.enqueued, already=result.already_queued)
        else:
            summary.skipped_reason = "enqueue already done for this slot by another worker"
            log.info("nightly.enqueue_skipped", scheduled_for=slot.isoformat())
        pending = sum(
            n
            for status, n in (await ctx.db(ctx.store.status_counts)).items()
            if status in ("PENDING", "UNCERTAIN")
        )
        await drain_queue(ctx, summary, total_hint=pending)
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
