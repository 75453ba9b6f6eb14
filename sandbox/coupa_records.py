"""The Coupa-style portal's books: purchase orders, invoices, the rules an invoice must pass.

Kept apart from the pages so the rules a real Coupa buyer enforces (unique number per
supplier and customer, no spaces, date not in the future, currency equal to the PO's, amount
within what is left on the PO, a readable invoice image) read as plain code and can be checked
without HTML. The lifecycle after submission (Pending Approval → Approved | Disputed → Paid |
Voided) is driven by the sandbox admin endpoint, as a buyer's AP team would drive it.
All state is in memory: one portal process, one set of books.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from sandbox.catalog import Buyer, Catalog, PurchaseOrder
from sandbox.ledger import Ledger, ReceivedInvoice

FAMILY = "coupa"
INVOICE_NUMBER_MAX_CHARS = 40
ATTACHMENT_MAX_BYTES = 16 * 1024 * 1024  #: Coupa recommends ≤ 16 MB per invoice image
DEFAULT_MAX_BACKDATE_DAYS = 365  #: overridable per catalog: extra["coupa_max_backdate_days"]
DEFAULT_PAYMENT_TERMS_DAYS = 30  #: projected payment date when the admin gives none
DATE_FORMAT_HINT = "YYYY-MM-DD"  #: the only date format the portal reads and shows
PO_ID_BASE = 4000  #: the portal's internal PO ids start here (URLs never carry the PO number)
CENT = Decimal("0.01")

#: how the rules report a problem: ``err(field, message)``
ErrorSink = Callable[[str, str], None]

#: extension → accepted leading bytes of the file
ATTACHMENT_SIGNATURES: Mapping[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
}
#: currencies the form offers besides the PO's own
COMMON_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "MXN")

MESSAGE_DUPLICATE = "Invoice number has already been used"
MESSAGE_PO_CLOSED = "PO is closed and cannot be invoiced"
MESSAGE_AMOUNT_EXCEEDED = "Invoice amount exceeds the remaining PO balance"
MESSAGE_DATE_FUTURE = "Invoice date cannot be in the future"
MESSAGE_NON_PO_DISABLED = "Your customer requires a purchase order"


class InvoiceStatus(StrEnum):
    """Statuses a supplier sees on the portal, worded as the portal shows them."""

    #: submitted, waiting for the buyer's approval
    PENDING_APPROVAL = "Pending Approval"
    #: approved, with a projected payment date
    APPROVED = "Approved"
    #: the buyer disputes it, with a reason and a comment
    DISPUTED = "Disputed"
    #: paid, with a payment date and number
    PAID = "Paid"
    #: voided by the buyer
    VOIDED = "Voided"


#: status → statuses it may move to through the admin endpoint
ALLOWED_TRANSITIONS: Mapping[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.PENDING_APPROVAL: frozenset(
        {InvoiceStatus.APPROVED, InvoiceStatus.DISPUTED, InvoiceStatus.VOIDED}
    ),
    InvoiceStatus.APPROVED: frozenset(
        {InvoiceStatus.DISPUTED, InvoiceStatus.PAID, InvoiceStatus.VOIDED}
    ),
    InvoiceStatus.DISPUTED: frozenset({InvoiceStatus.APPROVED, InvoiceStatus.VOIDED}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.VOIDED: frozenset(),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Attachment:
    file_name: str
    data: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class LineEntry:
    """One invoice line as typed in the form."""

    line_key: str  #: the row's index in the form
    description: str
    quantity: str
    unit_price: str


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceEntry:
    """The invoice form as the supplier filled it, every value still text."""

    number: str
    invoice_date: str
    currency: str
    tax_amount: str
    lines: tuple[LineEntry, ...]
    attachment: Attachment | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceLine:
    description: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, kw_only=True, slots=True)
class CoupaInvoice:
    """A submitted invoice as the portal keeps it."""

    document_id: str  #: the portal's own reference, never the supplier's number
    number: str
    supplier: str  #: the login that submitted it
    buyer_code: str
    po_id: int
    po_number: str
    invoice_date: dt.date
    currency: str
    lines: tuple[InvoiceLine, ...]
    tax_amount: Decimal
    attachment_name: str
    submitted_at: dt.datetime
    status: InvoiceStatus = InvoiceStatus.PENDING_APPROVAL
    status_date: dt.date | None = None
    projected_payment_date: dt.date | None = None
    dispute_reason: str | None = None
    dispute_comment: str | None = None
    payment_date: dt.date | None = None
    payment_number: str | None = None

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_amount


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusChange:
    """A move in the invoice's lifecycle, as the admin endpoint receives it."""

    status: InvoiceStatus
    projected_payment_date: dt.date | None = None
    reason: str | None = None
    comment: str | None = None
    payment_date: dt.date | None = None
    payment_number: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Submission:
    """The outcome of a form post: the stored invoice, or the errors per form field."""

    invoice: CoupaInvoice | None
    #: logical field ("number", "date", "currency", "lines", "tax", "attachment", "form") → messages
    errors: Mapping[str, tuple[str, ...]]


