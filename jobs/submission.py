"""The submission state machine (design §4), in one place and pure.

Processing one item (:mod:`jobs.submission_attempt`) ends in an :data:`Outcome` value; this
module turns that outcome, the facts of the item and the retry policy into a :class:`Transition`:
the new status, the event, which note the collector gets, which run counter moves, when to try
again. Nothing here touches the database, the browser or the clock, so every rule is a row of a
table test (``tests/unit/test_submission_machine.py``).

The invariants it keeps:

- **Never twice.** An item whose submit click may have happened (``submit_started``) is never
  FAILED and never uploaded again without a lookup: a fault leaves it UNCERTAIN, looked up again
  with backoff; when its attempts run out, one note asks a person to check the portal.
- **Hand back untouched.** A refused login, a changed page, an open outage breaker or a stop
  hands the item back with the attempt not counted: none of these is the invoice's fault.
- **Rejections are outcomes.** The portal's "no" and our own data checks' "no" end REJECTED with
  a note saying why; nothing retries them until a person fixes the invoice and resyncs.

The column vocabulary (:class:`SubmissionStatus`, :class:`EventType`) is defined beside the table
in :mod:`connectors.oracle.records` (the store writes some events itself, and a connector cannot
import ``jobs``) and re-exported here: this is where the rules about them live.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from connectors.oracle.records import EventType, SubmissionStatus
from jobs.retry_policy import BackoffPolicy, RetryAction, backoff_delay_s, decide

__all__ = [
    "EventType",
    "Fault",
    "FoundOnPortal",
    "HandBack",
    "ItemFacts",
    "LeaseLost",
    "LoginRefused",
    "NoteKind",
    "Outcome",
    "PageChanged",
    "Refused",
    "RunCounter",
    "SubmissionStatus",
    "Transition",
    "Unusable",
    "Uploaded",
    "transition",
]

#: the rejection code of an invoice our own checks refused before any upload
DATA_INVALID = "DATA_INVALID"


class NoteKind(StrEnum):
    """Which collection note an outcome gets (the words are :mod:`jobs.note_text`'s)."""

    SUBMITTED = "SUBMITTED"
    ALREADY_SUBMITTED = "ALREADY_SUBMITTED"
    REJECTED = "REJECTED"
    DATA_INVALID = "DATA_INVALID"
    FAILED = "FAILED"
    #: attempts ran out on an item that may be on the portal: a person checks the portal
    CHECK_PORTAL = "CHECK_PORTAL"


class RunCounter(StrEnum):
    """The run summary counter an outcome moves (names of :class:`jobs.run_summary.RunSummary`)."""

    SUBMITTED = "submitted"
    ALREADY_SUBMITTED = "already_submitted"
    REJECTED = "rejected"
    FAILED = "failed"
    RETRY_SCHEDULED = "retry_scheduled"
    UNCERTAIN = "uncertain"
    RELEASED = "released"


# ---- outcomes of one attempt -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Uploaded:
    """The portal has our upload: its confirmation, or (``recovered``) a lookup right after an
    upload whose confirmation did not reach us."""

    portal_reference: str
    recovered: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class FoundOnPortal:
    """A lookup before any upload in this attempt found the invoice: an earlier attempt's upload
    got there although its answer did not reach us."""

    portal_reference: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Refused:
    """The portal refused the invoice, or our data checks did (``data_check``) before any
    upload. Business: a person corrects it in EBS."""

    code: str
    message: str
    data_check: bool = False
    artifact_path: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Fault:
    """A transient fault: timeouts, 5xx, "system busy", a failed lookup, our own bug.

    ``unclear``: the invoice may be on the portal now (the fault came after this attempt's
    submit click, and no lookup since said it is absent). ``unavailable``: the portal itself
    did not answer (what the outage breaker counts).
    """

    code: str
    message: str
    unclear: bool = False
    unavailable: bool = False
    artifact_path: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class LoginRefused:
    """The portal refused the login (or its secret is missing): the login is paused."""

    message: str
    code: str = "LOGIN_FAILED"


@dataclass(frozen=True, kw_only=True, slots=True)
class PageChanged:
    """A page no longer matches the driver: the portal is paused. ``unclear`` when it happened
    after the submit click (the invoice may be there)."""

    message: str
    unclear: bool = False
    artifact_path: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class HandBack:
    """Not tried, or not finished before anything reached the portal: the worker is stopping,
    the login or portal is paused, the portal's outage breaker is open."""

    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Unusable:
    """Nothing can be uploaded: the invoice left the configured orgs, its account was disabled
    while it was claimed. A lookup (when one was needed) already said it is not on the portal."""

    code: str
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class LeaseLost:
    """The fence refused: another worker holds the item now. Nothing is recorded by us."""

    reason: str


Outcome = (
    Uploaded
    | FoundOnPortal
    | Refused
    | Fault
    | LoginRefused
    | PageChanged
    | HandBack
    | Unusable
    | LeaseLost
)


# ---- the machine -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemFacts:
    """What the machine needs to know about the item whose attempt ended."""

    #: the number of this attempt (the claim counted it)
    attempts: int
    #: an earlier attempt proved its lease before the submit click: it may be on the portal
    submit_started: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Transition:
    """What to record for an outcome: status, event, note, counter, next try."""

    to_status: SubmissionStatus
    event: EventType
    detail: str
    note: NoteKind | None = None
    counter: RunCounter | None = None
    error: tuple[str, str] | None = None
    portal_reference: str | None = None
    #: try again this many seconds from now (database clock); None: whenever due
    retry_after_s: float | None = None
    #: hand back untouched: the claim's attempt does not count
    refund_attempt: bool = False
    #: the last upload attempt ended unclear: the lookups that settle it get attempts of their own
    restart_attempts: bool = False
    artifact_path: str | None = None
    #: False for a lost lease: the item is another worker's now
    record: bool = True


def transition(
    item: ItemFacts,
    outcome: Outcome,
    policy: BackoffPolicy,
    rng: random.Random | None = None,
    *,
    portal_out: bool = False,
) -> Transition:
    """The transition for ``outcome`` of ``item``'s attempt.

    ``portal_out``: the portal's outage breaker is open (or just tripped on this very fault):
    a fault that left nothing on the portal hands the item back with the attempt not counted.
    """
    if isinstance(outcome, Uploaded):
        detail = f"portal document {outcome.portal_reference}"
        if outcome.recovered:
            detail = f"found on the portal ({outcome.portal_reference}) after an unclear upload"
        return Transition(
            to_status=SubmissionStatus.SUBMITTED,
            event=EventType.SUBMITTED,
            detail=detail,
            note=NoteKind.SUBMITTED,
            counter=RunCounter.SUBMITTED,
            portal_reference=outcome.portal_reference,
        )
    if isinstance(outcome, FoundOnPortal):
        return Transition(
            to_status=SubmissionStatus.SUBMITTED,
            event=EventType.ALREADY_SUBMITTED,
            detail=f"found on the portal ({outcome.portal_reference or 'no reference shown'})",
            note=NoteKind.ALREADY_SUBMITTED,
            counter=RunCounter.ALREADY_SUBMITTED,
            portal_reference=outcome.portal_reference,
        )
    if isinstance(outcome, Refused):
        return Transition(
            to_status=SubmissionStatus.REJECTED,
            event=EventType.REJECTED,
            detail=f"{outcome.code}: {outcome.message}",
            note=NoteKind.DATA_INVALID if outcome.data_check else NoteKind.REJECTED,
            counter=RunCounter.REJECTED,
            error=(outcome.code, outcome.message),
            artifact_path=outcome.artifact_path,
        )
    if isinstance(outcome, LeaseLost):
        return Transition(
            to_status=SubmissionStatus.IN_PROGRESS,
            event=EventType.RELEASED,
            detail=outcome.reason,
            record=False,
        )
    if isinstance(outcome, LoginRefused | HandBack):
        reason = (
            f"login refused: {outcome.message}"
            if isinstance(outcome, LoginRefused)
            else outcome.reason
        )
        return _hand_back(item, reason)
    if isinstance(outcome, PageChanged) and not outcome.unclear:
        return _hand_back(item, f"portal paused, its pages changed: {outcome.message}")
    if isinstance(outcome, Unusable):
        return Transition(
            to_status=SubmissionStatus.FAILED,
            event=EventType.FAILED,
            detail=f"{outcome.code}: {outcome.message}",
            counter=RunCounter.FAILED,
            error=(outcome.code, outcome.message),
        )
    # a fault, or a changed page after the click: the same rules
    if isinstance(outcome, PageChanged):
        fault = Fault(
            code="PORTAL_CHANGED",
            message=outcome.message,
            unclear=True,
            artifact_path=outcome.artifact_path,
        )
    else:
        fault = outcome
    return _after_fault(item, fault, policy, rng, portal_out=portal_out)


def _hand_back(item: ItemFacts, reason: str) -> Transition:
    return Transition(
        to_status=SubmissionStatus.UNCERTAIN if item.submit_started else SubmissionStatus.PENDING,
        event=EventType.RELEASED,
        detail=reason,
        counter=RunCounter.RELEASED,
        refund_attempt=True,
    )


def _after_fault(
    item: ItemFacts,
    fault: Fault,
    policy: BackoffPolicy,
    rng: random.Random | None,
    *,
    portal_out: bool,
) -> Transition:
    may_be_there = fault.unclear or item.submit_started
    error = (fault.code, fault.message)
    if portal_out and fault.unavailable and not fault.unclear:
        return Transition(
            to_status=SubmissionStatus.UNCERTAIN if may_be_there else SubmissionStatus.PENDING,
            event=EventType.RELEASED,
            detail=f"attempt not counted: the portal is unavailable (outage breaker open): "
            f"{fault.message}",
            counter=RunCounter.RELEASED,
            refund_attempt=True,
            error=error,
        )
    if fault.unclear and item.attempts >= policy.max_attempts:
        # the last upload attempt may have reached the portal: what is left to do is to look
        # it up, and that gets attempts of its own before a person is asked to check
        return Transition(
            to_status=SubmissionStatus.UNCERTAIN,
            event=EventType.UNCLEAR_RESULT,
            detail=f"attempt {item.attempts} (the last upload attempt) ended unclear "
            f"({fault.code}); it may be on the portal: only looked up from now on",
            counter=RunCounter.UNCERTAIN,
            error=error,
            retry_after_s=backoff_delay_s(1, policy, rng),
            restart_attempts=True,
            artifact_path=fault.artifact_path,
        )
    decision = decide(item.attempts, policy, rng, may_be_on_portal=may_be_there)
    if decision.action is RetryAction.RETRY:
        status = SubmissionStatus.UNCERTAIN if may_be_there else SubmissionStatus.PENDING
        unclear = "; it may be on the portal: looked up first next time" if may_be_there else ""
        return Transition(
            to_status=status,
            event=EventType.UNCLEAR_RESULT if fault.unclear else EventType.RETRY_SCHEDULED,
            detail=f"attempt {item.attempts} failed ({fault.code}){unclear}; "
            f"next try in {decision.retry_after_s:.0f} s",
            counter=RunCounter.UNCERTAIN if may_be_there else RunCounter.RETRY_SCHEDULED,
            error=error,
            retry_after_s=decision.retry_after_s,
            artifact_path=fault.artifact_path,
        )
    if decision.action is RetryAction.KEEP_LOOKING:
        return Transition(
            to_status=SubmissionStatus.UNCERTAIN,
            event=EventType.UNCLEAR_RESULT,
            detail=f"attempt {item.attempts} failed ({fault.code}) and it may be on the portal: "
            f"never uploaded again without a lookup; next lookup in "
            f"{decision.retry_after_s:.0f} s",
            note=NoteKind.CHECK_PORTAL if decision.notify else None,
            counter=RunCounter.UNCERTAIN,
            error=error,
            retry_after_s=decision.retry_after_s,
            artifact_path=fault.artifact_path,
        )
    return Transition(
        to_status=SubmissionStatus.FAILED,
        event=EventType.FAILED,
        detail=f"gave up after {item.attempts} attempts: {fault.code}",
        note=NoteKind.FAILED,
        counter=RunCounter.FAILED,
        error=error,
        artifact_path=fault.artifact_path,
    )
