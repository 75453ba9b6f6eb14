"""The Coupa-family driver: log in, flip a PO into an invoice, find it and read its status.

It drives the supplier side of a Coupa-style portal (the sandbox stand-in reproduces it) with
stable selectors only: ids, names, row classes (:data:`SELECTORS`). Its rules, each a promise
the queue above relies on:

- every page is opened with the customer named in the URL, and the page must show that
  customer before anything is submitted: a wrong-customer submission is never possible;
- the login page in the middle of an operation is ``SessionExpired`` (log in again), a busy
  or 5xx page is ``PortalUnavailable``, a missing element is ``PortalChanged`` naming it;
- nothing is retried here, and nothing is ever submitted twice: any failure after the submit
  click is ``PortalUnavailable(after_submit=True)`` and the caller looks the invoice up first;
- the portal's validation messages become ``InvoiceRejected`` with a stable code and the
  portal's own words;
- the status pass's list read (:meth:`CoupaDriver.invoice_statuses`) pages through the
  customer's invoices list (``per_page`` :data:`LIST_PAGE_SIZE`, the portal may show fewer) and
  settles pending, approved (with a projected date) and paid (with date and number) rows; a
  dispute or a void keeps its reason on the invoice page, so those are left to it
  (:mod:`connectors.portals.list_reads` has the rules every list read keeps).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

from connectors.portals.base import (
    DEFAULT_LIST_PAGES,
    InvoiceDocument,
    OutgoingInvoice,
    OutgoingLine,
    PortalAccount,
    PortalInvoice,
    PortalReceipt,
    PortalStatus,
    StatusList,
    SubmitFence,
    no_fence,
)
from connectors.portals.customer_choice import CustomerChoice, CustomerList, PortalCustomer
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
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
from connectors.portals.list_reads import all_seen, asked_once, settle, shows_every_fact
from connectors.portals.login_codes import authenticator_code
from connectors.portals.matching import (
    RejectionWords,
    normalised,
    rejection_code,
    same_number,
)
from connectors.portals.portal_page import (
    ELEMENT_TIMEOUT_MS,
    Landmarks,
    LoginStage,
    PortalPages,
    ResultsList,
    count,
    log_in_once_more_if_expired,
)

if TYPE_CHECKING:
    from playwright.async_api import Page

SUBMIT_TIMEOUT_MS = 120_000  #: a 16 MB invoice image on a slow line


@dataclass(frozen=True, kw_only=True, slots=True)
class CoupaSelectors:
    """The selectors contract with the portal's pages (layout "v1")."""

    login_form: str = "#login-form"
    login_email: str = "#user_login"
    login_password: str = "#user_password"
    login_button: str = "#login-button"
    login_error: str = "#login-error"
    login_notice: str = "#login-notice"
    totp_form: str = "#totp-form"
    totp_code: str = "#totp-code"
    totp_submit: str = "#totp-submit"
    totp_error: str = "#totp-error"
    signed_in: str = "#signed-in-user"
    customer_select: str = "#customer-select"
    current_customer: str = "#current-customer"
    orders_table: str = "#orders-table"
    orders_empty: str = "#orders-empty"
    po_row: str = "#orders-table tr.po-row"
    blank_invoice: str = "#create-blank-invoice"
    blank_invoice_note: str = "#blank-invoice-note"
    po_closed_notice: str = "#po-closed-notice"
    next_page: str = "#next-page"
    invoice_number: str = "#invoice-number"
    invoice_date: str = "#invoice-date"
    currency: str = "#invoice-currency"
    line_row: str = "#invoice-lines tr.invoice-line"
    line_description: str = ".line-description"
    line_quantity: str = ".line-quantity"
    line_unit_price: str = ".line-unit-price"
    remove_line: str = ".remove-line"
    add_line: str = "#add-line"
    tax_amount: str = "#invoice-tax"
    attachment: str = "#invoice-attachment"
    submit: str = "#invoice-submit"
    field_error: str = ".field-error"
    document_id: str = "#document-id"
    confirmed_number: str = "#confirmed-invoice-number"
    invoices_table: str = "#invoices-table"
    invoices_empty: str = "#invoices-empty"
    invoice_row: str = "#invoices-table tr.invoice-row"
    detail_status: str = "#detail-status"


SELECTORS = CoupaSelectors()

