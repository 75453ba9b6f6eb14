"""The buttons: each form posts here, is checked (CSRF, role), calls :mod:`jobs.actions`, and
redirects back with a message (post/redirect/get).

Refusals a person can fix (a missing reason, an item that moved) come back as a message on the
page they came from; a role that does not allow the action gets a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from connectors.oracle.workspace_records import PortalAccountValues
from jobs import actions
from jobs.actions import NotApplicable, NotFound
from worker.web.app import Workspace, flash, principal_of, redirect, workspace_of
from worker.web.csrf import check_csrf
from worker.web.filters import FILTER_FIELDS, worklist_query

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form()]


def _act(request: Request, csrf_token: str, back: str, act: Callable[[], str]) -> Response:
    """Signed in, then CSRF, then the action; its message or refusal is flashed on ``back``."""
    principal_of(request)
    check_csrf(request, csrf_token)
    try:
        flash(request, act())
    except (NotApplicable, NotFound) as exc:
        flash(request, str(exc), error=True)
    return redirect(back)


@router.post("/accounts/{account_number}/resync")
def resync(
    request: Request, account_number: str, csrf_token: Text = "", reason: Text = "", back: Text = ""
) -> Response:
    ws = workspace_of(request)
    target = _back(back, f"/accounts/{account_number}")

    def act() -> str:
        request_id = actions.request_resync(
            ws.store, principal_of(request).actor(request), account_number, reason
        )
        return (
            f"resync of account {account_number} queued (request {request_id}); "
            "a worker picks it up shortly"
        )

    return _act(request, csrf_token, target, act)


@router.post("/invoices/{submission_id}/retry")
def retry(
    request: Request, submission_id: int, csrf_token: Text = "", reason: Text = ""
) -> Response:
    ws = workspace_of(request)

    def act() -> str:
        request_id = actions.request_retry(
            ws.store, principal_of(request).actor(request), submission_id, reason
        )
        return f"retry queued (request {request_id}); a worker picks it up shortly"

    return _act(request, csrf_token, f"/invoices/{submission_id}", act)


@router.post("/invoices/{submission_id}/submit-now")
def submit_now(
    request: Request, submission_id: int, csrf_token: Text = "", reason: Text = ""
) -> Response:
    ws = workspace_of(request)

    def act() -> str:
        request_id = actions.request_submit_now(
            ws.store, principal_of(request).actor(request), submission_id, reason
        )
        return f"submission queued (request {request_id}); a worker picks it up shortly"

    return _act(request, csrf_token, f"/invoices/{submission_id}", act)


@router.post("/invoices/{submission_id}/mark-submitted")
def mark_submitted(
    request: Request,
    submission_id: int,
    csrf_token: Text = "",
    portal_reference: Text = "",
    reason: Text = "",
) -> Response:
    ws = workspace_of(request)

    def act() -> str:
        actions.mark_submitted_manually(
            ws.store,
            principal_of(request).actor(request),
            submission_id,
            portal_reference=portal_reference,
            reason=reason,
        )
        return "marked as submitted; a note was written to the account"

    return _act(request, csrf_token, f"/invoices/{submission_id}", act)


@router.post("/worklist/retry")
def bulk_retry(
    request: Request,
    csrf_token: Text = "",
    confirmed_count: Text = "",
    reason: Text = "",
    kind: Text = "",
    collector: Text = "",
    account: Text = "",
    portal: Text = "",
    code: Text = "",
    min_days_late: Text = "",
) -> Response:
    ws = workspace_of(request)
    principal = principal_of(request)
    fields = dict(
        zip(FILTER_FIELDS, (kind, collector, account, portal, code, min_days_late), strict=True)
    )
    query = worklist_query(
        fields,
        my_collector_id=principal.collector_id,
        not_approved_after_days=ws.settings.web.not_approved_after_days,
    )
    count = int(confirmed_count) if confirmed_count.isdigit() else -1

    def act() -> str:
        ids = actions.request_bulk_retry(
            ws.store, principal.actor(request), query.wanted, confirmed_count=count, reason=reason
        )
        return f"{len(ids)} invoices queued for retry; workers pick them up shortly"

    return _act(request, csrf_token, "/worklist?" + query.query_string(), act)


class PortalAccountForm(BaseModel):
    """The enrol / edit form: a secret is only ever named; checkboxes send "Y" when ticked."""

    csrf_token: str = ""
    portal_code: str = ""
    portal_url: str = ""
    login_name: str = ""
    secret_ref: str = ""
    totp_secret_ref: str = ""
    buyer_name: str = ""
    display_name: str = ""
    supplier_portal_id: str = ""
    po_required: str = ""
    new_number_on_resubmit: str = ""
    reason: str = ""

    def values(self) -> PortalAccountValues:
        return PortalAccountValues(
            portal_code=self.portal_code,
            portal_url=self.portal_url,
            login_name=self.login_name,
            secret_ref=self.secret_ref,
            totp_secret_ref=self.totp_secret_ref or None,
            buyer_name=self.buyer_name or None,
            display_name=self.display_name or None,
            supplier_portal_id=self.supplier_portal_id or None,
            po_required=bool(self.po_required),
            new_number_on_resubmit=bool(self.new_number_on_resubmit),
        )


@router.post("/accounts/{account_number}/portal-accounts")
def enrol(
    request: Request, account_number: str, form: Annotated[PortalAccountForm, Form()]
) -> Response:
    ws = workspace_of(request)
    values = form.values()

    def act() -> str:
        new_id = actions.enrol_portal_account(
            ws.store,
            principal_of(request).actor(request),
            account_number,
            values,
            known_portal_codes=ws.portal_codes,
        )
        code = values.portal_code.strip().lower()
        return f"account {account_number} enrolled on {code} (portal account {new_id})"

    return _act(request, form.csrf_token, f"/accounts/{account_number}", act)


@router.post("/portal-accounts/{portal_account_id}")
def edit(
    request: Request, portal_account_id: int, form: Annotated[PortalAccountForm, Form()]
) -> Response:
    ws = workspace_of(request)

    def act() -> str:
        actions.edit_portal_account(
            ws.store,
            principal_of(request).actor(request),
            portal_account_id,
            form.values(),
            known_portal_codes=ws.portal_codes,
            reason=form.reason,
        )
        return f"portal account {portal_account_id} saved"

    return _act(request, form.csrf_token, _account_page(ws, portal_account_id), act)


@router.post("/portal-accounts/{portal_account_id}/enabled")
def set_enabled(
    request: Request,
    portal_account_id: int,
    csrf_token: Text = "",
    enabled: Text = "",
    reason: Text = "",
) -> Response:
    ws = workspace_of(request)
    back = _account_page(ws, portal_account_id)
    turn_on = enabled == "Y"

    def act() -> str:
        actions.set_portal_account_enabled(
            ws.store,
            principal_of(request).actor(request),
            portal_account_id,
            enabled=turn_on,
            reason=reason,
        )
        return f"portal account {portal_account_id} {'enabled' if turn_on else 'disabled'}"

    return _act(request, csrf_token, back, act)


@router.post("/portal-accounts/{portal_account_id}/test-login")
def test_login(
    request: Request, portal_account_id: int, csrf_token: Text = "", reason: Text = ""
) -> Response:
    ws = workspace_of(request)
    back = _account_page(ws, portal_account_id)

    def act() -> str:
        request_id = actions.request_test_login(
            ws.store, principal_of(request).actor(request), portal_account_id, reason
        )
        return (
            f"login test queued (request {request_id}); the result shows here once a worker ran it"
        )

    return _act(request, csrf_token, back, act)


@router.post("/pauses/{pause_id}/resume")
def resume_pause(
    request: Request, pause_id: int, csrf_token: Text = "", reason: Text = ""
) -> Response:
    ws = workspace_of(request)

    def act() -> str:
        actions.resume_pause(
            ws.store, principal_of(request).actor(request), pause_id, reason=reason
        )
        return f"pause {pause_id} lifted; workers try that login or portal again from now on"

    return _act(request, csrf_token, "/", act)


def _account_page(ws: Workspace, portal_account_id: int) -> str:
    """The account page of a portal account, to come back to after acting on it."""
    record = ws.store.portal_account(portal_account_id)
    return f"/accounts/{record.account_number}" if record else "/accounts"


def _back(back: str, default: str) -> str:
    """Where to go after an action: a path of this site only."""
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return back
    return default
