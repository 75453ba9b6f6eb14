"""Values the store hands out: frozen, keyword-only, built from rows.

Jobs never see a SQLAlchemy ``Row``; they get these. Money is ``Decimal``, times are aware UTC,
flags are ``bool``, and ``''`` never appears (Oracle would read it back as NULL).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple


class SubmissionStatus(StrEnum):
    """Where one invoice stands with one portal account (design §4)."""

    #: queued, waiting for a worker (or for ``next_attempt_at`` after a transient fault)
    PENDING = "PENDING"
    #: claimed by a worker holding a live lease
    IN_PROGRESS = "IN_PROGRESS"
    #: the portal has it (receipt, or found on the portal by a lookup)
    SUBMITTED = "SUBMITTED"
    #: the portal refused it; a person fixes it, resync re-queues it
    REJECTED = "REJECTED"
    #: transient faults exhausted the attempts; a person looks, resync re-queues it
    FAILED = "FAILED"
    #: a worker died holding it: it may or may not be on the portal; look it up before uploading
    UNCERTAIN = "UNCERTAIN"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {SubmissionStatus.SUBMITTED, SubmissionStatus.REJECTED, SubmissionStatus.FAILED}
)
CLAIMABLE_STATUSES = (SubmissionStatus.PENDING, SubmissionStatus.UNCERTAIN)


class EventType(StrEnum):
    """Every value of XX_ARW_EVENTS.EVENT_TYPE: what happened to a submission, in one word.

    The column's vocabulary sits beside the table because the store writes some of them itself
    (a connector cannot import ``jobs``); :mod:`jobs.submission` decides which one each outcome
    gets. A new kind of event is a new member here, never a string elsewhere.
    """

    #: the nightly run or a resync queued the invoice
    ENQUEUED = "ENQUEUED"
    #: a worker took it under a lease
    CLAIMED = "CLAIMED"
    #: the worker proved it still held the lease, just before the irreversible submit click
    SUBMIT_STARTED = "SUBMIT_STARTED"
    #: the portal confirmed our upload (or a lookup found our own unclear upload)
    SUBMITTED = "SUBMITTED"
    #: a lookup found the invoice on the portal before we uploaded anything this attempt
    ALREADY_SUBMITTED = "ALREADY_SUBMITTED"
    #: the portal refused it, or the data checks refused it before any upload
    REJECTED = "REJECTED"
    #: transient faults used up the attempts before anything reached the portal
    FAILED = "FAILED"
    #: a transient fault before the submit click: tried again later
    RETRY_SCHEDULED = "RETRY_SCHEDULED"
    #: a fault after the submit click: it may be on the portal, looked up again later
    UNCLEAR_RESULT = "UNCLEAR_RESULT"
    #: handed back untouched (stopping, a paused login or portal, an outage)
    RELEASED = "RELEASED"
    #: its worker's lease ran out (or the process died)
    LEASE_EXPIRED = "LEASE_EXPIRED"
    #: a resync put it back in the queue
    REQUEUED = "REQUEUED"
    #: a new portal verdict (approved, disputed, paid...)
    PORTAL_STATUS = "PORTAL_STATUS"
    #: a person says it is on the portal (a portal reference and a reason are required)
    MARKED_SUBMITTED = "MARKED_SUBMITTED"


class PauseKind(StrEnum):
    """Why a portal login or a whole portal is not tried (XX_ARW_PORTAL_PAUSES.PAUSE_KIND)."""

    #: the portal refused the login: not tried again until its secret changes or a person resumes
    LOGIN = "LOGIN"
    #: the portal's pages no longer match its driver: until resumed or a re-probe succeeds
    PORTAL = "PORTAL"
    #: the outage breaker: the portal kept failing; not tried until the cool-down ends
    OUTAGE = "OUTAGE"


def blank_to_none(value: str | None) -> str | None:
    """Oracle stores '' as NULL; normalise before it gets there so every backend agrees."""
    if value is None:
        return None
    value = value.strip()
    return value or None


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalAccountRecord:
    """A customer account enrolled on a portal (XX_ARW_PORTAL_ACCOUNTS + HZ names)."""

    portal_account_id: int
    cust_account_id: int
    account_number: str
    account_name: str | None
    party_id: int
    portal_code: str
    portal_url: str
    buyer_name: str | None
    supplier_portal_id: str | None
    login_name: str
    secret_ref: str
    totp_secret_ref: str | None
    enabled: bool
    po_required: bool
    new_number_on_resubmit: bool
    options: dict[str, str] = field(default_factory=dict)
    #: how collectors name the portal ("Coupa", "SAP Business Network"); None: from its code
    display_name: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> PortalAccountRecord:
        m = row._mapping
        return cls(
            portal_account_id=int(m["portal_account_id"]),
            cust_account_id=int(m["cust_account_id"]),
            account_number=m["account_number"],
            account_name=m["account_name"],
            party_id=int(m["party_id"]),
            portal_code=m["portal_code"],
            portal_url=m["portal_url"],
            buyer_name=m["buyer_name"],
            supplier_portal_id=m["supplier_portal_id"],
            login_name=m["login_name"],
            secret_ref=m["secret_ref"],
            totp_secret_ref=m["totp_secret_ref"],
            enabled=bool(m["enabled_flag"]),
            po_required=bool(m["po_required_flag"]),
            new_number_on_resubmit=bool(m["new_number_on_resubmit"]),
            options=json.loads(m["options_json"]) if m["options_json"] else {},
            display_name=blank_to_none(m["display_name"]),
        )


class OpenInvoice(NamedTuple):
    """One open payment schedule of an enrolled account: what the nightly run enqueues.

    A named tuple, not a frozen dataclass: the open-AR read builds one per open schedule of the
    whole book, and a frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field) took
    a fifth of that read's time (``benchmarks/ar_read.py``). Immutable either way.
    """

    payment_schedule_id: int
    customer_trx_id: int
    cust_account_id: int
    portal_account_id: int
    trx_number: str
    due_date: dt.date
    currency: str
    amount_due_remaining: Decimal
    org_id: int


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceLineRecord:
    line_number: int
    line_type: str
    description: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoicePdfRecord:
    """An invoice PDF found in FND_LOBS through the attachment tables."""

    file_name: str
    content_type: str
    data: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceRecord:
    """An invoice with its lines and (when EBS has one) its PDF, ready to be mapped to a portal."""

    customer_trx_id: int
    trx_number: str
    trx_date: dt.date
    term_due_date: dt.date | None
    currency: str
    purchase_order: str | None
    customer_reference: str | None
    cust_account_id: int
    account_number: str
    account_name: str | None
    party_name: str
    lines: tuple[InvoiceLineRecord, ...]
    pdf: InvoicePdfRecord | None
    #: what the invoice's payment schedules bill in all (AMOUNT_DUE_ORIGINAL summed over its
    #: installments); None when EBS has no schedule for it
    amount_due_original: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    @property
    def tax_total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.line_type == "TAX"), Decimal("0"))


@dataclass(frozen=True, kw_only=True, slots=True)
class Submission:
    """One row of XX_ARW_SUBMISSIONS."""

    submission_id: int
    customer_trx_id: int
    payment_schedule_id: int
    cust_account_id: int
    portal_account_id: int
    trx_number: str
    portal_invoice_number: str
    status: SubmissionStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    lease_owner: str | None
    lease_token: str | None
    lease_expires_at: dt.datetime | None
    portal_reference: str | None
    portal_status: str | None
    portal_status_reason: str | None
    projected_pay_date: dt.date | None
    payment_date: dt.date | None
    payment_reference: str | None
    last_error_code: str | None
    last_error_text: str | None
    artifact_path: str | None
    resubmit_count: int
    submitted_at: dt.datetime | None
    #: set (once, forever) when a worker proved its lease just before the submit click
    submit_started_at: dt.datetime | None = None
    #: when the portal's verdict is next worth reading (None: at the next status pass)
    next_status_check_at: dt.datetime | None = None

    @property
    def needs_lookup(self) -> bool:
        """An item that may be on the portal already is looked up before any upload (§4.1).

        Only an item whose submit click may have happened can be there: the click comes after a
        committed "submit started" (the fence), so an item without one never reached the portal.
        """
        return self.submit_started_at is not None

    @classmethod
    def from_row(cls, row: Any) -> Submission:
        m = row._mapping
        return cls(
            submission_id=int(m["submission_id"]),
            customer_trx_id=int(m["customer_trx_id"]),
            payment_schedule_id=int(m["payment_schedule_id"]),
            cust_account_id=int(m["cust_account_id"]),
            portal_account_id=int(m["portal_account_id"]),
            trx_number=m["trx_number"],
            portal_invoice_number=m["portal_invoice_number"],
            status=SubmissionStatus(m["status"]),
            attempts=int(m["attempts"]),
            next_attempt_at=m["next_attempt_at"],
            lease_owner=m["lease_owner"],
            lease_token=m["lease_token"],
            lease_expires_at=m["lease_expires_at"],
            portal_reference=m["portal_reference"],
            portal_status=m["portal_status"],
            portal_status_reason=m["portal_status_reason"],
            projected_pay_date=_as_date_or_none(m["projected_pay_date"]),
            payment_date=_as_date_or_none(m["payment_date"]),
            payment_reference=m["payment_reference"],
            last_error_code=m["last_error_code"],
            last_error_text=m["last_error_text"],
            artifact_path=m["artifact_path"],
            resubmit_count=int(m["resubmit_count"]),
            submitted_at=m["submitted_at"],
            submit_started_at=m["submit_started_at"],
            next_status_check_at=m.get("next_status_check_at"),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class CollectionNote:
    """A note for JTF_NOTES_*: on the customer account, visible at party and invoice level too."""

    cust_account_id: int
    party_id: int | None
    payment_schedule_id: int | None
    text: str
    detail: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class NoteRecord:
    """A note read back (tests, reports): text plus the contexts it was attached to."""

    jtf_note_id: int
    source_object_id: int
    text: str
    detail: str | None
    entered_at: dt.datetime
    contexts: tuple[tuple[str, int], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class EnqueueResult:
    enqueued: int
    already_queued: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Requeued:
    """What a resync's re-queue did: items back in the queue, and items it left to a person."""

    requeued: tuple[Submission, ...]
    #: refused or disputed items the portal holds under a number it will not take again
    held_on_portal: tuple[Submission, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class OutcomeRecord:
    """How a claimed submission ended this attempt; written with its event and note at once."""

    outcome_uid: str  #: unique per outcome, so a journal replay can never apply it twice
    to_status: SubmissionStatus
    event_type: EventType
    detail: str
    portal_reference: str | None = None
    portal_invoice_number: str | None = None
    error_code: str | None = None
    error_text: str | None = None
    #: try again this many seconds from now by the database's clock (None: no wait)
    retry_after_s: float | None = None
    artifact_path: str | None = None
    note: CollectionNote | None = None
    run_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalStatusChange:
    """A new portal verdict on a submitted invoice, with what the collector must be told."""

    portal_status: str
    detail: str
    reason: str | None = None
    projected_pay_date: dt.date | None = None
    payment_date: dt.date | None = None
    payment_reference: str | None = None
    #: set when the verdict sends the item back to a person (disputed/rejected after submission)
    to_status: SubmissionStatus | None = None
    error_code: str | None = None
    note: CollectionNote | None = None
    run_id: str | None = None
    #: when the verdict is next worth reading (None: never, it is final)
    next_status_check_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ResyncRequest:
    """A collector's request to resync one account (XX_ARW_RESYNC_REQUESTS)."""

    request_id: int
    account_number: str
    requested_by: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalPause:
    """A paused portal login, a paused portal, or an open outage breaker (XX_ARW_PORTAL_PAUSES).

    Kept in the database, not in a process, so that every run, daemon poll and worker of the
    fleet sees it until it ends: a LOGIN pause when the login's secret changes or a person
    resumes it; a PORTAL pause when a person resumes it or a re-probe succeeds; an OUTAGE pause
    when its cool-down (``paused_until``) is over and the portal answers again.
    """

    pause_id: int
    kind: PauseKind
    portal_code: str
    portal_url: str | None
    login_name: str | None
    reason: str
    error_code: str | None
    paused_at: dt.datetime
    paused_until: dt.datetime | None = None
    probe_after: dt.datetime | None = None
    trip_count: int = 1
    resumed_at: dt.datetime | None = None
    resumed_by: str | None = None
    resume_reason: str | None = None
    worker_name: str | None = None

    def covers(self, account: PortalAccountRecord) -> bool:
        """Whether this pause stops work for ``account``."""
        if account.portal_code != self.portal_code:
            return False
        if self.kind is not PauseKind.LOGIN:
            return True
        return (account.portal_url.rstrip("/"), account.login_name) == (
            (self.portal_url or "").rstrip("/"),
            self.login_name,
        )

    @property
    def label(self) -> str:
        """How people name it: "login ap@x on coupa", "portal ariba", "outage of upload"."""
        if self.kind is PauseKind.LOGIN:
            return f"login {self.login_name} on {self.portal_code}"
        if self.kind is PauseKind.PORTAL:
            return f"portal {self.portal_code}"
        return f"outage of {self.portal_code}"

    @classmethod
    def from_row(cls, row: Any) -> PortalPause:
        m = row._mapping
        return cls(
            pause_id=int(m["pause_id"]),
            kind=PauseKind(m["pause_kind"]),
            portal_code=m["portal_code"],
            portal_url=m["portal_url"],
            login_name=m["login_name"],
            reason=m["reason"] or "",
            error_code=m["error_code"],
            paused_at=m["paused_at"],
            paused_until=m["paused_until"],
            probe_after=m["probe_after"],
            trip_count=int(m["trip_count"] or 1),
            resumed_at=m["resumed_at"],
            resumed_by=m["resumed_by"],
            resume_reason=m["resume_reason"],
            worker_name=m["worker_name"],
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class JobRunCounts:
    enqueued: int = 0
    submitted: int = 0
    already_submitted: int = 0
    rejected: int = 0
    failed: int = 0
    notes_written: int = 0


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _as_date_or_none(value: Any) -> dt.date | None:
    return None if value is None else _as_date(value)
