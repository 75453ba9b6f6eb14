"""Draining the submission queue: claim, take each item through the portal, record, repeat.

A producer claims small batches (the portable claim of design §8), first from the accounts that
do not hold enough yet, while K consumers, one per page the browser may have open, each take an
item through one attempt (:mod:`jobs.submission_attempt`, which returns an outcome and writes
nothing), turn the outcome into a transition (:mod:`jobs.submission`, pure) and record it with
its event and note (:mod:`jobs.outcome_recording`). Consumers take first the item whose portal
account has the fewest uploads in flight (:mod:`jobs.account_turns`). A renewer keeps the leases
of everything this process holds alive. Paused logins and portals and open outage breakers
(:mod:`jobs.portal_pauses`) are never claimed for. When the stop event is set (SIGTERM), nothing
new is claimed, in-flight uploads finish, and items claimed but not started are handed back.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from config.secrets import SecretNotFound
from connectors.oracle.errors import StoreUnavailable
from connectors.oracle.records import InvoiceRecord, PortalAccountRecord, Submission
from connectors.portals.base import InvoiceDocument, OutgoingInvoice, PortalAccount
from jobs.account_turns import AccountTurns, accounts_held_enough
from jobs.context import JobContext
from jobs.invoice_mapping import invoice_document, to_outgoing_invoice
from jobs.lease_owner import owner_is_alive, owner_prefix
from jobs.outcome_journal import OutcomeJournal
from jobs.outcome_recording import record_transition
from jobs.portal_accounts import to_portal_account
from jobs.portal_pauses import PauseBoard, pause_board, report_pauses
from jobs.retry_policy import BackoffPolicy
from jobs.run_summary import RunSummary
from jobs.submission import (
    Fault,
    HandBack,
    ItemFacts,
    LoginRefused,
    Outcome,
    PageChanged,
    Unusable,
    transition,
)
from jobs.submission_attempt import AttemptResult, attempt_submission

IDLE_POLL_S = 0.05
STORE_DOWN_WAIT_S = 5.0


@dataclass(kw_only=True)
class _DrainState:
    summary: RunSummary
    accounts: dict[int, PortalAccountRecord]
    board: PauseBoard
    held: dict[int, Submission] = field(default_factory=dict)
    #: re-probed portals whose one item was claimed already
    probed: set[str] = field(default_factory=set)
    done: int = 0


async def drain_queue(
    ctx: JobContext,
    summary: RunSummary,
    *,
    trx_numbers: Sequence[str] | None = None,
    cust_account_id: int | None = None,
    total_hint: int | None = None,
) -> None:
    """Work the queue until nothing due is left (or stop is set); counts go into ``summary``."""
    await replay_journal(ctx)
    await take_over_dead_local_leases(ctx)
    expired = await ctx.db(ctx.store.expire_leases, run_id=ctx.run_id)
    if expired:
        ctx.log.warning("queue.leases_expired", count=expired)
    records = await ctx.db(ctx.store.portal_accounts)
    state = _DrainState(
        summary=summary,
        accounts={r.portal_account_id: r for r in records},
        board=await pause_board(ctx, records),
    )
    k = max(1, ctx.settings.browser.max_pages)
    work = AccountTurns()
    renewer = asyncio.create_task(_renew_leases(ctx, state))
    consumers = [asyncio.create_task(_consume(ctx, state, work, total_hint)) for _ in range(k)]
    try:
        await _produce(ctx, state, work, k, trx_numbers, cust_account_id)
    finally:
        try:
            work.close()
            # cancelled here (grace period over), the consumers are cancelled with us: each
            # records its upload in flight as unclear before the hand-back below
            await asyncio.gather(*consumers, return_exceptions=True)
        finally:
            renewer.cancel()
            await asyncio.wait([renewer])
            for s in list(state.held.values()):
                await _record(
                    ctx, state, s, HandBack(reason="worker stopping: handed back untouched")
                )
    await report_pauses(ctx, state.board, summary)


async def replay_journal(ctx: JobContext) -> int:
    """Record outcomes that could not reach the database last time, before anything else."""
    journal = OutcomeJournal(ctx.journal_path)
    if not journal.pending():
        return 0
    replayed = await ctx.db(
        journal.replay, lambda sid, outcome: ctx.store.record_outcome(sid, None, outcome)
    )
    ctx.log.warning("journal.replayed", count=replayed, path=str(ctx.journal_path))
    return replayed


async def take_over_dead_local_leases(ctx: JobContext) -> int:
    """Leases of dead processes of this host are taken back now, not when they expire."""
    released = await ctx.db(
        ctx.store.release_dead_owner_leases, owner_prefix(), owner_is_alive, run_id=ctx.run_id
    )
    if released:
        ctx.log.warning("queue.dead_owner_leases_taken_over", count=released)
    return released


async def _produce(
    ctx: JobContext,
    state: _DrainState,
    work: AccountTurns,
    k: int,
    trx_numbers: Sequence[str] | None,
    cust_account_id: int | None,
) -> None:
    batch = ctx.settings.queue.claim_batch
    while not ctx.stop.is_set():
        in_flight = len(state.held)
        if in_flight >= k + batch:
            await _wait(ctx, IDLE_POLL_S)
            continue
        claim = functools.partial(
            _claim,
            ctx,
            state,
            limit=min(batch, k + batch - in_flight),
            trx_numbers=trx_numbers,
            cust_account_id=cust_account_id,
        )
        try:
            claimed = await _probe_claims(state, claim)
            # other accounts first; the accounts that hold enough only when no other has work
            held_enough = accounts_held_enough(state.held.values())
            claimed += await claim(skip_accounts=held_enough)
            if not claimed and held_enough:
                claimed = await claim(skip_accounts=set())
        except StoreUnavailable as exc:
            # unattended: wait for the database to come back rather than abandon the run
            ctx.log.error("queue.claim_failed_database_unavailable", error=str(exc))
            await _wait(ctx, STORE_DOWN_WAIT_S)
            continue
        for s in claimed:
            state.held[s.submission_id] = s
            work.put(s)
        if not claimed:
            if not state.held:
                return
            await _wait(ctx, IDLE_POLL_S * 4)


async def _probe_claims(
    state: _DrainState, claim: Callable[..., Awaitable[list[Submission]]]
) -> list[Submission]:
    """One item of each portal this worker re-probes (paused for a changed page)."""
    claimed: list[Submission] = []
    for portal_code in sorted(state.board.probing - state.probed):
        state.probed.add(portal_code)
        accounts = [a for a, r in state.accounts.items() if r.portal_code == portal_code]
        claimed += await claim(skip_accounts=set(), only_accounts=accounts, limit=1)
    return claimed


async def _claim(
    ctx: JobContext,
    state: _DrainState,
    *,
    limit: int,
    skip_accounts: set[int],
    trx_numbers: Sequence[str] | None,
    cust_account_id: int | None,
    only_accounts: Sequence[int] | None = None,
) -> list[Submission]:
    """Claim a batch; cancelled meanwhile, still hold what the claim took so it is handed back.

    The claim runs in a thread that cancelling cannot stop: its rows become IN_PROGRESS under
    our lease whether or not anyone waits for the answer. Dropping that answer would strand
    them until their lease expires.
    """
    blocked = state.board.blocked(probing_too=only_accounts is None)
    claiming = asyncio.ensure_future(
        ctx.db(
            ctx.store.claim,
            owner=ctx.worker_name,
            limit=limit,
            lease_s=ctx.settings.queue.lease_duration_s,
            portal_account_ids=only_accounts,
            exclude_portal_account_ids=sorted(blocked | skip_accounts),
            trx_numbers=trx_numbers,
            cust_account_id=cust_account_id,
            run_id=ctx.run_id,
        )
    )
    try:
        return await asyncio.shield(claiming)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            for s in await claiming:
                state.held[s.submission_id] = s  # not queued: released by drain_queue
        raise


async def _wait(ctx: JobContext, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ctx.stop.wait(), timeout=seconds)


async def _renew_leases(ctx: JobContext, state: _DrainState) -> None:
    lease_s = ctx.settings.queue.lease_duration_s
    while True:
        await asyncio.sleep(max(1.0, lease_s / 3))
        for s in list(state.held.values()):
            try:
                kept = await ctx.db(
                    ctx.store.renew_lease, s.submission_id, s.lease_token or "", lease_s=lease_s
                )
            except StoreUnavailable:
                ctx.log.warning("lease.renew_failed", submission_id=s.submission_id)
                continue
            if not kept and s.submission_id in state.held:
                # the fence before the submit click will refuse it: nothing is clicked
                ctx.log.error("lease.lost", submission_id=s.submission_id)


async def _consume(
    ctx: JobContext,
    state: _DrainState,
    work: AccountTurns,
    total_hint: int | None,
) -> None:
    while (s := await work.get()) is not None:
        try:
            await _take_through(ctx, state, s, total_hint)
        except Exception:
            # a consumer that died would leave the drain waiting forever on what it held: the
            # item keeps its lease (and is taken back when the lease runs out); the run goes on
            ctx.log.exception("submission.not_recorded", submission_id=s.submission_id)
            state.held.pop(s.submission_id, None)
        finally:
            work.done(s)


async def _take_through(
    ctx: JobContext, state: _DrainState, s: Submission, total_hint: int | None
) -> None:
    """One claimed item: handed back if we are stopping or it is blocked, else one attempt."""
    record = state.accounts.get(s.portal_account_id)
    if ctx.stop.is_set():
        await _record(ctx, state, s, HandBack(reason="worker stopping: handed back untouched"))
        return
    if record is not None and (pause := state.board.pause_of(record)) is not None:
        if s.portal_account_id in state.board.blocked(probing_too=False):
            await _record(ctx, state, s, HandBack(reason=f"{pause.label} paused: {pause.reason}"))
            return
    log = ctx.log.bind(submission_id=s.submission_id, invoice=s.trx_number, attempt=s.attempts)
    try:
        result = await _attempt(ctx, s, record, log)
    except asyncio.CancelledError:
        # stopped mid-flight (grace period over): the portal may have it; say so, then stop
        if s.submission_id in state.held:
            await _record(
                ctx,
                state,
                s,
                Fault(
                    code="WORKER_STOPPED",
                    message="worker stopped during the upload; look it up before retrying",
                    unclear=True,
                ),
            )
        raise
    await _record(ctx, state, s, result.outcome, result=result, record=record)
    state.done += 1
    ctx.progress(state.summary.job, state.done, total_hint, s.trx_number)


async def _attempt(
    ctx: JobContext, s: Submission, record: PortalAccountRecord | None, log: object
) -> AttemptResult:
    if record is None:
        return AttemptResult(
            outcome=Unusable(
                code="ACCOUNT_DISABLED",
                message="the portal account is disabled or outside the configured ORG_IDs",
            )
        )
    try:
        account: PortalAccount = to_portal_account(record, ctx.resolve_secret)
    except SecretNotFound as exc:
        return AttemptResult(outcome=LoginRefused(message=str(exc), code="SECRET_MISSING"))
    lease_s = ctx.settings.queue.lease_duration_s

    async def load_invoice() -> InvoiceRecord | None:
        return await ctx.db(ctx.store.load_invoice, s.customer_trx_id)

    def prepare(invoice: InvoiceRecord) -> tuple[OutgoingInvoice, InvoiceDocument]:
        outgoing = to_outgoing_invoice(
            invoice, portal_invoice_number=s.portal_invoice_number, buyer_name=record.buyer_name
        )
        return outgoing, invoice_document(invoice, outgoing, supplier=ctx.settings.supplier)

    async def prove_lease() -> bool:
        try:
            return await ctx.db(
                ctx.store.start_submit,
                s.submission_id,
                s.lease_token or "",
                lease_s=lease_s,
                run_id=ctx.run_id,
            )
        except StoreUnavailable as exc:
            # no proof without the database: not clicked; the lease runs out, and the item,
            # never clicked, is queued again with no lookup needed
            ctx.log.warning("submission.fence_unreachable", error=str(exc))
            return False

    return await attempt_submission(
        ctx.portals,
        s,
        account,
        load_invoice=load_invoice,
        prepare=prepare,
        prove_lease=prove_lease,
        log=ctx.log.bind(
            submission_id=s.submission_id,
            invoice=s.trx_number,
            portal=record.portal_code,
            account=record.account_number,
        ),
    )


async def _record(
    ctx: JobContext,
    state: _DrainState,
    s: Submission,
    outcome: Outcome,
    *,
    result: AttemptResult | None = None,
    record: PortalAccountRecord | None = None,
) -> None:
    """Let the pause board see the outcome, record its transition (never only in memory), then
    count an unavailability fault towards the portal's outage breaker."""
    summary = state.summary
    record = record or state.accounts.get(s.portal_account_id)
    portal_out = False
    if record is not None:
        summary.notes_written += await _observe(ctx, state, outcome, record)
        portal_out = state.board.breaker_open(record.portal_code)
    q = ctx.settings.queue
    policy = BackoffPolicy(
        max_attempts=q.max_attempts, base_s=q.backoff_base_s, max_s=q.backoff_max_s
    )
    change = transition(
        ItemFacts(attempts=s.attempts, submit_started=s.needs_lookup),
        outcome,
        policy,
        random.Random(),
        portal_out=portal_out,
    )
    state.held.pop(s.submission_id, None)
    if not change.record:
        ctx.log.error("submission.fenced", submission_id=s.submission_id, why=change.detail)
        return
    recorded = await record_transition(ctx, s, change, account=record, result=result)
    if recorded.note_written:
        summary.notes_written += 1
    if change.counter is not None and (recorded.applied or recorded.journalled):
        setattr(summary, change.counter.value, getattr(summary, change.counter.value) + 1)
    if record is not None and isinstance(outcome, Fault) and outcome.unavailable:
        counted = recorded.applied and not change.refund_attempt and not outcome.unclear
        await _count_towards_outage(ctx, state, record, outcome, s if counted else None)


