"""The JSON API (``/api/v1``): the workspace's reads and actions for scripts.

Same rules as the pages, because it calls the same functions (:mod:`jobs.actions`): a token's
role decides what it may do, and every action is audited with channel API. Authenticate with
``Authorization: Bearer <token>`` (``arworker tokens create``); a browser session works too, with
its CSRF token in ``X-CSRF-Token`` for anything that changes data. The OpenAPI document is at
``/api/openapi.json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from connectors.oracle.records import SubmissionStatus
from connectors.oracle.workspace_records import (
    ActionRequest,
    PortalAccountValues,
    WorkKind,
    WorklistFilter,
    WorklistRow,
)
from jobs import actions
from jobs.actions import Actor, NotFound
from worker.web.app import principal_of, workspace_of
from worker.web.csrf import HEADER, check_csrf
from worker.web.filters import worklist_query

router = APIRouter(prefix="/api/v1", tags=["workspace"])

MAX_LIMIT = 1000


class Reason(BaseModel):
    reason: str | None = Field(None, max_length=2000, description="why (kept in the audit trail)")


class ManualSubmission(BaseModel):
    portal_reference: str = Field(..., max_length=100, description="the portal's document number")
    reason: str = Field(..., max_length=2000)


class PortalAccountIn(BaseModel):
    portal_code: str = Field(..., description="a portal family with a driver or recipe")
    portal_url: str
    login_name: str
    secret_ref: str = Field(..., description="the NAME of the secret; never the password")
    totp_secret_ref: str | None = None
    buyer_name: str | None = None
    display_name: str | None = Field(None, description="how collectors name the portal in notes")
    supplier_portal_id: str | None = None
    po_required: bool = True
    new_number_on_resubmit: bool = False

    def values(self) -> PortalAccountValues:
        return PortalAccountValues(**self.model_dump(exclude={"account_number"}))


class Enrolment(PortalAccountIn):
    account_number: str


class Queued(BaseModel):
    request_ids: list[int]


class ListingItem(BaseModel):
    submission_id: int
    trx_number: str
    account_number: str
    account_name: str | None
    portal_code: str
    status: str
    portal_status: str | None
    kind: str | None
    reason_code: str | None
    reason_text: str | None
    amount_due_remaining: Decimal | None
    currency: str | None
    due_date: dt.date | None
    days_late: int | None
    changed_at: dt.datetime


class Listing(BaseModel):
    total: int
    items: list[ListingItem]


def _item(row: WorklistRow) -> ListingItem:
    data = asdict(row)
    data["status"] = row.status.value
    data["kind"] = row.kind.value if row.kind is not None else None
    return ListingItem(**data)


def _actor(request: Request) -> Actor:
    """The acting principal; a browser session (not a token) must carry the CSRF header."""
    principal = principal_of(request)
    if principal.via != "token":
        check_csrf(request, request.headers.get(HEADER))
    return principal.actor(request)


@router.get("/overview")
def overview(request: Request) -> dict[str, Any]:
    """Queue by portal and status, oldest due item, recent runs, how many need action."""
    principal_of(request)
    ws = workspace_of(request)
    oldest = ws.store.oldest_due()
    needed = ws.store.worklist(
        WorklistFilter(not_approved_after_days=ws.settings.web.not_approved_after_days), limit=1
    )
    return {
        "queue": [asdict(c) for c in ws.store.queue_by_portal()],
        "oldest_due": asdict(oldest) if oldest else None,
        "action_needed": needed.total,
        "runs": ws.store.recent_job_runs(limit=10),
    }


@router.get("/submissions", response_model=Listing)
def submissions(
    request: Request,
    status: list[SubmissionStatus] = Query(default_factory=list),  # noqa: B008
    account: str | None = None,
    portal: str | None = None,
    collector: int | None = None,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
) -> Listing:
    """Submissions filtered by status (repeatable), customer account, portal and collector."""
    principal_of(request)
    ws = workspace_of(request)
    wanted = WorklistFilter(
        statuses=tuple(status) or tuple(SubmissionStatus),
        account_number=account,
        portal_code=portal,
        collector_id=collector,
    )
    page = ws.store.worklist(wanted, limit=limit, offset=offset)
    return Listing(total=page.total, items=[_item(r) for r in page.rows])


@router.get("/worklist", response_model=Listing)
def worklist(
    request: Request,
    kind: WorkKind | None = None,
    collector: str | None = Query(None, description="a COLLECTOR_ID, or 'me'"),
    account: str | None = None,
    portal: str | None = None,
    code: str | None = Query(None, description="reason code, e.g. PO_CLOSED"),
    min_days_late: int | None = Query(None, ge=0),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
) -> Listing:
    """The "action needed" list: rejected, disputed, failed, uncertain, not approved."""
    principal = principal_of(request)
    ws = workspace_of(request)
    params = {
        "kind": kind.value if kind else "",
        "collector": collector or "",
        "account": account or "",
        "portal": portal or "",
        "code": code or "",
        "min_days_late": "" if min_days_late is None else str(min_days_late),
    }
    query = worklist_query(
        params,
        my_collector_id=principal.collector_id,
        not_approved_after_days=ws.settings.web.not_approved_after_days,
    )
    page = ws.store.worklist(query.wanted, limit=limit, offset=offset)
    return Listing(total=page.total, items=[_item(r) for r in page.rows])


@router.get("/submissions/{submission_id}")
def submission(request: Request, submission_id: int) -> dict[str, Any]:
    """One submission with its EBS facts, its events (oldest first) and its invoice's notes."""
    principal_of(request)
    ws = workspace_of(request)
    view = ws.store.submission_view(submission_id)
    if view is None:
        raise NotFound(f"no submission {submission_id}")
    data = asdict(view)
    data.pop("artifact_path")  # a server path: the evidence is served by id on the page
    data["status"] = view.status.value
    data["events"] = ws.store.events(submission_id)
    data["notes"] = [asdict(n) for n in ws.store.notes_for_invoice(view.payment_schedule_id)]
    return data


