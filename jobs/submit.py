"""On-demand submission: drain the queue now, or submit the named invoices now.

Named invoices that are open but not yet queued are queued first, so a collector's "send it now"
works for an invoice created after last night's run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from jobs.context import JobContext
from jobs.drain import drain_queue
from jobs.run_summary import RunSummary

JOB_NAME = "submit"


async def run(ctx: JobContext, *, invoice_numbers: Sequence[str] = ()) -> RunSummary:
    started = time.monotonic()
    summary = RunSummary(job=JOB_NAME, run_id=ctx.run_id)
    await ctx.db(
        ctx.store.start_job_run,
        run_id=ctx.run_id,
        job_name=JOB_NAME,
        scheduled_for=ctx.clock(),
        worker_name=ctx.worker_name,
    )
    try:
        wanted = list(dict.fromkeys(invoice_numbers))
        if wanted:
            names = set(wanted)
            result = await ctx.db(
                lambda: ctx.store.enqueue(
                    (i for i in ctx.store.open_invoices() if i.trx_number in names),
                    run_id=ctx.run_id,
                )
            )
            summary.enqueued = result.enqueued
            known = {s.trx_number for s in await ctx.db(ctx.store.submissions, trx_numbers=wanted)}
            missing = [n for n in wanted if n not in known]
            if missing:
                ctx.log.warning("submit.unknown_invoices", invoices=missing)
                summary.skipped_reason = (
                    "not open, not in the configured orgs, or not enrolled on a portal: "
                    + ", ".join(missing)
                )
        await drain_queue(ctx, summary, trx_numbers=wanted or None, total_hint=len(wanted) or None)
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
