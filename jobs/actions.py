"""What people may do to the queue, and the rules around it: one function per action.

The web workspace, its JSON API and the CLI all call these, so a rule (who may act, which states
an action applies to, what must be given) holds however the action arrives. None of them touches
a portal: anything that needs a browser becomes a request row that a worker picks up
(design §10, :mod:`jobs.action_requests`). Each one writes its audit line in the same transaction
as its effect, and where a collector would look for it, a collection note.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from connectors.oracle.errors import AlreadyExists
from connectors.oracle.records import CollectionNote, EventType, SubmissionStatus
from connectors.oracle.store import Store
from connectors.oracle.workspace_reads import RETRYABLE_STATUSES
from connectors.oracle.workspace_records import (
    ActionCode,
    AuditEntry,
    NewActionRequest,
    PortalAccountValues,
    SubmissionView,
    WorklistFilter,
)
from jobs import action_notes

#: at most this many items in one bulk retry (a confirmation shows the count first)
BULK_RETRY_MAX_ITEMS = 1000
REASON_MAX_CHARS = 2000
PORTAL_REFERENCE_MAX_CHARS = 100
#: statuses a person may mark submitted by hand (never one a worker holds right now)
MARKABLE_STATUSES = (
    SubmissionStatus.PENDING,
    SubmissionStatus.REJECTED,
    SubmissionStatus.FAILED,
    SubmissionStatus.UNCERTAIN,
)
_SECRET_REF = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


class Role(StrEnum):
    """What a workspace user may do: a viewer looks, a collector acts, an admin administers."""

    #: reads every page and API list; changes nothing
    VIEWER = "VIEWER"
    #: also resyncs, retries, submits now, marks submitted, tests logins
    COLLECTOR = "COLLECTOR"
    #: also enrols, edits and disables portal accounts and resumes paused logins and portals
    ADMIN = "ADMIN"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class Channel(StrEnum):
    """How an action arrived (XX_ARW_AUDIT_LOG.CHANNEL)."""

    WEB = "WEB"
    API = "API"
    CLI = "CLI"


@dataclass(frozen=True, kw_only=True, slots=True)
class Actor:
    """Who is acting, as what, through what, from where."""

    name: str
    role: Role
    channel: Channel
    address: str | None = None
    collector_id: int | None = None

    def audit(
        self,
        action: str,
        target_kind: str,
        target_ref: object,
        *,
        reason: str | None = None,
        detail: str | None = None,
    ) -> AuditEntry:
        return AuditEntry(
            actor=self.name,
            actor_role=self.role.value,
            channel=self.channel.value,
            source_address=self.address,
            action_code=action,
            target_kind=target_kind,
            target_ref=None if target_ref is None else str(target_ref),
            reason=reason,
            detail=detail,
        )


class ActionError(Exception):
    """An action was refused; the message says why, in words a collector understands."""


class NotPermitted(ActionError):
    """The user's role does not allow this action."""


class NotFound(ActionError):
    """The invoice, account or portal account does not exist (or is outside the org)."""


class NotApplicable(ActionError):
    """The action does not apply to the item as it stands, or the input is incomplete."""


def require(actor: Actor, needed: Role) -> None:
    """Refuse unless the actor's role is at least ``needed``."""
    if not actor.role.allows(needed):
        raise NotPermitted(
            f"{actor.name} is a {actor.role.value.lower()}; this needs the "
            f"{needed.value.lower()} role"
        )


def _reason(text: str | None, *, required: bool) -> str | None:
    value = (text or "").strip() or None
    if required and value is None:
        raise NotApplicable("say why: a reason is required for this action")
    if value is not None and len(value) > REASON_MAX_CHARS:
        raise NotApplicable(f"the reason is longer than {REASON_MAX_CHARS} characters")
    return value


def _submission(store: Store, submission_id: int) -> SubmissionView:
    view = store.submission_view(submission_id)
    if view is None:
        raise NotFound(f"no submission {submission_id}")
    return view


# ---- requests a worker runs ------------------------------------------------------------------


def request_resync(store: Store, actor: Actor, account_number: str, reason: str | None) -> int:
    """Queue a resync of one customer account (XX_ARW_RESYNC_REQUESTS)."""
    require(actor, Role.COLLECTOR)
    why = _reason(reason, required=False)
    if store.account_id(account_number) is None:
        raise NotFound(f"account {account_number} is not in HZ_CUST_ACCOUNTS")
    return store.request_resync(
        account_number,
        requested_by=actor.name,
        audit=actor.audit("RESYNC", "ACCOUNT", account_number, reason=why),
    )


