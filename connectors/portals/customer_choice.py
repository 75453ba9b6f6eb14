"""Picking the portal account's buyer from the customer list a portal shows in a ``<select>``.

Coupa- and Ariba-style portals both list the supplier's customers as options (name → code) and
scope every page by the code. The driver must find the account's buyer by name, or the only
customer when no name is configured, and stop with ``PortalChanged`` naming the customers it did
see when it cannot: a submission under the wrong customer must be impossible. The list is kept
per portal and login, so a run reads it once however many buyers share the login, even when
several pages start at the same moment (they wait for the first one's answer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from connectors.portals.errors import PortalChanged, wrap_playwright_errors
from connectors.portals.matching import normalised

if TYPE_CHECKING:
    from playwright.async_api import Page

    from connectors.portals.base import PortalAccount
    from connectors.portals.portal_page import PortalPages

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
    """One driver's buyers: the portal's customer list, read once per portal and login."""

    def __init__(self, listing: CustomerList, pages: PortalPages) -> None:
        self._listing = listing
        self._pages = pages
        self._lists: dict[tuple[str, str], list[PortalCustomer]] = {}
        self._reading: dict[tuple[str, str], asyncio.Lock] = {}

    async def customer(self, page: Page, account: PortalAccount, base: str) -> PortalCustomer:
        """The account's buyer as the portal at ``base`` knows it (name → code)."""
        key = (base, account.login.login_name)
        choices = self._lists.get(key)
        if choices is None:
            async with self._reading.setdefault(key, asyncio.Lock()):
                choices = self._lists.get(key)
                if choices is None:
                    choices = await self._read_list(page, base)
                    self._lists[key] = choices
        found = _chosen(choices, normalised(account.buyer_name or ""))
        if found is None:
            names = ", ".join(c.name for c in choices) or "none"
            raise PortalChanged(
                f"select customer: customer {account.buyer_name!r} {self._listing.absent} "
                f"({names}); check the buyer name of portal account {account.portal_account_id}"
            )
        return found

    async def _read_list(self, page: Page, base: str) -> list[PortalCustomer]:
        listing = self._listing
        step = "select customer"
        await self._pages.open(page, f"{base}{listing.path}", step)
        await self._pages.require(page, listing.selector, listing.what, step)
        with wrap_playwright_errors(step):
            options: list[list[str]] = await page.locator(
                f"{listing.selector} option"
            ).evaluate_all(_OPTIONS_JS)
        return [PortalCustomer(name=name, code=code) for name, code in options if code]


def _chosen(choices: Sequence[PortalCustomer], wanted: str) -> PortalCustomer | None:
    """The customer named ``wanted`` (normalised), or the only one when no name is wanted."""
    if wanted:
        return next((c for c in choices if normalised(c.name) == wanted), None)
    return choices[0] if len(choices) == 1 else None
