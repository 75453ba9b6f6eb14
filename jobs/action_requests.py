"""Run the actions people asked for in the workspace (XX_ARW_ACTION_REQUESTS): retry, submit
now, test login. Whichever worker of the fleet claims a request first runs it, once.

A retry goes through the queue like any other item: the store's ``requeue`` puts it back (a
portal that wants a new number gets one) and the drain takes it, so every rule of the state
machine holds (an item that may be on the portal already is looked up there first). Each request
ends DONE or FAILED with a sentence saying what happened, which the workspace shows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from config.secrets import SecretNotFound
from connectors.oracle.records import CLAIMABLE_STATUSES, Submission, SubmissionStatus
from connectors.oracle.workspace_reads import RETRYABLE_STATUSES
from connectors.oracle.workspace_records import ActionCode, ActionRequest
from connectors.portals.errors import PortalError
from jobs.context import JobContext
from jobs.drain import drain_queue
from jobs.portal_accounts import to_portal_account
from jobs.run_summary import RunSummary

JOB_NAME = "actions"
REQUESTS_PER_POLL = 200
#: invoice numbers per drain (Oracle refuses more than 1000 expressions in an IN list)
DRAIN_CHUNK = 500


async def run(ctx: JobContext, *, request_ids: Sequence[int] | None = None) -> RunSummary | None:
    """Claim pending requests (only ``request_ids`` when given) and run them; None when there
    were none (no job run recorded)."""
    requests = await ctx.db(
        ctx.store.claim_action_requests,
        worker_name=ctx.worker_name,
        limit=REQUESTS_PER_POLL,
        request_ids=request_ids,
    )
    if not requests:
        return None
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
        queued = [r for r in requests if r.action_code is not ActionCode.TEST_LOGIN]
        await _submissions(ctx, summary, queued)
        for request in requests:
            if request.action_code is ActionCode.TEST_LOGIN:
                await _test_login(ctx, request)
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
    ctx.log.info("actions.done", requests=len(requests), **summary.as_json())
    return summary


async def _submissions(ctx: JobContext, summary: RunSummary, requests: list[ActionRequest]) -> None:
    """Retry / submit-now requests: put each item in the queue, due now, then drain them."""
    if not requests:
        return
    ready: list[ActionRequest] = []
    for request in requests:
        sid = request.submission_id
        if sid is None:
            await _finish(ctx, request, ok=False, text="the request names no submission")
            continue
        if request.action_code is ActionCode.RETRY:
            why = f"re-queued by {request.requested_by}" + (
                f": {request.reason}" if request.reason else ""
            )
            taken = await ctx.db(
                ctx.store.requeue,
                submission_ids=[sid],
                statuses=RETRYABLE_STATUSES,
                run_id=ctx.run_id,
                reason=why,
            )
            summary.requeued += len(taken.requeued)
            if taken.held_on_portal:
                await _finish(
                    ctx,
                    request,
                    ok=False,
                    text="the portal holds this invoice (disputed or rejected there) under a "
                    "number it will not take again: resolve it on the portal",
                )
                continue
        await ctx.db(ctx.store.make_due_now, [sid])
        ready.append(request)
    current = {s.submission_id: s for s in await _rows(ctx, [r.submission_id for r in ready])}
    claimable = {s.value for s in CLAIMABLE_STATUSES}
    to_drain = []
    for request in ready:
        s = current.get(request.submission_id or -1)
        if s is None or s.status.value not in claimable:
            state = "gone" if s is None else s.status.value.lower()
            await _finish(ctx, request, ok=False, text=f"nothing to do: the invoice is {state} now")
            continue
        to_drain.append(request)
    numbers = sorted({current[r.submission_id or -1].trx_number for r in to_drain})
    for start in range(0, len(numbers), DRAIN_CHUNK):
        await drain_queue(ctx, summary, trx_numbers=numbers[start : start + DRAIN_CHUNK])
    after = {s.submission_id: s for s in await _rows(ctx, [r.submission_id for r in to_drain])}
    for request in to_drain:
        s = after[request.submission_id or -1]
        text = f"invoice {s.trx_number} is {s.status.value.lower()}"
        if s.status is SubmissionStatus.SUBMITTED and s.portal_reference:
            text += f" (portal document {s.portal_reference})"
        elif s.last_error_text and s.status is not SubmissionStatus.SUBMITTED:
            text += f": {s.last_error_text}"
        await _finish(ctx, request, ok=s.status is SubmissionStatus.SUBMITTED, text=text)


async def _rows(ctx: JobContext, ids: Iterable[int | None]) -> list[Submission]:
    """The submissions of these ids, read in chunks an Oracle IN list accepts."""
    numbers = sorted({i for i in ids if i is not None})
    rows: list[Submission] = []
    for start in range(0, len(numbers), DRAIN_CHUNK):
        chunk = numbers[start : start + DRAIN_CHUNK]
        rows.extend(await ctx.db(ctx.store.submissions, submission_ids=chunk))
    return rows


async def _test_login(ctx: JobContext, request: ActionRequest) -> None:
    """One login on a fresh session; the portal's answer (or what is missing) is the result."""
    record = (
        None
        if request.portal_account_id is None
        else await ctx.db(ctx.store.portal_account, request.portal_account_id)
    )
    if record is None:
        await _finish(ctx, request, ok=False, text="the portal account no longer exists")
        return
    try:
        account = to_portal_account(record, ctx.resolve_secret)
    except SecretNotFound as exc:
        await _finish(ctx, request, ok=False, text=f"secret not found on {ctx.worker_name}: {exc}")
        return
    try:
        await ctx.portals.check_login(account, evidence=f"login-test-{request.request_id}")
    except PortalError as exc:
        ctx.log.warning(
            "actions.login_test_failed", portal=record.portal_code, code=exc.code, error=exc.message
        )
        await _finish(
            ctx, request, ok=False, text=f"login refused or failed [{exc.code}]: {exc.message}"
        )
        return
    ctx.log.info("actions.login_test_passed", portal=record.portal_code)
    await _finish(
        ctx, request, ok=True, text=f"logged in to {record.portal_url} as {record.login_name}"
    )


async def _finish(ctx: JobContext, request: ActionRequest, *, ok: bool, text: str) -> None:
    await ctx.db(ctx.store.finish_action_request, request.request_id, ok=ok, result_text=text)
