"""What a stand-in portal knows before any invoice arrives: its users, buyers and purchase orders.

The demo book (:mod:`sandbox.book`) and the portal server are separate processes in the tests,
so both derive the same catalog from the same deterministic generator rather than sharing state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalUser:
    """A supplier login on one stand-in portal family."""

    family: str  #: "coupa", "ariba", "upload"
    login_name: str
    password: str
    totp_secret: str | None = None  #: base32; None when the portal asks no second factor


@dataclass(frozen=True, kw_only=True, slots=True)
class Buyer:
    """A customer as the portal names it (the supplier picks it in the customer selector)."""

    family: str
    name: str
    code: str  #: short id used in URLs, e.g. "ACME"


@dataclass(frozen=True, kw_only=True, slots=True)
class PurchaseOrderLine:
    line_number: int
    description: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class PurchaseOrder:
    """A buyer's PO on the portal; invoices are flipped from it."""

    family: str
    number: str
    buyer_code: str
    currency: str
    amount: Decimal  #: total PO value
    invoiced: Decimal = Decimal("0")  #: already invoiced before the demo starts
    status: str = "OPEN"  #: "OPEN" or "CLOSED"
    lines: tuple[PurchaseOrderLine, ...] = ()

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.invoiced


@dataclass(frozen=True, kw_only=True, slots=True)
class Catalog:
    """Everything the stand-in portals serve before the first upload."""

    users: tuple[PortalUser, ...] = ()
    buyers: tuple[Buyer, ...] = ()
    purchase_orders: tuple[PurchaseOrder, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def for_family(self, family: str) -> Catalog:
        """The part of the catalog one portal family serves."""
        return Catalog(
            users=tuple(u for u in self.users if u.family == family),
            buyers=tuple(b for b in self.buyers if b.family == family),
            purchase_orders=tuple(p for p in self.purchase_orders if p.family == family),
        )
