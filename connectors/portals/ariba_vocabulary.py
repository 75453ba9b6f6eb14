"""The Ariba-style portal's vocabulary: its status words, refusals, dates and amounts, in ours.

Kept apart from the driver's page mechanics so the mapping reads as a table and can be checked
without a browser. Two status tracks decide our status: routing ``Failed`` (the invoice broke a
customer rule) → REJECTED and ``Obsoleted`` → VOIDED whatever the invoice status says;
otherwise the invoice status: ``Sent`` → PENDING_APPROVAL, ``Approved`` → APPROVED, ``Paid`` →
PAID, ``Rejected`` → REJECTED, ``Canceled`` → VOIDED. A word the driver does not know is a
changed portal (``PortalChanged``), never a guess. Which outbox rows a list read may settle
without the invoice page is here too (:func:`listed_invoice`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.portals.base import PortalInvoice, PortalStatus
from connectors.portals.errors import InvoiceRejected, PortalChanged, RejectionCode
from connectors.portals.list_reads import shows_every_fact
from connectors.portals.matching import RejectionWords, normalised, rejection_code

#: routing statuses that decide the normalised status whatever the invoice status says
ROUTING_MAP = {"failed": PortalStatus.REJECTED, "obsoleted": PortalStatus.VOIDED}
#: routing statuses on the way to the customer: the invoice status decides
ROUTING_IN_FLIGHT = frozenset({"queued", "sent", "acknowledged"})
#: the portal's invoice status wording → our statuses
STATUS_MAP = {
    "sent": PortalStatus.PENDING_APPROVAL,
    "approved": PortalStatus.APPROVED,
    "paid": PortalStatus.PAID,
    "rejected": PortalStatus.REJECTED,
    "canceled": PortalStatus.VOIDED,
    "cancelled": PortalStatus.VOIDED,
}
#: the portal's words for each reason it refuses an invoice, most telling first
REJECTION_WORDS = (
    RejectionWords(code=RejectionCode.DUPLICATE, pattern="invoice_duplicate|already received"),
    RejectionWords(
        code=RejectionCode.PO_CLOSED, pattern="order.*(closed|obsolete)|(closed|obsolete).*order"
    ),
    RejectionWords(code=RejectionCode.PO_AMOUNT_EXCEEDED, pattern="exceeds the amount remaining"),
    RejectionWords(
        code=RejectionCode.PO_MISSING,
        pattern="purchase order.*(not accept|required)|(not accept|required).*purchase order",
    ),
    RejectionWords(
        code=RejectionCode.DATE_RULE, pattern="invoice date", fields=frozenset({"date"})
    ),
    RejectionWords(
        code=RejectionCode.ATTACHMENT_INVALID,
        pattern="attachment",
        fields=frozenset({"attachments"}),
    ),
)
#: month abbreviations as the portal shows them ("15 Mar 2031")
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
SHOWN_DATE = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")


def rejection(errors: Sequence[tuple[str, str, str]]) -> InvoiceRejected:
    """The portal's refusals, (field, code, message) each, as one rejection."""
    return InvoiceRejected.of_problems(
        [(rejection_code(REJECTION_WORDS, field, text), text) for field, _, text in errors]
    )


def portal_status(routing: str, status: str) -> PortalStatus:
    """Routing Failed/Obsoleted decide; on the way to the customer, the invoice status does."""
    route = normalised(routing)
    if route in ROUTING_MAP:
        return ROUTING_MAP[route]
    if route not in ROUTING_IN_FLIGHT:
        raise PortalChanged(f"unknown routing status {routing!r} on the portal")
    known = STATUS_MAP.get(normalised(status))
    if known is None:
        raise PortalChanged(f"unknown invoice status {status!r} on the portal")
    return known


def listed_invoice(row: Mapping[str, Any]) -> PortalInvoice | None:
    """An outbox row's verdict when the row shows all the invoice page would; None otherwise
    (a rejection, a failed routing, a cancellation or an obsoleted invoice, whose reason only
    the invoice page shows; an approval without its date, a payment without date and reference)."""
    try:
        status = portal_status(row["routing"], row["status"])
    except PortalChanged:
        return None  # an unknown word is the invoice page's to report
    projected = shown_date(row["scheduled"])
    payment_date, payment_ref = shown_date(row["payment_date"]), row["payment_ref"] or None
    if not shows_every_fact(
        status,
        projected_pay_date=projected,
        payment_date=payment_date,
        payment_reference=payment_ref,
    ):
        return None
    return PortalInvoice(
        invoice_number=row["number"],
        portal_reference=row["reference"] or None,
        raw_status=raw_status(row["status"], row["routing"]),
        status=status,
        amount=shown_amount(row["amount"]),
        status_date=shown_date(row["status_date"]),
        projected_pay_date=projected,
        payment_date=payment_date,
        payment_reference=payment_ref,
    )


def raw_status(status: str, routing: str) -> str:
    return f"{status.strip()} (routing: {routing.strip()})"


def shown_amount(text: str) -> Decimal | None:
    """An amount as shown ("1,234.56 USD" or "1,234.56"), or None."""
    number = text.strip().split(" ")[0].replace(",", "") if text.strip() else ""
    try:
        return Decimal(number) if number else None
    except InvalidOperation:
        return None


def shown_date(text: str | None) -> dt.date | None:
    """A date as the portal shows it ("15 Mar 2031"), or None."""
    match = SHOWN_DATE.match((text or "").strip())
    if match is None:
        return None
    day, month, year = match.groups()
    number = MONTHS.get(month.lower())
    try:
        return dt.date(int(year), number, int(day)) if number else None
    except ValueError:
        return None