#: how the portal's pages are told apart; a landing also reads the customer the page shows
LANDMARKS = Landmarks(
    login=f"{SELECTORS.login_form}, {SELECTORS.totp_form}",
    credentials=SELECTORS.login_email,
    login_error=f"{SELECTORS.login_error}, {SELECTORS.totp_error}",
    notice=SELECTORS.login_notice,
    busy="#busy-title",
    failure="#error-title",
    extra_js=f"""() => {{
  const shown = document.querySelector('{SELECTORS.current_customer}');
  return shown ? [shown.textContent.trim(), shown.getAttribute('data-customer-code')] : null;
}}""",
)

#: the home page's customer selector scopes every page by the customer's code
CUSTOMERS = CustomerList(
    path="/home",
    selector=SELECTORS.customer_select,
    what="customer selector",
    absent="is not in the portal's customer list",
)

#: the portal's status wording → our statuses
STATUS_MAP = {
    "pending approval": PortalStatus.PENDING_APPROVAL,
    "processing": PortalStatus.PENDING_APPROVAL,
    "approved": PortalStatus.APPROVED,
    "disputed": PortalStatus.DISPUTED,
    "rejected": PortalStatus.REJECTED,
    "invalid": PortalStatus.REJECTED,
    "abandoned": PortalStatus.REJECTED,
    "paid": PortalStatus.PAID,
    "voided": PortalStatus.VOIDED,
}

#: the portal's words for each reason it refuses an invoice, most telling first
REJECTION_WORDS = (
    RejectionWords(code=RejectionCode.DUPLICATE, pattern="already been used|duplicate"),
    RejectionWords(code=RejectionCode.PO_CLOSED, pattern="po is closed|cannot be invoiced"),
    RejectionWords(code=RejectionCode.PO_AMOUNT_EXCEEDED, pattern="remaining po balance"),
    RejectionWords(
        code=RejectionCode.PO_MISSING,
        pattern="purchase order.*(required|not found)|(required|not found).*purchase order",
    ),
    RejectionWords(
        code=RejectionCode.DATE_RULE, pattern="invoice date", fields=frozenset({"date"})
    ),
    RejectionWords(
        code=RejectionCode.ATTACHMENT_INVALID,
        pattern="attachment",
        fields=frozenset({"attachment"}),
    ),
)

#: the invoice form in one call: closed-PO notice, which expected elements are missing, currencies
_FORM_JS = """([closed, expected, currencyOptions]) => {
  const notice = document.querySelector(closed);
  return {
    closed: notice ? notice.innerText.trim() : null,
    missing: expected.filter(s => !document.querySelector(s)),
    currencies: [...document.querySelectorAll(currencyOptions)].map(e => e.value),
  };
}"""

#: the page after the submit click in one call: the confirmation, or the field errors
_RESULT_JS = """([documentId, confirmed, fieldError]) => {
  const reference = document.querySelector(documentId);
  return {
    reference: reference ? reference.innerText.trim() : null,
    confirmed: ((document.querySelector(confirmed) || {}).innerText || '').trim(),
    errors: [...document.querySelectorAll(fieldError)].map(
      e => [e.getAttribute('data-field') || '', e.textContent.trim()]),
  };
}"""

_ORDERS = ResultsList(
    what="orders table",
    table=SELECTORS.orders_table,
    empty=SELECTORS.orders_empty,
    rows=SELECTORS.po_row,
    next_page=SELECTORS.next_page,
    columns={
        "number": "@data-po-number",
        "status": ".po-status",
        "create": "a.create-invoice@href",
        "detail": ".po-number a@href",
    },
)
_INVOICES = ResultsList(
    what="invoices table",
    table=SELECTORS.invoices_table,
    empty=SELECTORS.invoices_empty,
    rows=SELECTORS.invoice_row,
    next_page=SELECTORS.next_page,
    columns={
        "number": "@data-invoice-number",
        "reference": "@data-document-id",
        "amount": ".invoice-amount",
        "status": ".invoice-status",
        "projected": ".projected-payment-date",
        "payment": ".payment-info",
        "detail": ".invoice-number a@href",
        # read by the status pass's list read (absent cells read as "")
        "status_date": ".status-date",
        "payment_date": ".payment-info .payment-date",
        "payment_number": ".payment-info .payment-number",
    },
)
#: rows a list page is asked for (the portal may show fewer: its own cap)
LIST_PAGE_SIZE = 100
#: verdicts whose reason only the invoice page shows: a dispute, and a void (after one, it keeps
#: the dispute's reason); the list leaves them to the invoice's own page
#: the invoice's detail page
_DETAIL = {
    "number": "#detail-invoice-number",
    "reference": "#detail-document-id",
    "status": "#detail-status",
    "status_date": "#detail-status-date",
    "total": "#detail-total",
    "projected": "#detail-projected-payment-date",
    "reason": "#detail-dispute-reason",
    "comment": "#detail-dispute-comment",
    "payment_date": "#detail-payment-date",
    "payment_number": "#detail-payment-number",
}


