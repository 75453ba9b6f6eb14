"""The shipped recipe's invoice list ([status.list]) against the upload stand-in, in real headless
Chromium: it settles the verdicts its pages show exactly as the per-invoice search reads them, in
fewer page loads, and leaves to that search what it cannot settle (a number shown twice, a refused
upload when the list was not read to its end, a detail it lacks, a number it does not show)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from connectors.portals.base import OutgoingInvoice, PortalAccount, PortalInvoice, PortalStatus
from connectors.portals.errors import InvoiceRejected, PortalChanged, PortalUnavailable
from connectors.portals.recipe.driver import RecipeDriver
from connectors.portals.recipe.files import installed_recipes_dir, load_recipe
from sandbox.server import RunningSandbox, start_sandbox
from tests.support.books import all_portals_catalog
from tests.support.books.common import invoice_pdf
from tests.support.books.upload import (
    CLOSED_PO,
    EUR_PO,
    RHEIN,
    outgoing_invoice,
    upload_account,
)
from tests.support.recipe_text import SHIPPED_TEXT
from tests.support.sandbox_admin import ADMIN_TIMEOUT_S, SandboxAdmin

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

TODAY = dt.date.today()
VALIDATION_DELAY_S = 0.05  #: the upload portal validates an upload this long after it arrives
#: the shipped list, three rows a page, so that the small book spans three pages
THREE_A_PAGE = ('open = "/status?per_page=100"', 'open = "/status?per_page=3"')
PENDING, APPROVED, PAID, REJECTED = "SL-PENDING", "SL-APPROVED", "SL-PAID", "SL-REJECTED"
IN_ERROR, TWICE, NEVER = "SL-IN-ERROR", "SL-TWICE", "SL-NEVER"
#: every Globex number of the book, and one the portal never saw
ASKED = [PENDING, APPROVED, PAID, REJECTED, IN_ERROR, TWICE, NEVER]
#: what the list settles, read to its end: everything shown once
SETTLED = {PENDING, APPROVED, PAID, REJECTED, IN_ERROR}


@dataclass(frozen=True, kw_only=True, slots=True)
class Book:
    """The upload portal holding one invoice per verdict, for Globex (and one for Rheinwerk)."""

    admin: SandboxAdmin
    account: PortalAccount  #: Globex's
    browser: Browser


def variant(tmp_path: Path, *changes: tuple[str, str]) -> RecipeDriver:
    """A driver of the shipped recipe with some changes (each applying exactly once)."""
    text = SHIPPED_TEXT
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} must occur once in the shipped recipe"
        text = text.replace(old, new)
    path = tmp_path / "upload.toml"
    path.write_text(text, encoding="utf-8")
    return RecipeDriver(load_recipe(path))


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[RunningSandbox]:
    """A sandbox of this module's own: the book is built once and other tests reset theirs."""
    with start_sandbox(
        all_portals_catalog(upload_validation_delay_s=VALIDATION_DELAY_S)
    ) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def book(own_sandbox: RunningSandbox, chromium: Browser) -> AsyncIterator[Book]:
    """Built once for the module (the tests only read it), newest upload first on the list:

    page 1: SL-TWICE (In error: a duplicate), SL-REJECTED (by the buyer), SL-PAID;
    page 2: SL-APPROVED, SL-PENDING (Accepted), SL-PENDING of Rheinwerk (another customer);
    page 3: SL-TWICE (Accepted: the live upload), SL-IN-ERROR (refused by the validation).
    """
    async with httpx.AsyncClient(base_url=own_sandbox.url, timeout=ADMIN_TIMEOUT_S) as http:
        admin = SandboxAdmin(own_sandbox, http)
        url = admin.portal_url("upload")
        globex, rhein = upload_account(url), upload_account(url, buyer_name=RHEIN)
        driver = RecipeDriver(load_recipe(installed_recipes_dir() / "upload.toml"))
        context = await chromium.new_context()
        page = await context.new_page()
        try:
            await driver.login(page, globex)

            async def submit(invoice: OutgoingInvoice, account: PortalAccount = globex) -> None:
                await driver.submit_invoice(page, account, invoice, invoice_pdf())

            with pytest.raises(InvoiceRejected):
                await submit(outgoing_invoice(IN_ERROR, purchase_order=CLOSED_PO))
            await submit(outgoing_invoice(TWICE))
            rhein_invoice = outgoing_invoice(
                PENDING, purchase_order=EUR_PO, currency="EUR", buyer_name=RHEIN
            )
            await submit(rhein_invoice, rhein)
            for number in (PENDING, APPROVED, PAID, REJECTED):
                await submit(outgoing_invoice(number))
            with pytest.raises(InvoiceRejected):
                await submit(outgoing_invoice(TWICE))
            pay_on = (TODAY + dt.timedelta(days=30)).isoformat()
            await admin.set_upload_status(APPROVED, "approved", projected_payment_date=pay_on)
            await admin.set_upload_status(PAID, "approved", projected_payment_date=pay_on)
            await admin.set_upload_status(PAID, "paid", payment_reference="REM-77")
            await admin.set_upload_status(REJECTED, "rejected", reason="Goods not received")
        finally:
            await context.close()
        yield Book(admin=admin, account=globex, browser=chromium)


