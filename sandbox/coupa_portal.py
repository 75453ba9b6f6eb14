"""The Coupa-style supplier portal: a stand-in for the pages the Coupa driver drives.

It reproduces what matters to an unattended uploader (``reference/portals.md`` §1.1, §1.9):
login with an authenticator code and lock-out, a customer selector, PO search and PO flip,
inline validation with the portal's own messages, a confirmation page whose document id is
not the invoice number, an invoices list and detail with the post-submission lifecycle.

URL map (under the mount prefix, ``/coupa``), every customer page takes ``?customer=CODE``::

    GET  /login                 login form            POST /login          email + password
    GET  /login/verify          TOTP form             POST /login/verify   code
    GET  /logout
    GET  /home                  Select Customer
    GET  /orders                PO list (q=, page=)
    GET  /orders/{po_id}        PO detail (closed notice)
    GET  /orders/{po_id}/invoices/new   invoice form (PO flip)
    POST /orders/{po_id}/invoices       submit (multipart)
    GET  /invoices              invoice list (q=, page=; status= one status word, e.g.
                                "Approved", case ignored (an unknown word: every status);
                                per_page= rows a page, default 20, capped at 100 or the lower
                                ``Faults.list_page_cap``; the pager keeps q, status, per_page)
    GET  /invoices/{document_id}        invoice detail
    GET  /static/{portal.css|portal.js|logo.svg}
    (admin) POST /__sandbox/coupa/invoices/{invoice_number}/status

Selector contract (layout v1; v2 renames the invoice form's fields, see
:mod:`sandbox.coupa_form`): login ``#user_login`` ``#user_password`` ``#login-button``
``#login-error``; TOTP ``#totp-code`` ``#totp-submit`` ``#totp-error``; every customer page
``#current-customer[data-customer-code]``; home ``#customer-select`` (option text = buyer name,
value = code); orders ``#orders-table tr.po-row[data-po-number]`` with ``.po-status``,
``a.create-invoice``, ``.po-number a``, ``#orders-empty``, ``#create-blank-invoice``,
``#blank-invoice-note``, ``#next-page``; PO detail ``#po-closed-notice``, ``#create-invoice``;
form ``#invoice-number`` ``#invoice-date`` (YYYY-MM-DD) ``#invoice-currency``
``#invoice-lines tr.invoice-line`` (``.line-description`` ``.line-quantity``
``.line-unit-price`` ``.remove-line``) ``#add-line`` ``#invoice-tax`` ``#invoice-attachment``
``#invoice-submit``, errors ``.field-error[data-field]`` and ``#form-errors``; confirmation
``#document-id`` ``#confirmed-invoice-number``; invoices ``#invoices-table
tr.invoice-row[data-invoice-number][data-document-id]`` with ``.invoice-status``
``.invoice-amount`` ``.status-date`` ``.projected-payment-date`` ``.payment-info`` (on a paid
invoice "Paid DATE (NUMBER)" with ``.payment-date`` and ``.payment-number`` inside),
``#invoice-status-filter``, ``#invoices-empty``; detail
``#detail-*`` (status, status-date, total, projected-payment-date, dispute-reason,
dispute-comment, payment-date, payment-number, document-id); busy ``#busy-title`` (503),
failure ``#error-title`` (500).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox import coupa_pages as pages
from sandbox.admin_bodies import date_field, iso_day, str_field
from sandbox.catalog import Buyer, Catalog, PurchaseOrder
from sandbox.coupa_assets import ASSETS, CACHE_MAX_AGE_S
from sandbox.coupa_form import FORM_TOKEN_FIELD, LAYOUTS, read_entry
from sandbox.coupa_records import (
    FAMILY,
    Attachment,
    CoupaInvoice,
    CoupaRecords,
    InvoiceEntry,
    InvoiceStatus,
    LifecycleRefused,
    LineEntry,
    StatusChange,
)
from sandbox.faults import FaultControl
from sandbox.ledger import Ledger
from sandbox.list_paging import page_of, page_size
from sandbox.portal_auth import PortalAuth, SignInStep
from sandbox.portal_sessions import PortalSession, SessionStore

SESSION_COOKIE = "coupa_session"
PAGE_SIZE = 20
MAX_FORM_FIELDS = 2_000
MAX_FORM_FILES = 4
MAX_TEXT_PART_BYTES = 1024 * 1024
MESSAGE_SESSION_EXPIRED = "Your session has expired. Please log in again."
MESSAGE_SIGN_IN = "Please log in to continue."
MESSAGE_SELECT_CUSTOMER = "Select a customer to continue."
MESSAGE_FORM_EXPIRED = "This form has expired. Please reload the page and try again."

_Item = TypeVar("_Item")

#: lifecycle names accepted by the admin endpoint
ADMIN_STATUSES: Mapping[str, InvoiceStatus] = {
    "approved": InvoiceStatus.APPROVED,
    "disputed": InvoiceStatus.DISPUTED,
    "paid": InvoiceStatus.PAID,
    "voided": InvoiceStatus.VOIDED,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class _Visit:
    """A signed-in request to a customer page: who asks, about which customer."""

    session: PortalSession
    login_name: str
    customer: Buyer


class CoupaPortal:
    """One Coupa-style portal: its books, its users and sessions, its pages."""

    family = FAMILY
    #: where a worker looks an invoice up (the invoices list and an invoice's page);
    #: ``Faults.lookup_error_rate`` makes them busy
    lookup_paths: tuple[str, ...] = ("/invoices",)

    def __init__(
        self, catalog: Catalog, *, ledger: Ledger, faults: FaultControl, prefix: str = "/coupa"
    ) -> None:
        self.prefix = prefix.rstrip("/")
        self.records = CoupaRecords(catalog, ledger)
        self._faults = faults
        self._auth = PortalAuth(FAMILY, catalog.users, ledger, faults)
        self._sessions = SessionStore(faults)
        self.app = Starlette(routes=self._routes())

    # --- the family interface the sandbox server uses -----------------------------------------

    def admin_routes(self) -> list[BaseRoute]:
        """Routes mounted under ``/__sandbox/coupa`` (never subject to faults)."""
        return [
            Route(
                "/invoices/{invoice_number:path}/status",
                self._admin_change_status,
                methods=["POST"],
            )
        ]

    def busy_page(self) -> str:
        return pages.busy_page(self.prefix)

    def reset(self) -> None:
        """Forget invoices, failed logins and lock-outs (sessions survive, as browsers do)."""
        self.records.clear()
        self._auth.reset()

    # --- routes -----------------------------------------------------------------------------

    def _routes(self) -> list[BaseRoute]:
        return [
            Route("/", self._root),
            Route("/static/{name}", self._static),
            Route("/login", self._login_form, methods=["GET"]),
            Route("/login", self._login_submit, methods=["POST"]),
            Route("/login/verify", self._totp_form, methods=["GET"]),
            Route("/login/verify", self._totp_submit, methods=["POST"]),
            Route("/logout", self._logout),
            Route("/home", self._home),
            Route("/orders", self._orders),
            Route("/orders/{po_id:int}", self._purchase_order),
            Route("/orders/{po_id:int}/invoices/new", self._invoice_form, methods=["GET"]),
            Route("/orders/{po_id:int}/invoices", self._invoice_submit, methods=["POST"]),
            Route("/invoices", self._invoices),
            Route("/invoices/{document_id}", self._invoice_detail),
        ]

    async def _root(self, request: Request) -> Response:
        return RedirectResponse(f"{self.prefix}/home", status_code=303)

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

    async def _login_form(self, request: Request) -> Response:
        lookup = self._sessions.lookup(request.cookies.get(SESSION_COOKIE))
        if lookup.session is not None and lookup.session.signed_in:
            return RedirectResponse(f"{self.prefix}/home", status_code=303)
        notice = None
        if lookup.expired or request.query_params.get("expired"):
            notice = MESSAGE_SESSION_EXPIRED
        elif request.query_params.get("required"):
            notice = MESSAGE_SIGN_IN
        return HTMLResponse(pages.login_page(self._ctx(), notice=notice))

    async def _login_submit(self, request: Request) -> Response:
        async with request.form() as form:
            email = _text(form.get("email"))
            password = _text(form.get("password"))
        outcome = self._auth.check_password(email, password)
        if outcome.step is SignInStep.REFUSED:
            return HTMLResponse(pages.login_page(self._ctx(), error=outcome.message, email=email))
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            self._sessions.drop(previous)
        session = self._sessions.create()
        if outcome.step is SignInStep.NEEDS_CODE:
            session.pending_login = outcome.login_name
            target = "/login/verify"
        else:
            session.login_name = outcome.login_name
            target = "/home"
        response = RedirectResponse(f"{self.prefix}{target}", status_code=303)
        self._set_cookie(response, session)
        return response

    async def _totp_form(self, request: Request) -> Response:
        lookup = self._sessions.lookup(request.cookies.get(SESSION_COOKIE))
        session = lookup.session
        if session is None or session.pending_login is None:
            # the half-made session timed out between the password and the code: say so
            flag = "?expired=1" if lookup.expired else ""
            return RedirectResponse(f"{self.prefix}/login{flag}", status_code=303)
        return HTMLResponse(pages.totp_page(self._ctx()))

    async def _totp_submit(self, request: Request) -> Response:
        session = self._sessions.lookup(request.cookies.get(SESSION_COOKIE)).session
        if session is None or session.pending_login is None:
            return RedirectResponse(f"{self.prefix}/login?expired=1", status_code=303)
        async with request.form() as form:
            code = _text(form.get("code"))
        outcome = self._auth.check_code(session.pending_login, code)
        if outcome.step is SignInStep.SIGNED_IN:
            session.login_name = outcome.login_name
            session.pending_login = None
            return RedirectResponse(f"{self.prefix}/home", status_code=303)
        if self._auth.is_locked(session.pending_login):
            self._sessions.drop(session.session_id)
            return HTMLResponse(pages.login_page(self._ctx(), error=outcome.message))
        return HTMLResponse(pages.totp_page(self._ctx(), error=outcome.message))

    async def _logout(self, request: Request) -> Response:
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            self._sessions.drop(sid)
        response = RedirectResponse(f"{self.prefix}/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=self.prefix)
        return response

    # --- customer pages ---------------------------------------------------------------------

    async def _home(self, request: Request) -> Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        customer = self.records.buyer(request.query_params.get("customer") or session.last_customer)
        ctx = self._ctx(session, customer)
        notice = request.query_params.get("notice")
        return HTMLResponse(pages.home_page(ctx, self.records.buyers(), notice=notice))

    async def _orders(self, request: Request) -> Response:
        visit = self._customer_page(request)
        if isinstance(visit, Response):
            return visit
        session, customer = visit.session, visit.customer
        query = request.query_params.get("q", "")
        pos = self.records.purchase_orders(customer.code, query)
        paging, shown = _page(pos, request.query_params.get("page"))
        rows = [(po_id, po, self.records.remaining(po_id)) for po_id, po in shown]
        ctx = self._ctx(session, customer)
        return HTMLResponse(pages.orders_page(ctx, rows, query=query, paging=paging))

    async def _purchase_order(self, request: Request) -> Response:
        visit = self._customer_page(request)
        if isinstance(visit, Response):
            return visit
        session, customer = visit.session, visit.customer
        ctx = self._ctx(session, customer)
        po_id = int(request.path_params["po_id"])
        po = self.records.purchase_order(po_id, customer.code)
        if po is None:
            return _po_not_found(ctx)
        remaining = self.records.remaining(po_id)
        return HTMLResponse(pages.purchase_order_page(ctx, po_id, po, remaining))

    async def _invoice_form(self, request: Request) -> Response:
        visit = self._customer_page(request)
        if isinstance(visit, Response):
            return visit
        session, customer = visit.session, visit.customer
        ctx = self._ctx(session, customer)
        po_id = int(request.path_params["po_id"])
        po = self.records.purchase_order(po_id, customer.code)
        if po is None:
            return _po_not_found(ctx)
        if po.status != "OPEN":
            remaining = self.records.remaining(po_id)
            return HTMLResponse(pages.purchase_order_page(ctx, po_id, po, remaining))
        return self._render_form(session, customer, po_id, po, _flipped(po), {})

    async def _invoice_submit(self, request: Request) -> Response:
        visit = self._customer_page(request)
        if isinstance(visit, Response):
            return visit
        session, customer = visit.session, visit.customer
        ctx = self._ctx(session, customer)
        po_id = int(request.path_params["po_id"])
        po = self.records.purchase_order(po_id, customer.code)
        if po is None:
            return _po_not_found(ctx)
        layout = LAYOUTS[self._faults.current.layout]
        async with request.form(
            max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_TEXT_PART_BYTES
        ) as form:
            fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            upload = form.get(layout.attachment.name)
            attachment = None
            if isinstance(upload, UploadFile) and upload.filename:
                attachment = Attachment(file_name=upload.filename, data=await upload.read())
        entry = read_entry(layout, fields, attachment)
        if fields.get(FORM_TOKEN_FIELD) != session.form_token:
            errors = {"form": (MESSAGE_FORM_EXPIRED,)}
            return self._render_form(session, customer, po_id, po, entry, errors)
        result = self.records.submit(
            supplier=visit.login_name,
            buyer=customer,
            po_id=po_id,
            entry=entry,
            today=dt.date.today(),
        )
        if result.invoice is None:
            return self._render_form(session, customer, po_id, po, entry, result.errors)
        if self._faults.roll(self._faults.current.confirm_fail_rate):
            return HTMLResponse(pages.error_page(ctx), status_code=500)
        return HTMLResponse(pages.confirmation_page(ctx, result.invoice))

    async def _invoices(self, request: Request) -> Response:
        visit = self._customer_page(request)
        if isinstance(visit, Response):
            return visit
        session, customer = visit.session, visit.customer
        params = request.query_params
        query = params.get("q", "")
        status = _status_filter(params.get("status"))
        invoices = self.records.invoices(visit.login_name, customer.code, query, status=status)
        per_page = page_size(
            params.get("per_page"), default=PAGE_SIZE, cap=self._faults.current.list_page_cap
        )
        where, shown = page_of(invoices, params.get("page"), per_page)
        page = pages.invoices_page(
            self._ctx(session, customer),
            shown,
            query=query,
            paging=pages.Paging(page=where.page, pages=where.pages, total=where.total),
            status=status.value if status is not None else "",
            per_page=per_page if "per_page" in params else None,
        )
        return HTMLResponse(page)

    async def _invoice_detail(self, request: Request) -> Response:
        visit = self._customer_page(request)
        if isinstance(visit, Response):
            return visit
        session, customer = visit.session, visit.customer
        ctx = self._ctx(session, customer)
        invoice = self.records.invoice(
            request.path_params["document_id"], visit.login_name, customer.code
        )
        if invoice is None:
            page = pages.not_found_page(ctx, "Invoice not found for this customer")
            return HTMLResponse(page, status_code=404)
        return HTMLResponse(pages.invoice_detail_page(ctx, invoice))

    # --- admin ------------------------------------------------------------------------------

    async def _admin_change_status(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        try:
            buyer_code, change, supplier = _status_change(body)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        try:
            invoice = self.records.change_status(
                buyer_code=buyer_code,
                number=request.path_params["invoice_number"],
                change=change,
                today=dt.date.today(),
                supplier=supplier,
            )
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except LifecycleRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse(_invoice_json(invoice))

    # --- plumbing ---------------------------------------------------------------------------

    def _ctx(
        self, session: PortalSession | None = None, customer: Buyer | None = None
    ) -> pages.PageContext:
        user = session.login_name if session is not None else None
        return pages.PageContext(prefix=self.prefix, user=user, customer=customer)

    def _session_or_login(self, request: Request) -> PortalSession | Response:
        """The signed-in session, or the redirect to the login page (mid-flow included)."""
        lookup = self._sessions.lookup(request.cookies.get(SESSION_COOKIE))
        if lookup.session is not None and lookup.session.signed_in:
            return lookup.session
        flag = "expired=1" if lookup.expired else "required=1"
        return RedirectResponse(f"{self.prefix}/login?{flag}", status_code=303)

    def _customer_page(self, request: Request) -> _Visit | Response:
        """Who asks and the customer the URL names (else the last one chosen), or a response."""
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        login_name = session.login_name or ""
        code = request.query_params.get("customer")
        if code:
            buyer = self.records.buyer(code)
            if buyer is None:
                page = pages.not_found_page(self._ctx(session), f"Unknown customer {code}")
                return HTMLResponse(page, status_code=404)
            session.last_customer = buyer.code
            return _Visit(session=session, login_name=login_name, customer=buyer)
        remembered = self.records.buyer(session.last_customer)
        if remembered is None:
            home = pages.PageContext(prefix=self.prefix).url(
                "/home", notice=MESSAGE_SELECT_CUSTOMER
            )
            return RedirectResponse(home, status_code=303)
        return _Visit(session=session, login_name=login_name, customer=remembered)

    def _render_form(
        self,
        session: PortalSession,
        customer: Buyer,
        po_id: int,
        po: PurchaseOrder,
        entry: InvoiceEntry,
        errors: Mapping[str, tuple[str, ...]],
    ) -> Response:
        page = pages.invoice_form_page(
            self._ctx(session, customer),
            layout=LAYOUTS[self._faults.current.layout],
            po_id=po_id,
            po=po,
            remaining=self.records.remaining(po_id),
            entry=entry,
            currencies=self.records.currencies_for(po),
            form_token=session.form_token,
            errors=errors,
        )
        return HTMLResponse(page, status_code=422 if errors else 200)

    def _set_cookie(self, response: Response, session: PortalSession) -> None:
        response.set_cookie(
            SESSION_COOKIE, session.session_id, path=self.prefix, httponly=True, samesite="lax"
        )


def _flipped(po: PurchaseOrder) -> InvoiceEntry:
    """The form as a PO flip pre-fills it: today's date, the PO's currency and lines."""
    lines = tuple(
        LineEntry(
            line_key=str(i),
            description=line.description,
            quantity=f"{line.quantity}",
            unit_price=f"{line.unit_price:.2f}",
        )
        for i, line in enumerate(po.lines, start=1)
    )
    if not lines:
        lines = (
            LineEntry(
                line_key="1",
                description=f"PO {po.number}",
                quantity="1",
                unit_price=f"{po.remaining:.2f}",
            ),
        )
    return InvoiceEntry(
        number="",
        invoice_date=dt.date.today().isoformat(),
        currency=po.currency,
        tax_amount="0.00",
        lines=lines,
        attachment=None,
    )


def _page(items: list[_Item], raw_page: str | None) -> tuple[pages.Paging, list[_Item]]:
    where, shown = page_of(items, raw_page, PAGE_SIZE)
    return pages.Paging(page=where.page, pages=where.pages, total=where.total), shown


def _status_filter(raw: str | None) -> InvoiceStatus | None:
    """The status an invoice list is filtered on (its word, case ignored); None: every status."""
    wanted = (raw or "").strip().casefold()
    return next((s for s in InvoiceStatus if s.value.casefold() == wanted), None)


def _po_not_found(ctx: pages.PageContext) -> Response:
    page = pages.not_found_page(ctx, "Purchase order not found for this customer")
    return HTMLResponse(page, status_code=404)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _status_change(body: Any) -> tuple[str, StatusChange, str | None]:
    """Read the admin endpoint's JSON body; ValueError names what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    buyer = body.get("buyer")
    if not isinstance(buyer, str) or not buyer:
        raise ValueError("'buyer' (buyer code) is required")
    name = body.get("status")
    if not isinstance(name, str) or name not in ADMIN_STATUSES:
        raise ValueError(f"'status' must be one of {sorted(ADMIN_STATUSES)}")
    supplier = body.get("supplier")
    change = StatusChange(
        status=ADMIN_STATUSES[name],
        projected_payment_date=date_field(body, "projected_payment_date"),
        reason=str_field(body, "reason"),
        comment=str_field(body, "comment"),
        payment_date=date_field(body, "payment_date"),
        payment_number=str_field(body, "payment_number"),
    )
    return buyer, change, supplier if isinstance(supplier, str) and supplier else None


def _invoice_json(inv: CoupaInvoice) -> dict[str, Any]:
    return {
        "invoice_number": inv.number,
        "buyer": inv.buyer_code,
        "document_id": inv.document_id,
        "status": inv.status.value,
        "status_date": iso_day(inv.status_date),
        "projected_payment_date": iso_day(inv.projected_payment_date),
        "dispute_reason": inv.dispute_reason,
        "dispute_comment": inv.dispute_comment,
        "payment_date": iso_day(inv.payment_date),
        "payment_number": inv.payment_number,
        "amount": str(inv.total),
        "currency": inv.currency,
    }
