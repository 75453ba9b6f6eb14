"""The Coupa driver's list read (``invoice_statuses``) against the stand-in, in real Chromium.

One book for the module: every verdict the family has, spread over three list pages (the
portal caps a page at :data:`LIST_PAGE_CAP` rows, whatever the driver asks for). Each verdict
the list settles must be the one the invoice's own page reads, field for field.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Route

from connectors.portals.base import PortalAccount, PortalInvoice, PortalStatus
from connectors.portals.coupa import CoupaDriver
from connectors.portals.errors import PortalChanged, PortalUnavailable, SessionExpired
from sandbox.faults import Faults
from sandbox.server import RunningSandbox
from tests.support.books.common import invoice_pdf
from tests.support.books.coupa import coupa_account, outgoing_invoice
from tests.support.sandbox_admin import ADMIN_TIMEOUT_S, SandboxAdmin

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

LIST_PAGE_CAP = 4  #: rows a list page shows: the book's 10 invoices take three pages
UNKNOWN = "ST-NEVER-SENT"
#: number → the lifecycle moves after the upload (admin bodies), oldest upload first
BOOK: dict[str, tuple[dict[str, str], ...]] = {
    "ST-PEND-1": (),
    "ST-APPR-1": ({"status": "approved", "projected_payment_date": "2031-03-15"},),
    "ST-DISP-1": ({"status": "disputed", "reason": "Price mismatch", "comment": "Use PO price"},),
    "ST-PAID-1": (
        {"status": "approved", "projected_payment_date": "2031-03-20"},
        {"status": "paid", "payment_date": "2031-04-01", "payment_number": "PAY-9"},
    ),
    "ST-VOID-1": ({"status": "voided"},),
    "ST-VOID-2": (
        {"status": "disputed", "reason": "Duplicate", "comment": "Sent twice"},
        {"status": "voided"},
    ),
    "ST-PEND-2": (),
    "ST-APPR-2": ({"status": "approved", "projected_payment_date": "2031-05-01"},),
    "ST-PAID-2": (
        {"status": "approved"},
        # portal text is escaped in the page and read back as typed
        {"status": "paid", "payment_date": "2031-04-02", "payment_number": "ACH <10> & (B)"},
    ),
    "ST-DISP-2": ({"status": "disputed", "reason": "Missing receipt"},),
}
#: what the list cannot settle, and why
LEFT_OUT = {
    "ST-DISP-1": "disputed: the reason is on the invoice page only",
    "ST-DISP-2": "disputed: the reason is on the invoice page only",
    "ST-VOID-1": "voided: a void may keep a dispute's reason, on the invoice page only",
    "ST-VOID-2": "voided: a void may keep a dispute's reason, on the invoice page only",
    UNKNOWN: "not on the list",
}
ASKED = [*BOOK, UNKNOWN]


@dataclass(frozen=True, kw_only=True, slots=True)
class Book:
    """The module's book: a signed-in page, the account, the driver, the admin client."""

    page: Page
    account: PortalAccount
    driver: CoupaDriver
    admin: SandboxAdmin


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def book(chromium: Browser, running_sandbox: RunningSandbox) -> AsyncIterator[Book]:
    """The sandbox reset, the book uploaded through the driver and moved along its lifecycle."""
    async with httpx.AsyncClient(base_url=running_sandbox.url, timeout=ADMIN_TIMEOUT_S) as http:
        admin = SandboxAdmin(running_sandbox, http)
        await admin.reset()
        await admin.set_faults(list_page_cap=LIST_PAGE_CAP)
        context = await chromium.new_context()
        try:
            page = await context.new_page()
            driver = CoupaDriver()
            account = coupa_account(admin.portal_url("coupa"))
            await driver.login(page, account)
            for quantity, (number, moves) in enumerate(BOOK.items(), start=1):
                lines = (("Steel brackets", str(quantity), "12.50"),)
                await driver.submit_invoice(
                    page, account, outgoing_invoice(number, lines=lines), invoice_pdf()
                )
                for move in moves:
                    await admin.set_coupa_status(number, buyer="GLOBEX", **move)
            yield Book(page=page, account=account, driver=driver, admin=admin)
        finally:
            await context.close()
            await admin.reset()  # no book or page cap left behind for the session's next module


@pytest_asyncio.fixture(loop_scope="module")
async def shelf(book: Book) -> AsyncIterator[Book]:
    """The book with healthy faults (as the module set them) after the test."""
    try:
        yield book
    finally:
        await book.admin.set_faults(**{**Faults().as_json(), "list_page_cap": LIST_PAGE_CAP})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def one_by_one(book: Book) -> tuple[dict[str, PortalInvoice | None], int]:
    """Every asked invoice read from its own page, and the page loads that took."""
    before = await book.admin.page_loads("coupa")
    read = {n: await book.driver.invoice_status(book.page, book.account, n) for n in ASKED}
    return read, await book.admin.page_loads("coupa") - before


