"""The portal driver contract and the values that cross it.

A driver knows one family of portal pages (Coupa-style, Ariba-style, ...) and nothing about
Oracle: the jobs translate an EBS invoice into an :class:`OutgoingInvoice` and a portal answer
back into notes. Drivers receive a Playwright ``Page`` that the browser runtime owns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import SecretStr

if TYPE_CHECKING:
    from playwright.async_api import Page


class PortalStatus(StrEnum):
    """The portal's verdict on a submitted invoice, normalised across portal families."""

    #: received, not yet approved (Coupa "Pending Approval", Ariba "Sent", Tungsten "Accepted")
    PENDING_APPROVAL = "PENDING_APPROVAL"
    #: approved for payment, often with a projected pay date
    APPROVED = "APPROVED"
    #: the buyer disputes it (reason + comment); a person must act
    DISPUTED = "DISPUTED"
    #: refused after submission (async validation, buyer rejection)
    REJECTED = "REJECTED"
    #: paid, with a payment date and number
    PAID = "PAID"
    #: voided or cancelled on the portal
    VOIDED = "VOIDED"

    @property
    def is_final(self) -> bool:
        """Final statuses are not polled again."""
        return self in (PortalStatus.PAID, PortalStatus.VOIDED)


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalLogin:
    """Everything needed to log in to one portal as one supplier user."""

    portal_code: str
    portal_url: str
    login_name: str
    password: SecretStr
    totp_secret: SecretStr | None = None

    @property
    def key(self) -> str:
        """Identity of the login: contexts, storage state and login pauses are keyed by it."""
        return login_key(self.portal_code, self.portal_url, self.login_name)


def login_key(portal_code: str, portal_url: str, login_name: str) -> str:
    """The identity of a portal login (one supplier user on one portal)."""
    return f"{portal_code}|{portal_url.rstrip('/')}|{login_name}"


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalAccount:
    """One customer account's presence on a portal (a row of XX_ARW_PORTAL_ACCOUNTS)."""

    portal_account_id: int
    login: PortalLogin
    buyer_name: str | None = None
    supplier_portal_id: str | None = None
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class OutgoingLine:
    """One invoice line as the portal wants it."""

    line_number: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class OutgoingInvoice:
    """An invoice ready to upload, with the number the portal will know it by."""

    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date | None
    currency: str
    total_amount: Decimal
    tax_amount: Decimal
    purchase_order: str | None
    buyer_name: str | None
    lines: tuple[OutgoingLine, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceDocument:
    """The PDF of the invoice (from FND_LOBS, or rendered when EBS has none)."""

    file_name: str
    content_type: str
    data: bytes
    rendered: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalReceipt:
    """The portal accepted the upload."""

    invoice_number: str
    portal_reference: str
    message: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalInvoice:
    """What the portal shows about one invoice."""

    invoice_number: str
    portal_reference: str | None
    raw_status: str
    status: PortalStatus
    amount: Decimal | None = None
    status_date: dt.date | None = None
    reason: str | None = None
    projected_pay_date: dt.date | None = None
    payment_date: dt.date | None = None
    payment_reference: str | None = None


#: list pages one status read pages through before the rest is read invoice by invoice
DEFAULT_LIST_PAGES = 40


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusList:
    """What a portal's invoice list settled in one read: many verdicts per page load.

    ``verdicts`` is keyed by the invoice number as the caller asked for it. An asked number
    that is not there is read from the invoice's own page by the caller: the list did not show
    it within the pages read, showed it twice (ambiguous), or shows a verdict whose details only
    the invoice page has (a dispute's reason). A list read must never settle a verdict the
    invoice page would read differently: both feed the same notes.
    """

    verdicts: dict[str, PortalInvoice] = field(default_factory=dict)
    #: list pages loaded for this read (benchmarks and the run summary count them)
    pages_read: int = 0


class SubmitFence(Protocol):
    """Awaited by a driver immediately before the irreversible submit click, and only there.

    It proves that this worker still holds the item (raising ``SubmitFenced`` when it does not:
    the driver must then not click) and records that the click may happen from now on, so that
    whoever touches the item later looks the invoice up on the portal before uploading it.
    """

    async def __call__(self) -> None: ...


async def no_fence() -> None:
    """The fence of a driver call outside the queue (tests, benchmarks): nothing to prove."""


@runtime_checkable
class PortalDriver(Protocol):
    """What every portal family implements. Errors are :mod:`connectors.portals.errors`."""

    family: str

    async def login(self, page: Page, account: PortalAccount) -> None:
        """Log in (password and, if configured, TOTP); raise ``LoginFailed`` on refusal."""

    async def find_invoice(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """Look the invoice up on the portal; ``None`` when the portal does not have it."""

    async def submit_invoice(
        self,
        page: Page,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        """Upload the invoice; raise ``InvoiceRejected`` when the portal refuses it.

        ``await fence()`` comes immediately before the submit click and nowhere else.
        """

    async def invoice_status(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """Read the portal's current status of the invoice."""

    async def invoice_statuses(
        self,
        page: Page,
        account: PortalAccount,
        invoice_numbers: Sequence[str],
        *,
        max_pages: int = DEFAULT_LIST_PAGES,
    ) -> StatusList:
        """Read many verdicts from the portal's list pages, at most ``max_pages`` of them.

        Stops paging once every asked number was seen. What it cannot settle it leaves out
        (see :class:`StatusList`); a driver whose portal has no list returns an empty one.
        """
