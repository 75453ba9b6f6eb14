"""The Ariba-family driver: log in, flip a PO through the invoice wizard, find it, read its status.

It drives the supplier side of an Ariba-style network (the sandbox stand-in reproduces it) with
stable selectors only (:data:`SELECTORS`). The invoice wizard lives in an iframe: every step
(header → lines → attachments → review → submit) is a page of its own inside the frame, posted
with the token that page carries, so the driver clicks through the frame step by step and checks
after each click where the frame landed. Its rules, each a promise the queue above relies on:

- the order is searched under the account's customer and the wizard must show that customer,
  that order and the invoice's currency before anything is typed; the review must show our
  number and our total before the final click: a wrong or altered invoice is never submitted;
- the login page in the middle of an operation (top page or frame) is ``SessionExpired``; a
  busy or 5xx page, or a refused form token, is ``PortalUnavailable``; a missing element is
  ``PortalChanged`` naming it (short explicit waits, never Playwright's long default);
- nothing is retried here and nothing is submitted twice: any failure after the final submit
  click is ``PortalUnavailable(after_submit=True)`` and the caller looks the invoice up first;
- the portal's refusals, on whichever step they appear, become ``InvoiceRejected`` with a stable
  code and the portal's own words (:mod:`connectors.portals.ariba_vocabulary` reads them, and
  the two status tracks);
- the status pass's list read (:meth:`AribaDriver.invoice_statuses`) pages through the
  customer's outbox (``per_page`` :data:`LIST_PAGE_SIZE`, the network may show fewer), whose
  filter must show our customer, and settles pending, approved (scheduled payment date) and paid
  (payment date, remittance reference) rows; a rejection, a failed routing, a cancellation keep
  their reason on the invoice page, so those are left to it (:mod:`connectors.portals.list_reads`
  has the rules every list read keeps).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

from connectors.portals.ariba_vocabulary import (
    listed_invoice,
    portal_status,
    raw_status,
    rejection,
    shown_amount,
    shown_date,
)
from connectors.portals.base import (
    DEFAULT_LIST_PAGES,
    InvoiceDocument,
    OutgoingInvoice,
    PortalAccount,
    PortalInvoice,
    PortalReceipt,
    StatusList,
    SubmitFence,
    no_fence,
)
from connectors.portals.customer_choice import CustomerChoice, CustomerList, PortalCustomer
from connectors.portals.errors import (
    InvoiceRejected,
    PortalChanged,
    PortalUnavailable,
    RejectionCode,
    wrap_playwright_errors,
)
from connectors.portals.invoice_entry import (
    confirmed_receipt,
    document_file,
    entry_lines,
    fill_line,
    plain,
)
from connectors.portals.list_reads import all_seen, asked_once, settle
from connectors.portals.matching import normalised, same_number
from connectors.portals.portal_page import (
    Landmarks,
    LoginStage,
    PageSigns,
    PortalPages,
    ResultsList,
    count,
    log_in_once_more_if_expired,
)

if TYPE_CHECKING:
    from playwright.async_api import Frame, Page

UPLOAD_TIMEOUT_MS = 120_000  #: a 10 MB attachment on a slow line
SUBMIT_TIMEOUT_MS = 120_000
WIZARD_FRAME_NAME = "aw-wizard"
DATE_ENTRY_FORMAT = "%m/%d/%Y"  #: how the wizard reads dates


@dataclass(frozen=True, kw_only=True, slots=True)
class AribaSelectors:
    """The selectors contract with the portal's pages (layout "v1")."""

    login_form: str = "#aw-login-form"
    login_user: str = "#aw-username"
    login_password: str = "#aw-password"
    login_button: str = "#aw-login-submit"
    login_error: str = "#aw-login-error"
    login_notice: str = "#aw-login-notice"
    signed_in: str = "#aw-user-menu"
    customer_filter: str = "#aw-buyer-filter"
    orders_table: str = "#aw-orders"
    orders_none: str = "#aw-orders-none"
    order_row: str = "#aw-orders tr.aw-order-row"
    create_invoice: str = "button.aw-create-invoice-btn"
    order_closed: str = "#aw-order-closed"
    non_po_button: str = "#aw-nonpo-invoice"
    non_po_note: str = "#aw-nonpo-note"
    next_page: str = "#aw-page-next"
    wizard_frame: str = "iframe#aw-wizard-frame"
    context_customer: str = "#aw-hdr-customer"
    context_order: str = "#aw-hdr-order"
    context_currency: str = "#aw-hdr-currency"
    step_error: str = "li.aw-error"
    next_button: str = "#aw-next"
    invoice_number: str = "#aw-inv-no"
    invoice_date: str = "#aw-inv-date"
    tax_amount: str = "#aw-tax-amount"
    line_row: str = "#aw-lines tr.aw-line"
    line_include: str = "input.aw-line-include"
    line_description: str = ".aw-line-desc"
    line_quantity: str = ".aw-line-qty"
    line_unit_price: str = ".aw-line-price"
    add_line: str = "#aw-add-line"
    attachment_file: str = "#aw-att-file"
    review_number: str = "#aw-rev-number"
    review_total: str = "#aw-rev-total"
    review_attachments: str = "#aw-rev-attachments"
    submit: str = "#aw-submit"
    done_number: str = "#aw-done-number"
    done_document: str = "#aw-done-docid"
    outbox_table: str = "#aw-outbox"
    outbox_none: str = "#aw-outbox-none"
    invoice_row: str = "#aw-outbox tr.aw-inv-row"
    detail_status: str = "#aw-det-status"