@pytest_asyncio.fixture(loop_scope="module")
async def page(book: Book) -> AsyncIterator[Page]:
    """A signed-in page of a context of its own."""
    context = await book.browser.new_context()
    try:
        signed_in = await context.new_page()
        await RecipeDriver(load_recipe(installed_recipes_dir() / "upload.toml")).login(
            signed_in, book.account
        )
        yield signed_in
    finally:
        await context.close()


async def status_loads(admin: SandboxAdmin) -> int:
    return (await admin.upload_page_loads()).get("/status", 0)


async def test_status_list_settles_every_verdict_as_the_invoice_search_reads_it(
    book: Book, page: Page, tmp_path: Path
) -> None:
    """Over three list pages, the list settles each verdict shown once (pending, approved with
    its pay date, paid with its date and reference, rejected and refused with their reasons)
    equal to invoice_status, in fewer page loads; a number shown twice and an unknown one are
    left to the search."""
    driver = variant(tmp_path, THREE_A_PAGE)
    before = await status_loads(book.admin)
    listed = await driver.invoice_statuses(page, book.account, ASKED)
    list_loads = await status_loads(book.admin) - before
    one_by_one: dict[str, PortalInvoice | None] = {}
    for number in ASKED:
        one_by_one[number] = await driver.invoice_status(page, book.account, number)
    search_loads = await status_loads(book.admin) - before - list_loads

    assert set(listed.verdicts) == SETTLED
    assert listed.verdicts == {number: one_by_one[number] for number in SETTLED}
    assert (listed.pages_read, list_loads, search_loads) == (3, 3, len(ASKED))
    paid = listed.verdicts[PAID]
    assert (paid.status, paid.payment_date, paid.payment_reference) == (
        PortalStatus.PAID,
        TODAY,
        "REM-77",
    )
    assert paid.projected_pay_date == TODAY + dt.timedelta(days=30)
    refused = listed.verdicts[IN_ERROR]
    assert (refused.raw_status, refused.status) == ("In error", PortalStatus.REJECTED)
    assert refused.reason is not None and refused.reason.startswith("VAL 10")
    assert listed.verdicts[REJECTED].reason == "Goods not received"
    # shown twice: the search prefers the live upload, which the list cannot tell apart
    twice = one_by_one[TWICE]
    assert twice is not None and twice.raw_status == "Accepted"
    assert one_by_one[NEVER] is None


async def test_status_list_stops_once_every_asked_number_was_seen(
    book: Book, page: Page, tmp_path: Path
) -> None:
    """Asked only for numbers of the first page, the read stops there; a refused row seen
    before the end is left to the search (the live upload may be on a page not read)."""
    driver = variant(tmp_path, THREE_A_PAGE)
    listed = await driver.invoice_statuses(page, book.account, [PAID, TWICE])
    assert listed.pages_read == 1
    assert set(listed.verdicts) == {PAID}  # SL-TWICE's first row is its duplicate, In error


async def test_status_list_reads_at_most_max_pages(book: Book, page: Page, tmp_path: Path) -> None:
    """The caller's max_pages and the recipe's own cap both bound the read."""
    driver = variant(tmp_path, THREE_A_PAGE)
    first_two = await driver.invoice_statuses(page, book.account, ASKED, max_pages=2)
    assert (first_two.pages_read, set(first_two.verdicts)) == (2, {PAID, APPROVED, PENDING})
    capped = variant(tmp_path, THREE_A_PAGE, ("max_pages = 40", "max_pages = 1"))
    first = await capped.invoice_statuses(page, book.account, ASKED)
    assert (first.pages_read, set(first.verdicts)) == (1, {PAID})


