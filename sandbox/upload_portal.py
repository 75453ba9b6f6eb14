"""The upload-style supplier portal (Tungsten/Basware-like): the stand-in a recipe drives.

It reproduces what matters to an unattended uploader (``reference/portals.md`` §1.3, §1.4,
§1.9): a plain sign-in with the shared lock-out, a customer chosen before the form, one form
with the header fields whose amounts must be written the customer's way (de-DE silently
misreads ``1,234.56``), the PDF behind a styled button (the real file input is hidden),
validation that happens *after* the upload (Processing → Accepted, or "Invoices in error" with
a failure reason), and the buyer's verdict later (Approved, Paid, Rejected) set by an admin.
There is no Python driver for it: ``config/portals/upload.toml`` drives it.

URL map (under the mount prefix, ``/upload``)::

    GET  /login          sign-in form           POST /login     username + password
    GET  /logout
    GET  /dashboard      processing count, "Invoices in error" with failure reasons
    GET  /invoices/new           choose the customer (GET form → details?buyer=CODE)
    GET  /invoices/new/details   the invoice form    POST ...details?buyer=CODE (multipart)
    GET  /status         invoice status list, newest first: number= (contains), status= (a
                         status word), page= (1-based), per_page= (default 25, at most 100);
                         "Page 2 of 3" with Previous/Next links
    GET  /static/{upload.css|upload.js|logo.svg}
    (admin) POST /__sandbox/upload/invoices/{invoice_number}/status   approved|paid|rejected
    (admin) GET  /__sandbox/upload/invoices                            every upload, as JSON
    (admin) GET|POST /__sandbox/upload/settings                        validation_delay_s
    (admin) GET  /__sandbox/upload/settled     answers once no upload is Processing (504: timeout)

Selector contract (layout v1; v2 renames the form's fields, see :mod:`sandbox.upload_form`):
sign-in ``#signin-form`` ``#username`` ``#password`` ``#signin-button`` ``#signin-error``;
signed in ``#account-menu``; customer ``#recipient-select`` (option text = customer name)
``#recipient-continue``; form ``#invoice-form[data-locale]`` ``#recipient-name``
``#inv-number`` ``#inv-date`` ``#inv-due-date`` (DD.MM.YYYY) ``#inv-po`` ``#inv-currency``
``#inv-net`` ``#inv-tax`` ``#inv-total`` ``#invoice-file`` (hidden) ``#attach-button``
``#send-invoice``, errors ``#form-errors .form-error[data-field]``; received
``#upload-received`` ("Your invoice INV-1 was received as UP-000001 and is being validated...")
``#upload-reference`` ``#upload-number`` ``#upload-status``; status ``#status-table
tr.status-row`` with ``.col-reference`` ``.col-number`` ``.col-recipient`` ``.col-date``
``.col-amount`` ``.col-status`` ``.col-reason`` ``.col-due`` ``.col-paid-on``
``.col-payment-ref``, ``#status-empty``, pager ``#status-pager[data-page][data-pages]``
``#status-previous`` ``#status-next``; busy ``#busy-notice`` (503); failure
``#failure-notice`` (500).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox import upload_pages as pages
from sandbox.catalog import Catalog
from sandbox.faults import FaultControl
from sandbox.ledger import Ledger
from sandbox.portal_auth import PortalAuth, SignInStep
from sandbox.portal_sessions import PortalSession, SessionStore
from sandbox.upload_assets import ASSETS, CACHE_MAX_AGE_S
from sandbox.upload_form import FORM_TOKEN_FIELD, LAYOUTS, read_entry
from sandbox.upload_records import (
    FAMILY,
    Attachment,
    LifecycleRefused,
    StatusChange,
    Upload,
    UploadEntry,
    UploadRecords,
    UploadStatus,
)

SESSION_COOKIE = "upl_session"
MAX_FORM_FIELDS = 100
MAX_FORM_FILES = 2
MAX_TEXT_PART_BYTES = 64 * 1024
MESSAGE_SESSION_EXPIRED = "Your session has expired. Please sign in again."
MESSAGE_SIGN_IN = "Please sign in to continue."
MESSAGE_NO_SECOND_FACTOR = "Two-step verification is not available on this portal"
MESSAGE_FORM_EXPIRED = "This form has expired. Please reload the page and try again."
SETTLED_TIMEOUT_S = 10.0  #: longest an admin call waits for the uploads being validated
STATUS_PER_PAGE = 25  #: rows of the status list per page, unless per_page= asks otherwise
STATUS_MAX_PER_PAGE = 100  #: the most per_page= gets

#: lifecycle names accepted by the admin endpoint
ADMIN_STATUSES: Mapping[str, UploadStatus] = {
    "approved": UploadStatus.APPROVED,
    "paid": UploadStatus.PAID,
    "rejected": UploadStatus.REJECTED,
}
EMPTY_ENTRY = UploadEntry(
    number="",
    invoice_date="",
    due_date="",
    po_number="",
    currency="",
    net_amount="",
    tax_amount="",
    total_amount="",
    attachment=None,
)


class UploadPortal:
    """One upload-style portal: its books, users and sessions, its pages."""

    family = FAMILY
    #: where a worker looks an invoice up (the document status search);
    #: ``Faults.lookup_error_rate`` makes them busy
    lookup_paths: tuple[str, ...] = ("/status",)

    def __init__(
        self, catalog: Catalog, *, ledger: Ledger, faults: FaultControl, prefix: str = "/upload"
    ) -> None:
        self.prefix = prefix.rstrip("/")
        self.records = UploadRecords(catalog, ledger)
        self._faults = faults
        self._auth = PortalAuth(FAMILY, catalog.users, ledger, faults)
        self._sessions = SessionStore(faults)
        #: admin calls waiting until no upload is Processing (resolved by the validation timer)
        self._settle_waiters: list[asyncio.Future[None]] = []
        self.app = Starlette(routes=self._routes())

    # --- the family interface the sandbox server uses -----------------------------------------

    def admin_routes(self) -> list[BaseRoute]:
        """Routes mounted under ``/__sandbox/upload`` (never subject to faults)."""
        return [
            Route("/invoices", self._admin_uploads, methods=["GET"]),
            Route(
                "/invoices/{invoice_number:path}/status",
                self._admin_change_status,
                methods=["POST"],
            ),
            Route("/settings", self._admin_settings, methods=["GET", "POST"]),
            Route("/settled", self._admin_settled, methods=["GET"]),
        ]

    def busy_page(self) -> str:
        return pages.busy_page(self.prefix)

    def reset(self) -> None:
        """Forget uploads, failed logins and lock-outs (sessions survive, as browsers do)."""
        self.records.reset()
        self._auth.reset()

    # --- routes -----------------------------------------------------------------------------

    def _routes(self) -> list[BaseRoute]:
        return [
            Route("/", self._root),
            Route("/static/{name}", self._static),
            Route("/login", self._signin_form, methods=["GET"]),
            Route("/login", self._signin_submit, methods=["POST"]),
            Route("/logout", self._signout),
            Route("/dashboard", self._dashboard),
            Route("/invoices/new", self._recipient),
            Route("/invoices/new/details", self._upload_form, methods=["GET"]),
            Route("/invoices/new/details", self._upload_submit, methods=["POST"]),
            Route("/status", self._status),
        ]

    async def _root(self, request: Request) -> Response:
        return RedirectResponse(f"{self.prefix}/dashboard", status_code=303)

    async def _static(self, request: Request) -> Response:
        asset = ASSETS.get(request.path_params["name"])
        if asset is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(
            asset.body,
            media_type=asset.media_type,
            headers={"Cache-Control": f"public, max-age={CACHE_MAX_AGE_S}"},
        )

    # --- sign-in ----------------------------------------------------------------------------

    async def _signin_form(self, request: Request) -> Response:
        lookup = self._sessions.lookup(request.cookies.get(SESSION_COOKIE))
        if lookup.session is not None and lookup.session.signed_in:
            return RedirectResponse(f"{self.prefix}/dashboard", status_code=303)
        notice = None
        if lookup.expired or request.query_params.get("expired"):
            notice = MESSAGE_SESSION_EXPIRED
        elif request.query_params.get("required"):
            notice = MESSAGE_SIGN_IN
        return HTMLResponse(pages.signin_page(self._ctx(), notice=notice))

    async def _signin_submit(self, request: Request) -> Response:
        async with request.form() as form:
            username = _text(form.get("username"))
            password = _text(form.get("password"))
        outcome = self._auth.check_password(username, password)
        if outcome.step is SignInStep.NEEDS_CODE:
            return HTMLResponse(
                pages.signin_page(self._ctx(), error=MESSAGE_NO_SECOND_FACTOR, username=username)
            )
        if outcome.step is SignInStep.REFUSED:
            page = pages.signin_page(self._ctx(), error=outcome.message, username=username)
            return HTMLResponse(page)
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            self._sessions.drop(previous)
        session = self._sessions.create()
        session.login_name = outcome.login_name
        response = RedirectResponse(f"{self.prefix}/dashboard", status_code=303)
        response.set_cookie(
            SESSION_COOKIE, session.session_id, path=self.prefix, httponly=True, samesite="lax"
        )
        return response

    async def _signout(self, request: Request) -> Response:
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            self._sessions.drop(sid)
        response = RedirectResponse(f"{self.prefix}/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=self.prefix)
        return response

    # --- pages of a signed-in user ------------------------------------------------------------

    async def _dashboard(self, request: Request) -> Response:
        session = self._signed_in(request)
        if isinstance(session, Response):
            return session
        user = session.login_name or ""
        page = pages.dashboard_page(
            self._ctx(session),
            processing=self.records.uploads(user, status=UploadStatus.PROCESSING),
            in_error=self.records.uploads(user, status=UploadStatus.IN_ERROR),
            buyers={b.code: b for b in self.records.buyers()},
        )
        return HTMLResponse(page)

    async def _recipient(self, request: Request) -> Response:
        session = self._signed_in(request)
        if isinstance(session, Response):
            return session
        buyers = self.records.buyers()
        locales = {b.code: self.records.locale(b.code) for b in buyers}
        return HTMLResponse(pages.recipient_page(self._ctx(session), buyers, locales))

    async def _upload_form(self, request: Request) -> Response:
        session = self._signed_in(request)
        if isinstance(session, Response):
            return session
        return self._render_form(request, session, EMPTY_ENTRY, {})

    async def _upload_submit(self, request: Request) -> Response:
        session = self._signed_in(request)
        if isinstance(session, Response):
            return session
        buyer = self.records.buyer(request.query_params.get("buyer"))
        if buyer is None:
            return self._render_form(request, session, EMPTY_ENTRY, {})
        layout = LAYOUTS[self._faults.current.layout]
        async with request.form(
            max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_TEXT_PART_BYTES
        ) as form:
            fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            upload = form.get(layout.file.name)
            attachment = None
            if isinstance(upload, UploadFile) and upload.filename:
                attachment = Attachment(file_name=upload.filename, data=await upload.read())
        entry = read_entry(layout, fields, attachment)
        if fields.get(FORM_TOKEN_FIELD) != session.form_token:
            return self._render_form(request, session, entry, {"form": MESSAGE_FORM_EXPIRED})
        intake = self.records.receive(supplier=session.login_name or "", buyer=buyer, entry=entry)
        if intake.upload is None:
            return self._render_form(request, session, entry, intake.errors)
        self._schedule_validation()
        if self._faults.roll(self._faults.current.confirm_fail_rate):
            return HTMLResponse(pages.failure_page(self._ctx(session)), status_code=500)
        return HTMLResponse(pages.received_page(self._ctx(session), intake.upload, buyer))

    async def _status(self, request: Request) -> Response:
        session = self._signed_in(request)
        if isinstance(session, Response):
            return session
        query = request.query_params
        number = query.get("number", "")
        status_name = query.get("status", "")
        status = next((s for s in UploadStatus if s.value == status_name), None)
        per_page = min(_positive(query.get("per_page"), STATUS_PER_PAGE), STATUS_MAX_PER_PAGE)
        found = self.records.uploads(session.login_name or "", number=number, status=status)
        kept = {"number": number, "status": status_name, "per_page": query.get("per_page", "")}
        paging = pages.StatusPaging(
            page=_positive(query.get("page"), 1),
            per_page=per_page,
            total=len(found),
            query={key: value for key, value in kept.items() if value},
        )
        start = (paging.page - 1) * per_page
        buyers = self.records.buyers()
        page = pages.status_page(
            self._ctx(session),
            found[start : start + per_page],
            number=number,
            status=status_name,
            buyers={b.code: b for b in buyers},
            locales={b.code: self.records.locale(b.code) for b in buyers},
            paging=paging,
        )
        return HTMLResponse(page)

    # --- admin ------------------------------------------------------------------------------

    async def _admin_uploads(self, request: Request) -> Response:
        self.records.settle()
        return JSONResponse([_upload_json(u) for u in self.records.all_uploads()])

    async def _admin_change_status(self, request: Request) -> Response:
        self.records.settle()
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        try:
            buyer_code, change = _status_change(body)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        try:
            upload = self.records.change_status(
                number=request.path_params["invoice_number"],
                change=change,
                today=dt.date.today(),
                buyer_code=buyer_code,
            )
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except LifecycleRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse(_upload_json(upload))

    async def _admin_settings(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                body = await request.json()
            except ValueError:
                return JSONResponse({"error": "body must be JSON"}, status_code=400)
            delay = body.get("validation_delay_s") if isinstance(body, dict) else None
            if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
                return JSONResponse(
                    {"error": "'validation_delay_s' must be a number of seconds >= 0"},
                    status_code=400,
                )
            self.records.validation_delay_s = float(delay)
        return JSONResponse({"validation_delay_s": self.records.validation_delay_s})

    async def _admin_settled(self, request: Request) -> Response:
        """Answer once every upload has been validated, so a test waits on that, not a clock."""
        self.records.settle()
        if self.records.next_validation_in_s() is not None:
            waiter = asyncio.get_running_loop().create_future()
            self._settle_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, SETTLED_TIMEOUT_S)
            except TimeoutError:
                return JSONResponse(
                    {"error": f"uploads still Processing after {SETTLED_TIMEOUT_S:g} s"},
                    status_code=504,
                )
        return JSONResponse({"processing": 0})

    # --- plumbing ---------------------------------------------------------------------------

    def _schedule_validation(self) -> None:
        """Run the validation when the oldest Processing upload is due (pages settle too)."""
        delay = self.records.next_validation_in_s()
        if delay is not None:
            asyncio.get_running_loop().call_later(delay, self._validate_due)

    def _validate_due(self) -> None:
        """The validation timer: settle what is due, then wake the waiters or wait for the rest."""
        self.records.settle()
        if self.records.next_validation_in_s() is not None:
            self._schedule_validation()  # a timer may fire a hair early, or more came meanwhile
            return
        waiters, self._settle_waiters = self._settle_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _ctx(self, session: PortalSession | None = None) -> pages.PageContext:
        user = session.login_name if session is not None else None
        return pages.PageContext(prefix=self.prefix, user=user)

    def _signed_in(self, request: Request) -> PortalSession | Response:
        """The signed-in session (uploads validated so far), or the redirect to sign-in."""
        self.records.settle()
        lookup = self._sessions.lookup(request.cookies.get(SESSION_COOKIE))
        if lookup.session is not None and lookup.session.signed_in:
            return lookup.session
        flag = "expired=1" if lookup.expired else "required=1"
        return RedirectResponse(f"{self.prefix}/login?{flag}", status_code=303)

    def _render_form(
        self,
        request: Request,
        session: PortalSession,
        entry: UploadEntry,
        errors: Mapping[str, str],
    ) -> Response:
        ctx = self._ctx(session)
        buyer = self.records.buyer(request.query_params.get("buyer"))
        if buyer is None:
            buyers = self.records.buyers()
            locales = {b.code: self.records.locale(b.code) for b in buyers}
            page = pages.recipient_page(ctx, buyers, locales)
            return HTMLResponse(page, status_code=404 if errors else 200)
        page = pages.upload_form_page(
            ctx,
            layout=LAYOUTS[self._faults.current.layout],
            buyer=buyer,
            locale=self.records.locale(buyer.code),
            entry=entry,
            form_token=session.form_token,
            errors=errors,
        )
        return HTMLResponse(page, status_code=422 if errors else 200)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _positive(text: str | None, default: int) -> int:
    """A query's positive whole number, or ``default`` when it is missing or not one."""
    try:
        value = int(text or "")
    except ValueError:
        return default
    return value if value >= 1 else default


