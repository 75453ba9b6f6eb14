"""The Coupa-style books: the browser tests' (logins, customers, POs, invoices to upload) and the
stand-in portal tests' (other logins, small amounts).

Small on purpose: each PO exists to provoke one behaviour (an open PO with room for many
invoices, a closed one, one with little left, one of another customer in another currency).
"""

from __future__ import annotations

from functools import partial

import pyotp
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

TOTP_SECRET = pyotp.random_base32()
TOTP_LOGIN = "ap@acme-supplies.test"
PLAIN_LOGIN = "ar@acme-supplies.test"
PASSWORD = "Tr0ub4dor&3-sandbox"
OPEN_PO = "PO-1001"  #: 100,000.00 USD, two lines
CLOSED_PO = "PO-1002"
SMALL_PO = "PO-1003"  #: 100.00 USD left
EUR_PO = "PO-2001"  #: Initech, EUR
OPEN_PO_LINES = (("Steel brackets", "100", "12.50"), ("Installation", "10", "80.00"))


def coupa_catalog() -> Catalog:
    """The portal side of the book."""
    return Catalog(
        users=(
            PortalUser(
                family="coupa", login_name=TOTP_LOGIN, password=PASSWORD, totp_secret=TOTP_SECRET
            ),
            PortalUser(family="coupa", login_name=PLAIN_LOGIN, password=PASSWORD),
        ),
        buyers=book_buyers("coupa"),
        purchase_orders=(
            open_po("coupa", OPEN_PO, amount="100000.00", lines=OPEN_PO_LINES),
            closed_po("coupa", CLOSED_PO),
            nearly_spent_po("coupa", SMALL_PO),
            initech_po("coupa", EUR_PO, amount="5000.00"),
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


#: an invoice to upload on the open PO unless told; ``lines`` are (description, quantity, price)
outgoing_invoice = partial(book_invoice, purchase_order=OPEN_PO)

# --- the stand-in portal tests' book ----------------------------------------------------------

STANDIN_TOTP_SECRET = pyotp.random_base32()
STANDIN_TOTP_USER = "ap@supplier.test"
STANDIN_PLAIN_USER = "billing@supplier.test"
STANDIN_PASSWORD = "Correct-Horse-1"


def standin_catalog() -> Catalog:
    """Two suppliers' logins (one with TOTP), two customers, an open, a closed and a EUR PO."""
    return Catalog(
        users=(
            PortalUser(
                family="coupa",
                login_name=STANDIN_TOTP_USER,
                password=STANDIN_PASSWORD,
                totp_secret=STANDIN_TOTP_SECRET,
            ),
            PortalUser(family="coupa", login_name=STANDIN_PLAIN_USER, password=STANDIN_PASSWORD),
        ),
        buyers=book_buyers("coupa"),
        purchase_orders=(
            open_po("coupa", "PO-1001", amount="1000.00", lines=(("Widgets", "10", "50.00"),)),
            closed_po("coupa", "PO-1002"),
            initech_po("coupa", "PO-2001", amount="300.00"),
        ),
    )