def request_retry(store: Store, actor: Actor, submission_id: int, reason: str | None) -> int:
    """Ask a worker to put a rejected/failed item back in the queue and submit it now.

    The worker re-queues it through the store's requeue verb, so every rule of the queue holds:
    an item that may be on the portal already is looked up there before any upload.
    """
    require(actor, Role.COLLECTOR)
    why = _reason(reason, required=False)
    view = _submission(store, submission_id)
    if view.status not in RETRYABLE_STATUSES:
        raise NotApplicable(
            f"invoice {view.trx_number} is {view.status.value.lower()}; only rejected or failed "
            "invoices can be retried"
        )
    return _queue(store, actor, ActionCode.RETRY, [view], why)[0]


def request_submit_now(store: Store, actor: Actor, submission_id: int, reason: str | None) -> int:
    """Ask a worker to submit a queued item now rather than after its backoff or the next run."""
    require(actor, Role.COLLECTOR)
    why = _reason(reason, required=False)
    view = _submission(store, submission_id)
    if view.status not in (SubmissionStatus.PENDING, SubmissionStatus.UNCERTAIN):
        raise NotApplicable(
            f"invoice {view.trx_number} is {view.status.value.lower()}; only queued invoices "
            "can be submitted now (retry a rejected or failed one)"
        )
    return _queue(store, actor, ActionCode.SUBMIT_NOW, [view], why)[0]


def bulk_retry_candidates(store: Store, wanted: WorklistFilter) -> list[int]:
    """The items of a filtered worklist that a bulk retry would take (for its confirmation)."""
    return store.worklist_ids(wanted, statuses=RETRYABLE_STATUSES, limit=BULK_RETRY_MAX_ITEMS + 1)


def request_bulk_retry(
    store: Store, actor: Actor, wanted: WorklistFilter, *, confirmed_count: int, reason: str | None
) -> list[int]:
    """Retry every rejected/failed item of a filtered list, once the person confirmed the count.

    When the list changed since the confirmation showed its count, nothing is queued: the
    person confirms again, knowing what they retry.
    """
    require(actor, Role.COLLECTOR)
    why = _reason(reason, required=False)
    ids = bulk_retry_candidates(store, wanted)
    if len(ids) > BULK_RETRY_MAX_ITEMS:
        raise NotApplicable(
            f"more than {BULK_RETRY_MAX_ITEMS} invoices match; narrow the filter first"
        )
    if len(ids) != confirmed_count:
        raise NotApplicable(
            f"the list changed: {len(ids)} invoices match now, not {confirmed_count}; confirm again"
        )
    if not ids:
        raise NotApplicable("no rejected or failed invoice matches this filter")
    requests = [
        NewActionRequest(
            action_code=ActionCode.RETRY,
            requested_by=actor.name,
            reason=why,
            submission_id=i,
        )
        for i in ids
    ]
    detail = f"bulk retry of {len(ids)} invoices: {_describe(wanted)}"
    audit = actor.audit("BULK_RETRY", "WORKLIST", None, reason=why, detail=detail)
    return store.request_actions(requests, audit=audit)


def request_test_login(
    store: Store, actor: Actor, portal_account_id: int, reason: str | None
) -> int:
    """Ask a worker to log in to the portal account's portal once and record the result."""
    require(actor, Role.COLLECTOR)
    why = _reason(reason, required=False)
    account = store.portal_account(portal_account_id)
    if account is None:
        raise NotFound(f"no portal account {portal_account_id}")
    request = NewActionRequest(
        action_code=ActionCode.TEST_LOGIN,
        requested_by=actor.name,
        reason=why,
        portal_account_id=portal_account_id,
        cust_account_id=account.cust_account_id,
    )
    audit = actor.audit(
        "TEST_LOGIN", "PORTAL_ACCOUNT", portal_account_id, reason=why, detail=account.portal_code
    )
    return store.request_actions([request], audit=audit)[0]


def _queue(
    store: Store,
    actor: Actor,
    action: ActionCode,
    views: list[SubmissionView],
    reason: str | None,
) -> list[int]:
    requests = [
        NewActionRequest(
            action_code=action,
            requested_by=actor.name,
            reason=reason,
            submission_id=v.submission_id,
            cust_account_id=v.cust_account_id,
        )
        for v in views
    ]
    view = views[0]
    audit = actor.audit(
        action.value,
        "SUBMISSION",
        view.submission_id,
        reason=reason,
        detail=f"invoice {view.trx_number} ({view.status.value})",
    )
    return store.request_actions(requests, audit=audit)