def _status_change(body: Any) -> tuple[str | None, StatusChange]:
    """Read the admin endpoint's JSON body; ValueError names what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    name = body.get("status")
    if not isinstance(name, str) or name not in ADMIN_STATUSES:
        raise ValueError(f"'status' must be one of {sorted(ADMIN_STATUSES)}")
    buyer = body.get("buyer")
    if buyer is not None and not isinstance(buyer, str):
        raise ValueError("'buyer' must be a buyer code")
    change = StatusChange(
        status=ADMIN_STATUSES[name],
        projected_payment_date=_date_field(body, "projected_payment_date"),
        payment_date=_date_field(body, "payment_date"),
        payment_reference=_str_field(body, "payment_reference"),
        reason=_str_field(body, "reason"),
    )
    return buyer or None, change


def _date_field(body: dict[str, Any], key: str) -> dt.date | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a YYYY-MM-DD string")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"'{key}' must be a YYYY-MM-DD date, got {value!r}") from exc


def _str_field(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string")
    return value


def _upload_json(u: Upload) -> dict[str, Any]:
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "reference": u.reference,
        "invoice_number": u.number,
        "supplier": u.supplier,
        "buyer": u.buyer_code,
        "status": u.status.value,
        "status_date": day(u.status_date),
        "reason": u.reason,
        "invoice_date": day(u.invoice_date),
        "due_date": day(u.due_date),
        "po_number": u.po_number,
        "currency": u.currency,
        "net_amount": str(u.net_amount),
        "tax_amount": str(u.tax_amount),
        "total_amount": str(u.total_amount),
        "projected_payment_date": day(u.projected_payment_date),
        "payment_date": day(u.payment_date),
        "payment_reference": u.payment_reference,
    }