@router.post("/accounts/{account_number}/resync", response_model=Queued, status_code=202)
def resync(request: Request, account_number: str, body: Reason | None = None) -> Queued:
    """Queue a resync of a customer account (re-submit what was rejected or failed)."""
    ws = workspace_of(request)
    request_id = actions.request_resync(
        ws.store, _actor(request), account_number, body.reason if body else None
    )
    return Queued(request_ids=[request_id])


@router.post("/submissions/{submission_id}/retry", response_model=Queued, status_code=202)
def retry(request: Request, submission_id: int, body: Reason | None = None) -> Queued:
    """Retry a rejected or failed submission now (a worker picks the request up)."""
    ws = workspace_of(request)
    request_id = actions.request_retry(
        ws.store, _actor(request), submission_id, body.reason if body else None
    )
    return Queued(request_ids=[request_id])


@router.post("/submissions/{submission_id}/submit-now", response_model=Queued, status_code=202)
def submit_now(request: Request, submission_id: int, body: Reason | None = None) -> Queued:
    """Submit a queued submission now instead of after its backoff."""
    ws = workspace_of(request)
    request_id = actions.request_submit_now(
        ws.store, _actor(request), submission_id, body.reason if body else None
    )
    return Queued(request_ids=[request_id])


@router.post("/submissions/{submission_id}/mark-submitted")
def mark_submitted(request: Request, submission_id: int, body: ManualSubmission) -> dict[str, Any]:
    """Record that a person submitted the invoice on the portal (reference and reason needed)."""
    ws = workspace_of(request)
    note_id = actions.mark_submitted_manually(
        ws.store,
        _actor(request),
        submission_id,
        portal_reference=body.portal_reference,
        reason=body.reason,
    )
    return {"submission_id": submission_id, "status": "SUBMITTED", "jtf_note_id": note_id}


