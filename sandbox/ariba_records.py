"""The Ariba-style portal's books: orders, invoices, the buyer's invoice rules, two status tracks.

Kept apart from the pages and the wizard so the rules read as plain code (``reference/
portals.md`` §1.2): an invoice number is unique per supplier and customer (``INVOICE_DUPLICATE``,
"same ID already received – resubmit with a different ID"), the invoice date is not in the
future and back-dated by at most the customer's limit, an invoice only flips from an open order
and stays within what is left on it, and the customer wants the invoice document attached.

Every invoice carries two statuses, as on the real network: *routing* (Queued → Sent →
Acknowledged, or Failed when it broke a customer rule, Obsoleted when replaced) and *invoice*
(Sent → Approved → Paid, or Rejected with a reason, Canceled). The sandbox admin endpoint moves
them, as the customer's AP system would. All state is in memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from sandbox.catalog import Buyer, Catalog, PurchaseOrder
from sandbox.ledger import Ledger, ReceivedInvoice

FAMILY = "ariba"
INVOICE_NUMBER_MAX_CHARS = 32
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024  #: per attachment
#: a customer's invoice rule; the demo's oldest invoices are ~240 days old, so they pass
DEFAULT_MAX_BACKDATE_DAYS = 365
#: catalog extra: the default limit for every customer, and ``…:{BUYER_CODE}`` for one customer
BACKDATE_EXTRA_KEY = "ariba_max_backdate_days"
DEFAULT_PAYMENT_TERMS_DAYS = 30  #: scheduled payment date when the admin gives none
ORDER_ID_BASE = 7000  #: the portal's internal order ids (URLs never carry the PO number)
DOCUMENT_ID_BASE = 5_100_000_000  #: the network's document ids: "AN5100000001", ...
DATE_ENTRY_FORMAT = "MM/DD/YYYY"  #: how the wizard reads dates
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: extension → accepted leading bytes of the file
ATTACHMENT_SIGNATURES: Mapping[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
ACCEPTED_TYPES_TEXT = "PDF, TIFF, JPEG, PNG"
_DATE_ENTRY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_NUMBER_CHARS = re.compile(r"^[A-Za-z0-9._/\-]+$")

MESSAGE_DUPLICATE = "same ID already received – resubmit with a different ID"
MESSAGE_ORDER_CLOSED = "This order is closed. Invoices can no longer be created against it."
MESSAGE_NON_PO = "does not accept invoices without a purchase order (non-PO invoices)"
MESSAGE_ATTACHMENT_REQUIRED = "The customer requires the invoice document as an attachment."


class RoutingStatus(StrEnum):
    """Whether the network delivered the invoice to the customer."""

    #: accepted by the network, not yet delivered (more than 30 minutes means trouble)
    QUEUED = "Queued"
    #: delivered to the customer's system
    SENT = "Sent"
    #: the customer's system confirmed receipt
    ACKNOWLEDGED = "Acknowledged"
    #: broke a customer rule; the reason says which (editable, resubmittable)
    FAILED = "Failed"
    #: cancelled or replaced by an edited invoice
    OBSOLETED = "Obsoleted"


class InvoiceStatus(StrEnum):
    """What the customer did with the invoice."""

    #: received, waiting for approval
    SENT = "Sent"
    #: approved for payment, with a scheduled payment date
    APPROVED = "Approved"
    #: paid, with a payment date and a remittance reference
    PAID = "Paid"
    #: refused by the customer, with a reason; a resubmission needs a new number
    REJECTED = "Rejected"
    #: cancelled by the supplier or the customer
    CANCELED = "Canceled"


#: routing status → the ones the admin endpoint may move it to
ROUTING_TRANSITIONS: Mapping[RoutingStatus, frozenset[RoutingStatus]] = {
    RoutingStatus.QUEUED: frozenset(
        {
            RoutingStatus.SENT,
            RoutingStatus.ACKNOWLEDGED,
            RoutingStatus.FAILED,
            RoutingStatus.OBSOLETED,
        }
    ),
    RoutingStatus.SENT: frozenset(
        {RoutingStatus.ACKNOWLEDGED, RoutingStatus.FAILED, RoutingStatus.OBSOLETED}
    ),
    RoutingStatus.ACKNOWLEDGED: frozenset({RoutingStatus.OBSOLETED}),
    RoutingStatus.FAILED: frozenset({RoutingStatus.OBSOLETED}),
    RoutingStatus.OBSOLETED: frozenset(),
}
#: invoice status → the ones the admin endpoint may move it to
STATUS_TRANSITIONS: Mapping[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.SENT: frozenset(
        {InvoiceStatus.APPROVED, InvoiceStatus.REJECTED, InvoiceStatus.CANCELED}
    ),
    InvoiceStatus.APPROVED: frozenset(
        {InvoiceStatus.PAID, InvoiceStatus.REJECTED, InvoiceStatus.CANCELED}
    ),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.REJECTED: frozenset(),
    InvoiceStatus.CANCELED: frozenset(),
}
#: routing statuses that free the invoice number and the order balance again
DEAD_ROUTING = frozenset({RoutingStatus.FAILED, RoutingStatus.OBSOLETED})
#: invoice statuses that free the order balance again
DEAD_STATUS = frozenset({InvoiceStatus.REJECTED, InvoiceStatus.CANCELED})


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleError:
    """One refusal, as the portal shows it: where, the portal's code, its words."""

    #: "number", "date", "tax", "lines", "attachments", "order" or "form"
    field: str
    code: str  #: the portal's own code, e.g. "INVOICE_DUPLICATE", "INV-13"
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Attachment:
    file_name: str
    data: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class HeaderEntry:
    """The header step as typed, every value still text."""

    number: str = ""
    invoice_date: str = ""  #: MM/DD/YYYY
    tax_amount: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class LineEntry:
    """One line of the lines step as typed; unticked lines are not invoiced."""

    include: bool
    description: str
    quantity: str
    unit_price: str


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceLine:
    description: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, kw_only=True, slots=True)