async def _observe(
    ctx: JobContext,
    state: _DrainState,
    outcome: Outcome,
    record: PortalAccountRecord,
) -> int:
    """What the outcome tells about the portal: a refused login, changed pages, an answer.
    Returns the notes written."""
    board = state.board
    if isinstance(outcome, LoginRefused):
        return await board.login_refused(ctx, record, outcome.message, code=outcome.code)
    if isinstance(outcome, PageChanged):
        return await board.page_changed(ctx, record, outcome.message)
    if isinstance(outcome, HandBack | Unusable) or (
        isinstance(outcome, Fault) and outcome.unavailable
    ):
        return 0
    await board.answered(ctx, record.portal_code)
    return 0


async def _count_towards_outage(
    ctx: JobContext,
    state: _DrainState,
    record: PortalAccountRecord,
    fault: Fault,
    counted: Submission | None,
) -> None:
    """One more unavailability fault in a row; at the threshold the breaker opens and the
    attempts the streak used are given back (an outage is not the invoices' fault)."""
    board, code = state.board, record.portal_code
    item = None if counted is None else (counted.submission_id, counted.attempts)
    if board.breaker_open(code):
        # tripped by another page of this run while this attempt was being recorded
        owed = [item] if item is not None else []
    else:
        board.unavailable(code, item)
        if not board.should_trip(ctx, code):
            return
        owed = await board.trip(ctx, code, fault.message)
    for submission_id, attempts in owed:
        await ctx.db(
            ctx.store.refund_attempt,
            submission_id,
            attempts=attempts,
            reason=f"attempt not counted: portal {code} unavailable (outage breaker open)",
            run_id=ctx.run_id,
        )
