"""Draining the submission queue: claim, submit through the portal, record, repeat.

A producer claims small batches (the portable claim of design §8), first from the accounts that
do not hold enough yet, while K consumers, one per page the browser may have open, each take an
item through the portal and record its outcome with its event and note in one transaction.
Consumers take first the item whose portal account has the fewest uploads in flight
(:mod:`jobs.account_turns`), so each account keeps about one warm page. A renewer keeps the
leases of everything this process holds alive, so a slow portal never lets another worker take
over an item in flight. When the stop event is set (SIGTERM), nothing new is claimed, in-flight
uploads finish, and items claimed but not started are handed back untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from config.secrets import SecretNotFound
from connectors.oracle.errors import StoreUnavailable
from connectors.oracle.records import (
    CollectionNote,
    OutcomeRecord,
    PortalAccountRecord,
    Submission,
    SubmissionStatus,
)
from connectors.portals.base import PortalAccount
from connectors.portals.errors import (
    InvoiceRejected,
    PortalError,
    PortalUnavailable,
)
from jobs import note_text
from jobs.account_turns import AccountTurns, accounts_held_enough
from jobs.context import JobContext
from jobs.invoice_mapping import invoice_document, to_outgoing_invoice
from jobs.lease_owner import owner_is_alive, owner_prefix
from jobs.outcome_journal import OutcomeJournal
from jobs.portal_accounts import to_portal_account
from jobs.retry_policy import BackoffPolicy, RetryAction, decide
from jobs.run_summary import RunSummary

IDLE_POLL_S = 0.05
STORE_DOWN_WAIT_S = 5.0
EVENT_SUBMITTED = "SUBMITTED"
EVENT_ALREADY_SUBMITTED = "ALREADY_SUBMITTED"
EVENT_REJECTED = "REJECTED"
EVENT_FAILED = "FAILED"
EVENT_RETRY = "RETRY_SCHEDULED"
EVENT_RELEASED = "RELEASED"


@dataclass(kw_only=True)
class _DrainState:
    summary: RunSummary
    accounts: dict[int, PortalAccountRecord]
    held: dict[int, Submission] = field(default_factory=dict)
    excluded_accounts: set[int] = field(default_factory=set)
    alerted: set[str] = field(default_factory=set)
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
    state = _DrainState(summary=summary, accounts={r.portal_account_id: r for r in records})
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
            # records its upload in flight as UNCERTAIN before the hand-back below
            await asyncio.gather(*consumers, return_exceptions=True)
        finally:
            renewer.cancel()
            await asyncio.wait([renewer])
            for s in list(state.held.values()):
                await _release(ctx, state, s, "worker stopping: handed back before any upload")
    summary.paused_logins |= ctx.portals.paused_logins()
    summary.paused_portals |= ctx.portals.paused_portals()


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
    """Leases of dead processes of this host become UNCERTAIN now, not when they expire."""
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
            # other accounts first; the accounts that hold enough only when no other has work
            held_enough = accounts_held_enough(state.held.values())
            claimed = await claim(skip_accounts=held_enough)
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


async def _claim(
    ctx: JobContext,
    state: _DrainState,
    *,
    limit: int,
    skip_accounts: set[int],
    trx_numbers: Sequence[str] | None,
    cust_account_id: int | None,
) -> list[Submission]:
    """Claim a batch; cancelled meanwhile, still hold what the claim took so it is handed back.

    The claim runs in a thread that cancelling cannot stop: its rows become IN_PROGRESS under
    our lease whether or not anyone waits for the answer. Dropping that answer would strand
    them until their lease expires.
    """
    claiming = asyncio.ensure_future(
        ctx.db(
            ctx.store.claim,
            owner=ctx.worker_name,
            limit=limit,
            lease_s=ctx.settings.queue.lease_duration_s,
            exclude_portal_account_ids=sorted(state.excluded_accounts | skip_accounts),
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
        finally:
            work.done(s)


async def _take_through(
    ctx: JobContext, state: _DrainState, s: Submission, total_hint: int | None
) -> None:
    """One claimed item: handed back if we are stopping, else through the portal and recorded."""
    if ctx.stop.is_set() or s.portal_account_id in state.excluded_accounts:
        await _release(ctx, state, s, "handed back untouched")
        return
    log = ctx.log.bind(submission_id=s.submission_id, invoice=s.trx_number, attempt=s.attempts)
    try:
        await _process(ctx, state, s, log)
    except asyncio.CancelledError:
        # stopped mid-flight (grace period over): the portal may have it; say so, then stop
        if s.submission_id in state.held:
            await _record(
                ctx,
                state,
                s,
                OutcomeRecord(
                    outcome_uid=uuid.uuid4().hex,
                    to_status=SubmissionStatus.UNCERTAIN,
                    event_type=EVENT_RELEASED,
                    detail="worker stopped during the upload; look it up before retrying",
                    run_id=ctx.run_id,
                ),
            )
        raise
    except Exception as exc:  # the unknown is an application fault: retry with backoff
        log.exception("submission.unexpected_error")
        await _apply_failure(ctx, state, s, exc, log, account=None, after_submit=False)
    state.done += 1
    ctx.progress(state.summary.job, state.done, total_hint, s.trx_number)


async def _process(ctx: JobContext, state: _DrainState, s: Submission, log: object) -> None:
    record = state.accounts.get(s.portal_account_id)
    if record is None:
        await _finish(
            ctx,
            state,
            s,
            SubmissionStatus.FAILED,
            EVENT_FAILED,
            detail="portal account disabled or not in the configured org",
            error=("ACCOUNT_DISABLED", "the portal account is disabled or outside ORG_IDs"),
        )
        state.summary.failed += 1
        return
    try:
        account = to_portal_account(record, ctx.resolve_secret)
    except SecretNotFound as exc:
        await _pause_login(ctx, state, s, record, str(exc))
        return
    evidence = f"submission-{s.submission_id}"
    bound = ctx.log.bind(
        submission_id=s.submission_id,
        invoice=s.trx_number,
        portal=record.portal_code,
        account=record.account_number,
    )
    if s.needs_lookup:
        try:
            found = await ctx.portals.find_invoice(
                account, s.portal_invoice_number, evidence=evidence
            )
        except PortalError as exc:
            await _apply_failure(ctx, state, s, exc, bound, account=record, after_submit=False)
            return
        if found is not None:
            await _already_there(ctx, state, s, record, found.portal_reference)
            return
    invoice = await ctx.db(ctx.store.load_invoice, s.customer_trx_id)
    if invoice is None:
        await _finish(
            ctx,
            state,
            s,
            SubmissionStatus.FAILED,
            EVENT_FAILED,
            detail="invoice no longer readable in the configured orgs",
            error=("INVOICE_GONE", "the invoice is no longer in RA_CUSTOMER_TRX_ALL for ORG_IDs"),
        )
        state.summary.failed += 1
        return
    outgoing = to_outgoing_invoice(
        invoice, portal_invoice_number=s.portal_invoice_number, buyer_name=record.buyer_name
    )
    document = invoice_document(invoice, outgoing, supplier=ctx.settings.supplier)
    started = time.monotonic()
    try:
        receipt = await ctx.portals.submit_invoice(account, outgoing, document, evidence=evidence)
    except InvoiceRejected as exc:
        bound.info("submission.rejected", code=exc.code, reason=exc.message)
        note = note_text.rejected(
            invoice_number=s.portal_invoice_number,
            portal_code=record.portal_code,
            buyer_name=record.buyer_name,
            code=exc.code,
            reason=exc.message,
        )
        await _finish(
            ctx,
            state,
            s,
            SubmissionStatus.REJECTED,
            EVENT_REJECTED,
            detail=f"{exc.code}: {exc.message}",
            error=(exc.code, exc.message),
            note=_note(record, s, note),
            artifact=_artifact(exc),
        )
        state.summary.rejected += 1
        return
    except PortalUnavailable as exc:
        if exc.after_submit:
            await _settle_ambiguous(
                ctx,
                state,
                s,
                record,
                account,
                exc,
                bound,
                submitted_note=functools.partial(
                    note_text.submitted,
                    invoice_number=s.portal_invoice_number,
                    amount=outgoing.total_amount,
                    currency=outgoing.currency,
                    portal_code=record.portal_code,
                    buyer_name=record.buyer_name,
                    pdf_rendered=document.rendered,
                ),
            )
        else:
            await _apply_failure(ctx, state, s, exc, bound, account=record, after_submit=False)
        return
    except PortalError as exc:
        await _apply_failure(ctx, state, s, exc, bound, account=record, after_submit=False)
        return
    bound.info(
        "submission.submitted",
        portal_reference=receipt.portal_reference,
        seconds=round(time.monotonic() - started, 2),
    )
    note = note_text.submitted(
        invoice_number=s.portal_invoice_number,
        amount=outgoing.total_amount,
        currency=outgoing.currency,
        portal_code=record.portal_code,
        buyer_name=record.buyer_name,
        portal_reference=receipt.portal_reference,
        pdf_rendered=document.rendered,
    )
    await _finish(
        ctx,
        state,
        s,
        SubmissionStatus.SUBMITTED,
        EVENT_SUBMITTED,
        detail=f"portal document {receipt.portal_reference}",
        portal_reference=receipt.portal_reference,
        note=_note(record, s, note),
    )
    state.summary.submitted += 1


async def _settle_ambiguous(
    ctx: JobContext,
    state: _DrainState,
    s: Submission,
    record: PortalAccountRecord,
    account: PortalAccount,
    exc: PortalUnavailable,
    log: object,
    *,
    submitted_note: Callable[..., str],
) -> None:
    """The portal may have the invoice: look before deciding, never upload again blindly."""
    ctx.log.warning("submission.ambiguous", submission_id=s.submission_id, error=exc.message)
    try:
        found = await ctx.portals.find_invoice(
            account, s.portal_invoice_number, evidence=f"submission-{s.submission_id}"
        )
    except PortalError as lookup_exc:
        await _apply_failure(ctx, state, s, lookup_exc, log, account=record, after_submit=True)
        return
    if found is not None:
        await _already_there(
            ctx,
            state,
            s,
            record,
            found.portal_reference,
            submitted_note=submitted_note(portal_reference=found.portal_reference or "unknown"),
        )
        return
    await _apply_failure(ctx, state, s, exc, log, account=record, after_submit=True)


async def _already_there(
    ctx: JobContext,
    state: _DrainState,
    s: Submission,
    record: PortalAccountRecord,
    portal_reference: str | None,
    *,
    submitted_note: str | None = None,
) -> None:
    ambiguous = submitted_note is not None
    note = note_text.already_submitted(
        invoice_number=s.portal_invoice_number,
        portal_code=record.portal_code,
        buyer_name=record.buyer_name,
        portal_reference=portal_reference,
    )
    if submitted_note is not None:
        # our own upload went through although the portal's answer did not reach us: it is ours
        note = submitted_note
    await _finish(
        ctx,
        state,
        s,
        SubmissionStatus.SUBMITTED,
        EVENT_SUBMITTED if ambiguous else EVENT_ALREADY_SUBMITTED,
        detail=f"found on the portal ({portal_reference})",
        portal_reference=portal_reference,
        note=_note(record, s, note),
    )
    if ambiguous:
        state.summary.submitted += 1
    else:
        state.summary.already_submitted += 1


async def _apply_failure(
    ctx: JobContext,
    state: _DrainState,
    s: Submission,
    exc: BaseException,
    log: object,
    *,
    account: PortalAccountRecord | None,
    after_submit: bool,
) -> None:
    q = ctx.settings.queue
    policy = BackoffPolicy(
        max_attempts=q.max_attempts, base_s=q.backoff_base_s, max_s=q.backoff_max_s
    )
    decision = decide(exc, s.attempts, ctx.clock(), policy, random.Random())
    message = exc.message if isinstance(exc, PortalError) else f"{type(exc).__name__}: {exc}"
    code = exc.code if isinstance(exc, PortalError) else "APPLICATION_ERROR"
    if decision.action is RetryAction.PAUSE_LOGIN and account is not None and not after_submit:
        await _pause_login(ctx, state, s, account, message)
        return
    if decision.action is RetryAction.PAUSE_PORTAL and account is not None and not after_submit:
        await _pause_portal(ctx, state, s, account, message)
        return
    if decision.action is RetryAction.RETRY or (
        decision.action in (RetryAction.PAUSE_LOGIN, RetryAction.PAUSE_PORTAL)
    ):
        retry_at = decision.retry_at or ctx.clock()
        await _finish(
            ctx,
            state,
            s,
            SubmissionStatus.PENDING,
            EVENT_RETRY,
            detail=f"attempt {s.attempts} failed ({code}); retry at {retry_at:%H:%M:%S}",
            error=(code, message),
            next_attempt_at=retry_at,
            artifact=_artifact(exc),
        )
        state.summary.retry_scheduled += 1
        return
    note = None
    if account is not None:
        note = _note(
            account,
            s,
            note_text.failed(
                invoice_number=s.portal_invoice_number,
                portal_code=account.portal_code,
                buyer_name=account.buyer_name,
                attempts=s.attempts,
                error=message,
            ),
        )
    await _finish(
        ctx,
        state,
        s,
        SubmissionStatus.FAILED,
        EVENT_FAILED,
        detail=f"gave up after {s.attempts} attempts: {code}",
        error=(code, message),
        note=note,
        artifact=_artifact(exc),
    )
    state.summary.failed += 1


async def _pause_login(
    ctx: JobContext, state: _DrainState, s: Submission, record: PortalAccountRecord, reason: str
) -> None:
    same_login = [
        r.portal_account_id
        for r in state.accounts.values()
        if (r.portal_code, r.portal_url.rstrip("/"), r.login_name)
        == (record.portal_code, record.portal_url.rstrip("/"), record.login_name)
    ]
    state.excluded_accounts.update(same_login)
    ctx.log.error(
        "portal.login_paused",
        portal=record.portal_code,
        login=record.login_name,
        reason=reason,
        accounts=len(same_login),
    )
    await _release(ctx, state, s, f"login failed: {reason}")
    key = f"login|{record.portal_code}|{record.login_name}"
    if key not in state.alerted:
        state.alerted.add(key)
        for r in state.accounts.values():
            if r.portal_account_id in same_login:
                await _account_note(
                    ctx,
                    state,
                    r,
                    note_text.login_failed(
                        portal_code=r.portal_code,
                        login_name=r.login_name,
                        reason=reason,
                        secret_ref=r.secret_ref,
                    ),
                )
        state.summary.paused_logins[f"{record.portal_code}:{record.login_name}"] = reason


async def _pause_portal(
    ctx: JobContext, state: _DrainState, s: Submission, record: PortalAccountRecord, reason: str
) -> None:
    same_portal = [
        r.portal_account_id for r in state.accounts.values() if r.portal_code == record.portal_code
    ]
    state.excluded_accounts.update(same_portal)
    ctx.log.error("portal.paused", portal=record.portal_code, reason=reason)
    await _release(ctx, state, s, f"portal paused: {reason}")
    key = f"portal|{record.portal_code}"
    if key not in state.alerted:
        state.alerted.add(key)
        await _account_note(
            ctx,
            state,
            record,
            note_text.portal_changed(portal_code=record.portal_code, reason=reason),
        )
        state.summary.paused_portals[record.portal_code] = reason


async def _account_note(
    ctx: JobContext, state: _DrainState, record: PortalAccountRecord, text: str
) -> None:
    note = CollectionNote(
        cust_account_id=record.cust_account_id,
        party_id=record.party_id,
        payment_schedule_id=None,
        text=text,
    )
    try:
        await ctx.db(ctx.store.write_account_note, note)
        state.summary.notes_written += 1
    except StoreUnavailable:
        ctx.log.error("note.not_written", account=record.account_number, text=text)


async def _release(ctx: JobContext, state: _DrainState, s: Submission, reason: str) -> None:
    """Hand an item back exactly as it was before the claim (it never reached the portal)."""
    outcome = OutcomeRecord(
        outcome_uid=uuid.uuid4().hex,
        to_status=SubmissionStatus.UNCERTAIN if s.needs_lookup else SubmissionStatus.PENDING,
        event_type=EVENT_RELEASED,
        detail=reason,
        run_id=ctx.run_id,
    )
    await _record(ctx, state, s, outcome, reset_attempts=True)
    state.summary.released += 1


async def _finish(
    ctx: JobContext,
    state: _DrainState,
    s: Submission,
    to_status: SubmissionStatus,
    event_type: str,
    *,
    detail: str,
    error: tuple[str, str] | None = None,
    portal_reference: str | None = None,
    note: CollectionNote | None = None,
    next_attempt_at: object = None,
    artifact: str | None = None,
) -> None:
    outcome = OutcomeRecord(
        outcome_uid=uuid.uuid4().hex,
        to_status=to_status,
        event_type=event_type,
        detail=detail,
        portal_reference=portal_reference,
        error_code=error[0] if error else None,
        error_text=error[1] if error else None,
        next_attempt_at=next_attempt_at,  # type: ignore[arg-type]
        artifact_path=artifact,
        note=note,
        run_id=ctx.run_id,
    )
    await _record(ctx, state, s, outcome)


async def _record(
    ctx: JobContext,
    state: _DrainState,
    s: Submission,
    outcome: OutcomeRecord,
    *,
    reset_attempts: bool = False,
) -> None:
    """Record in the database; if it is down, in the fsynced journal. Never only in memory."""
    try:
        note_id = await ctx.db(
            ctx.store.record_outcome,
            s.submission_id,
            s.lease_token,
            outcome,
            reset_attempts_to=s.attempts - 1 if reset_attempts else None,
        )
    except StoreUnavailable as exc:
        OutcomeJournal(ctx.journal_path).append(s.submission_id, outcome)
        ctx.log.error(
            "outcome.journalled",
            submission_id=s.submission_id,
            status=outcome.to_status.value,
            error=str(exc),
        )
        note_id = None
    else:
        if note_id is None:
            ctx.log.warning("outcome.lease_lost", submission_id=s.submission_id)
        elif note_id:
            state.summary.notes_written += 1
    state.held.pop(s.submission_id, None)


def _note(record: PortalAccountRecord, s: Submission, text: str) -> CollectionNote:
    return CollectionNote(
        cust_account_id=record.cust_account_id,
        party_id=record.party_id,
        payment_schedule_id=s.payment_schedule_id,
        text=text,
    )


def _artifact(exc: BaseException) -> str | None:
    path = getattr(exc, "artifact_path", None)
    return str(path) if path else None