SELECTORS = AribaSelectors()

#: the orders page's buyer filter scopes every page by the customer's code
CUSTOMERS = CustomerList(
    path=f"/orders?{urlencode({'buyer': ''})}",
    selector=SELECTORS.customer_filter,
    what="customer filter",
    absent="is not among the portal's customers",
)

#: how the portal's pages are told apart; a landing also reads the wizard step and its refusals
LANDMARKS = Landmarks(
    login=SELECTORS.login_form,
    credentials=SELECTORS.login_user,
    login_error=SELECTORS.login_error,
    notice=SELECTORS.login_notice,
    busy="#aw-busy",
    failure="#aw-failure",
    refused="#aw-csrf-error, #aw-draft-missing",  # a refused form token, a draft it lost
    extra_js=f"""() => ({{
  step: document.body ? document.body.getAttribute('data-aw-step') : null,
  errors: Array.from(document.querySelectorAll('{SELECTORS.step_error}')).map(e => [
    e.getAttribute('data-field') || '', e.getAttribute('data-code') || '',
    e.textContent.trim()]),
}})""",
)
PAGES = PortalPages(LANDMARKS)

_ORDERS = ResultsList(
    what="orders table",
    table=SELECTORS.orders_table,
    empty=SELECTORS.orders_none,
    rows=SELECTORS.order_row,
    next_page=SELECTORS.next_page,
    columns={
        "number": "@data-order-no",
        "buyer": "@data-buyer",
        "customer": ".aw-order-customer",
        "status": ".aw-order-status",
        "create": f"?{SELECTORS.create_invoice}",
        "detail": "a.aw-order-link@href",
    },
)
_OUTBOX = ResultsList(
    what="outbox table",
    table=SELECTORS.outbox_table,
    empty=SELECTORS.outbox_none,
    rows=SELECTORS.invoice_row,
    next_page=SELECTORS.next_page,
    columns={
        "number": "@data-invoice-no",
        "reference": "@data-doc-id",
        "buyer": "@data-buyer",
        "amount": ".aw-inv-amount",
        "routing": ".aw-inv-routing",
        "status": ".aw-inv-status",
        "detail": ".aw-inv-no a@href",
        # the outbox's optional columns, read by the status pass's list read ("" when absent)
        "status_date": ".aw-inv-status-date",
        "scheduled": ".aw-inv-scheduled-payment",
        "payment_date": ".aw-inv-payment-date",
        "payment_ref": ".aw-inv-payment-ref",
    },
)
#: the outbox's customer filter as the page shows it chosen
_OUTBOX_CUSTOMER = {"code": "#aw-outbox-buyer option[selected]@value"}
#: rows a list page is asked for (the portal may show fewer: its own cap)
LIST_PAGE_SIZE = 100

#: the invoice's detail page
_DETAIL = {
    "number": "#aw-det-number",
    "reference": "#aw-det-docid",
    "routing": "#aw-det-routing",
    "status": "#aw-det-status",
    "status_date": "#aw-det-status-date",
    "amount": "#aw-det-amount",
    "reason": "#aw-det-reason",
    "scheduled": "#aw-det-scheduled-payment",
    "payment_date": "#aw-det-payment-date",
    "payment_ref": "#aw-det-payment-ref",
}

