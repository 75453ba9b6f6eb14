"""The pieces the Coupa- and Ariba-style test books share: the customers, the POs, the invoices.

Each family's book (browser and HTTP tests alike) provokes the same behaviours with the same
kinds of purchase orders: an open one with room for many invoices, a closed one, one with
100.00 left, one of another customer in EUR; and uploads the same kind of invoice with a tiny
PDF. Built here once so the books differ only where the portals do (numbers, logins, TOTP).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from connectors.portals.base import InvoiceDocument, OutgoingInvoice, OutgoingLine
from sandbox.catalog import Buyer, PurchaseOrder, PurchaseOrderLine

GLOBEX = "Globex Corporation"
INITECH = "Initech Inc"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

#: (description, quantity, unit price) of a line
LineSpec = tuple[str, str, str]


def book_buyers(family: str) -> tuple[Buyer, ...]:
    """The two customers every book has: Globex (GLOBEX) and Initech (INITECH)."""
    return (
        Buyer(family=family, name=GLOBEX, code="GLOBEX"),
        Buyer(family=family, name=INITECH, code="INITECH"),
    )


def open_po(family: str, number: str, *, amount: str, lines: Sequence[LineSpec]) -> PurchaseOrder:
    """An open USD PO of Globex with room for many invoices."""
    return PurchaseOrder(
        family=family,
        number=number,
        buyer_code="GLOBEX",
        currency="USD",
        amount=Decimal(amount),
        lines=tuple(
            PurchaseOrderLine(
                line_number=i,
                description=description,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
            )
            for i, (description, quantity, price) in enumerate(lines, start=1)
        ),
    )


def closed_po(family: str, number: str) -> PurchaseOrder:
    """A closed Globex PO: no invoice may be created on it."""
    return PurchaseOrder(
        family=family,
        number=number,
        buyer_code="GLOBEX",
        currency="USD",
        amount=Decimal("500.00"),
        status="CLOSED",
    )


def nearly_spent_po(family: str, number: str) -> PurchaseOrder:
    """A Globex PO with 100.00 USD left."""
    return PurchaseOrder(
        family=family,
        number=number,
        buyer_code="GLOBEX",
        currency="USD",
        amount=Decimal("400.00"),
        invoiced=Decimal("300.00"),
    )


def initech_po(family: str, number: str, *, amount: str) -> PurchaseOrder:
    """A EUR PO of the other customer, Initech."""
    return PurchaseOrder(
        family=family,
        number=number,
        buyer_code="INITECH",
        currency="EUR",
        amount=Decimal(amount),
    )


def book_invoice(
    number: str,
    *,
    purchase_order: str | None,
    invoice_date: dt.date | None = None,
    currency: str = "USD",
    lines: tuple[LineSpec, ...] = (("Steel brackets", "4", "12.50"),),
    tax: str = "5.00",
) -> OutgoingInvoice:
    """An invoice to Globex to upload (dated today unless told)."""
    outgoing = tuple(
        OutgoingLine(
            line_number=i,
            description=description,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            amount=Decimal(quantity) * Decimal(price),
        )
        for i, (description, quantity, price) in enumerate(lines, start=1)
    )
    net = sum((line.amount for line in outgoing), Decimal("0"))
    return OutgoingInvoice(
        invoice_number=number,
        invoice_date=invoice_date or dt.date.today(),
        due_date=None,
        currency=currency,
        total_amount=net + Decimal(tax),
        tax_amount=Decimal(tax),
        purchase_order=purchase_order,
        buyer_name=GLOBEX,
        lines=outgoing,
    )


def invoice_pdf(data: bytes = PDF_BYTES, file_name: str = "invoice.pdf") -> InvoiceDocument:
    """The invoice's document: a tiny PDF unless told."""
    return InvoiceDocument(file_name=file_name, content_type="application/pdf", data=data)
