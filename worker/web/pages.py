"""The pages: overview, action-needed worklist, one invoice, customer accounts.

Each handler reads through the store's workspace verbs and renders a template; what a page may
show is everything a viewer may see. Handlers are plain functions (FastAPI runs them in its thread
pool), so the synchronous store never blocks the event loop.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from config.secrets import SecretNotFound, resolve_secret
from connectors.oracle.records import SubmissionStatus
from connectors.oracle.workspace_records import ActionCode, WorkKind, WorklistFilter
from jobs.action_requests import JOB_NAME as ACTIONS_JOB
from jobs.actions import BULK_RETRY_MAX_ITEMS, MARKABLE_STATUSES, Role, bulk_retry_candidates
from jobs.invoice_mapping import to_outgoing_invoice
from worker.web.app import not_found, principal_of, redirect, render, workspace_of
from worker.web.evidence import evidence_files
from worker.web.filters import worklist_query

router = APIRouter(include_in_schema=False)

STATUS_COLUMNS = tuple(s.value for s in SubmissionStatus)
RECENT_RUNS = 12


@router.get("/")
def overview(request: Request) -> Response:
    principal = principal_of(request)
    ws = workspace_of(request)
    store = ws.store
    cells = store.queue_by_portal()
    grid: dict[str, dict[str, int]] = defaultdict(dict)
    for cell in cells:
        grid[cell.portal_code][cell.status] = cell.count
    totals = {s: sum(row.get(s, 0) for row in grid.values()) for s in STATUS_COLUMNS}
    needed = store.worklist(
        WorklistFilter(not_approved_after_days=ws.settings.web.not_approved_after_days), limit=1
    )
    return render(
        request,
        "overview.html",
        {
            "title": "Overview",
            "runs": store.recent_job_runs(limit=RECENT_RUNS),
            "grid": dict(sorted(grid.items())),
            "totals": totals,
            "statuses": STATUS_COLUMNS,
            "oldest": store.oldest_due(),
            "now": store.clock(),
            "action_needed": needed.total,
            "pauses": store.active_pauses(),
            "can_resume": principal.role.allows(Role.ADMIN),
            "actions_job": ACTIONS_JOB,
        },
    )


@router.get("/worklist")
def worklist(request: Request, page: int = 1) -> Response:
    principal = principal_of(request)
    ws = workspace_of(request)
    query = worklist_query(
        request.query_params,
        my_collector_id=principal.collector_id,
        not_approved_after_days=ws.settings.web.not_approved_after_days,
    )
    size = ws.settings.web.page_size
    page = max(1, min(page, 10_000))
    listing = ws.store.worklist(query.wanted, limit=size, offset=(page - 1) * size)
    return render(
        request,
        "worklist.html",
        {
            "title": "Action needed",
            "query": query,
            "listing": listing,
            "page": page,
            "pages": max(1, -(-listing.total // size)),
            "kinds": list(WorkKind),
            "portal_codes": sorted(
                {a.portal_code for a in ws.store.portal_accounts(enabled_only=False)}
            ),
            "collectors": ws.store.active_collectors(),
            "can_act": principal.role.allows(Role.COLLECTOR),
            "has_collector": principal.collector_id is not None,
        },
    )


@router.get("/worklist/retry")
def confirm_bulk_retry(request: Request) -> Response:
    """The confirmation step of a bulk retry: how many invoices it would take, before any."""
    principal = principal_of(request)
    ws = workspace_of(request)
    query = worklist_query(
        request.query_params,
        my_collector_id=principal.collector_id,
        not_approved_after_days=ws.settings.web.not_approved_after_days,
    )
    ids = bulk_retry_candidates(ws.store, query.wanted)
    return render(
        request,
        "bulk_retry.html",
        {
            "title": "Retry these invoices?",
            "query": query,
            "count": len(ids),
            "too_many": len(ids) > BULK_RETRY_MAX_ITEMS,
            "limit": BULK_RETRY_MAX_ITEMS,
            "can_act": principal.role.allows(Role.COLLECTOR),
        },
    )


@router.get("/invoices/{submission_id}")
def invoice(request: Request, submission_id: str) -> Response:
    principal = principal_of(request)
    ws = workspace_of(request)
    view = ws.store.submission_view(int(submission_id)) if submission_id.isdigit() else None
    if view is None:
        return not_found(request, f"no submission {submission_id}")
    events = ws.store.events(view.submission_id)
    return render(
        request,
        "invoice.html",
        {
            "title": f"Invoice {view.trx_number}",
            "view": view,
            "today": ws.store.clock().date(),
            "events": events,
            "portal_history": [e for e in events if e["event_type"] == "PORTAL_STATUS"],
            "notes": ws.store.notes_for_invoice(view.payment_schedule_id),
            "sent": _sent_values(ws.store, view.submission_id, view.portal_invoice_number, view),
            "evidence": evidence_files(ws.settings, view.artifact_path),
            "requests": ws.store.action_requests(submission_id=view.submission_id, limit=5),
            "audit": ws.store.audit_entries(
                target_kind="SUBMISSION", target_ref=str(submission_id), limit=10
            ),
            "can_act": principal.role.allows(Role.COLLECTOR),
            "can_retry": view.status in (SubmissionStatus.REJECTED, SubmissionStatus.FAILED),
            "can_submit_now": view.status in (SubmissionStatus.PENDING, SubmissionStatus.UNCERTAIN),
            "can_mark": view.status in MARKABLE_STATUSES,
        },
    )


def _sent_values(store: Any, submission_id: int, number: str, view: Any) -> Any:
    """What the worker sends (or sent) for this invoice, as EBS holds it now."""
    sub = store.submissions(submission_ids=[submission_id])
    if not sub:
        return None
    record = store.load_invoice(sub[0].customer_trx_id)
    if record is None:
        return None
    return to_outgoing_invoice(record, portal_invoice_number=number, buyer_name=view.buyer_name)


@router.get("/accounts")
def accounts(request: Request) -> Response:
    principal_of(request)
    ws = workspace_of(request)
    enrolled = ws.store.portal_accounts(enabled_only=False)
    return render(request, "accounts.html", {"title": "Customer accounts", "accounts": enrolled})


@router.get("/accounts/go")
def account_by_number(request: Request, account: str = "") -> Response:
    principal_of(request)
    number = account.strip()[:30]
    if not number or not number.replace("-", "").isalnum():
        return redirect("/accounts")
    return redirect(f"/accounts/{number}")


@router.get("/accounts/{account_number}")
def account(request: Request, account_number: str) -> Response:
    principal = principal_of(request)
    ws = workspace_of(request)
    customer = ws.store.customer_account(account_number[:30])
    if customer is None:
        return not_found(request, f"account {account_number} is not in HZ_CUST_ACCOUNTS")
    portal_accounts = ws.store.portal_accounts(account_number=account_number, enabled_only=False)
    tests = {
        pa.portal_account_id: ws.store.action_requests(
            portal_account_id=pa.portal_account_id, action_code=ActionCode.TEST_LOGIN, limit=1
        )
        for pa in portal_accounts
    }
    secrets_found = {
        pa.portal_account_id: _secret_found(ws.settings.secrets_dir, pa.secret_ref)
        for pa in portal_accounts
    }
    notes = ws.store.notes_for_account(int(customer["cust_account_id"]))
    return render(
        request,
        "account.html",
        {
            "title": f"Account {account_number}",
            "customer": customer,
            "portal_accounts": portal_accounts,
            "tests": {k: (v[0] if v else None) for k, v in tests.items()},
            "secrets_found": secrets_found,
            "submissions": ws.store.account_submissions(int(customer["cust_account_id"])),
            "notes": list(reversed(notes))[:20],
            "audit": ws.store.audit_entries(
                target_kind="ACCOUNT", target_ref=account_number, limit=10
            ),
            "portal_codes": ws.portal_codes,
            "can_act": principal.role.allows(Role.COLLECTOR),
            "can_admin": principal.role.allows(Role.ADMIN),
        },
    )


@router.get("/portal-accounts/{portal_account_id}/edit")
def edit_portal_account(request: Request, portal_account_id: int) -> Response:
    principal = principal_of(request)
    ws = workspace_of(request)
    record = ws.store.portal_account(portal_account_id)
    if record is None:
        return not_found(request, f"no portal account {portal_account_id}")
    return render(
        request,
        "portal_account_form.html",
        {
            "title": f"Edit portal account {portal_account_id}",
            "record": record,
            "portal_codes": ws.portal_codes,
            "can_admin": principal.role.allows(Role.ADMIN),
        },
    )


def _secret_found(secrets_dir: Any, ref: str) -> bool:
    """Whether the secret resolves on this web host (the workers resolve it on theirs)."""
    try:
        resolve_secret(ref, secrets_dir)
    except SecretNotFound:
        return False
    return True
