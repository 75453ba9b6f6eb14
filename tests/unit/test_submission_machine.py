"""The submission state machine, one table row per (item, outcome): design §4's invariants.

Every failure a portal or our own code can produce is first classified (``failure_outcome``)
and then transitioned; both are pure, so the whole machine is this table.
"""

from __future__ import annotations

import pytest

from config.secrets import SecretNotFound
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
    PortalChanged,
    PortalUnavailable,
    RejectionCode,
    SessionExpired,
    SubmitFenced,
)
from jobs.retry_policy import BackoffPolicy
from jobs.submission import (
    EventType,
    Fault,
    FoundOnPortal,
    HandBack,
    ItemFacts,
    LeaseLost,
    NoteKind,
    Outcome,
    Refused,
    RunCounter,
    SubmissionStatus,
    Unusable,
    Uploaded,
    transition,
)
from jobs.submission_attempt import failure_outcome

POLICY = BackoffPolicy(max_attempts=3, base_s=60, max_s=600, jitter=0)
FRESH = ItemFacts(attempts=1)
LAST = ItemFacts(attempts=3)
STARTED = ItemFacts(attempts=2, submit_started=True)
STARTED_LAST = ItemFacts(attempts=3, submit_started=True)

S = SubmissionStatus
E = EventType


@pytest.mark.parametrize(
    ("item", "outcome", "status", "event", "note", "counter", "retry_s", "refund"),
    [
        # the portal's confirmation: SUBMITTED with its document number, one note
        (
            FRESH,
            Uploaded(portal_reference="CP-1"),
            S.SUBMITTED,
            E.SUBMITTED,
            NoteKind.SUBMITTED,
            RunCounter.SUBMITTED,
            None,
            False,
        ),
        # our unclear upload, found by the lookup right after: ours, noted as submitted
        (
            FRESH,
            Uploaded(portal_reference="CP-1", recovered=True),
            S.SUBMITTED,
            E.SUBMITTED,
            NoteKind.SUBMITTED,
            RunCounter.SUBMITTED,
            None,
            False,
        ),
        # found by the lookup before any upload: not uploaded again
        (
            STARTED,
            FoundOnPortal(portal_reference="CP-1"),
            S.SUBMITTED,
            E.ALREADY_SUBMITTED,
            NoteKind.ALREADY_SUBMITTED,
            RunCounter.ALREADY_SUBMITTED,
            None,
            False,
        ),
        # a business rejection never retries, whatever the attempt number
        (
            FRESH,
            Refused(code="PO_CLOSED", message="PO closed"),
            S.REJECTED,
            E.REJECTED,
            NoteKind.REJECTED,
            RunCounter.REJECTED,
            None,
            False,
        ),
        (
            LAST,
            Refused(code="DUPLICATE", message="dup"),
            S.REJECTED,
            E.REJECTED,
            NoteKind.REJECTED,
            RunCounter.REJECTED,
            None,
            False,
        ),
        # our own data checks refuse before any upload: REJECTED with what to fix in EBS
        (
            FRESH,
            Refused(code="DATA_INVALID", message="no lines", data_check=True),
            S.REJECTED,
            E.REJECTED,
            NoteKind.DATA_INVALID,
            RunCounter.REJECTED,
            None,
            False,
        ),
        # a transient fault before the click waits, doubling, then gives up with a note
        (
            FRESH,
            Fault(code="PORTAL_UNAVAILABLE", message="503"),
            S.PENDING,
            E.RETRY_SCHEDULED,
            None,
            RunCounter.RETRY_SCHEDULED,
            60,
            False,
        ),
        (
            ItemFacts(attempts=2),
            Fault(code="X", message="503"),
            S.PENDING,
            E.RETRY_SCHEDULED,
            None,
            RunCounter.RETRY_SCHEDULED,
            120,
            False,
        ),
        (
            LAST,
            Fault(code="X", message="503"),
            S.FAILED,
            E.FAILED,
            NoteKind.FAILED,
            RunCounter.FAILED,
            None,
            False,
        ),
        # a fault after the click: it may be on the portal, so UNCERTAIN, never FAILED
        (
            FRESH,
            Fault(code="X", message="500 after submit", unclear=True),
            S.UNCERTAIN,
            E.UNCLEAR_RESULT,
            None,
            RunCounter.UNCERTAIN,
            60,
            False,
        ),
        # the last upload attempt unclear: no note yet, the lookups get attempts of their own
        (
            LAST,
            Fault(code="X", message="500 after submit", unclear=True),
            S.UNCERTAIN,
            E.UNCLEAR_RESULT,
            None,
            RunCounter.UNCERTAIN,
            60,
            False,
        ),
        # an earlier click and a failed lookup now: still uncertain, one note when exhausted
        (
            STARTED,
            Fault(code="X", message="lookup 503"),
            S.UNCERTAIN,
            E.RETRY_SCHEDULED,
            None,
            RunCounter.UNCERTAIN,
            120,
            False,
        ),
        (
            STARTED_LAST,
            Fault(code="X", message="lookup 503"),
            S.UNCERTAIN,
            E.UNCLEAR_RESULT,
            NoteKind.CHECK_PORTAL,
            RunCounter.UNCERTAIN,
            240,
            False,
        ),
        (
            ItemFacts(attempts=4, submit_started=True),
            Fault(code="X", message="503"),
            S.UNCERTAIN,
            E.UNCLEAR_RESULT,
            None,
            RunCounter.UNCERTAIN,
            480,
            False,
        ),
        # handed back untouched: the attempt is not counted; a maybe-uploaded item stays so
        (
            FRESH,
            HandBack(reason="stopping"),
            S.PENDING,
            E.RELEASED,
            None,
            RunCounter.RELEASED,
            None,
            True,
        ),
        (
            STARTED,
            HandBack(reason="stopping"),
            S.UNCERTAIN,
            E.RELEASED,
            None,
            RunCounter.RELEASED,
            None,
            True,
        ),
        # nothing to upload any more (a lookup, if needed, said it is not there)
        (
            FRESH,
            Unusable(code="INVOICE_GONE", message="gone"),
            S.FAILED,
            E.FAILED,
            None,
            RunCounter.FAILED,
            None,
            False,
        ),
    ],
)
def test_transition_table(
    item: ItemFacts,
    outcome: Outcome,
    status: SubmissionStatus,
    event: EventType,
    note: NoteKind | None,
    counter: RunCounter,
    retry_s: float | None,
    refund: bool,
) -> None:
    """Each outcome of each kind of item gets the status, event, note, counter and wait of
    design §4."""
    change = transition(item, outcome, POLICY)
    assert (change.to_status, change.event, change.note, change.counter) == (
        status,
        event,
        note,
        counter,
    )
    assert change.retry_after_s == retry_s
    assert change.refund_attempt is refund
    assert change.record