_PAYMENT_INFO = re.compile(r"Paid\s+(\d{4}-\d{2}-\d{2})(?:\s*\(([^)]*)\))?")


class CoupaDriver:
    """Drives one Coupa-style portal page at a time; holds no page, only a customer-code cache."""

    family = "coupa"

    def __init__(self) -> None:
        self._pages = PortalPages(LANDMARKS)
        self._customers = CustomerChoice(CUSTOMERS, self._pages)

    # --- the contract -----------------------------------------------------------------------

    async def login(self, page: Page, account: PortalAccount) -> None:
        """Email and password, then the authenticator code if asked; LoginFailed on refusal.

        A session the portal drops during the login (SessionExpired) gets one more login.
        """
        await log_in_once_more_if_expired(partial(self._log_in, page, account))

    async def _log_in(self, page: Page, account: PortalAccount) -> None:
        sel = SELECTORS
        pages = self._pages
        step = "login"
        await self._open(page, f"{_base(account)}/login", step, stage=LoginStage.OPENING)
        if await count(page, sel.signed_in):
            return  # the stored session is still good
        await pages.require(page, sel.login_email, "login email field", step)
        await pages.require(page, sel.login_password, "login password field", step)
        await pages.require(page, sel.login_button, "login button", step)
        with wrap_playwright_errors(step):
            await page.fill(sel.login_email, account.login.login_name)
            await page.fill(sel.login_password, account.login.password.get_secret_value())
        await pages.click_and_land(page, sel.login_button, step, stage=LoginStage.SUBMITTED)
        if await count(page, sel.totp_code):
            secret = account.login.totp_secret
            if secret is None:
                raise LoginFailed(
                    "the portal asks for a verification code but the portal account has no "
                    "TOTP secret configured"
                )
            await pages.require(page, sel.totp_submit, "verification code button", step)
            code = authenticator_code(secret)
            with wrap_playwright_errors(step):
                await page.fill(sel.totp_code, code)
            await pages.click_and_land(page, sel.totp_submit, step, stage=LoginStage.SUBMITTED)
        await pages.require(page, sel.signed_in, "signed-in marker (home page)", step)

    async def find_invoice(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """Search the customer's invoices list for the exact number."""
        row = await self._invoice_row(page, account, invoice_number)
        return _invoice_from_row(row) if row is not None else None

    async def submit_invoice(
        self,
        page: Page,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        """Flip the invoice's PO into an invoice, fill it, attach the PDF, submit once."""
        base = _base(account)
        customer = await self._customer(page, account)
        if not invoice.purchase_order:
            raise InvoiceRejected(
                RejectionCode.PO_MISSING, await self._non_po_refusal(page, base, customer)
            )
        rows, empty_message = await self._search_orders(
            page, base, customer, invoice.purchase_order
        )
        row = next((r for r in rows if same_number(r["number"], invoice.purchase_order)), None)
        if row is None:
            message = empty_message or (
                f"No purchase order {invoice.purchase_order} for customer {customer.name}"
            )
            raise InvoiceRejected(RejectionCode.PO_MISSING, message)
        if not row["create"]:
            raise InvoiceRejected(
                RejectionCode.PO_CLOSED, await self._closed_po_message(page, row, customer)
            )

        step = f"open the invoice form of PO {invoice.purchase_order}"
        await self._open(page, urljoin(page.url, row["create"]), step, customer=customer)
        await self._fill_form(page, invoice, document)
        return await self._submit(page, invoice, fence)

    async def invoice_statuses(
        self,
        page: Page,
        account: PortalAccount,
        invoice_numbers: Sequence[str],
        *,
        max_pages: int = DEFAULT_LIST_PAGES,
    ) -> StatusList:
        """Verdicts from the customer's invoices list, ``LIST_PAGE_SIZE`` rows a page, newest
        first: pending, approved and paid invoices; a dispute's or a void's reason is only on
        the invoice page (:func:`~connectors.portals.list_reads.shows_every_fact`)."""
        asked = asked_once(invoice_numbers)
        if not asked:
            return StatusList()
        customer = await self._customer(page, account)
        step = f"read the invoices list ({len(asked)} invoices)"
        query = urlencode({"customer": customer.code, "per_page": LIST_PAGE_SIZE})
        rows, loaded = await self._pages.read_pages(
            page,
            _INVOICES,
            step,
            first_url=f"{_base(account)}/invoices?{query}",
            open_page=lambda url: self._open(page, url, step, customer=customer),
            enough=all_seen(asked),
            max_pages=max_pages,
            blank=True,
        )
        return StatusList(verdicts=settle(asked, rows, _listed_invoice), pages_read=loaded)

    async def invoice_status(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """Open the invoice's detail page and read status, dates, dispute and payment."""
        row = await self._invoice_row(page, account, invoice_number)
        if row is None:
            return None
        customer = await self._customer(page, account)
        step = f"open invoice {invoice_number}"
        if not row["detail"]:
            raise PortalChanged(f"{step}: the invoices list has no link to the invoice detail")
        await self._open(page, urljoin(page.url, row["detail"]), step, customer=customer)
        await self._pages.require(page, SELECTORS.detail_status, "invoice status", step)
        facts = await self._pages.read_texts(page, _DETAIL, step)
        reason = facts["reason"] or None
        if reason and facts["comment"]:
            reason = f"{reason}: {facts['comment']}"
        return PortalInvoice(
            invoice_number=facts["number"] or invoice_number,
            portal_reference=facts["reference"] or row["reference"],
            raw_status=facts["status"],
            status=_status(facts["status"]),
            amount=_amount(facts["total"]),
            status_date=_date(facts["status_date"]),
            reason=reason,
            projected_pay_date=_date(facts["projected"]),
            payment_date=_date(facts["payment_date"]),
            payment_reference=facts["payment_number"] or None,
        )

    # --- customers --------------------------------------------------------------------------

    async def _customer(self, page: Page, account: PortalAccount) -> PortalCustomer:
        """The account's buyer as the portal knows it (name → code), from the customer selector."""
        return await self._customers.customer(page, account, _base(account))

    # --- orders -----------------------------------------------------------------------------

    async def _search_orders(
        self, page: Page, base: str, customer: PortalCustomer, po_number: str
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The PO rows the search for ``po_number`` returns (all pages), or the empty text."""
        step = f"find PO {po_number}"
        search = await self._pages.search_list(
            page,
            _ORDERS,
            step,
            first_url=f"{base}/orders?{urlencode({'customer': customer.code, 'q': po_number})}",
            open_page=lambda url: self._open(page, url, step, customer=customer),
            wanted=lambda row: same_number(row["number"], po_number),
            blank=True,
        )
        return search.rows, search.empty

    async def _non_po_refusal(self, page: Page, base: str, customer: PortalCustomer) -> str:
        """The portal's reason why an invoice without a PO cannot be entered for the customer."""
        sel = SELECTORS
        step = "check non-PO invoicing"
        await self._open(
            page, f"{base}/orders?{urlencode({'customer': customer.code})}", step, customer=customer
        )
        await self._pages.require(page, sel.blank_invoice, "Create Blank Invoice button", step)
        with wrap_playwright_errors(step):
            disabled = await page.locator(sel.blank_invoice).is_disabled()
            title = await page.locator(sel.blank_invoice).get_attribute("title")
        if disabled and await count(page, sel.blank_invoice_note):
            return await self._pages.text(page, sel.blank_invoice_note, step)
        if disabled:
            return title or "The customer does not accept invoices without a purchase order"
        return "The invoice has no purchase order; this driver only creates invoices from a PO"

    async def _closed_po_message(
        self, page: Page, row: dict[str, Any], customer: PortalCustomer
    ) -> str:
        """The portal's own words for a PO that cannot be invoiced (from the PO's page)."""
        step = f"open PO {row['number']}"
        fallback = (
            f"PO {row['number']} is {row['status'].strip() or 'not open'} and cannot be invoiced"
        )
        if not row["detail"]:
            return fallback
        await self._open(page, urljoin(page.url, row["detail"]), step, customer=customer)
        if await count(page, SELECTORS.po_closed_notice):
            return await self._pages.text(page, SELECTORS.po_closed_notice, step)
        return fallback

    # --- the invoice form -------------------------------------------------------------------

    async def _fill_form(
        self, page: Page, invoice: OutgoingInvoice, document: InvoiceDocument
    ) -> None:
        sel = SELECTORS
        step = f"fill invoice {invoice.invoice_number}"
        expected = {
            sel.invoice_number: "invoice number field",
            sel.invoice_date: "invoice date field",
            sel.currency: "currency selector",
            sel.line_row: "invoice lines",
            sel.add_line: "add line button",
            sel.tax_amount: "tax amount field",
            sel.attachment: "attachment input",
            sel.submit: "submit button",
        }
        form = await self._read_form(page, list(expected), step)
        if form["closed"] is not None:
            raise InvoiceRejected(RejectionCode.PO_CLOSED, form["closed"])
        if form["missing"]:
            named = ", ".join(f"{expected[s]} ({s})" for s in form["missing"])
            raise PortalChanged(f"{step}: {named} not found on {page.url}")
        offered: list[str] = form["currencies"]
        if invoice.currency not in offered:
            raise InvoiceRejected(
                RejectionCode.OTHER,
                f"The portal does not offer currency {invoice.currency} "
                f"(offered: {', '.join(c for c in offered if c)})",
            )
        with wrap_playwright_errors(step):
            await page.fill(sel.invoice_number, invoice.invoice_number)
            await page.fill(sel.invoice_date, invoice.invoice_date.isoformat())
            await page.select_option(sel.currency, invoice.currency)
            await self._fill_lines(page, entry_lines(invoice), step)
            await page.fill(sel.tax_amount, plain(invoice.tax_amount))
            await page.set_input_files(sel.attachment, files=[document_file(document)])

    async def _fill_lines(self, page: Page, lines: Sequence[OutgoingLine], step: str) -> None:
        """Make the lines table hold exactly our lines: drop extra PO lines, add missing rows."""
        sel = SELECTORS
        rows = page.locator(sel.line_row)
        present = await rows.count()
        for index in range(present - 1, len(lines) - 1, -1):
            await rows.nth(index).locator(sel.remove_line).click(timeout=ELEMENT_TIMEOUT_MS)
        for _ in range(len(lines) - min(present, len(lines))):
            await page.click(sel.add_line, timeout=ELEMENT_TIMEOUT_MS)
        if await rows.count() != len(lines):
            raise PortalChanged(f"{step}: the lines table did not take {len(lines)} rows")
        for index, line in enumerate(lines):
            await fill_line(
                rows.nth(index),
                line,
                description=sel.line_description,
                quantity=sel.line_quantity,
                unit_price=sel.line_unit_price,
            )

    async def _submit(
        self, page: Page, invoice: OutgoingInvoice, fence: SubmitFence
    ) -> PortalReceipt:
        """Click submit once; from here on every failure may hide an accepted invoice."""
        sel = SELECTORS
        step = f"submit invoice {invoice.invoice_number}"
        await fence()
        await self._pages.click_and_land(
            page, sel.submit, step, timeout_ms=SUBMIT_TIMEOUT_MS, after_submit=True
        )
        with wrap_playwright_errors(step, after_submit=True):
            result: dict[str, Any] = await page.evaluate(
                _RESULT_JS, [sel.document_id, sel.confirmed_number, sel.field_error]
            )
        if result["reference"] is not None:
            return confirmed_receipt(invoice, result["confirmed"], result["reference"], step)
        if result["errors"]:
            raise _rejection(result["errors"])
        raise PortalUnavailable(
            f"{step}: the portal showed neither a confirmation nor an error", after_submit=True
        )

    # --- the invoices list ------------------------------------------------------------------

    async def _invoice_row(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> dict[str, Any] | None:
        customer = await self._customer(page, account)
        step = f"find invoice {invoice_number}"
        query = urlencode({"customer": customer.code, "q": invoice_number})
        search = await self._pages.search_list(
            page,
            _INVOICES,
            step,
            first_url=f"{_base(account)}/invoices?{query}",
            open_page=lambda url: self._open(page, url, step, customer=customer),
            # case-insensitive, as the portal's duplicate check: never miss an invoice it has
            wanted=lambda row: same_number(row["number"], invoice_number),
            blank=True,
        )
        return search.found

    # --- navigation and page reads ---------------------------------------------------------

    async def _open(
        self,
        page: Page,
        url: str,
        step: str,
        *,
        stage: LoginStage = LoginStage.NONE,
        customer: PortalCustomer | None = None,
    ) -> None:
        """Go to ``url``; a busy, failing or login page raises, and so does another customer."""
        signs = await self._pages.open(page, url, step, stage=stage)
        if customer is not None:
            await self._verify_customer(page, customer, step, shown=signs.extra)

    async def _verify_customer(
        self, page: Page, customer: PortalCustomer, step: str, *, shown: list[str | None] | None
    ) -> None:
        """The page must show the customer we mean; otherwise stop before anything is submitted.

        ``shown`` is what the landing read; None when the marker was not there yet, and then we
        wait briefly for it as for any element the page must have.
        """
        if shown is None:
            selector = SELECTORS.current_customer
            await self._pages.require(page, selector, "current customer", step)
            with wrap_playwright_errors(step):
                shown = await page.locator(selector).evaluate(
                    "e => [e.textContent.trim(), e.getAttribute('data-customer-code')]"
                )
        name, code = shown[0] or "", shown[1]
        if normalised(name) != normalised(customer.name) or (
            code is not None and code != customer.code
        ):
            raise PortalChanged(
                f"{step}: the page shows customer {name!r}, expected {customer.name!r}; "
                "nothing was submitted"
            )

    async def _read_form(self, page: Page, expected: list[str], step: str) -> dict[str, Any]:
        """The invoice form's closed-PO notice, missing elements and currencies, in one call.

        The first expected element (the invoice number field) may take a moment to appear: when
        it is missing and no closed-PO notice explains why, wait briefly for it and read again.
        """
        sel = SELECTORS
        arguments = [sel.po_closed_notice, expected, f"{sel.currency} option"]
        with wrap_playwright_errors(step):
            form: dict[str, Any] = await page.evaluate(_FORM_JS, arguments)
        if form["closed"] is None and expected[0] in form["missing"]:
            await self._pages.require(page, expected[0], "invoice number field", step)
            with wrap_playwright_errors(step):
                form = await page.evaluate(_FORM_JS, arguments)
        return form


# --- values -----------------------------------------------------------------------------------


def _rejection(errors: Sequence[Sequence[str]]) -> InvoiceRejected:
    """The portal's validation messages as one rejection with the most telling code."""
    return InvoiceRejected.of_problems(
        [(rejection_code(REJECTION_WORDS, field, text), text) for field, text in errors]
    )


def _invoice_from_row(row: dict[str, Any]) -> PortalInvoice:
    payment = _PAYMENT_INFO.search(row["payment"] or "")
    return PortalInvoice(
        invoice_number=row["number"],
        portal_reference=row["reference"] or None,
        raw_status=row["status"],
        status=_status(row["status"]),
        amount=_amount(row["amount"]),
        projected_pay_date=_date(row["projected"]),
        payment_date=_date(payment.group(1)) if payment else None,
        payment_reference=(payment.group(2) or None) if payment else None,
    )


def _listed_invoice(row: Mapping[str, Any]) -> PortalInvoice | None:
    """A list row's verdict when the row shows all the invoice page would; None otherwise."""
    status = STATUS_MAP.get(normalised(row["status"]))
    if status is None:
        return None  # an unknown word is the invoice page's to report (PortalChanged)
    projected = _date(row["projected"])
    payment_date, payment_number = _date(row["payment_date"]), row["payment_number"] or None
    if not shows_every_fact(
        status,
        projected_pay_date=projected,
        payment_date=payment_date,
        payment_reference=payment_number,
    ):
        return None
    return PortalInvoice(
        invoice_number=row["number"],
        portal_reference=row["reference"] or None,
        raw_status=row["status"],
        status=status,
        amount=_amount(row["amount"]),
        status_date=_date(row["status_date"]),
        projected_pay_date=projected,
        payment_date=payment_date,
        payment_reference=payment_number,
    )


def _status(raw: str) -> PortalStatus:
    status = STATUS_MAP.get(normalised(raw))
    if status is None:
        raise PortalChanged(f"unknown invoice status {raw!r} on the portal")
    return status


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").strip()) if text.strip() else None
    except InvalidOperation:
        return None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def _base(account: PortalAccount) -> str:
    return account.login.portal_url.rstrip("/")
