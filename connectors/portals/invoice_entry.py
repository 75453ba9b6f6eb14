"""What a portal driver types into a portal's invoice form, and how it reads the confirmation.

Coupa- and Ariba-style portals take the same facts in the same shapes: the invoice's lines (one
line for the net amount when the invoice has none), decimals without exponent or thousands
separator, the PDF as a file input, and a confirmation that must name our invoice number and a
portal document reference. Kept in one place so every family enters an invoice the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from connectors.portals.base import InvoiceDocument, OutgoingInvoice, OutgoingLine, PortalReceipt
from connectors.portals.errors import PortalUnavailable
from connectors.portals.portal_page import ELEMENT_TIMEOUT_MS

if TYPE_CHECKING:
    from playwright.async_api import FilePayload, Locator


def entry_lines(invoice: OutgoingInvoice) -> tuple[OutgoingLine, ...]:
    """The invoice's lines, or one line for the net amount when the invoice has none."""
    if invoice.lines:
        return invoice.lines
    net = invoice.total_amount - invoice.tax_amount
    return (
        OutgoingLine(
            line_number=1,
            description=f"Invoice {invoice.invoice_number}",
            quantity=Decimal(1),
            unit_price=net,
            amount=net,
        ),
    )


def plain(value: Decimal) -> str:
    """A decimal as the form wants it: no exponent, no thousands separator."""
    return format(value, "f")


async def fill_line(
    row: Locator, line: OutgoingLine, *, description: str, quantity: str, unit_price: str
) -> None:
    """Type one line into its table row (the selectors are of the row's three fields)."""
    await row.locator(description).fill(line.description, timeout=ELEMENT_TIMEOUT_MS)
    await row.locator(quantity).fill(plain(line.quantity), timeout=ELEMENT_TIMEOUT_MS)
    await row.locator(unit_price).fill(plain(line.unit_price), timeout=ELEMENT_TIMEOUT_MS)


def document_file(document: InvoiceDocument) -> FilePayload:
    """The invoice's document as a file input takes it."""
    return {
        "name": document.file_name,
        "mimeType": document.content_type,
        "buffer": document.data,
    }


def confirmed_receipt(
    invoice: OutgoingInvoice, confirmed: str, reference: str, step: str
) -> PortalReceipt:
    """The receipt, when the confirmation names our invoice and a reference; else unavailable.

    Only ever called after the submit click, so a confirmation that does not add up is
    ``PortalUnavailable(after_submit=True)``: the caller looks the invoice up before retrying.
    """
    if confirmed != invoice.invoice_number or not reference:
        raise PortalUnavailable(
            f"{step}: the confirmation names invoice {confirmed!r} / {reference!r}",
            after_submit=True,
        )
    return PortalReceipt(
        invoice_number=invoice.invoice_number,
        portal_reference=reference,
        message=f"Submitted to the portal as {reference}",
    )
