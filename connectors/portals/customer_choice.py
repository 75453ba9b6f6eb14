"""Picking the portal account's buyer from the customer list a portal shows in a ``<select>``.

Coupa- and Ariba-style portals both list the supplier's customers as options (name → code) and
scope every page by the code. The driver must find the account's buyer by name, or the only
customer when no name is configured, and stop with ``PortalChanged`` naming the customers it did
see when it cannot: a submission under the wrong customer must be impossible. The answer is kept
per portal, login and buyer so each run asks the portal once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from connectors.portals.errors import PortalChanged, wrap_playwright_errors
from connectors.portals.page_checks import normalised, require

if TYPE_CHECKING:
    from playwright.async_api import Page

    from connectors.portals.base import PortalAccount

#: opens a URL for a step and checks where the page landed (the driver's own rules)
OpenPage = Callable[["Page", str, str], Awaitable[None]]

_OPTIONS_JS = "els => els.map(e => [e.textContent.trim(), e.value])"


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalCustomer:
    """A customer as the portal knows it: the name it shows and the code its URLs carry."""

    name: str
    code: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CustomerList:
    """Where a portal lists the customers, and how the driver words a buyer it does not list."""

    path: str  #: the page with the list, after the portal's base URL
    selector: str  #: the ``<select>`` holding one option per customer
    what: str  #: the list as named in a PortalChanged ("customer selector")
    absent: str  #: "customer 'X' <absent> (A, B)": how a miss is worded


class CustomerChoice:
    """One driver's buyers, looked up on the portal once per portal, login and buyer name."""

    def __init__(self, listing: CustomerList, open_page: OpenPage) -> None:
        self._listing = listing
        self._open_page = open_page
        self._known: dict[tuple[str, str, str], PortalCustomer] = {}

    async def customer(self, page: Page, account: PortalAccount, base: str) -> PortalCustomer:
        """The account's buyer as the portal at ``base`` knows it (name → code)."""
        listing = self._listing
        wanted = normalised(account.buyer_name or "")
        key = (base, account.login.login_name, wanted)
        known = self._known.get(key)
        if known is not None:
            return known
        step = "select customer"
        await self._open_page(page, f"{base}{listing.path}", step)
        await require(page, listing.selector, listing.what, step)
        with wrap_playwright_errors(step):
            options: list[list[str]] = await page.locator(
                f"{listing.selector} option"
            ).evaluate_all(_OPTIONS_JS)
        choices = [PortalCustomer(name=name, code=code) for name, code in options if code]
        found = _chosen(choices, wanted)
        if found is None:
            names = ", ".join(c.name for c in choices) or "none"
            raise PortalChanged(
                f"{step}: customer {account.buyer_name!r} {listing.absent} "
                f"({names}); check the buyer name of portal account {account.portal_account_id}"
            )
        self._known[key] = found
        return found


def _chosen(choices: Sequence[PortalCustomer], wanted: str) -> PortalCustomer | None:
    """The customer named ``wanted`` (normalised), or the only one when no name is wanted."""
    if wanted:
        return next((c for c in choices if normalised(c.name) == wanted), None)
    return choices[0] if len(choices) == 1 else None