async def test_coupa_list_read_settles_what_the_invoice_pages_say(
    shelf: Book, one_by_one: tuple[dict[str, PortalInvoice | None], int]
) -> None:
    """Every verdict the list settles equals the invoice page's, field for field; it settles
    the pending, approved and paid invoices and leaves out disputes, voids and the unknown."""
    listed = await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)
    pages, _ = one_by_one
    for number, verdict in listed.verdicts.items():
        assert verdict == pages[number], number
    assert set(listed.verdicts) == set(BOOK) - set(LEFT_OUT)
    assert set(ASKED) - set(listed.verdicts) == set(LEFT_OUT)
    assert {v.status for v in listed.verdicts.values()} == {
        PortalStatus.PENDING_APPROVAL,
        PortalStatus.APPROVED,
        PortalStatus.PAID,
    }
    paid = listed.verdicts["ST-PAID-2"]
    assert (paid.payment_date, paid.payment_reference) == (dt.date(2031, 4, 2), "ACH <10> & (B)")
    assert listed.verdicts["ST-APPR-1"].projected_pay_date == dt.date(2031, 3, 15)
    assert pages[UNKNOWN] is None


async def test_coupa_list_read_loads_fewer_pages_than_the_invoice_pages(
    shelf: Book, one_by_one: tuple[dict[str, PortalInvoice | None], int]
) -> None:
    """The whole book takes the list's three pages; one by one it takes two loads an invoice."""
    before = await shelf.admin.page_loads("coupa")
    listed = await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)
    loads = await shelf.admin.page_loads("coupa") - before
    _, loads_one_by_one = one_by_one
    assert listed.pages_read == loads == 3
    assert loads_one_by_one == 2 * len(BOOK) + 1  # search + detail each; the unknown: search
    assert loads < loads_one_by_one


async def test_coupa_list_read_stops_once_every_number_was_seen(shelf: Book) -> None:
    """The newest invoice is on the first page: one page load, and it is settled."""
    listed = await shelf.driver.invoice_statuses(
        shelf.page, shelf.account, ["st-disp-2", "St-Paid-2"]
    )
    assert listed.pages_read == 1
    assert list(listed.verdicts) == ["St-Paid-2"]  # keyed as asked; the dispute is left out


async def test_coupa_list_read_leaves_what_is_beyond_max_pages(shelf: Book) -> None:
    """The oldest invoice is on the third page: with max_pages=2 it is left out."""
    listed = await shelf.driver.invoice_statuses(
        shelf.page, shelf.account, ["ST-PEND-1", "ST-PEND-2"], max_pages=2
    )
    assert listed.pages_read == 2
    assert set(listed.verdicts) == {"ST-PEND-2"}


async def test_coupa_list_read_of_nothing_loads_nothing(shelf: Book) -> None:
    """No numbers asked: no page load, nothing settled."""
    before = await shelf.admin.page_loads("coupa")
    listed = await shelf.driver.invoice_statuses(shelf.page, shelf.account, [])
    assert (listed.verdicts, listed.pages_read) == ({}, 0)
    assert await shelf.admin.page_loads("coupa") == before


async def test_coupa_list_read_busy_portal_is_unavailable(shelf: Book) -> None:
    """A "System busy" list page raises PortalUnavailable, as the other reads do."""
    await shelf.admin.set_faults(lookup_error_rate=1.0)
    with pytest.raises(PortalUnavailable, match="System busy"):
        await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)


async def test_coupa_list_read_expired_session_is_session_expired(shelf: Book) -> None:
    """The login page instead of the list is SessionExpired; a login heals it."""
    await shelf.admin.set_faults(session_idle_s=0.2)
    await asyncio.sleep(0.4)
    with pytest.raises(SessionExpired):
        await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)
    await shelf.admin.set_faults(session_idle_s=1800.0)
    await shelf.driver.login(shelf.page, shelf.account)
    listed = await shelf.driver.invoice_statuses(shelf.page, shelf.account, ["ST-PEND-2"])
    assert set(listed.verdicts) == {"ST-PEND-2"}


async def test_coupa_list_read_of_another_customer_is_a_changed_portal(shelf: Book) -> None:
    """A list page showing another customer stops the read with PortalChanged."""

    async def other_customer(route: Route) -> None:
        answer = await route.fetch()
        body = re.sub(
            r'data-customer-code="[^"]*"', 'data-customer-code="INITECH"', await answer.text()
        )
        await route.fulfill(response=answer, body=body)

    await shelf.page.route(re.compile(r"/coupa/invoices\?"), other_customer)
    try:
        with pytest.raises(PortalChanged, match="shows customer"):
            await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)
    finally:
        await shelf.page.unroute(re.compile(r"/coupa/invoices\?"))
