"""A small Coupa-style book for the browser tests: logins, customers, POs, invoices to upload.

Small on purpose: each PO exists to provoke one behaviour (an open PO with room for many
invoices, a closed one, one with little left, one of another customer in another currency).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyotp
from pydantic import SecretStr

from connectors.portals.base import (
    InvoiceDocument,
    OutgoingInvoice,
    OutgoingLine,
    PortalAccount,
    PortalLogin,
)
from sandbox.catalog import Buyer, Catalog, PortalUser, PurchaseOrder, PurchaseOrderLine

TOTP_SECRET = pyotp.random_base32()
TOTP_LOGIN = "ap@acme-supplies.test"
PLAIN_LOGIN = "ar@acme-supplies.test"
PASSWORD = "Tr0ub4dor&3-sandbox"
GLOBEX = "Globex Corporation"
INITECH = "Initech Inc"
OPEN_PO = "PO-1001"  #: 100,000.00 USD, two lines
CLOSED_PO = "PO-1002"
SMALL_PO = "PO-1003"  #: 100.00 USD left
EUR_PO = "PO-2001"  #: Initech, EUR
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def coupa_catalog() -> Catalog:
    """The portal side of the book."""
    return Catalog(
        users=(
            PortalUser(
                family="coupa", login_name=TOTP_LOGIN, password=PASSWORD, totp_secret=TOTP_SECRET
            ),
            PortalUser(family="coupa", login_name=PLAIN_LOGIN, password=PASSWORD),
        ),
        buyers=(
            Buyer(family="coupa", name=GLOBEX, code="GLOBEX"),
            Buyer(family="coupa", name=INITECH, code="INITECH"),
        ),
        purchase_orders=(
            PurchaseOrder(
                family="coupa",
                number=OPEN_PO,
                buyer_code="GLOBEX",
                currency="USD",
                amount=Decimal("100000.00"),
                lines=(
                    PurchaseOrderLine(
                        line_number=1,
                        description="Steel brackets",
                        quantity=Decimal("100"),
                        unit_price=Decimal("12.50"),
                    ),
                    PurchaseOrderLine(
                        line_number=2,
                        description="Installation",
                        quantity=Decimal("10"),
                        unit_price=Decimal("80.00"),
                    ),
                ),
            ),
            PurchaseOrder(
                family="coupa",
                number=CLOSED_PO,
                buyer_code="GLOBEX",
                currency="USD",
                amount=Decimal("500.00"),
                status="CLOSED",
            ),
            PurchaseOrder(
                family="coupa",
                number=SMALL_PO,
                buyer_code="GLOBEX",
                currency="USD",
                amount=Decimal("400.00"),
                invoiced=Decimal("300.00"),
            ),
            PurchaseOrder(
                family="coupa",
                number=EUR_PO,
                buyer_code="INITECH",
                currency="EUR",
                amount=Decimal("5000.00"),
            ),
        ),
    )


def coupa_account(
    portal_url: str,
    *,
    login_name: str = TOTP_LOGIN,
    password: str = PASSWORD,
    buyer_name: str | None = GLOBEX,
    with_totp: bool = True,
) -> PortalAccount:
    """A portal account of the book's supplier for one customer."""
    totp = SecretStr(TOTP_SECRET) if with_totp and login_name == TOTP_LOGIN else None
    login = PortalLogin(
        portal_code="COUPA-SANDBOX",
        portal_url=portal_url,
        login_name=login_name,
        password=SecretStr(password),
        totp_secret=totp,
    )
    return PortalAccount(portal_account_id=1, login=login, buyer_name=buyer_name)


def outgoing_invoice(
    number: str,
    *,
    purchase_order: str | None = OPEN_PO,
    invoice_date: dt.date | None = None,
    currency: str = "USD",
    lines: tuple[tuple[str, str, str], ...] = (("Steel brackets", "4", "12.50"),),
    tax: str = "5.00",
) -> OutgoingInvoice:
    """An invoice to upload; ``lines`` are (description, quantity, unit price)."""
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
    return InvoiceDocument(file_name=file_name, content_type="application/pdf", data=data)
