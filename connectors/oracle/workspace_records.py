"""Values the collector workspace reads and writes: requests, audit entries, users, worklist rows.

Kept apart from :mod:`connectors.oracle.records` (the worker's queue values) because they serve
another audience: people looking at the queue and acting on it, not the drain. Same rules: frozen,
keyword-only, built from rows, aware UTC times, ``Decimal`` money.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from connectors.oracle.records import SubmissionStatus


class ActionCode(StrEnum):
    """What a person asked a worker to do (XX_ARW_ACTION_REQUESTS.ACTION_CODE)."""

    #: put a rejected/failed item back in the queue and submit it now
    RETRY = "RETRY"
    #: submit a queued item now instead of waiting for its backoff or the next poll
    SUBMIT_NOW = "SUBMIT_NOW"
    #: log in to a portal account's portal once and say whether it worked
    TEST_LOGIN = "TEST_LOGIN"


class RequestStatus(StrEnum):
    """Where an action request stands."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class WorkKind(StrEnum):
    """Why an item is on the "action needed" worklist."""

    #: the portal refused it (business rejection); a person corrects the invoice
    REJECTED = "REJECTED"
    #: the buyer disputes it on the portal
    DISPUTED = "DISPUTED"
    #: transient faults used up every attempt
    FAILED = "FAILED"
    #: a worker died holding it; it is looked up on the portal before anything else
    UNCERTAIN = "UNCERTAIN"
    #: on the portal for longer than the configured days without being approved
    NOT_APPROVED = "NOT_APPROVED"


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry:
    """One line of the audit trail: who did what, from where, and why."""

    actor: str
    actor_role: str
    channel: str  #: "WEB", "API" or "CLI"
    source_address: str | None
    action_code: str
    target_kind: str  #: "ACCOUNT", "SUBMISSION", "PORTAL_ACCOUNT", "PAUSE", "USER", "TOKEN"
    target_ref: str | None
    reason: str | None = None
    detail: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditRecord:
    """An audit line read back, with its id and time."""

    audit_id: int
    acted_at: dt.datetime
    entry: AuditEntry

    @classmethod
    def from_row(cls, row: Any) -> AuditRecord:
        m = row._mapping
        return cls(
            audit_id=int(m["audit_id"]),
            acted_at=m["acted_at"],
            entry=AuditEntry(
                actor=m["actor"],
                actor_role=m["actor_role"],
                channel=m["channel"],
                source_address=m["source_address"],
                action_code=m["action_code"],
                target_kind=m["target_kind"],
                target_ref=m["target_ref"],
                reason=m["reason"],
                detail=m["detail"],
            ),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class NewActionRequest:
    """An action request about to be queued."""

    action_code: ActionCode
    requested_by: str
    reason: str | None = None
    submission_id: int | None = None
    portal_account_id: int | None = None
    cust_account_id: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionRequest:
    """A row of XX_ARW_ACTION_REQUESTS."""

    request_id: int
    action_code: ActionCode
    status: RequestStatus
    requested_by: str
    reason: str | None
    submission_id: int | None
    portal_account_id: int | None
    cust_account_id: int | None
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    worker_name: str | None
    result_text: str | None

    @classmethod
    def from_row(cls, row: Any) -> ActionRequest:
        m = row._mapping
        return cls(
            request_id=int(m["request_id"]),
            action_code=ActionCode(m["action_code"]),
            status=RequestStatus(m["status"]),
            requested_by=m["requested_by"],
            reason=m["reason"],
            submission_id=_int_or_none(m["submission_id"]),
            portal_account_id=_int_or_none(m["portal_account_id"]),
            cust_account_id=_int_or_none(m["cust_account_id"]),
            requested_at=m["requested_at"],
            finished_at=m["finished_at"],
            worker_name=m["worker_name"],
            result_text=m["result_text"],
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class WebUser:
    """A person who may use the workspace (XX_ARW_WEB_USERS)."""

    user_id: int
    user_name: str
    display_name: str | None
    email_address: str | None
    role: str
    password_hash: str | None = field(repr=False)
    collector_id: int | None
    enabled: bool
    last_login_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Any) -> WebUser:
        m = row._mapping
        return cls(
            user_id=int(m["user_id"]),
            user_name=m["user_name"],
            display_name=m["display_name"],
            email_address=m["email_address"],
            role=m["role_code"],
            password_hash=m["password_hash"],
            collector_id=_int_or_none(m["collector_id"]),
            enabled=bool(m["enabled_flag"]),
            last_login_at=m["last_login_at"],
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class ApiToken:
    """An API token's metadata; the token itself is never stored, only its hash."""

    token_id: int
    token_hint: str
    label: str | None
    user_name: str
    role: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def usable_at(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @classmethod
    def from_row(cls, row: Any) -> ApiToken:
        m = row._mapping
        return cls(
            token_id=int(m["token_id"]),
            token_hint=m["token_hint"],
            label=m["label"],
            user_name=m["user_name"],
            role=m["role_code"],
            created_at=m["creation_date"],
            expires_at=m["expires_at"],
            last_used_at=m["last_used_at"],
            revoked_at=m["revoked_at"],
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class WorklistFilter:
    """What a collector narrows the "action needed" list to; ``None`` means "any"."""

    kinds: tuple[WorkKind, ...] = tuple(WorkKind)
    collector_id: int | None = None
    account_number: str | None = None
    portal_code: str | None = None
    reason_code: str | None = None
    min_days_late: int | None = None
    #: submitted this many days ago and still not approved: on the list
    not_approved_after_days: int = 14
    #: list these statuses instead of the "action needed" kinds (the API's plain listing)
    statuses: tuple[SubmissionStatus, ...] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class WorklistRow:
    """One item of the "action needed" list, with the EBS facts a collector decides on."""

    submission_id: int
    trx_number: str
    account_number: str
    account_name: str | None
    portal_code: str
    status: SubmissionStatus
    portal_status: str | None
    kind: WorkKind | None  #: None on lists that are not the worklist (an account's invoices)
    reason_code: str | None
    reason_text: str | None
    amount_due_remaining: Decimal | None
    currency: str | None
    due_date: dt.date | None
    days_late: int | None
    changed_at: dt.datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class WorklistPage:
    rows: tuple[WorklistRow, ...]
    total: int


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueCell:
    """How many submissions of a portal are in a status."""

    portal_code: str
    status: str
    count: int


@dataclass(frozen=True, kw_only=True, slots=True)
class OldestDue:
    """The item that has waited longest for a worker."""

    submission_id: int
    trx_number: str
    status: str
    enqueued_at: dt.datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceFacts:
    """What EBS says about the invoice of a submission (AR_PAYMENT_SCHEDULES_ALL + RA_*)."""

    trx_date: dt.date | None
    due_date: dt.date | None
    currency: str | None
    amount_due_original: Decimal | None
    amount_due_remaining: Decimal | None
    purchase_order: str | None
    schedule_status: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class SubmissionView:
    """One submission as the invoice page shows it: the row, its account, portal and EBS facts."""

    submission_id: int
    trx_number: str
    portal_invoice_number: str
    status: SubmissionStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    portal_reference: str | None
    portal_status: str | None
    portal_status_at: dt.datetime | None
    portal_status_reason: str | None
    projected_pay_date: dt.date | None
    payment_date: dt.date | None
    payment_reference: str | None
    last_error_code: str | None
    last_error_text: str | None
    artifact_path: str | None
    enqueued_at: dt.datetime
    submitted_at: dt.datetime | None
    changed_at: dt.datetime
    cust_account_id: int
    account_number: str
    account_name: str | None
    party_id: int
    payment_schedule_id: int
    portal_account_id: int
    portal_code: str
    portal_url: str
    buyer_name: str | None
    facts: InvoiceFacts


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalAccountValues:
    """What a person enters to enrol or edit a portal account (never a secret, only its name)."""

    portal_code: str
    portal_url: str
    login_name: str
    secret_ref: str
    buyer_name: str | None = None
    supplier_portal_id: str | None = None
    totp_secret_ref: str | None = None
    po_required: bool = True
    new_number_on_resubmit: bool = False
    #: how collectors name the portal in notes ("Coupa", "SAP Business Network")
    display_name: str | None = None


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
