"""The Ariba driver's list read (``invoice_statuses``) against the stand-in, in real Chromium.

One book for the module: every verdict the family has (on both status tracks) and a number the
outbox shows twice (a failed invoice and its resubmission), spread over four outbox pages (the
network caps a page at :data:`LIST_PAGE_CAP` rows, whatever the driver asks for). Each verdict
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

from connectors.portals.ariba import AribaDriver
from connectors.portals.base import PortalAccount, PortalInvoice, PortalStatus
from connectors.portals.errors import PortalChanged, PortalUnavailable, SessionExpired
from sandbox.faults import Faults
from sandbox.server import RunningSandbox
from tests.support.books.ariba import ariba_account, outgoing_invoice
from tests.support.books.common import invoice_pdf
from tests.support.sandbox_admin import ADMIN_TIMEOUT_S, SandboxAdmin

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

LIST_PAGE_CAP = 4  #: rows an outbox page shows: the book's 13 uploads take four pages
UNKNOWN = "AR-NEVER-SENT"
DUPLICATE = "AR-DUP-1"
#: number → the moves on its two tracks after the upload (admin bodies), oldest upload first
BOOK: dict[str, tuple[dict[str, str], ...]] = {
    "AR-SENT-1": (),
    "AR-APPR-1": ({"status": "approved", "projected_payment_date": "2031-03-15"},),
    "AR-REJ-1": ({"status": "rejected", "reason": "Wrong tax rate"},),
    "AR-PAID-1": (
        {"status": "approved", "projected_payment_date": "2031-03-20"},
        {"status": "paid", "payment_date": "2031-04-01", "payment_reference": "RA-9"},
    ),
    "AR-FAIL-1": ({"routing": "failed", "reason": "Tax ID missing"},),
    DUPLICATE: ({"routing": "failed", "reason": "Ship-to missing"},),
    "AR-CANC-1": ({"status": "canceled"},),
    "AR-SENT-2": ({"routing": "sent"},),
    "AR-OBS-1": ({"routing": "obsoleted"},),
    "AR-APPR-2": ({"status": "approved"},),
    "AR-PAID-2": (
        {"status": "approved"},
        # portal text is escaped in the page and read back as typed
        {"status": "paid", "payment_date": "2031-04-02", "payment_reference": "RA <10> & (B)"},
    ),
    "AR-SENT-3": ({"routing": "acknowledged"},),
}
#: the failed invoice's number, sent again (the network frees a failed number) and approved
RESUBMITTED = ({"status": "approved", "projected_payment_date": "2031-06-01"},)
#: what the list cannot settle, and why
LEFT_OUT = {
    "AR-REJ-1": "rejected: the reason is on the invoice page only",
    "AR-FAIL-1": "routing failed: the reason is on the invoice page only",
    "AR-CANC-1": "canceled: a cancellation may carry a reason, on the invoice page only",
    "AR-OBS-1": "obsoleted: as canceled",
    DUPLICATE: "shown twice (the failed upload and its resubmission): ambiguous",
    UNKNOWN: "not on the list",
}
ASKED = [*BOOK, UNKNOWN]


@dataclass(frozen=True, kw_only=True, slots=True)
class Book:
    """The module's book: a signed-in page, the account, the driver, the admin client."""

    page: Page
    account: PortalAccount
    driver: AribaDriver
    admin: SandboxAdmin


async def upload(book: Book, number: str, quantity: int) -> None:
    lines = (("Steel brackets", str(quantity), "12.50"),)
    invoice = outgoing_invoice(number, lines=lines)
    await book.driver.submit_invoice(book.page, book.account, invoice, invoice_pdf())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def book(chromium: Browser, running_sandbox: RunningSandbox) -> AsyncIterator[Book]:
    """The sandbox reset, the book uploaded through the driver and moved along its tracks."""
    async with httpx.AsyncClient(base_url=running_sandbox.url, timeout=ADMIN_TIMEOUT_S) as http:
        admin = SandboxAdmin(running_sandbox, http)
        await admin.reset()
        await admin.set_faults(list_page_cap=LIST_PAGE_CAP)
        context = await chromium.new_context()
        try:
            driver = AribaDriver()
            account = ariba_account(admin.portal_url("ariba"))
            shelf = Book(page=await context.new_page(), account=account, driver=driver, admin=admin)
            await driver.login(shelf.page, account)
            for quantity, (number, moves) in enumerate(BOOK.items(), start=1):
                await upload(shelf, number, quantity)
                for move in moves:
                    await admin.set_ariba_status(number, **move)
            await upload(shelf, DUPLICATE, len(BOOK) + 1)
            for move in RESUBMITTED:
                await admin.set_ariba_status(DUPLICATE, **move)
            yield shelf
        finally:
            await context.close()
            await admin.reset()  # no book or page cap left behind for the session's next module


