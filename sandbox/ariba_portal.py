"""The Ariba-style supplier portal: a stand-in for the pages the Ariba driver drives.

It reproduces what matters to an unattended uploader (``reference/portals.md`` §1.2, §1.9):
user name and password (no second factor) with lock-out after repeated failures, an idle
timeout that sends even a wizard step back to the login page, orders of every customer in one
list (the customer filter remembers the last choice), PO flip into a multi-step wizard hosted
in an iframe with a fresh anti-forgery token on every step, the customer's invoice rules
(back-dating limit, ``INVOICE_DUPLICATE``, closed order, order balance, attachment type and
size), and an outbox with two status columns (routing and invoice).

URL map (under the mount prefix, ``/ariba``)::

    GET  /login        login form               POST /login     UserName + Password
    GET  /logout
    GET  /dashboard    home
    GET  /orders       orders of every customer (buyer=CODE, "" = all, else the last choice;
                       q=, page=)
    GET  /orders/{order_id}           order detail (closed notice)
    POST /orders/{order_id}/invoice   PO flip: starts a draft (_csrf = the session's token)
    GET  /workbench/{draft_id}        the page hosting the wizard iframe
    GET  /wizard/{draft_id}/{step}    header | lines | attachments | review | done
    POST /wizard/{draft_id}/{step}    _csrf + _action (next, back, add_line, upload,
                                      remove:N, submit)
    GET  /outbox       the supplier's invoices, newest first (buyer=, q=, page=; status= an
                       invoice status view, e.g. "Approved", case ignored (an unknown word: every
                       status); per_page= rows a page, default 25, capped at 100 or the lower
                       ``Faults.list_page_cap``; the pager keeps buyer, q, status, per_page)
    GET  /outbox/{document_id}        invoice detail with both statuses
    GET  /static/{aw.css|aw.js|bn-logo.svg}
    (admin, :mod:`sandbox.ariba_admin`) POST /__sandbox/ariba/invoices/{invoice_number}/status
            JSON {buyer, routing?, status?, reason?, projected_payment_date?, payment_date?,
                  payment_reference?, supplier?}
    (admin) POST /__sandbox/ariba/buyers/{buyer_code}/rules   JSON {max_backdate_days}

The customer's back-dating limit defaults to 365 days (the demo's invoices are up to ~240 days
old); the catalog's ``extra["ariba_max_backdate_days"]`` changes it for every customer and
``extra["ariba_max_backdate_days:CODE"]`` for one, the rules endpoint at run time.

Selector contract (layout v1; v2 renames the header step's fields): login ``#aw-login-form``
``#aw-username`` ``#aw-password`` ``#aw-login-submit`` ``#aw-login-error``; signed in
``#aw-user-menu``; orders ``#aw-buyer-filter`` (option text = customer name, value = code),
``#aw-orders tr.aw-order-row[data-order-no][data-buyer]`` with ``.aw-order-customer``
``.aw-order-status`` ``a.aw-order-link`` ``button.aw-create-invoice-btn`` (open orders only),
``#aw-orders-none``, ``#aw-nonpo-invoice`` (disabled) ``#aw-nonpo-note``, ``#aw-page-next``;
order ``#aw-order-closed``; workbench ``iframe#aw-wizard-frame[name=aw-wizard]``; in the frame
``body[data-aw-step]``, ``#aw-hdr-customer[data-buyer-code]`` ``#aw-hdr-order``
``#aw-hdr-currency``, errors ``li.aw-error[data-field][data-code]``, buttons ``#aw-next``
``#aw-back``; header ``#aw-inv-no`` ``#aw-inv-date`` (MM/DD/YYYY) ``#aw-tax-amount``; lines
``#aw-lines tr.aw-line`` with ``.aw-line-include`` ``.aw-line-desc`` ``.aw-line-qty``
``.aw-line-price``, ``#aw-add-line``; attachments ``#aw-att-file`` ``#aw-att-upload`` (a file
chosen when Next is clicked is uploaded too) ``li.aw-att-item[data-file-name]``; review
``#aw-rev-number`` ``#aw-rev-total`` ``#aw-rev-attachments`` ``#aw-submit``;
done ``#aw-done-number`` ``#aw-done-docid``; outbox ``#aw-outbox-buyer``
``#aw-outbox tr.aw-inv-row[data-invoice-no][data-doc-id]`` with ``.aw-inv-amount``
``.aw-inv-routing`` ``.aw-inv-status`` ``.aw-inv-status-date`` ``.aw-inv-scheduled-payment``
``.aw-inv-payment-date`` ``.aw-inv-payment-ref`` (the network's optional outbox columns; no
reason: that is on the invoice's page only) ``.aw-inv-no a``, ``#aw-outbox-status``,
``#aw-outbox-none``; detail
``#aw-det-*`` (number, docid, routing, status, status-date, reason, scheduled-payment,
payment-date, payment-ref, amount); busy ``#aw-busy`` (503), failure ``#aw-failure`` (500),
refused token ``#aw-csrf-error`` (403).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox import ariba_pages as pages
from sandbox import ariba_wizard_pages as wizard
from sandbox.ariba_admin import AribaAdmin
from sandbox.ariba_assets import ASSETS, CACHE_MAX_AGE_S
from sandbox.ariba_drafts import (
    ACTION_FIELD,
    CSRF_FIELD,
    DONE_STEP,
    LAYOUTS,
    STEPS,
    Draft,
    DraftStore,
    read_header,
    read_lines,
)
from sandbox.ariba_records import (
    FAMILY,
    STATUS_NAMES,
    ZERO,
    AribaInvoice,
    AribaRecords,
    Attachment,
    InvoiceDraft,
    LineEntry,
    RuleError,
    order_lines,
    parse_amount,
)
from sandbox.catalog import Buyer, Catalog
from sandbox.faults import FaultControl
from sandbox.ledger import Ledger
from sandbox.list_paging import page_of, page_size
from sandbox.portal_auth import PortalAuth, SignInStep
from sandbox.portal_sessions import PortalSession, SessionStore

SESSION_COOKIE = "aw_session"
PAGE_SIZE = 25
MAX_FORM_FIELDS = 2_000
MAX_FORM_FILES = 2
MAX_TEXT_PART_BYTES = 1024 * 1024
MESSAGE_BAD_LOGIN = "The user name or password you entered is incorrect. Please try again."
MESSAGE_LOCKED = (
    "Your account is locked after too many failed login attempts. "
    "Contact your account administrator to unlock it."
)
MESSAGE_SESSION_EXPIRED = "Your session has timed out. Please log in again."
MESSAGE_SIGN_IN = "Log in to continue."
BLANK_LINE = LineEntry(include=True, description="", quantity="1", unit_price="0.00")

_Item = TypeVar("_Item")


class AribaPortal:
    """One Ariba-style portal: its books, its users, sessions and drafts, its pages."""

    family = FAMILY
    #: where a worker looks an invoice up (the outbox (sent invoices) and an invoice's page);
    #: ``Faults.lookup_error_rate`` makes them busy
    lookup_paths: tuple[str, ...] = ("/outbox",)

    def __init__(
        self, catalog: Catalog, *, ledger: Ledger, faults: FaultControl, prefix: str = "/ariba"
    ) -> None:
        self.prefix = prefix.rstrip("/")
        self.records = AribaRecords(catalog, ledger)
        self._faults = faults
        # the Ariba-style portal asks no second factor, whatever the catalog holds
        users = [dataclasses.replace(u, totp_secret=None) for u in catalog.users]
        self._auth = PortalAuth(FAMILY, users, ledger, faults)
        self._sessions = SessionStore(faults)
        self._drafts = DraftStore()
        self.app = Starlette(routes=self._routes())

    # --- the family interface the sandbox server uses -----------------------------------------

    def admin_routes(self) -> list[BaseRoute]:
        """Routes mounted under ``/__sandbox/ariba`` (never subject to faults)."""
        return AribaAdmin(self.records).routes()

    def busy_page(self) -> str:
        return pages.busy_page(self.prefix)

    def reset(self) -> None:
        """Forget invoices, drafts, rule changes, failed logins and lock-outs."""
        self.records.clear()
        self._drafts.clear()
        self._auth.reset()

    # --- routes -----------------------------------------------------------------------------

    def _routes(self) -> list[BaseRoute]:
        return [
            Route("/", self._root),
            Route("/static/{name}", self._static),
            Route("/login", self._login_form, methods=["GET"]),
            Route("/login", self._login_submit, methods=["POST"]),
            Route("/logout", self._logout),
            Route("/dashboard", self._dashboard),
            Route("/orders", self._orders),
            Route("/orders/{order_id:int}", self._order),
            Route("/orders/{order_id:int}/invoice", self._create_invoice, methods=["POST"]),
            Route("/workbench/{draft_id}", self._workbench),
            Route("/wizard/{draft_id}/{step}", self._wizard_page, methods=["GET"]),
            Route("/wizard/{draft_id}/{step}", self._wizard_post, methods=["POST"]),
            Route("/outbox", self._outbox),
            Route("/outbox/{document_id}", self._invoice),
        ]

    async def _root(self, request: Request) -> Response:
        return self._redirect("/dashboard")

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
            return self._redirect("/dashboard")
        notice = None
        if lookup.expired or request.query_params.get("expired"):
            notice = MESSAGE_SESSION_EXPIRED
        elif request.query_params.get("required"):
            notice = MESSAGE_SIGN_IN
        return HTMLResponse(pages.login_page(self._ctx(), notice=notice))

    async def _login_submit(self, request: Request) -> Response:
        async with request.form() as form:
            username = _text(form.get("UserName"))
            password = _text(form.get("Password"))
        outcome = self._auth.check_password(username, password)
        if outcome.step is not SignInStep.SIGNED_IN:
            error = MESSAGE_LOCKED if self._auth.is_locked(username) else MESSAGE_BAD_LOGIN
            page = pages.login_page(self._ctx(), error=error, username=username)
            return HTMLResponse(page)
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            self._sessions.drop(previous)
        session = self._sessions.create()
        session.login_name = outcome.login_name
        response = self._redirect("/dashboard")
        response.set_cookie(
            SESSION_COOKIE, session.session_id, path=self.prefix, httponly=True, samesite="lax"
        )
        return response

    async def _logout(self, request: Request) -> Response:
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            self._sessions.drop(sid)
        response = self._redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path=self.prefix)
        return response

    # --- home, orders, invoices -------------------------------------------------------------

    async def _dashboard(self, request: Request) -> Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        sent = len(self.records.invoices(_login(session), None))
        page = pages.dashboard_page(
            self._ctx(session, "home"), self.records.buyers(), invoices=sent
        )
        return HTMLResponse(page)

    async def _orders(self, request: Request) -> Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        ctx = self._ctx(session, "orders")
        selected = self._customer_filter(request, session)
        if isinstance(selected, Response):
            return selected
        query = request.query_params.get("q", "")
        code = selected.code if selected is not None else None
        found = self.records.orders(code, query)
        paging, shown = _page(found, request.query_params.get("page"))
        rows = [self._order_row(order_id) for order_id, _ in shown]
        page = pages.orders_page(
            ctx,
            rows,
            buyers=self.records.buyers(),
            selected=selected,
            query=query,
            paging=paging,
            form_token=session.form_token,
        )
        return HTMLResponse(page)

    async def _order(self, request: Request) -> Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        ctx = self._ctx(session, "orders")
        order_id = int(request.path_params["order_id"])
        if self.records.order(order_id) is None:
            return _not_found(ctx, "Order not found")
        page = pages.order_page(ctx, self._order_row(order_id), form_token=session.form_token)
        return HTMLResponse(page)

    async def _create_invoice(self, request: Request) -> Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        ctx = self._ctx(session, "orders")
        order_id = int(request.path_params["order_id"])
        po = self.records.order(order_id)
        if po is None:
            return _not_found(ctx, "Order not found")
        async with request.form() as form:
            token = form.get(CSRF_FIELD)
        if token != session.form_token:
            page = wizard.csrf_refused_page(self.prefix, f"{self.prefix}/orders")
            return HTMLResponse(page, status_code=403)
        row = self._order_row(order_id)
        if po.status != "OPEN":
            return HTMLResponse(pages.order_page(ctx, row, form_token=session.form_token), 409)
        draft = self._drafts.create(
            login_name=_login(session),
            buyer_code=po.buyer_code,
            order_id=order_id,
            lines=order_lines(po),
        )
        return self._redirect(f"/workbench/{draft.draft_id}")

    async def _workbench(self, request: Request) -> Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        ctx = self._ctx(session, "orders")
        draft = self._drafts.get(request.path_params["draft_id"], _login(session))
        if draft is None:
            return _not_found(ctx, "This invoice draft no longer exists")
        page = pages.workbench_page(
            ctx, draft_id=draft.draft_id, row=self._order_row(draft.order_id)
        )
        return HTMLResponse(page)

    async def _outbox(self, request: Request) -> Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        selected = self._customer_filter(request, session)
        if isinstance(selected, Response):
            return selected
        params = request.query_params
        query = params.get("q", "")
        status = STATUS_NAMES.get((params.get("status") or "").strip().lower())
        code = selected.code if selected is not None else None
        found = self.records.invoices(_login(session), code, query, status=status)
        per_page = page_size(
            params.get("per_page"), default=PAGE_SIZE, cap=self._faults.current.list_page_cap
        )
        where, shown = page_of(found, params.get("page"), per_page)
        page = pages.outbox_page(
            self._ctx(session, "invoices"),
            [(inv, self._buyer_of(inv)) for inv in shown],
            buyers=self.records.buyers(),
            selected=selected,
            query=query,
            paging=pages.Paging(page=where.page, pages=where.pages, total=where.total),
            status=status.value if status is not None else "",
            per_page=per_page if "per_page" in params else None,
        )
        return HTMLResponse(page)

    async def _invoice(self, request: Request) -> Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        ctx = self._ctx(session, "invoices")
        inv = self.records.invoice(request.path_params["document_id"], _login(session))
        if inv is None:
            return _not_found(ctx, "Invoice not found")
        return HTMLResponse(pages.invoice_page(ctx, inv, self._buyer_of(inv)))

    # --- the wizard -------------------------------------------------------------------------

    async def _wizard_page(self, request: Request) -> Response:
        found = self._draft(request)
        if isinstance(found, Response):
            return found
        draft = found
        step = request.path_params["step"]
        if step not in (*STEPS, DONE_STEP):
            return HTMLResponse(wizard.draft_missing_page(self.prefix), status_code=404)
        if step == DONE_STEP:
            return self._done(draft)
        allowed = draft.first_open_step(step)
        if allowed != step:
            return self._redirect(f"/wizard/{draft.draft_id}/{allowed}")
        return self._render_step(draft, step, ())

    async def _wizard_post(self, request: Request) -> Response:
        found = self._draft(request)
        if isinstance(found, Response):
            return found
        draft = found
        step = request.path_params["step"]
        if step not in STEPS:
            return HTMLResponse(wizard.draft_missing_page(self.prefix), status_code=404)
        async with request.form(
            max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_TEXT_PART_BYTES
        ) as form:
            if not draft.token_matches(form.get(CSRF_FIELD)):
                page = wizard.csrf_refused_page(self.prefix, self._step_path(draft, step))
                return HTMLResponse(page, status_code=403)
            draft.next_token()  # spent: the same post replayed is refused
            if draft.document_id is not None:
                return self._redirect(f"/wizard/{draft.draft_id}/{DONE_STEP}")
            action = _text(form.get(ACTION_FIELD)) or "next"
            fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            attachment = await _attachment(form)
        if step == "header":
            return self._post_header(draft, fields)
        if step == "lines":
            return self._post_lines(draft, fields, action)
        if step == "attachments":
            return self._post_attachments(draft, action, attachment)
        return self._post_review(draft, action)

    def _post_header(self, draft: Draft, fields: dict[str, str]) -> Response:
        draft.header = read_header(LAYOUTS[self._faults.current.layout], fields)
        errors = self.records.check_header(draft.buyer_code, draft.header, _today())
        return self._advance(draft, "header", errors)

    def _post_lines(self, draft: Draft, fields: dict[str, str], action: str) -> Response:
        draft.lines = read_lines(fields)
        if action == "add_line":
            draft.lines.append(BLANK_LINE)
            return self._to_step(draft, "lines")
        if action == "back":
            return self._to_step(draft, "header")
        errors = self.records.check_lines(draft.order_id, draft.lines)
        return self._advance(draft, "lines", errors)

    def _post_attachments(
        self, draft: Draft, action: str, attachment: Attachment | None
    ) -> Response:
        if attachment is not None or action == "upload":
            errors = self.records.check_attachment(attachment)
            if errors:
                return self._render_step(draft, "attachments", errors)
            if attachment is not None:
                draft.attachments.append(attachment)
        if action.startswith("remove:"):
            index = action.partition(":")[2]
            if index.isdigit() and int(index) < len(draft.attachments):
                del draft.attachments[int(index)]
            return self._to_step(draft, "attachments")
        if action == "upload":
            return self._to_step(draft, "attachments")
        if action == "back":
            return self._to_step(draft, "lines")
        return self._advance(
            draft, "attachments", self.records.check_attachments(draft.attachments)
        )

    def _post_review(self, draft: Draft, action: str) -> Response:
        if action == "back":
            return self._to_step(draft, "attachments")
        buyer = self._buyer(draft.buyer_code)
        submission = self.records.submit(
            InvoiceDraft(
                supplier=draft.login_name,
                buyer=buyer,
                order_id=draft.order_id,
                header=draft.header,
                lines=tuple(draft.lines),
                attachments=tuple(draft.attachments),
            ),
            _today(),
        )
        if submission.invoice is None:
            return self._render_step(draft, "review", submission.errors)
        draft.document_id = submission.invoice.document_id
        if self._faults.roll(self._faults.current.confirm_fail_rate):
            user = pages.PageContext(prefix=self.prefix, user=draft.login_name)
            return HTMLResponse(pages.failure_page(user), status_code=500)
        return self._to_step(draft, DONE_STEP)

    def _advance(self, draft: Draft, step: str, errors: list[RuleError]) -> Response:
        """On to the next step, or the same step again with the refusals."""
        if errors:
            draft.completed.discard(step)
            return self._render_step(draft, step, errors)
        draft.completed.add(step)
        return self._to_step(draft, STEPS[STEPS.index(step) + 1])

    def _render_step(self, draft: Draft, step: str, errors: Sequence[RuleError]) -> Response:
        po = self.records.order(draft.order_id)
        assert po is not None, "drafts are only created for known orders"
        ctx = wizard.WizardContext(
            prefix=self.prefix,
            draft_id=draft.draft_id,
            token=draft.next_token(),
            buyer=self._buyer(draft.buyer_code),
            order=po,
            remaining=self.records.remaining(draft.order_id),
            completed=frozenset(draft.completed),
        )
        if step == "header":
            layout = LAYOUTS[self._faults.current.layout]
            page = wizard.header_step(ctx, layout, draft.header, errors)
        elif step == "lines":
            page = wizard.lines_step(ctx, draft.lines, errors)
        elif step == "attachments":
            page = wizard.attachments_step(ctx, draft.attachments, errors)
        else:
            page = wizard.review_step(
                ctx,
                header=draft.header,
                lines=self.records.priced_lines(draft.lines),
                tax=parse_amount(draft.header.tax_amount) or ZERO,
                attachments=draft.attachments,
                errors=errors,
            )
        return HTMLResponse(page, status_code=422 if errors else 200)

    def _done(self, draft: Draft) -> Response:
        if draft.document_id is None:
            return self._redirect(f"/wizard/{draft.draft_id}/{draft.first_open_step('review')}")
        inv = self.records.invoice(draft.document_id, draft.login_name)
        if inv is None:  # the sandbox was reset since
            return HTMLResponse(wizard.draft_missing_page(self.prefix), status_code=404)
        return HTMLResponse(wizard.done_page(self.prefix, inv, self._buyer_of(inv)))

    def _draft(self, request: Request) -> Draft | Response:
        session = self._session_or_login(request)
        if isinstance(session, Response):
            return session
        draft = self._drafts.get(request.path_params["draft_id"], _login(session))
        if draft is None:
            return HTMLResponse(wizard.draft_missing_page(self.prefix), status_code=404)
        return draft

    # --- plumbing ---------------------------------------------------------------------------

    def _ctx(
        self, session: PortalSession | None = None, tab: str | None = None
    ) -> pages.PageContext:
        user = session.login_name if session is not None else None
        return pages.PageContext(prefix=self.prefix, user=user, tab=tab)

    def _redirect(self, path: str) -> Response:
        return RedirectResponse(f"{self.prefix}{path}", status_code=303)

    def _to_step(self, draft: Draft, step: str) -> Response:
        return self._redirect(f"/wizard/{draft.draft_id}/{step}")

    def _step_path(self, draft: Draft, step: str) -> str:
        return f"{self.prefix}/wizard/{draft.draft_id}/{step}"

    def _session_or_login(self, request: Request) -> PortalSession | Response:
        """The signed-in session, or the redirect to the login page (mid-wizard included)."""
        lookup = self._sessions.lookup(request.cookies.get(SESSION_COOKIE))
        if lookup.session is not None and lookup.session.signed_in:
            return lookup.session
        return self._redirect("/login?expired=1" if lookup.expired else "/login?required=1")

    def _customer_filter(self, request: Request, session: PortalSession) -> Buyer | Response | None:
        """The customer the list is filtered on: the URL's, else the last one chosen."""
        if "buyer" not in request.query_params:
            return self.records.buyer(session.last_customer)
        code = request.query_params["buyer"]
        if code == pages.ALL_CUSTOMERS:
            session.last_customer = None
            return None
        buyer = self.records.buyer(code)
        if buyer is None:
            return _not_found(self._ctx(session), f"Unknown customer {code}")
        session.last_customer = buyer.code
        return buyer

    def _order_row(self, order_id: int) -> pages.OrderRow:
        po = self.records.order(order_id)
        assert po is not None, "only known orders are listed"
        return pages.OrderRow(
            order_id=order_id,
            order=po,
            buyer=self._buyer(po.buyer_code),
            remaining=self.records.remaining(order_id),
        )

    def _buyer(self, code: str) -> Buyer:
        buyer = self.records.buyer(code)
        assert buyer is not None, f"orders and invoices name known customers, not {code!r}"
        return buyer

    def _buyer_of(self, inv: AribaInvoice) -> Buyer:
        return self._buyer(inv.buyer_code)


def _login(session: PortalSession) -> str:
    return session.login_name or ""


def _today() -> dt.date:
    return dt.date.today()


async def _attachment(form: FormData) -> Attachment | None:
    upload = form.get("attachment")
    if isinstance(upload, UploadFile) and upload.filename:
        return Attachment(file_name=upload.filename, data=await upload.read())
    return None


def _page(items: list[_Item], raw_page: str | None) -> tuple[pages.Paging, list[_Item]]:
    where, shown = page_of(items, raw_page, PAGE_SIZE)
    return pages.Paging(page=where.page, pages=where.pages, total=where.total), shown


def _not_found(ctx: pages.PageContext, text: str) -> Response:
    return HTMLResponse(pages.not_found_page(ctx, text), status_code=404)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
