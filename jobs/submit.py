"""On-demand submission: drain the queue now, or submit the named invoices now.

Named invoices that are open but not yet queued are queued first, so a collector's "send it now"
works for an invoice created after last night's run. Afterwards each named invoice is explained
(:mod:`jobs.submit_explain`): on the portal, or why not and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from connectors.oracle.errors import StoreError
from jobs.context import JobContext
from jobs.drain import drain_queue
from jobs.run_summary import RunSummary
from jobs.submit_explain import Conclusion, Explanation, explain

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
        await drain_queue(ctx, summary, trx_numbers=wanted or None, total_hint=len(wanted) or None)
        if wanted:
            summary.invoices = await _explain(ctx, wanted)
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


async def _explain(ctx: JobContext, wanted: list[str]) -> list[Explanation]:
    """What happened to each named invoice; logged for each one that is not on the portal."""
    try:
        standings = await ctx.db(ctx.store.invoice_standings, wanted)
    except StoreError as exc:  # the run itself went through; only its explanation is missing
        ctx.log.error("submit.explain_failed", error=str(exc))
        return []
    now = ctx.clock()
    db = ctx.settings.database
    explanations = [
        e
        for standing in standings
        for e in explain(
            standing,
            org_ids=tuple(db.org_ids),
            include_debit_memos=db.include_debit_memos,
            now=now,
        )
    ]
    for e in explanations:
        if e.conclusion is not Conclusion.ON_PORTAL:
            ctx.log.warning(
                "submit.invoice_not_on_portal",
                invoice=e.invoice,
                verdict=e.verdict.value,
                reason=e.message,
                account=e.account_number,
            )
    return explanations