def _describe(wanted: WorklistFilter) -> str:
    parts = [f"kinds={','.join(k.value for k in wanted.kinds)}"]
    for name in ("collector_id", "account_number", "portal_code", "reason_code", "min_days_late"):
        value = getattr(wanted, name)
        if value is not None:
            parts.append(f"{name}={value}")
    return " ".join(parts)


# ---- direct changes --------------------------------------------------------------------------


def mark_submitted_manually(
    store: Store, actor: Actor, submission_id: int, *, portal_reference: str, reason: str
) -> int:
    """Record that a person submitted the invoice on the portal themselves.

    The state change, its event, a collection note and the audit line are one transaction; from
    then on no worker uploads it. Refused while a worker holds the item (it may be uploading).
    """
    require(actor, Role.COLLECTOR)
    why = _reason(reason, required=True)
    assert why is not None
    reference = (portal_reference or "").strip()
    if not reference:
        raise NotApplicable("give the portal's reference (document number) of the invoice")
    if len(reference) > PORTAL_REFERENCE_MAX_CHARS:
        raise NotApplicable(
            f"the portal reference is longer than {PORTAL_REFERENCE_MAX_CHARS} characters"
        )
    view = _submission(store, submission_id)
    if view.status not in MARKABLE_STATUSES:
        raise NotApplicable(
            f"invoice {view.trx_number} is {view.status.value.lower()}; it cannot be marked "
            "submitted by hand"
            + (
                " while a worker is uploading it"
                if view.status is SubmissionStatus.IN_PROGRESS
                else ""
            )
        )
    note = CollectionNote(
        cust_account_id=view.cust_account_id,
        party_id=view.party_id,
        payment_schedule_id=view.payment_schedule_id,
        text=action_notes.marked_submitted(
            invoice_number=view.portal_invoice_number,
            portal_code=view.portal_code,
            buyer_name=view.buyer_name,
            portal_reference=reference,
            actor=actor.name,
            reason=why,
        ),
    )
    note_id = store.mark_submitted_manually(
        submission_id,
        expected_status=view.status,
        portal_reference=reference,
        event_type=EventType.MARKED_SUBMITTED,
        detail=f"marked submitted by {actor.name} ({reference}): {why}",
        note=note,
        audit=actor.audit(
            "MARK_SUBMITTED",
            "SUBMISSION",
            submission_id,
            reason=why,
            detail=f"invoice {view.trx_number}, portal reference {reference}",
        ),
    )
    if note_id is None:
        raise NotApplicable(
            f"invoice {view.trx_number} changed while you looked at it; reload and try again"
        )
    return note_id


def check_portal_account_values(
    values: PortalAccountValues, known_portal_codes: Collection[str]
) -> PortalAccountValues:
    """Normalised values, or :class:`NotApplicable` naming the field and what is wrong."""
    code = values.portal_code.strip().lower()
    if code not in known_portal_codes:
        raise NotApplicable(
            f"portal code {values.portal_code!r} has no driver or recipe; choose one of "
            + ", ".join(sorted(known_portal_codes))
        )
    url = values.portal_url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NotApplicable(
            f"portal URL {url!r} is not an http(s) URL, e.g. https://x.coupahost.com"
        )
    login = values.login_name.strip()
    if not login:
        raise NotApplicable("the login name is required")
    for label, ref in (
        ("secret name", values.secret_ref),
        ("TOTP secret name", values.totp_secret_ref),
    ):
        if ref is not None and ref.strip() and not _SECRET_REF.match(ref.strip()):
            raise NotApplicable(
                f"{label} {ref!r} is not a valid secret name; use letters, digits, '_', '-' or '.'"
            )
    if not values.secret_ref.strip():
        raise NotApplicable("the secret name is required (the password itself never is)")
    return PortalAccountValues(
        portal_code=code,
        portal_url=url,
        login_name=login,
        secret_ref=values.secret_ref.strip(),
        buyer_name=(values.buyer_name or "").strip() or None,
        display_name=(values.display_name or "").strip()[:100] or None,
        supplier_portal_id=(values.supplier_portal_id or "").strip() or None,
        totp_secret_ref=(values.totp_secret_ref or "").strip() or None,
        po_required=values.po_required,
        new_number_on_resubmit=values.new_number_on_resubmit,
    )


