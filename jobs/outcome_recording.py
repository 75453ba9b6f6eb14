"""Recording a transition: the status change, its event and its note, in one transaction.

If the database is down when the portal's answer arrives, the outcome goes to the fsynced local
journal and is replayed before anything else on the next start: an outcome is never only in
memory (design §4, invariant 2).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from connectors.oracle.errors import StoreUnavailable
from connectors.oracle.records import (
    CollectionNote,
    OutcomeRecord,
    PortalAccountRecord,
    Submission,
)
from jobs import note_text
from jobs.context import JobContext
from jobs.outcome_journal import OutcomeJournal
from jobs.submission import NoteKind, Transition
from jobs.submission_attempt import AttemptResult


@dataclass(frozen=True, kw_only=True, slots=True)
class Recorded:
    """What recording did: applied (or journalled), and whether a note was written."""

    applied: bool
    note_written: bool = False
    journalled: bool = False


async def record_transition(
    ctx: JobContext,
    item: Submission,
    change: Transition,
    *,
    account: PortalAccountRecord | None,
    result: AttemptResult | None = None,
) -> Recorded:
    """Record ``change`` of ``item`` under the item's lease token (or journal it)."""
    text = None
    if change.note is not None and account is not None:
        text = note_for(change, item, account, result)
    outcome = OutcomeRecord(
        outcome_uid=uuid.uuid4().hex,
        to_status=change.to_status,
        event_type=change.event,
        detail=change.detail,
        portal_reference=change.portal_reference,
        error_code=change.error[0] if change.error else None,
        error_text=change.error[1] if change.error else None,
        retry_after_s=change.retry_after_s,
        artifact_path=change.artifact_path,
        note=None
        if text is None or account is None
        else CollectionNote(
            cust_account_id=account.cust_account_id,
            party_id=account.party_id,
            payment_schedule_id=item.payment_schedule_id,
            text=text,
        ),
        run_id=ctx.run_id,
    )
    try:
        note_id = await ctx.db(
            ctx.store.record_outcome,
            item.submission_id,
            item.lease_token,
            outcome,
            reset_attempts_to=0 if change.restart_attempts else None,
            refund_attempt=change.refund_attempt,
        )
    except StoreUnavailable as exc:
        OutcomeJournal(ctx.journal_path).append(item.submission_id, outcome)
        ctx.log.error(
            "outcome.journalled",
            submission_id=item.submission_id,
            status=outcome.to_status.value,
            error=str(exc),
        )
        return Recorded(applied=False, journalled=True)
    if note_id is None:
        ctx.log.warning("outcome.lease_lost", submission_id=item.submission_id)
        return Recorded(applied=False)
    return Recorded(applied=True, note_written=bool(note_id))


def note_for(
    change: Transition,
    item: Submission,
    account: PortalAccountRecord,
    result: AttemptResult | None,
) -> str | None:
    """The collector's note for a transition's note kind."""
    number = item.portal_invoice_number
    portal = note_text.portal_name_of(account)
    buyer = account.buyer_name
    error_text = change.error[1] if change.error else ""
    sent = result.invoice if result is not None else None
    if change.note is NoteKind.SUBMITTED and sent is not None:
        return note_text.submitted(
            invoice_number=number,
            amount=sent.total_amount,
            currency=sent.currency,
            portal_name=portal,
            buyer_name=buyer,
            portal_reference=change.portal_reference or "unknown",
            pdf_rendered=bool(result and result.pdf_rendered),
        )
    if change.note in (NoteKind.SUBMITTED, NoteKind.ALREADY_SUBMITTED):
        return note_text.already_submitted(
            invoice_number=number,
            portal_name=portal,
            buyer_name=buyer,
            portal_reference=change.portal_reference,
        )
    if change.note is NoteKind.REJECTED and change.error is not None:
        return note_text.rejected(
            invoice_number=number,
            portal_name=portal,
            buyer_name=buyer,
            code=change.error[0],
            reason=change.error[1],
        )
    if change.note is NoteKind.DATA_INVALID:
        return note_text.data_invalid(
            invoice_number=number, portal_name=portal, problems=error_text
        )
    if change.note is NoteKind.FAILED:
        return note_text.failed(
            invoice_number=number,
            portal_name=portal,
            buyer_name=buyer,
            attempts=item.attempts,
            error=error_text,
        )
    if change.note is NoteKind.CHECK_PORTAL:
        return note_text.check_portal(
            invoice_number=number,
            portal_name=portal,
            buyer_name=buyer,
            attempts=item.attempts,
            error=error_text,
        )
    return None