class AribaInvoice:
    """A submitted invoice as the network keeps it."""

    document_id: str  #: the network's id ("AN…"), never the supplier's number
    number: str
    supplier: str  #: the login that submitted it
    buyer_code: str
    order_id: int
    order_number: str
    invoice_date: dt.date
    currency: str
    lines: tuple[InvoiceLine, ...]
    tax_amount: Decimal
    attachment_names: tuple[str, ...]
    submitted_at: dt.datetime
    routing: RoutingStatus = RoutingStatus.QUEUED
    status: InvoiceStatus = InvoiceStatus.SENT
    status_date: dt.date | None = None
    reason: str | None = None  #: why routing failed or the customer rejected it
    scheduled_payment_date: dt.date | None = None
    payment_date: dt.date | None = None
    payment_reference: str | None = None

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_amount

    @property
    def holds_balance(self) -> bool:
        """Whether the invoice still counts against its order."""
        return self.routing not in DEAD_ROUTING and self.status not in DEAD_STATUS


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceDraft:
    """Everything the wizard collected, ready to be checked once more and submitted."""

    supplier: str
    buyer: Buyer
    order_id: int
    header: HeaderEntry
    lines: tuple[LineEntry, ...]
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusChange:
    """A move on one or both tracks, as the admin endpoint receives it."""

    routing: RoutingStatus | None = None
    status: InvoiceStatus | None = None
    reason: str | None = None
    scheduled_payment_date: dt.date | None = None
    payment_date: dt.date | None = None
    payment_reference: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Submission:
    """The outcome of the final submit: the stored invoice, or the refusals."""

    invoice: AribaInvoice | None
    errors: tuple[RuleError, ...]


class LifecycleRefused(Exception):
    """The requested status change is not possible from the invoice's current statuses."""