def enrol_portal_account(
    store: Store,
    actor: Actor,
    account_number: str,
    values: PortalAccountValues,
    *,
    known_portal_codes: Collection[str],
) -> int:
    """Enrol a customer account on a portal; its open invoices go out from the next run."""
    require(actor, Role.ADMIN)
    checked = check_portal_account_values(values, known_portal_codes)
    account = store.customer_account(account_number)
    if account is None:
        raise NotFound(f"account {account_number} is not in HZ_CUST_ACCOUNTS")
    note = CollectionNote(
        cust_account_id=int(account["cust_account_id"]),
        party_id=int(account["party_id"]),
        payment_schedule_id=None,
        text=action_notes.portal_account_enrolled(
            portal_code=checked.portal_code,
            display_name=checked.display_name,
            buyer_name=checked.buyer_name,
            actor=actor.name,
        ),
    )
    try:
        return store.enrol_portal_account(
            cust_account_id=int(account["cust_account_id"]),
            org_id=store.org_ids[0],
            values=checked,
            note=note,
            audit=actor.audit(
                "ENROL_ACCOUNT",
                "ACCOUNT",
                account_number,
                detail=f"{checked.portal_code} {checked.portal_url} as {checked.login_name}",
            ),
        )
    except AlreadyExists as exc:
        raise NotApplicable(
            f"account {account_number} is already enrolled on {checked.portal_code}; edit it"
        ) from exc


def edit_portal_account(
    store: Store,
    actor: Actor,
    portal_account_id: int,
    values: PortalAccountValues,
    *,
    known_portal_codes: Collection[str],
    reason: str | None = None,
) -> None:
    """Change a portal account's portal, URL, login or secret names."""
    require(actor, Role.ADMIN)
    checked = check_portal_account_values(values, known_portal_codes)
    current = store.portal_account(portal_account_id)
    if current is None:
        raise NotFound(f"no portal account {portal_account_id}")
    try:
        changed = store.update_portal_account(
            portal_account_id,
            values=checked,
            audit=actor.audit(
                "EDIT_ACCOUNT",
                "PORTAL_ACCOUNT",
                portal_account_id,
                reason=_reason(reason, required=False),
                detail=f"{checked.portal_code} {checked.portal_url} as {checked.login_name}",
            ),
        )
    except AlreadyExists as exc:
        raise NotApplicable(
            f"account {current.account_number} is already enrolled on {checked.portal_code}"
        ) from exc
    if not changed:
        raise NotFound(f"no portal account {portal_account_id}")


def set_portal_account_enabled(
    store: Store, actor: Actor, portal_account_id: int, *, enabled: bool, reason: str | None
) -> None:
    """Stop (or start again) submitting a customer account's invoices to its portal."""
    require(actor, Role.ADMIN)
    why = _reason(reason, required=not enabled)
    current = store.portal_account(portal_account_id)
    if current is None:
        raise NotFound(f"no portal account {portal_account_id}")
    note = CollectionNote(
        cust_account_id=current.cust_account_id,
        party_id=current.party_id,
        payment_schedule_id=None,
        text=action_notes.portal_account_enabled(
            portal_code=current.portal_code,
            display_name=current.display_name,
            buyer_name=current.buyer_name,
            actor=actor.name,
            enabled=enabled,
            reason=why,
        ),
    )
    store.update_portal_account(
        portal_account_id,
        enabled=enabled,
        note=note,
        audit=actor.audit(
            "ENABLE_ACCOUNT" if enabled else "DISABLE_ACCOUNT",
            "PORTAL_ACCOUNT",
            portal_account_id,
            reason=why,
            detail=f"{current.account_number} on {current.portal_code}",
        ),
    )


def resume_pause(store: Store, actor: Actor, pause_id: int, *, reason: str | None) -> None:
    """Lift a paused login, a paused portal or an open outage breaker (admin; reason needed).

    The pause keeps its row as history (who resumed it, when, why); the audit line says the same
    for the workspace's trail. Refused when the pause is no longer in force.
    """
    require(actor, Role.ADMIN)
    why = _reason(reason, required=True)
    assert why is not None
    if not store.resume_pause(pause_id, resumed_by=actor.name, reason=why):
        raise NotApplicable(f"pause {pause_id} is not in force any more")
    store.record_audit(actor.audit("RESUME_PAUSE", "PAUSE", pause_id, reason=why))