_TICK_ROWS_JS = """(rows, wanted) => rows.forEach((row, index) => {
  const box = row.querySelector('input.aw-line-include');
  if (box && box.checked !== index < wanted) { box.click(); }
})"""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Landing:
    """Where a click or a load left the top page or the wizard's frame."""

    step: str | None  #: the wizard step shown (None outside the wizard)
    errors: tuple[tuple[str, str, str], ...]  #: the refusals shown: (field, code, message)


class AribaDriver:
    """Drives one Ariba-style portal page at a time; holds no page, only a customer-code cache."""

    family = "ariba"

    def __init__(self) -> None:
        self._customers = CustomerChoice(CUSTOMERS, PAGES)

    # --- the contract -----------------------------------------------------------------------

    async def login(self, page: Page, account: PortalAccount) -> None:
        """User name and password (the network asks no second factor); LoginFailed on refusal.

        A session the portal drops during the login (SessionExpired) gets one more login.
        """
        await log_in_once_more_if_expired(partial(self._log_in, page, account))

    async def _log_in(self, page: Page, account: PortalAccount) -> None:
        sel = SELECTORS
        step = "login"
        await PAGES.open(page, f"{_base(account)}/login", step, stage=LoginStage.OPENING)
        if await count(page, sel.signed_in):
            return  # the stored session is still good
        await PAGES.require_all(
            page,
            {
                sel.login_user: "user name field",
                sel.login_password: "password field",
                sel.login_button: "login button",
            },
            step,
        )
        with wrap_playwright_errors(step):
            await page.fill(sel.login_user, account.login.login_name)
            await page.fill(sel.login_password, account.login.password.get_secret_value())
        await PAGES.click_and_land(page, sel.login_button, step, stage=LoginStage.SUBMITTED)
        await PAGES.require(page, sel.signed_in, "signed-in user menu", step)

    async def find_invoice(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """Search the customer's outbox for the exact number."""
        row = await self._invoice_row(page, account, invoice_number)
        if row is None:
            return None
        return PortalInvoice(
            invoice_number=row["number"],
            portal_reference=row["reference"] or None,
            raw_status=raw_status(row["status"], row["routing"]),
            status=portal_status(row["routing"], row["status"]),
            amount=shown_amount(row["amount"]),
        )

    async def submit_invoice(
        self,
        page: Page,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        """Flip the invoice's PO, walk the wizard in its frame, submit once."""
        base = _base(account)
        customer = await self._customer(page, account)
        po_number = invoice.purchase_order
        if not po_number:
            raise InvoiceRejected(
                RejectionCode.PO_MISSING, await self._non_po_refusal(page, base, customer)
            )
        rows, none_text = await self._search_orders(page, base, customer, po_number)
        row = next(
            (
                r
                for r in rows
                if same_number(r["number"], po_number) and r["buyer"] == customer.code
            ),
            None,
        )
        if row is None:
            message = none_text or f"No order {po_number} for customer {customer.name}"
            raise InvoiceRejected(RejectionCode.PO_MISSING, message)
        if not row["create"]:
            raise InvoiceRejected(
                RejectionCode.PO_CLOSED, await self._closed_order_message(page, row)
            )
        frame = await self._open_wizard(page, row, po_number)
        await self._check_context(frame, invoice, customer)
        await self._fill_header(frame, invoice)
        await self._fill_lines(frame, invoice)
        await self._attach(frame, invoice, document)
        return await self._review_and_submit(frame, invoice, document, fence)

    async def invoice_statuses(
        self,
        page: Page,
        account: PortalAccount,
        invoice_numbers: Sequence[str],
        *,
        max_pages: int = DEFAULT_LIST_PAGES,
    ) -> StatusList:
        """Verdicts from the customer's outbox, ``LIST_PAGE_SIZE`` rows a page, newest first:
        pending, approved and paid invoices (see
        :func:`~connectors.portals.ariba_vocabulary.listed_invoice` for the others)."""
        asked = asked_once(invoice_numbers)
        if not asked:
            return StatusList()
        customer = await self._customer(page, account)
        step = f"read the outbox ({len(asked)} invoices)"
        query = urlencode({"buyer": customer.code, "per_page": LIST_PAGE_SIZE})
        rows, loaded = await PAGES.read_pages(
            page,
            _OUTBOX,
            step,
            first_url=f"{_base(account)}/outbox?{query}",
            open_page=lambda url: self._open_outbox(page, url, step, customer),
            enough=all_seen(asked),
            max_pages=max_pages,
            blank=True,
        )
        strangers = sorted({r["buyer"] for r in rows if r["buyer"] != customer.code})
        if strangers:
            raise PortalChanged(
                f"{step}: the outbox filtered on {customer.name!r} lists invoices of "
                f"customer(s) {', '.join(strangers)}"
            )
        return StatusList(verdicts=settle(asked, rows, listed_invoice), pages_read=loaded)

    async def invoice_status(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """Open the invoice's detail: both statuses, reason, payment dates and reference."""
        row = await self._invoice_row(page, account, invoice_number)
        if row is None:
            return None
        step = f"open invoice {invoice_number}"
        if not row["detail"]:
            raise PortalChanged(f"{step}: the outbox has no link to the invoice detail")
        await PAGES.open(page, urljoin(page.url, row["detail"]), step)
        await PAGES.require(page, SELECTORS.detail_status, "invoice status", step)
        facts = await PAGES.read_texts(page, _DETAIL, step)
        return PortalInvoice(
            invoice_number=facts["number"] or invoice_number,
            portal_reference=facts["reference"] or row["reference"],
            raw_status=raw_status(facts["status"], facts["routing"]),
            status=portal_status(facts["routing"], facts["status"]),
            amount=shown_amount(facts["amount"]),
            status_date=shown_date(facts["status_date"]),
            reason=facts["reason"] or None,
            projected_pay_date=shown_date(facts["scheduled"]),
            payment_date=shown_date(facts["payment_date"]),
            payment_reference=facts["payment_ref"] or None,
        )

    # --- customers and orders ---------------------------------------------------------------

    async def _customer(self, page: Page, account: PortalAccount) -> PortalCustomer:
        """The account's buyer as the portal knows it (name → code), from the customer filter."""
        return await self._customers.customer(page, account, _base(account))

    async def _search_orders(
        self, page: Page, base: str, customer: PortalCustomer, po_number: str
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The customer's row of ``po_number`` (its page stays open, ``index`` its position
        there), or none and the "none" text."""
        step = f"find order {po_number}"
        search = await PAGES.search_list(
            page,
            _ORDERS,
            step,
            first_url=f"{base}/orders?{urlencode({'buyer': customer.code, 'q': po_number})}",
            open_page=lambda url: PAGES.open(page, url, step),
            wanted=lambda r: same_number(r["number"], po_number) and r["buyer"] == customer.code,
            blank=True,
        )
        if search.found is None:
            return [], search.empty
        return [dict(search.found, index=search.found_index)], None

    async def _non_po_refusal(self, page: Page, base: str, customer: PortalCustomer) -> str:
        """The portal's reason why an invoice without a PO cannot be entered for the customer."""
        sel = SELECTORS
        step = "check non-PO invoicing"
        await PAGES.open(page, f"{base}/orders?{urlencode({'buyer': customer.code})}", step)
        await PAGES.require(page, sel.non_po_button, "Create Non-PO Invoice button", step)
        with wrap_playwright_errors(step):
            disabled = await page.locator(sel.non_po_button).is_disabled()
        if disabled and await count(page, sel.non_po_note):
            return await PAGES.text(page, sel.non_po_note, step)
        return "The invoice has no purchase order; this driver only creates invoices from a PO"

    async def _closed_order_message(self, page: Page, row: dict[str, Any]) -> str:
        """The portal's own words for an order that cannot be invoiced (from the order page)."""
        step = f"open order {row['number']}"
        fallback = f"Order {row['number']} is {row['status'] or 'not open'} and cannot be invoiced"
        if not row["detail"]:
            return fallback
        await PAGES.open(page, urljoin(page.url, row["detail"]), step)
        if await count(page, SELECTORS.order_closed):
            return await PAGES.text(page, SELECTORS.order_closed, step)
        return fallback

    # --- the wizard -------------------------------------------------------------------------

    async def _open_wizard(self, page: Page, row: dict[str, Any], po_number: str) -> Frame:
        """Click the order's Create Invoice; the wizard's frame, on its header step."""
        sel = SELECTORS
        step = f"start an invoice on order {po_number}"
        button = page.locator(sel.order_row).nth(row["index"]).locator(sel.create_invoice)
        # "load" waits for the iframe too: the wizard's first step is in place after it
        await PAGES.click_and_land(page, button, step, wait_until="load")
        frame = page.frame(name=WIZARD_FRAME_NAME)
        if frame is None:
            await PAGES.require(page, sel.wizard_frame, "invoice wizard frame", step)
            raise PortalChanged(f"{step}: no frame named {WIZARD_FRAME_NAME!r} on {page.url}")
        landing = _landing(await PAGES.check_landing(frame, None, step))
        if landing.step != "header":
            raise PortalChanged(f"{step}: the wizard opened on {landing.step!r}, not the header")
        return frame

    async def _check_context(
        self, frame: Frame, invoice: OutgoingInvoice, customer: PortalCustomer
    ) -> None:
        """The wizard must show our customer and order; its currency must be the invoice's."""
        sel = SELECTORS
        step = f"check invoice {invoice.invoice_number}'s order"
        shown = await PAGES.read(
            frame,
            {
                "name": sel.context_customer,
                "code": f"{sel.context_customer}@data-buyer-code",
                "order": sel.context_order,
                "currency": sel.context_currency,
            },
            step,
        )
        name, code, order, currency = (shown[k] for k in ("name", "code", "order", "currency"))
        if normalised(name) != normalised(customer.name) or code != customer.code:
            raise PortalChanged(
                f"{step}: the wizard shows customer {name!r}, expected {customer.name!r}; "
                "nothing was submitted"
            )
        if not same_number(order, invoice.purchase_order or ""):
            raise PortalChanged(f"{step}: the wizard shows order {order!r}; nothing was submitted")
        if currency.upper() != invoice.currency.upper():
            raise InvoiceRejected(
                RejectionCode.OTHER,
                f"The order {order} is in {currency}; the invoice is in {invoice.currency}",
            )

    async def _fill_header(self, frame: Frame, invoice: OutgoingInvoice) -> None:
        sel = SELECTORS
        step = f"fill invoice {invoice.invoice_number}'s header"
        await PAGES.require_all(
            frame,
            {
                sel.invoice_number: "invoice number field",
                sel.invoice_date: "invoice date field",
                sel.tax_amount: "tax amount field",
                sel.next_button: "Next button",
            },
            step,
        )
        with wrap_playwright_errors(step):
            await frame.fill(sel.invoice_number, invoice.invoice_number)
            await frame.fill(sel.invoice_date, invoice.invoice_date.strftime(DATE_ENTRY_FORMAT))
            await frame.fill(sel.tax_amount, plain(invoice.tax_amount))
        await _next_step(frame, sel.next_button, "lines", step)

    async def _fill_lines(self, frame: Frame, invoice: OutgoingInvoice) -> None:
        """Our lines in the first rows (added if the order has fewer), the other rows unticked."""
        sel = SELECTORS
        step = f"fill invoice {invoice.invoice_number}'s lines"
        lines = entry_lines(invoice)
        await PAGES.require_all(
            frame, {sel.line_row: "invoice lines", sel.next_button: "Next button"}, step
        )
        rows = frame.locator(sel.line_row)
        present = await count(frame, sel.line_row)
        for _ in range(len(lines) - present):
            await PAGES.require_all(frame, {sel.add_line: "Add Line button"}, step)
            await _next_step(frame, sel.add_line, "lines", step)
        present = await count(frame, sel.line_row)
        if present < len(lines):
            raise PortalChanged(f"{step}: the lines table did not take {len(lines)} rows")
        with wrap_playwright_errors(step):
            # one round trip: tick our rows, untick the others, as a click on each box would
            await rows.evaluate_all(_TICK_ROWS_JS, len(lines))
            for index, line in enumerate(lines):
                await fill_line(
                    rows.nth(index),
                    line,
                    description=sel.line_description,
                    quantity=sel.line_quantity,
                    unit_price=sel.line_unit_price,
                )
        await _next_step(frame, sel.next_button, "attachments", step)

    async def _attach(
        self, frame: Frame, invoice: OutgoingInvoice, document: InvoiceDocument
    ) -> None:
        sel = SELECTORS
        step = f"attach invoice {invoice.invoice_number}'s document"
        await PAGES.require_all(frame, {sel.attachment_file: "attachment file input"}, step)
        with wrap_playwright_errors(step):
            await frame.set_input_files(sel.attachment_file, files=[document_file(document)])
        # Next uploads the chosen file with the step (the portal's Upload button would too)
        await _next_step(frame, sel.next_button, "review", step, timeout_ms=UPLOAD_TIMEOUT_MS)

    async def _review_and_submit(
        self,
        frame: Frame,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        fence: SubmitFence,
    ) -> PortalReceipt:
        """Check the review shows our number, total and document; click Submit once."""
        sel = SELECTORS
        step = f"submit invoice {invoice.invoice_number}"
        shown = await PAGES.read(
            frame,
            {
                "number": sel.review_number,
                "total": sel.review_total,
                "files": sel.review_attachments,
                "submit": sel.submit,
            },
            step,
        )
        number, total = shown["number"], shown_amount(shown["total"])
        if total is None:
            raise PortalChanged(f"{step}: the review's total {shown['total']!r} is not an amount")
        if document.file_name not in shown["files"]:
            raise PortalChanged(f"{step}: the review does not list {document.file_name}")
        if number != invoice.invoice_number:
            raise PortalChanged(f"{step}: the review shows invoice {number!r}; nothing submitted")
        if total != invoice.total_amount:
            raise InvoiceRejected(
                RejectionCode.OTHER,
                f"The portal computes a total of {total} for invoice {invoice.invoice_number}, "
                f"the invoice's total is {invoice.total_amount}; nothing was submitted",
            )
        # from the click on, every failure may hide an invoice the portal has
        await fence()
        landed = await _click_in_frame(
            frame, sel.submit, step, timeout_ms=SUBMIT_TIMEOUT_MS, after_submit=True
        )
        if landed.step == "done":
            done = await PAGES.read(
                frame,
                {"reference": sel.done_document, "number": sel.done_number},
                step,
                after_submit=True,
            )
            return confirmed_receipt(invoice, done["number"], done["reference"], step)
        if landed.errors:
            raise rejection(landed.errors)
        raise PortalUnavailable(
            f"{step}: the portal showed neither a confirmation nor an error", after_submit=True
        )

    # --- the outbox -------------------------------------------------------------------------

    async def _open_outbox(self, page: Page, url: str, step: str, customer: PortalCustomer) -> None:
        """Open an outbox page; its customer filter must show our customer."""
        await PAGES.open(page, url, step)
        shown = (await PAGES.read_texts(page, _OUTBOX_CUSTOMER, step))["code"]
        if shown != customer.code:
            raise PortalChanged(
                f"{step}: the outbox shows customer {shown or 'none'!r}, expected "
                f"{customer.name!r} ({customer.code})"
            )

    async def _invoice_row(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> dict[str, Any] | None:
        customer = await self._customer(page, account)
        step = f"find invoice {invoice_number}"
        query = urlencode({"buyer": customer.code, "q": invoice_number})
        search = await PAGES.search_list(
            page,
            _OUTBOX,
            step,
            first_url=f"{_base(account)}/outbox?{query}",
            open_page=lambda url: PAGES.open(page, url, step),
            # case-insensitive, as the portal's duplicate check: never miss an invoice it has
            wanted=lambda r: (
                same_number(r["number"], invoice_number) and r["buyer"] == customer.code
            ),
            blank=True,
        )
        return search.found


# --- wizard steps ---------------------------------------------------------------------------


async def _click_in_frame(
    frame: Frame,
    selector: str,
    step: str,
    *,
    timeout_ms: int | None = None,
    after_submit: bool = False,
) -> _Landing:
    """Click a button that posts the step; where the frame landed (after the checks)."""
    signs = await PAGES.click_and_land(
        frame, selector, step, timeout_ms=timeout_ms, after_submit=after_submit
    )
    return _landing(signs)


async def _next_step(
    frame: Frame,
    selector: str,
    expected: str,
    step: str,
    *,
    timeout_ms: int | None = None,
) -> None:
    """Post the step with ``selector``: refusals raise InvoiceRejected, ``expected`` comes next."""
    landed = await _click_in_frame(frame, selector, step, timeout_ms=timeout_ms)
    if landed.errors:
        raise rejection(landed.errors)
    if landed.step != expected:
        raise PortalChanged(
            f"{step}: the wizard went to step {landed.step!r}, expected {expected!r}"
        )


def _landing(signs: PageSigns) -> _Landing:
    read: dict[str, Any] = signs.extra or {}
    errors = tuple((field, code, text) for field, code, text in read.get("errors", ()))
    return _Landing(step=read.get("step"), errors=errors)


# --- values -----------------------------------------------------------------------------------


def _base(account: PortalAccount) -> str:
    return account.login.portal_url.rstrip("/")