class LifecycleRefused(Exception):
    """The requested status change is not possible from the invoice's current status."""


class CoupaRecords:
    """Purchase orders and invoices of every buyer on the portal."""

    def __init__(self, catalog: Catalog, ledger: Ledger) -> None:
        own = catalog.for_family(FAMILY)
        self._buyers = {b.code: b for b in own.buyers}
        self._pos = {PO_ID_BASE + i: po for i, po in enumerate(own.purchase_orders, start=1)}
        self._ledger = ledger
        self._max_backdate_days = int(
            catalog.extra.get("coupa_max_backdate_days", DEFAULT_MAX_BACKDATE_DAYS)
        )
        self._invoices: dict[str, CoupaInvoice] = {}  # by document id
        self._next_document = 1
        self._next_payment = 1

    # --- buyers and purchase orders -------------------------------------------------------

    def buyers(self) -> list[Buyer]:
        return sorted(self._buyers.values(), key=lambda b: b.name.casefold())

    def buyer(self, code: str | None) -> Buyer | None:
        return self._buyers.get(code) if code else None

    def purchase_orders(self, buyer_code: str, query: str = "") -> list[tuple[int, PurchaseOrder]]:
        """The buyer's POs whose number contains ``query``, by number."""
        needle = query.strip().casefold()
        found = [
            (po_id, po)
            for po_id, po in self._pos.items()
            if po.buyer_code == buyer_code and needle in po.number.casefold()
        ]
        return sorted(found, key=lambda item: item[1].number)

    def purchase_order(self, po_id: int, buyer_code: str) -> PurchaseOrder | None:
        """The PO with that id, only if it belongs to that buyer."""
        po = self._pos.get(po_id)
        return po if po is not None and po.buyer_code == buyer_code else None

    def remaining(self, po_id: int) -> Decimal:
        """What is left to invoice on the PO, after the invoices on the portal (voided excluded)."""
        po = self._pos[po_id]
        invoiced = sum(
            (
                inv.subtotal
                for inv in self._invoices.values()
                if inv.po_id == po_id and inv.status is not InvoiceStatus.VOIDED
            ),
            Decimal("0.00"),
        )
        return po.remaining - invoiced

    def currencies_for(self, po: PurchaseOrder) -> tuple[str, ...]:
        return tuple(dict.fromkeys((po.currency, *COMMON_CURRENCIES)))

    # --- invoices ---------------------------------------------------------------------------

    def submit(
        self, *, supplier: str, buyer: Buyer, po_id: int, entry: InvoiceEntry, today: dt.date
    ) -> Submission:
        """Check the form against the portal's rules; store and record the invoice if it passes."""
        po = self._pos[po_id]
        errors: dict[str, list[str]] = {}

        def err(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        if po.status != "OPEN":
            err("form", MESSAGE_PO_CLOSED)
        number = entry.number.strip()
        if not number:
            err("number", "Invoice # can't be blank")
        elif any(ch.isspace() for ch in number):
            err("number", "Invoice # cannot contain spaces")
        elif len(number) > INVOICE_NUMBER_MAX_CHARS:
            err(
                "number",
                f"Invoice # is too long (maximum is {INVOICE_NUMBER_MAX_CHARS} characters)",
            )
        elif self._find(supplier, buyer.code, number) is not None:
            err("number", MESSAGE_DUPLICATE)

        invoice_date = self._check_date(entry.invoice_date, today, err)
        currency = entry.currency.strip().upper()
        if not currency:
            err("currency", "Currency can't be blank")
        elif currency != po.currency:
            err("currency", f"Currency must match the purchase order currency ({po.currency})")

        tax = _money(entry.tax_amount) if entry.tax_amount.strip() else Decimal("0.00")
        if tax is None or tax < 0:
            err("tax", "Tax amount must be a number of 0 or more")
        lines = self._check_lines(entry.lines, err)
        if lines and "lines" not in errors:
            subtotal = sum((line.amount for line in lines), Decimal("0.00"))
            remaining = self.remaining(po_id)
            if subtotal > remaining:
                err("lines", f"{MESSAGE_AMOUNT_EXCEEDED} ({remaining:,.2f} {po.currency} left)")
        self._check_attachment(entry.attachment, err)

        if errors or invoice_date is None or tax is None or entry.attachment is None:
            return Submission(invoice=None, errors={k: tuple(v) for k, v in errors.items()})
        invoice = CoupaInvoice(
            document_id=f"CP-{self._next_document:06d}",
            number=number,
            supplier=supplier,
            buyer_code=buyer.code,
            po_id=po_id,
            po_number=po.number,
            invoice_date=invoice_date,
            currency=currency,
            lines=tuple(lines),
            tax_amount=tax,
            attachment_name=entry.attachment.file_name,
            submitted_at=dt.datetime.now(dt.UTC),
            status_date=today,
        )
        self._next_document += 1
        self._invoices[invoice.document_id] = invoice
        self._ledger.record_received(
            ReceivedInvoice(
                portal=FAMILY,
                buyer=buyer.code,
                buyer_name=buyer.name,
                invoice_number=invoice.number,
                amount=invoice.total,
                currency=invoice.currency,
                portal_reference=invoice.document_id,
                received_at=invoice.submitted_at,
            )
        )
        return Submission(invoice=invoice, errors={})

    def invoices(
        self,
        supplier: str,
        buyer_code: str,
        query: str = "",
        *,
        status: InvoiceStatus | None = None,
    ) -> list[CoupaInvoice]:
        """The supplier's invoices to that buyer whose number contains ``query`` (and of that
        ``status`` if given), newest first."""
        needle = query.strip().casefold()
        found = [
            inv
            for inv in self._invoices.values()
            if inv.supplier == supplier
            and inv.buyer_code == buyer_code
            and needle in inv.number.casefold()
            and (status is None or inv.status is status)
        ]
        return sorted(found, key=lambda inv: inv.document_id, reverse=True)

    def invoice(self, document_id: str, supplier: str, buyer_code: str) -> CoupaInvoice | None:
        inv = self._invoices.get(document_id)
        if inv is None or inv.supplier != supplier or inv.buyer_code != buyer_code:
            return None
        return inv

    def change_status(
        self,
        *,
        buyer_code: str,
        number: str,
        change: StatusChange,
        today: dt.date,
        supplier: str | None = None,
    ) -> CoupaInvoice:
        """Move an invoice along its lifecycle; LookupError or LifecycleRefused when impossible."""
        matches = [
            inv
            for inv in self._invoices.values()
            if inv.buyer_code == buyer_code
            and inv.number == number
            and (supplier is None or inv.supplier == supplier)
        ]
        if not matches:
            raise LookupError(f"no invoice {number!r} for buyer {buyer_code!r}")
        if len(matches) > 1:
            raise LifecycleRefused(f"invoice {number!r} exists for several suppliers; name one")
        current = matches[0]
        if change.status not in ALLOWED_TRANSITIONS[current.status]:
            raise LifecycleRefused(
                f"invoice {number!r} is {current.status.value}; cannot become {change.status.value}"
            )
        updated = dataclasses.replace(current, status=change.status, status_date=today)
        if change.status is InvoiceStatus.APPROVED:
            updated = dataclasses.replace(
                updated,
                projected_payment_date=change.projected_payment_date
                or today + dt.timedelta(days=DEFAULT_PAYMENT_TERMS_DAYS),
                dispute_reason=None,
                dispute_comment=None,
            )
        elif change.status is InvoiceStatus.DISPUTED:
            updated = dataclasses.replace(
                updated,
                projected_payment_date=None,
                dispute_reason=change.reason or "Other",
                dispute_comment=change.comment or "",
            )
        elif change.status is InvoiceStatus.PAID:
            payment_number = change.payment_number
            if not payment_number:
                payment_number = f"PAY-{self._next_payment:06d}"
                self._next_payment += 1
            updated = dataclasses.replace(
                updated, payment_date=change.payment_date or today, payment_number=payment_number
            )
        self._invoices[updated.document_id] = updated
        return updated

    def clear(self) -> None:
        """Forget every invoice (document numbers keep counting, so none is ever reused)."""
        self._invoices.clear()

    # --- rules ------------------------------------------------------------------------------

    def _find(self, supplier: str, buyer_code: str, number: str) -> CoupaInvoice | None:
        wanted = number.casefold()
        for inv in self._invoices.values():
            if (
                inv.supplier == supplier
                and inv.buyer_code == buyer_code
                and inv.number.casefold() == wanted
            ):
                return inv
        return None

    def _check_date(self, text: str, today: dt.date, err: ErrorSink) -> dt.date | None:
        raw = text.strip()
        if not raw:
            err("date", "Invoice date can't be blank")
            return None
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            err("date", f"Invoice date must be a date in the format {DATE_FORMAT_HINT}")
            return None
        if len(raw) != len(DATE_FORMAT_HINT):
            err("date", f"Invoice date must be a date in the format {DATE_FORMAT_HINT}")
            return None
        if value > today:
            err("date", MESSAGE_DATE_FUTURE)
            return None
        if (today - value).days > self._max_backdate_days:
            err(
                "date",
                f"Invoice date cannot be more than {self._max_backdate_days} days in the past",
            )
            return None
        return value

    def _check_lines(self, entries: tuple[LineEntry, ...], err: ErrorSink) -> list[InvoiceLine]:
        if not entries:
            err("lines", "An invoice needs at least one line")
            return []
        lines: list[InvoiceLine] = []
        for position, entry in enumerate(entries, start=1):
            description = entry.description.strip()
            quantity = _money(entry.quantity, places=None)
            unit_price = _money(entry.unit_price, places=None)
            if not description:
                err("lines", f"Line {position}: description can't be blank")
            if quantity is None or quantity <= 0:
                err("lines", f"Line {position}: quantity must be a number greater than 0")
            if unit_price is None or unit_price < 0:
                err("lines", f"Line {position}: unit price must be a number of 0 or more")
            if description and quantity is not None and quantity > 0 and unit_price is not None:
                lines.append(
                    InvoiceLine(description=description, quantity=quantity, unit_price=unit_price)
                )
        return lines

    def _check_attachment(self, attachment: Attachment | None, err: ErrorSink) -> None:
        if attachment is None or not attachment.file_name:
            err("attachment", "An invoice image (PDF) is required")
            return
        extension = (
            attachment.file_name.rsplit(".", 1)[-1].lower() if "." in attachment.file_name else ""
        )
        signatures = ATTACHMENT_SIGNATURES.get(extension)
        if signatures is None:
            err(
                "attachment",
                f"Attachment type .{extension or '?'} is not allowed"
                " (allowed: PDF, PNG, JPG, TIFF)",
            )
        elif not attachment.data:
            err("attachment", "Attachment is empty")
        elif len(attachment.data) > ATTACHMENT_MAX_BYTES:
            limit_mb = ATTACHMENT_MAX_BYTES // (1024 * 1024)
            err("attachment", f"Attachment is larger than the {limit_mb} MB limit")
        elif not attachment.data.startswith(signatures):
            err("attachment", f"Attachment is not a valid {extension.upper()} file")


def _money(text: str, *, places: Decimal | None = CENT) -> Decimal | None:
    """A number typed in the form (``1,234.56`` accepted), or None when it is not one."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value.quantize(places, rounding=ROUND_HALF_UP) if places is not None else value