def test_open_breaker_hands_back_without_counting() -> None:
    """With the portal's outage breaker open, an unavailability fault uses no attempt."""
    fault = Fault(code="PORTAL_UNAVAILABLE", message="refused", unavailable=True)
    change = transition(FRESH, fault, POLICY, portal_out=True)
    assert (change.to_status, change.event, change.refund_attempt) == (
        S.PENDING,
        E.RELEASED,
        True,
    )
    # ... but an unclear one (after the click) keeps its attempt and its lookup
    unclear = Fault(code="X", message="500", unavailable=True, unclear=True)
    assert transition(FRESH, unclear, POLICY, portal_out=True).to_status is S.UNCERTAIN
    # ... and a fault that is not the portal's unavailability is an ordinary retry
    other = Fault(code="APPLICATION_ERROR", message="bug")
    assert transition(FRESH, other, POLICY, portal_out=True).event is E.RETRY_SCHEDULED


def test_unclear_last_attempt_restarts_the_count_for_lookups() -> None:
    """Only the last upload attempt's unclear end restarts the count; earlier ones do not."""
    unclear = Fault(code="X", message="500 after submit", unclear=True)
    assert transition(LAST, unclear, POLICY).restart_attempts
    assert not transition(FRESH, unclear, POLICY).restart_attempts


def test_lost_lease_records_nothing() -> None:
    """A worker that could not prove its lease before the click records nothing."""
    assert not transition(FRESH, LeaseLost(reason="fenced"), POLICY).record


@pytest.mark.parametrize(
    ("exc", "after_fence", "status", "refund"),
    [
        # a rejection is definitive, before or after the click
        (InvoiceRejected(RejectionCode.PO_CLOSED, "PO closed"), False, S.REJECTED, False),
        (InvoiceRejected(RejectionCode.DUPLICATE, "dup"), True, S.REJECTED, False),
        # a wrong password hands the item back (the login is paused, see the drain)
        (LoginFailed("Invalid email or password"), False, S.PENDING, True),
        # a missing secret likewise
        (SecretNotFound("secret 'X' not found"), False, S.PENDING, True),
        # changed pages hand the item back (the portal is paused), never hammered
        (PortalChanged("no #invoice-number"), False, S.PENDING, True),
        # ... unless the click may have happened: then it may be on the portal
        (PortalChanged("no confirmation block"), True, S.UNCERTAIN, False),
        # transient faults before the click are retried
        (PortalUnavailable("503"), False, S.PENDING, False),
        (SessionExpired("login page"), False, S.PENDING, False),
        # after the click (a fence was passed): it may be on the portal
        (PortalUnavailable("500 after submit", after_submit=True), True, S.UNCERTAIN, False),
        # a driver's after_submit flag without a fence: the click cannot have happened
        (PortalUnavailable("500", after_submit=True), False, S.PENDING, False),
        # an exception we do not know is an application fault: retried, never a rejection
        (KeyError("surprise"), False, S.PENDING, False),
    ],
)
def test_failures_classified_then_transitioned(
    exc: BaseException, after_fence: bool, status: SubmissionStatus, refund: bool
) -> None:
    """From an exception to the status the item gets (first attempt)."""
    change = transition(FRESH, failure_outcome(exc, after_fence=after_fence), POLICY)
    assert change.to_status is status
    assert change.refund_attempt is refund


def test_fenced_submit_is_a_lost_lease() -> None:
    """The fence's refusal is classified as a lost lease: nothing recorded, nothing retried."""
    outcome = failure_outcome(SubmitFenced("lost"), after_fence=False)
    assert isinstance(outcome, LeaseLost)