@pytest_asyncio.fixture(loop_scope="module")
async def shelf(book: Book) -> AsyncIterator[Book]:
    """The book, with the module's faults back after the test."""
    try:
        yield book
    finally:
        await book.admin.set_faults(**{**Faults().as_json(), "list_page_cap": LIST_PAGE_CAP})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def one_by_one(book: Book) -> tuple[dict[str, PortalInvoice | None], int]:
    """Every asked invoice read from its own page, and the page loads that took."""
    before = await book.admin.page_loads("ariba")
    read = {n: await book.driver.invoice_status(book.page, book.account, n) for n in ASKED}
    return read, await book.admin.page_loads("ariba") - before


async def test_ariba_list_read_settles_what_the_invoice_pages_say(
    shelf: Book, one_by_one: tuple[dict[str, PortalInvoice | None], int]
) -> None:
    """Every verdict the outbox settles equals the invoice page's, field for field; it settles
    pending, approved and paid invoices and leaves out rejections, failed routings,
    cancellations, the number shown twice and the unknown one."""
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
    paid = listed.verdicts["AR-PAID-2"]
    assert (paid.payment_date, paid.payment_reference) == (dt.date(2031, 4, 2), "RA <10> & (B)")
    assert listed.verdicts["AR-APPR-1"].projected_pay_date == dt.date(2031, 3, 15)
    resubmitted = pages[DUPLICATE]
    assert resubmitted is not None and resubmitted.status is PortalStatus.APPROVED
    assert pages[UNKNOWN] is None


async def test_ariba_list_read_loads_fewer_pages_than_the_invoice_pages(
    shelf: Book, one_by_one: tuple[dict[str, PortalInvoice | None], int]
) -> None:
    """The whole book takes the outbox's four pages; one by one, two loads an invoice."""
    before = await shelf.admin.page_loads("ariba")
    listed = await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)
    loads = await shelf.admin.page_loads("ariba") - before
    _, loads_one_by_one = one_by_one
    assert listed.pages_read == loads == 4
    assert loads_one_by_one == 2 * len(BOOK) + 1  # search + detail each; the unknown: search
    assert loads < loads_one_by_one


async def test_ariba_list_read_stops_once_every_number_was_seen(shelf: Book) -> None:
    """The newest uploads are on the first page: one page load, settled keyed as asked."""
    listed = await shelf.driver.invoice_statuses(shelf.page, shelf.account, ["ar-sent-3"])
    assert listed.pages_read == 1
    assert list(listed.verdicts) == ["ar-sent-3"]


async def test_ariba_list_read_leaves_what_is_beyond_max_pages(shelf: Book) -> None:
    """The oldest upload is on the fourth page: with max_pages=3 it is left out."""
    listed = await shelf.driver.invoice_statuses(
        shelf.page, shelf.account, ["AR-SENT-1", "AR-SENT-2"], max_pages=3
    )
    assert listed.pages_read == 3
    assert set(listed.verdicts) == {"AR-SENT-2"}


async def test_ariba_list_read_busy_portal_is_unavailable(shelf: Book) -> None:
    """A busy outbox page raises PortalUnavailable, as the other reads do."""
    await shelf.admin.set_faults(lookup_error_rate=1.0)
    with pytest.raises(PortalUnavailable, match="busy"):
        await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)


async def test_ariba_list_read_expired_session_is_session_expired(shelf: Book) -> None:
    """The login page instead of the outbox is SessionExpired; a login heals it."""
    await shelf.admin.set_faults(session_idle_s=0.2)
    await asyncio.sleep(0.4)
    with pytest.raises(SessionExpired):
        await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)
    await shelf.admin.set_faults(session_idle_s=1800.0)
    await shelf.driver.login(shelf.page, shelf.account)
    listed = await shelf.driver.invoice_statuses(shelf.page, shelf.account, ["AR-SENT-3"])
    assert set(listed.verdicts) == {"AR-SENT-3"}


@pytest.mark.parametrize(
    ("pattern", "replacement", "says"),
    [
        # the customer filter comes back on another customer
        (r'<option value="GLOBEX" selected>', '<option value="GLOBEX">', "shows customer"),
        # the filter shows ours but the rows are another customer's
        (r'data-buyer="GLOBEX"', 'data-buyer="INITECH"', "lists invoices of customer"),
    ],
    ids=["filter", "rows"],
)
async def test_ariba_list_read_of_another_customer_is_a_changed_portal(
    shelf: Book, pattern: str, replacement: str, says: str
) -> None:
    """An outbox page showing another customer stops the read with PortalChanged."""

    async def other_customer(route: Route) -> None:
        answer = await route.fetch()
        body = re.sub(pattern, replacement, await answer.text())
        await route.fulfill(response=answer, body=body)

    outbox = re.compile(r"/ariba/outbox\?")
    await shelf.page.route(outbox, other_customer)
    try:
        with pytest.raises(PortalChanged, match=says):
            await shelf.driver.invoice_statuses(shelf.page, shelf.account, ASKED)
    finally:
        await shelf.page.unroute(outbox)