@router.get("/portal-accounts")
def portal_accounts(request: Request, account: str | None = None) -> list[dict[str, Any]]:
    """Enrolled portal accounts (enabled or not); secret names only, never a secret."""
    principal_of(request)
    ws = workspace_of(request)
    return [asdict(a) for a in ws.store.portal_accounts(account_number=account, enabled_only=False)]


@router.post("/portal-accounts", status_code=201)
def enrol(request: Request, body: Enrolment) -> dict[str, Any]:
    """Enrol a customer account on a portal (admin)."""
    ws = workspace_of(request)
    new_id = actions.enrol_portal_account(
        ws.store,
        _actor(request),
        body.account_number,
        body.values(),
        known_portal_codes=ws.portal_codes,
    )
    return {"portal_account_id": new_id}


@router.put("/portal-accounts/{portal_account_id}")
def edit(request: Request, portal_account_id: int, body: PortalAccountIn) -> dict[str, Any]:
    """Change a portal account's portal, URL, login or secret names (admin)."""
    ws = workspace_of(request)
    actions.edit_portal_account(
        ws.store,
        _actor(request),
        portal_account_id,
        body.values(),
        known_portal_codes=ws.portal_codes,
    )
    return {"portal_account_id": portal_account_id}


@router.post("/portal-accounts/{portal_account_id}/disable")
def disable(request: Request, portal_account_id: int, body: Reason) -> dict[str, Any]:
    """Stop submitting this account's invoices to its portal (admin; reason required)."""
    ws = workspace_of(request)
    actions.set_portal_account_enabled(
        ws.store, _actor(request), portal_account_id, enabled=False, reason=body.reason
    )
    return {"portal_account_id": portal_account_id, "enabled": False}


@router.post("/portal-accounts/{portal_account_id}/enable")
def enable(request: Request, portal_account_id: int, body: Reason | None = None) -> dict[str, Any]:
    """Submit this account's invoices to its portal again (admin)."""
    ws = workspace_of(request)
    actions.set_portal_account_enabled(
        ws.store,
        _actor(request),
        portal_account_id,
        enabled=True,
        reason=body.reason if body else None,
    )
    return {"portal_account_id": portal_account_id, "enabled": True}


@router.post(
    "/portal-accounts/{portal_account_id}/test-login", response_model=Queued, status_code=202
)
def test_login(request: Request, portal_account_id: int, body: Reason | None = None) -> Queued:
    """Queue a login test; its result is the request's result_text (GET /action-requests)."""
    ws = workspace_of(request)
    request_id = actions.request_test_login(
        ws.store, _actor(request), portal_account_id, body.reason if body else None
    )
    return Queued(request_ids=[request_id])


@router.get("/pauses")
def pauses(request: Request) -> list[dict[str, Any]]:
    """Paused portal logins, paused portals and open outage breakers now in force."""
    principal_of(request)
    return [asdict(p) for p in workspace_of(request).store.active_pauses()]


@router.post("/pauses/{pause_id}/resume")
def resume_pause(request: Request, pause_id: int, body: Reason) -> dict[str, Any]:
    """Lift a pause (admin; reason required, kept with the pause and in the audit trail)."""
    actions.resume_pause(workspace_of(request).store, _actor(request), pause_id, reason=body.reason)
    return {"pause_id": pause_id, "resumed": True}


@router.get("/action-requests")
def action_requests(
    request: Request,
    submission_id: int | None = None,
    portal_account_id: int | None = None,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Requests and their results (newest first): retries, submit-nows, login tests."""
    principal_of(request)
    ws = workspace_of(request)
    found = ws.store.action_requests(
        submission_id=submission_id, portal_account_id=portal_account_id, limit=limit
    )
    return [_request(r) for r in found]


def _request(r: ActionRequest) -> dict[str, Any]:
    data = asdict(r)
    data["action_code"] = r.action_code.value
    data["status"] = r.status.value
    return data
