"""The Ariba-style books: the browser tests' (logins on the Northwind supplier, 7000-series orders)
and the stand-in portal tests' (small amounts, a login of another family among the users).

Small on purpose: each order exists to provoke one behaviour (an open one with room for many
invoices, a closed one, one with 100.00 left, one of another customer in another currency).
"""

from __future__ import annotations

from functools import partial

from pydantic import SecretStr

from connectors.portals.base import PortalAccount, PortalLogin
from sandbox.catalog import Catalog, PortalUser
from tests.support.books.common import (
    GLOBEX,
    book_buyers,
    book_invoice,
    closed_po,
    initech_po,
    nearly_spent_po,
    open_po,
)

# --- the browser tests' book ------------------------------------------------------------------

LOGIN = "ar@northwind.test"
OTHER_LOGIN = "billing@northwind.test"
PASSWORD = "Ariba-Sandbox-Pass-1"
OPEN_PO = "PO-7001"  #: 100,000.00 USD, two lines
CLOSED_PO = "PO-7002"
SMALL_PO = "PO-7003"  #: 100.00 USD left
EUR_PO = "PO-7101"  #: Initech, EUR
OPEN_PO_LINES = (("Steel brackets", "100", "12.50"), ("Installation", "10", "80.00"))


def ariba_catalog() -> Catalog:
    """The portal side: two logins, two customers, an open, a closed and a nearly spent PO."""
    return Catalog(
        users=(
            PortalUser(family="ariba", login_name=LOGIN, password=PASSWORD),
            PortalUser(family="ariba", login_name=OTHER_LOGIN, password=PASSWORD),
        ),
        buyers=book_buyers("ariba"),
        purchase_orders=(
            open_po("ariba", OPEN_PO, amount="100000.00", lines=OPEN_PO_LINES),
            closed_po("ariba", CLOSED_PO),
            nearly_spent_po("ariba", SMALL_PO),
            initech_po("ariba", EUR_PO, amount="5000.00"),
        ),
    )


def ariba_account(portal_url: str, *, login_name: str = LOGIN) -> PortalAccount:
    """The supplier's portal account for Globex."""
    login = PortalLogin(
        portal_code="ARIBA-SANDBOX",
        portal_url=portal_url,
        login_name=login_name,
        password=SecretStr(PASSWORD),
    )
    return PortalAccount(portal_account_id=7, login=login, buyer_name=GLOBEX)


#: an invoice to upload on the open PO unless told; ``lines`` are (description, quantity, price)
outgoing_invoice = partial(book_invoice, purchase_order=OPEN_PO)

# --- the stand-in portal tests' book ----------------------------------------------------------

STANDIN_USER = "ar@supplier.test"
STANDIN_OTHER_USER = "billing@supplier.test"
STANDIN_PASSWORD = "Ariba-Sandbox-1"


def standin_catalog() -> Catalog:
    """Two logins, two customers; an open two-line PO, a closed one, one with 100.00 left."""
    return Catalog(
        users=(
            PortalUser(family="ariba", login_name=STANDIN_USER, password=STANDIN_PASSWORD),
            PortalUser(family="ariba", login_name=STANDIN_OTHER_USER, password=STANDIN_PASSWORD),
            PortalUser(
                family="coupa", login_name="coupa-only@supplier.test", password=STANDIN_PASSWORD
            ),
        ),
        buyers=book_buyers("ariba"),
        purchase_orders=(
            open_po(
                "ariba",
                "PO-A1",
                amount="1000.00",
                lines=(("Widgets", "10", "50.00"), ("Freight", "1", "25.00")),
            ),
            closed_po("ariba", "PO-A2"),
            nearly_spent_po("ariba", "PO-A3"),
            initech_po("ariba", "PO-I1", amount="300.00"),
        ),
    )
