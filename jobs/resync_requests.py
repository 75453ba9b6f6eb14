"""Pick up collectors' resync requests (XX_ARW_RESYNC_REQUESTS) and run each once.

A request is inserted by a button in iCollections, a PL/SQL call or ``arworker resync --queue``;
whichever worker of the fleet claims it first runs it, and marks it DONE or FAILED with the reason.
"""

from __future__ import annotations

import dataclasses
import uuid

from jobs import resync
from jobs.context import JobContext
from jobs.run_summary import RunSummary

JOB_NAME = "resync_requests"
REQUESTS_PER_POLL = 5


async def run(ctx: JobContext) -> list[RunSummary]:
    requests = await ctx.db(
        ctx.store.claim_resync_requests, worker_name=ctx.worker_name, limit=REQUESTS_PER_POLL
    )
    summaries = []
    for request in requests:
        log = ctx.log.bind(request_id=request.request_id, account=request.account_number)
        run_ctx = dataclasses.replace(ctx, run_id=f"resync-{uuid.uuid4().hex[:12]}", log=log)
        try:
            summary = await resync.run(run_ctx, account_number=request.account_number)
        except resync.UnknownAccount as exc:
            log.warning("resync_request.rejected", reason=str(exc))
            await ctx.db(
                ctx.store.finish_resync_request, request.request_id, ok=False, result_text=str(exc)
            )
            continue
        except Exception as exc:
            log.exception("resync_request.failed")
            await ctx.db(
                ctx.store.finish_resync_request,
                request.request_id,
                ok=False,
                result_text=f"{type(exc).__name__}: {exc}",
            )
            continue
        await ctx.db(
            ctx.store.finish_resync_request, request.request_id, ok=True, result_text=summary.text()
        )
        log.info("resync_request.done", **summary.as_json())
        summaries.append(summary)
    return summaries
