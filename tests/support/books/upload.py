"""A small book for the upload-style portal: one supplier login, three customers, a few POs.

Small on purpose: each customer has the locale that matters (en-US strict, de-DE lenient like
Basware, fr-FR strict), and each PO exists to provoke one verdict of the portal's validation
(an open PO with room for many invoices, a closed one, one with 100.00 left, a EUR one).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import SecretStr

from connectors.portals.base import (
    OutgoingInvoice,
    OutgoingLine,
    PortalAccount,
    PortalLogin,
)
from sandbox.catalog import Buyer, Catalog, PortalUser, PurchaseOrder
from tests.support.books.common import GLOBEX

LOGIN = "ar@northwind.test"
PASSWORD = "Upl0ad-sandbox!"
RHEIN = "Rheinwerk Maschinenbau GmbH"  #: de-DE: a wrong separator is silently misread
LUMI = "Lumière Cosmétiques SA"  #: fr-FR: a wrong separator is refused
#: Globex (GLOBEX) is en-US
OPEN_PO = "PO-5001"  #: Globex, USD 100,000.00
CLOSED_PO = "PO-5002"  #: Globex, closed
SMALL_PO = "PO-5003"  #: Globex, USD 100.00 left
EUR_PO = "PO-6001"  #: Rheinwerk, EUR 50,000.00
LUMI_PO = "PO-7001"  #: Lumière, EUR 20,000.00


def upload_catalog(*, validation_delay_s: float = 0.05) -> Catalog:
    """The portal side of the book; validation runs ``validation_delay_s`` after an upload."""
    return Catalog(
        users=(PortalUser(family="upload", login_name=LOGIN, password=PASSWORD),),
        buyers=(
            Buyer(family="upload", name=GLOBEX, code="GLOBEX"),
            Buyer(family="upload", name=RHEIN, code="RHEIN"),
            Buyer(family="upload", name=LUMI, code="LUMI"),
        ),
        purchase_orders=(
            _po(OPEN_PO, "GLOBEX", "USD", "100000.00"),
            _po(CLOSED_PO, "GLOBEX", "USD", "500.00", status="CLOSED"),
            _po(SMALL_PO, "GLOBEX", "USD", "400.00", invoiced="300.00"),
            _po(EUR_PO, "RHEIN", "EUR", "50000.00"),
            _po(LUMI_PO, "LUMI", "EUR", "20000.00"),
        ),
        extra={
            "upload_validation_delay_s": str(validation_delay_s),
            "upload_locale": "en-US",
            "upload_locale:RHEIN": "de-DE",
            "upload_locale:LUMI": "fr-FR",
        },
    )


def _po(
    number: str,
    buyer: str,
    currency: str,
    amount: str,
    *,
    invoiced: str = "0",
    status: str = "OPEN",
) -> PurchaseOrder:
    return PurchaseOrder(
        family="upload",
        number=number,
        buyer_code=buyer,
        currency=currency,
        amount=Decimal(amount),
        invoiced=Decimal(invoiced),
        status=status,
    )


def upload_account(
    portal_url: str,
    *,
    password: str = PASSWORD,
    buyer_name: str | None = GLOBEX,
    options: dict[str, str] | None = None,
) -> PortalAccount:
    """The book's supplier on the upload portal, for one customer."""
    login = PortalLogin(
        portal_code="upload",
        portal_url=portal_url,
        login_name=LOGIN,
        password=SecretStr(password),
    )
    return PortalAccount(
        portal_account_id=7, login=login, buyer_name=buyer_name, options=options or {}
    )


def outgoing_invoice(
    number: str,
    *,
    purchase_order: str | None = OPEN_PO,
    invoice_date: dt.date | None = None,
    due_date: dt.date | None = None,
    currency: str = "USD",
    net: str = "1234.56",
    tax: str = "234.57",
    buyer_name: str = GLOBEX,
) -> OutgoingInvoice:
    """An invoice to upload, with one line for its net amount."""
    net_amount = Decimal(net)
    return OutgoingInvoice(
        invoice_number=number,
        invoice_date=invoice_date or dt.date.today(),
        due_date=due_date,
        currency=currency,
        total_amount=net_amount + Decimal(tax),
        tax_amount=Decimal(tax),
        purchase_order=purchase_order,
        buyer_name=buyer_name,
        lines=(
            OutgoingLine(
                line_number=1,
                description="Safety glasses, anti-fog",
                quantity=Decimal("48"),
                unit_price=(net_amount / 48).quantize(Decimal("0.0001")),
                amount=net_amount,
            ),
        ),
    )
