"""A portal gateway that answers as a test tells it, for the drain's and jobs' branches.

The real gateway and drivers are proved against the stand-in portals in real Chromium
(tests/browser, tests/e2e); these tests are about what the jobs do with each answer (pauses,
the breaker, hand-backs, notes), which a fake shows in milliseconds and deterministically.
It keeps the real gateway's in-run pauses (a refused login fails every later call at once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from connectors.portals.base import (
    InvoiceDocument,
    OutgoingInvoice,
    PortalAccount,
    PortalInvoice,
    PortalReceipt,
    StatusList,
    SubmitFence,
    no_fence,
)
from connectors.portals.errors import LoginFailed, PortalChanged, PortalError

#: what the fake does for one call: return a value or raise
Answer = Callable[[str], object]


@dataclass
class FakeGateway:
    """Counts logins, lookups, uploads and status reads; answers through the callables."""

    #: raised at the first call of a login (as a refused password would be), if set
    login_error: PortalError | None = None
    #: invoice number → what a lookup returns (None: not on the portal)
    on_portal: dict[str, PortalInvoice] = field(default_factory=dict)
    #: raised by every upload before the click, if set (a busy or unreachable portal)
    submit_error: PortalError | None = None
    #: raised by every status read, if set
    status_error: PortalError | None = None
    logins: int = 0
    lookups: int = 0
    uploads: list[str] = field(default_factory=list)
    status_reads: int = 0
    #: invoice numbers the portal's list pages show (verdicts from ``on_portal``); None: the
    #: portal has no list, every verdict is read from the invoice's own page
    listed: set[str] | None = None
    list_reads: int = 0
    #: invoice numbers asked for in list reads, read after read
    list_asked: list[list[str]] = field(default_factory=list)
    #: called at each list read, before it answers (a test's "meanwhile, elsewhere")
    during_list_read: Callable[[], None] | None = None
    _logged_in: set[str] = field(default_factory=set)
    _held_logins: dict[str, str] = field(default_factory=dict)
    _held_portals: dict[str, str] = field(default_factory=dict)

    # -- what jobs call ----------------------------------------------------------------------

    async def find_invoice(
        self, account: PortalAccount, invoice_number: str, *, evidence: str
    ) -> PortalInvoice | None:
        self._enter(account)
        self.lookups += 1
        return self.on_portal.get(invoice_number)

    async def submit_invoice(
        self,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        *,
        evidence: str,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        self._enter(account)
        if self.submit_error is not None:
            raise self.submit_error
        await fence()
        self.uploads.append(invoice.invoice_number)
        return PortalReceipt(
            invoice_number=invoice.invoice_number, portal_reference=f"FK-{len(self.uploads)}"
        )

    async def invoice_statuses(
        self,
        account: PortalAccount,
        invoice_numbers: Sequence[str],
        *,
        evidence: str,
        max_pages: int = 40,
    ) -> StatusList:
        self._enter(account)
        self.list_reads += 1
        self.list_asked.append(list(invoice_numbers))
        if self.during_list_read is not None:
            self.during_list_read()
        if self.status_error is not None:
            raise self.status_error
        if self.listed is None:
            return StatusList()
        verdicts = {
            n: self.on_portal[n]
            for n in invoice_numbers
            if n in self.listed and n in self.on_portal
        }
        return StatusList(verdicts=verdicts, pages_read=1)

    async def invoice_status(
        self, account: PortalAccount, invoice_number: str, *, evidence: str
    ) -> PortalInvoice | None:
        self._enter(account)
        self.status_reads += 1
        if self.status_error is not None:
            raise self.status_error
        return self.on_portal.get(invoice_number)

    def hold_login(self, key: str, reason: str) -> None:
        self._held_logins.setdefault(key, reason)

    def hold_portal(self, portal_code: str, reason: str) -> None:
        self._held_portals.setdefault(portal_code, reason)

    def release_portal(self, portal_code: str) -> None:
        self._held_portals.pop(portal_code, None)

    def paused_logins(self) -> dict[str, str]:
        return dict(self._held_logins)

    def paused_portals(self) -> dict[str, str]:
        return dict(self._held_portals)

    # -- the login, as the real gateway does it ------------------------------------------------

    def _enter(self, account: PortalAccount) -> None:
        key = account.login.key
        if key in self._held_logins:
            raise LoginFailed(f"login paused: {self._held_logins[key]}")
        if account.login.portal_code in self._held_portals:
            raise PortalChanged(f"portal paused: {self._held_portals[account.login.portal_code]}")
        if key in self._logged_in:
            return
        self.logins += 1
        if self.login_error is not None:
            self._held_logins[key] = self.login_error.message
            raise self.login_error
        self._logged_in.add(key)