class AribaRecords:
    """Orders and invoices of every customer on the network, and the customers' rules."""

    def __init__(self, catalog: Catalog, ledger: Ledger) -> None:
        own = catalog.for_family(FAMILY)
        self._buyers = {b.code: b for b in own.buyers}
        self._orders = {ORDER_ID_BASE + i: po for i, po in enumerate(own.purchase_orders, start=1)}
        self._ledger = ledger
        self._default_backdate_days = int(
            catalog.extra.get(BACKDATE_EXTRA_KEY, DEFAULT_MAX_BACKDATE_DAYS)
        )
        self._catalog_backdate_days = {
            code: int(catalog.extra[f"{BACKDATE_EXTRA_KEY}:{code}"])
            for code in self._buyers
            if f"{BACKDATE_EXTRA_KEY}:{code}" in catalog.extra
        }
        self._backdate_days = dict(self._catalog_backdate_days)
        self._invoices: dict[str, AribaInvoice] = {}  # by document id
        self._next_document = 1
        self._next_remittance = 1

    # --- customers, their rules and their orders ------------------------------------------

    def buyers(self) -> list[Buyer]:
        return sorted(self._buyers.values(), key=lambda b: b.name.casefold())

    def buyer(self, code: str | None) -> Buyer | None:
        return self._buyers.get(code) if code else None

    def max_backdate_days(self, buyer_code: str) -> int:
        return self._backdate_days.get(buyer_code, self._default_backdate_days)

    def set_max_backdate_days(self, buyer_code: str, days: int) -> None:
        """Change a customer's back-dating rule (admin); LookupError for an unknown customer."""
        if buyer_code not in self._buyers:
            raise LookupError(f"no customer {buyer_code!r} on the {FAMILY} portal")
        self._backdate_days[buyer_code] = days

    def orders(self, buyer_code: str | None, query: str = "") -> list[tuple[int, PurchaseOrder]]:
        """Orders of one customer (or all) whose number contains ``query``, by number."""
        needle = query.strip().casefold()
        found = [
            (order_id, po)
            for order_id, po in self._orders.items()
            if (buyer_code is None or po.buyer_code == buyer_code)
            and needle in po.number.casefold()
        ]
        return sorted(found, key=lambda item: (item[1].number, item[1].buyer_code))

    def order(self, order_id: int) -> PurchaseOrder | None:
        return self._orders.get(order_id)

    def remaining(self, order_id: int) -> Decimal:
        """What is left to invoice on the order, after the live invoices on the network."""
        po = self._orders[order_id]
        invoiced = sum(
            (
                inv.subtotal
                for inv in self._invoices.values()
                if inv.order_id == order_id and inv.holds_balance
            ),
            ZERO,
        )
        return po.remaining - invoiced

    # --- the rules, step by step ------------------------------------------------------------

    def check_header(self, buyer_code: str, header: HeaderEntry, today: dt.date) -> list[RuleError]:
        errors: list[RuleError] = []
        number = header.number.strip()
        if not number:
            errors.append(_error("number", "INVOICE_NO_ID", "Invoice # is a required field."))
        elif len(number) > INVOICE_NUMBER_MAX_CHARS:
            errors.append(
                _error(
                    "number",
                    "INVOICE_ID_LENGTH",
                    f"Invoice # must be at most {INVOICE_NUMBER_MAX_CHARS} characters.",
                )
            )
        elif not _NUMBER_CHARS.match(number):
            errors.append(
                _error(
                    "number",
                    "INVOICE_ID_FORMAT",
                    "Invoice # may only contain letters, digits and . _ / - (no spaces).",
                )
            )
        self._check_date(buyer_code, header.invoice_date, today, errors)
        if header.tax_amount.strip():
            tax = parse_amount(header.tax_amount)
            if tax is None or tax < 0:
                errors.append(_error("tax", "TAX_AMOUNT", "Tax amount must be 0 or more."))
        return errors

    def check_lines(self, order_id: int, lines: Sequence[LineEntry]) -> list[RuleError]:
        errors: list[RuleError] = []
        parsed = self._lines(lines, errors)
        if parsed and not errors:
            po = self._orders[order_id]
            subtotal = sum((line.amount for line in parsed), ZERO)
            remaining = self.remaining(order_id)
            if subtotal > remaining:
                errors.append(
                    _error(
                        "lines",
                        "INV-20",
                        f"The invoice subtotal {subtotal:,.2f} {po.currency} exceeds the amount "
                        f"remaining to be invoiced on order {po.number} "
                        f"({remaining:,.2f} {po.currency}).",
                    )
                )
        return errors

    def check_attachment(self, attachment: Attachment | None) -> list[RuleError]:
        if attachment is None or not attachment.file_name:
            return [_error("attachments", "ATTACHMENT_MISSING", "Select a file to attach.")]
        name = attachment.file_name
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        signatures = ATTACHMENT_SIGNATURES.get(extension)
        if signatures is None:
            message = (
                f"The file type .{extension or '?'} is not accepted. "
                f"Accepted types: {ACCEPTED_TYPES_TEXT}."
            )
            return [_error("attachments", "ATTACHMENT_TYPE", message)]
        if not attachment.data:
            return [_error("attachments", "ATTACHMENT_EMPTY", f"The file {name} is empty.")]
        if len(attachment.data) > ATTACHMENT_MAX_BYTES:
            limit_mb = ATTACHMENT_MAX_BYTES // (1024 * 1024)
            message = f"The file {name} exceeds the attachment size limit of {limit_mb} MB."
            return [_error("attachments", "ATTACHMENT_SIZE", message)]
        if not attachment.data.startswith(signatures):
            message = f"The file {name} is not a valid {extension.upper()} document."
            return [_error("attachments", "ATTACHMENT_CONTENT", message)]
        return []

    def check_attachments(self, attachments: Sequence[Attachment]) -> list[RuleError]:
        if not attachments:
            return [_error("attachments", "ATTACHMENT_REQUIRED", MESSAGE_ATTACHMENT_REQUIRED)]
        return []

    def check_order(self, order_id: int) -> list[RuleError]:
        po = self._orders[order_id]
        if po.status != "OPEN":
            message = (
                f"INV-13: Order {po.number} is closed, obsolete or replaced; "
                "invoices can no longer be created against it."
            )
            return [_error("order", "INV-13", message)]
        return []

    # --- invoices ---------------------------------------------------------------------------

    def submit(self, draft: InvoiceDraft, today: dt.date) -> Submission:
        """Check every rule once more; store and record the invoice if all pass."""
        buyer = draft.buyer
        po = self._orders[draft.order_id]
        errors = [
            *self.check_order(draft.order_id),
            *self.check_header(buyer.code, draft.header, today),
            *self.check_lines(draft.order_id, draft.lines),
            *self.check_attachments(draft.attachments),
        ]
        number = draft.header.number.strip()
        if number and self.find(draft.supplier, buyer.code, number, live_only=True) is not None:
            message = f"INVOICE_DUPLICATE: Invoice {number} – {MESSAGE_DUPLICATE}."
            errors.append(_error("number", "INVOICE_DUPLICATE", message))
        if errors:
            return Submission(invoice=None, errors=tuple(errors))
        invoice = AribaInvoice(
            document_id=f"AN{DOCUMENT_ID_BASE + self._next_document}",
            number=number,
            supplier=draft.supplier,
            buyer_code=buyer.code,
            order_id=draft.order_id,
            order_number=po.number,
            invoice_date=parse_entry_date(draft.header.invoice_date) or today,
            currency=po.currency,
            lines=tuple(self._lines(draft.lines, [])),
            tax_amount=parse_amount(draft.header.tax_amount) or ZERO,
            attachment_names=tuple(a.file_name for a in draft.attachments),
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
        return Submission(invoice=invoice, errors=())

    def find(
        self, supplier: str, buyer_code: str, number: str, *, live_only: bool = False
    ) -> AribaInvoice | None:
        """The supplier's invoice with that number (case-insensitive) for the customer."""
        wanted = number.strip().casefold()
        for inv in self._invoices.values():
            if (
                inv.supplier == supplier
                and inv.buyer_code == buyer_code
                and inv.number.casefold() == wanted
                and not (live_only and inv.routing in DEAD_ROUTING)
            ):
                return inv
        return None

    def invoices(
        self,
        supplier: str,
        buyer_code: str | None,
        query: str = "",
        *,
        status: InvoiceStatus | None = None,
    ) -> list[AribaInvoice]:
        """The supplier's invoices (to one customer or all) whose number contains ``query``
        (and whose invoice status is ``status`` if given), newest first."""
        needle = query.strip().casefold()
        found = [
            inv
            for inv in self._invoices.values()
            if inv.supplier == supplier
            and (buyer_code is None or inv.buyer_code == buyer_code)
            and needle in inv.number.casefold()
            and (status is None or inv.status is status)
        ]
        return sorted(found, key=lambda inv: inv.document_id, reverse=True)

    def invoice(self, document_id: str, supplier: str) -> AribaInvoice | None:
        inv = self._invoices.get(document_id)
        return inv if inv is not None and inv.supplier == supplier else None

    def change_status(
        self,
        *,
        buyer_code: str,
        number: str,
        change: StatusChange,
        today: dt.date,
        supplier: str | None = None,
    ) -> AribaInvoice:
        """Move an invoice on its tracks; LookupError or LifecycleRefused when impossible.

        A customer acting on the invoice (any invoice status) means its system has it: routing
        Queued or Sent becomes Acknowledged. Asking for the current status changes nothing.
        """
        wanted = number.strip().casefold()
        matches = [
            inv
            for inv in self._invoices.values()
            if inv.buyer_code == buyer_code
            and inv.number.casefold() == wanted
            and (supplier is None or inv.supplier == supplier)
        ]
        if not matches:
            raise LookupError(f"no invoice {number!r} for customer {buyer_code!r}")
        live = [inv for inv in matches if inv.routing not in DEAD_ROUTING] or matches
        if len(live) > 1:
            raise LifecycleRefused(f"invoice {number!r} exists for several suppliers; name one")
        current = live[0]
        updated = self._routed(current, change, today)
        updated = self._decided(updated, change, today)
        self._invoices[updated.document_id] = updated
        return updated

    def clear(self) -> None:
        """Forget invoices and admin rule changes (document ids keep counting, never reused)."""
        self._invoices.clear()
        self._backdate_days = dict(self._catalog_backdate_days)

    # --- helpers of the rules and the lifecycle --------------------------------------------

    def _check_date(
        self, buyer_code: str, text: str, today: dt.date, errors: list[RuleError]
    ) -> None:
        if not text.strip():
            errors.append(_error("date", "INVOICE_DATE", "Invoice Date is a required field."))
            return
        value = parse_entry_date(text)
        if value is None:
            message = f"Invoice Date must be a valid date in the format {DATE_ENTRY_FORMAT}."
            errors.append(_error("date", "INVOICE_DATE", message))
            return
        if value > today:
            errors.append(
                _error("date", "INVOICE_DATE_FUTURE", "Invoice Date cannot be later than today.")
            )
            return
        limit = self.max_backdate_days(buyer_code)
        if (today - value).days > limit:
            errors.append(
                _error(
                    "date",
                    "INVOICE_DATE_BACKDATED",
                    f"Invoice Date cannot be more than {limit} days before today "
                    "(customer invoice rule).",
                )
            )

    def priced_lines(self, entries: Sequence[LineEntry]) -> list[InvoiceLine]:
        """The ticked lines that read as valid lines, as the review step shows them."""
        return self._lines(entries, [])

    def _lines(self, entries: Sequence[LineEntry], errors: list[RuleError]) -> list[InvoiceLine]:
        included = [(i, e) for i, e in enumerate(entries, start=1) if e.include]
        if not included:
            errors.append(_error("lines", "NO_LINES", "Select at least one line to invoice."))
            return []
        lines: list[InvoiceLine] = []
        for position, entry in included:
            description = entry.description.strip()
            quantity = parse_amount(entry.quantity, places=None)
            unit_price = parse_amount(entry.unit_price, places=None)
            if not description:
                errors.append(_error("lines", "LINE", f"Line {position}: Description is required."))
            if quantity is None or quantity <= 0:
                errors.append(
                    _error("lines", "LINE", f"Line {position}: Quantity must be greater than 0.")
                )
            if unit_price is None or unit_price < 0:
                errors.append(
                    _error("lines", "LINE", f"Line {position}: Unit Price must be 0 or more.")
                )
            if description and quantity is not None and quantity > 0 and unit_price is not None:
                lines.append(
                    InvoiceLine(description=description, quantity=quantity, unit_price=unit_price)
                )
        return lines

    def _routed(self, inv: AribaInvoice, change: StatusChange, today: dt.date) -> AribaInvoice:
        target = change.routing
        if target is None or target is inv.routing:
            return inv
        if target not in ROUTING_TRANSITIONS[inv.routing]:
            raise LifecycleRefused(
                f"invoice {inv.number!r} routing is {inv.routing.value}; "
                f"cannot become {target.value}"
            )
        reason = inv.reason
        if target is RoutingStatus.FAILED:
            reason = change.reason or "The invoice broke a customer invoice rule."
        return dataclasses.replace(inv, routing=target, reason=reason, status_date=today)

    def _decided(self, inv: AribaInvoice, change: StatusChange, today: dt.date) -> AribaInvoice:
        target = change.status
        if target is None or target is inv.status:
            return inv
        if inv.routing in DEAD_ROUTING:
            raise LifecycleRefused(
                f"invoice {inv.number!r} routing is {inv.routing.value}; the customer never "
                "received it"
            )
        if target not in STATUS_TRANSITIONS[inv.status]:
            raise LifecycleRefused(
                f"invoice {inv.number!r} is {inv.status.value}; cannot become {target.value}"
            )
        routing = inv.routing
        if routing in (RoutingStatus.QUEUED, RoutingStatus.SENT):
            routing = RoutingStatus.ACKNOWLEDGED
        updated = dataclasses.replace(inv, routing=routing, status=target, status_date=today)
        if target is InvoiceStatus.APPROVED:
            scheduled = change.scheduled_payment_date or today + dt.timedelta(
                days=DEFAULT_PAYMENT_TERMS_DAYS
            )
            return dataclasses.replace(updated, scheduled_payment_date=scheduled, reason=None)
        if target is InvoiceStatus.REJECTED:
            return dataclasses.replace(
                updated, reason=change.reason or "Incorrect data", scheduled_payment_date=None
            )
        if target is InvoiceStatus.PAID:
            reference = change.payment_reference
            if not reference:
                reference = f"RA-{self._next_remittance:06d}"
                self._next_remittance += 1
            return dataclasses.replace(
                updated, payment_date=change.payment_date or today, payment_reference=reference
            )
        return dataclasses.replace(updated, reason=change.reason)


def parse_entry_date(text: str) -> dt.date | None:
    """A date typed as MM/DD/YYYY, or None."""
    match = _DATE_ENTRY.match(text.strip())
    if match is None:
        return None
    month, day, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_amount(text: str, *, places: Decimal | None = CENT) -> Decimal | None:
    """A number typed in the wizard (``1,234.56`` accepted), or None when it is not one."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value.quantize(places, rounding=ROUND_HALF_UP) if places is not None else value


def order_lines(po: PurchaseOrder) -> tuple[LineEntry, ...]:
    """The lines a PO flip pre-fills: every PO line ticked, or one line for the remainder."""
    lines = tuple(
        LineEntry(
            include=True,
            description=line.description,
            quantity=f"{line.quantity}",
            unit_price=f"{line.unit_price:.2f}",
        )
        for line in po.lines
    )
    return lines or (
        LineEntry(
            include=True,
            description=f"Order {po.number}",
            quantity="1",
            unit_price=f"{po.remaining:.2f}",
        ),
    )


def _error(field: str, code: str, message: str) -> RuleError:
    return RuleError(field=field, code=code, message=message)


#: what the admin endpoint accepts per track, by lower-case name
ROUTING_NAMES: Mapping[str, RoutingStatus] = {s.value.lower(): s for s in RoutingStatus}
STATUS_NAMES: Mapping[str, InvoiceStatus] = {
    **{s.value.lower(): s for s in InvoiceStatus},
    "cancelled": InvoiceStatus.CANCELED,
}