async def test_status_list_leaves_verdicts_whose_details_it_lacks(
    book: Book, page: Page, tmp_path: Path
) -> None:
    """A list without the reason and pay date columns (the search reads them) settles only the
    verdicts that carry neither: rejected and refused ones have a reason, approved and paid ones
    a pay date, so the pending one alone."""
    driver = variant(
        tmp_path,
        THREE_A_PAGE,
        ('reason = ".col-reason"\namount = ".col-amount"\nstatus_date = ".col-date"\n'
         'projected_pay_date = ".col-due"\npayment_date = ".col-paid-on"\n'
         'payment_reference = ".col-payment-ref"\n\n[status.map]',
         'payment_date = ".col-paid-on"\npayment_reference = ".col-payment-ref"\n\n[status.map]'),
    )  # fmt: skip
    listed = await driver.invoice_statuses(page, book.account, ASKED)
    assert set(listed.verdicts) == {PENDING}
    pending = await driver.invoice_status(page, book.account, PENDING)
    assert pending is not None
    assert listed.verdicts[PENDING].raw_status == pending.raw_status == "Accepted"


async def test_recipe_without_a_status_list_settles_nothing_and_loads_nothing(
    book: Book, page: Page, tmp_path: Path
) -> None:
    """Without [status.list], invoice_statuses is empty and costs no page load."""
    start = SHIPPED_TEXT.index("# The status pass reads the whole")
    section = SHIPPED_TEXT[start : SHIPPED_TEXT.index("[status.map]")]
    driver = variant(tmp_path, (section, ""))
    before = await status_loads(book.admin)
    listed = await driver.invoice_statuses(page, book.account, ASKED)
    assert (listed.verdicts, listed.pages_read) == ({}, 0)
    assert await status_loads(book.admin) == before


async def test_status_list_that_is_not_on_the_page_is_a_changed_page(
    book: Book, page: Page, tmp_path: Path
) -> None:
    """A list whose rows and empty text are both missing is PortalChanged naming the key."""
    driver = variant(
        tmp_path,
        THREE_A_PAGE,
        ('rows = "#status-table tr.status-row"\nnext_page', 'rows = "#invoice-grid tr"\nnext_page'),
        (
            'next_page = "#status-next"\nmax_pages',
            'empty = "#no-rows"\nnext_page = "#x"\nmax_pages',
        ),
    )
    with pytest.raises(PortalChanged, match=r"upload\.toml line \d+, key status\.list\.rows"):
        await driver.invoice_statuses(page, book.account, ASKED)


async def test_confirmation_values_read_by_pattern_from_the_sentence(
    browser_page: Page, sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    """The reference and the number read out of "Your invoice X was received as Y..." make the
    same receipt as their own elements; a sentence the pattern misses is PortalUnavailable
    after the submit, naming the key (the caller looks the invoice up before retrying)."""
    account = upload_account(sandbox.portal_url("upload"))
    by_pattern = variant(
        tmp_path,
        ('reference = "#upload-reference"',
         "reference = { selector = \"#upload-received\", "
         "pattern = 'received as (?P<value>UP-\\d+)' }"),
    )  # fmt: skip
    await by_pattern.login(browser_page, account)
    receipt = await by_pattern.submit_invoice(
        browser_page, account, outgoing_invoice("SL-PATTERN-1"), invoice_pdf()
    )
    [received] = await sandbox.received()
    assert (receipt.invoice_number, receipt.portal_reference) == (
        "SL-PATTERN-1",
        received["portal_reference"],
    )
    misses = variant(tmp_path, ("(?P<value>.+?) was received", "(?P<value>.+?) was delivered"))
    with pytest.raises(PortalUnavailable) as caught:
        await misses.submit_invoice(
            browser_page, account, outgoing_invoice("SL-PATTERN-2"), invoice_pdf()
        )
    assert caught.value.after_submit
    assert "key submit.confirmation.number.pattern" in caught.value.message
    assert "Your invoice SL-PATTERN-2 was received as UP-" in caught.value.message
