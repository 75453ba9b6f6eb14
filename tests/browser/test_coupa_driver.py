"""The Coupa driver against the Coupa-style stand-in portal, in real headless Chromium."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from playwright.async_api import Page

from connectors.portals.base import PortalAccount, PortalDriver, PortalStatus
from connectors.portals.coupa import CoupaDriver
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
    PortalChanged,
    PortalUnavailable,
    RejectionCode,
    SessionExpired,
)
from tests.support.books.common import GLOBEX, invoice_pdf
from tests.support.books.coupa import (
    CLOSED_PO,
    PLAIN_LOGIN,
    SMALL_PO,
    TOTP_LOGIN,
    coupa_account,
    outgoing_invoice,
)
from tests.support.sandbox_admin import SandboxAdmin
from tests.support.session_expiry import log_in_through_an_expiry

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

TOMORROW = dt.date.today() + dt.timedelta(days=1)


@pytest.fixture
def driver() -> CoupaDriver:
    """A fresh driver (no cached customer codes)."""
    return CoupaDriver()


@pytest.fixture
def account(sandbox: SandboxAdmin) -> PortalAccount:
    """The TOTP user's account for Globex on the sandbox's Coupa portal."""
    return coupa_account(sandbox.portal_url("coupa"))


async def logged_in(driver: CoupaDriver, page: Page, account: PortalAccount) -> Page:
    await driver.login(page, account)
    return page


async def test_coupa_driver_implements_the_driver_contract(driver: CoupaDriver) -> None:
    """The driver satisfies the PortalDriver protocol and names its family."""
    assert isinstance(driver, PortalDriver)
    assert driver.family == "coupa"


async def test_coupa_driver_logs_in_with_totp(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """Password plus the TOTP code signs in with a single successful attempt."""
    await driver.login(browser_page, account)
    logins = await sandbox.logins()
    assert [(e["login_name"], e["ok"]) for e in logins] == [(TOTP_LOGIN, True)]


async def test_coupa_driver_wrong_password_fails_once(
    driver: CoupaDriver, browser_page: Page, sandbox: SandboxAdmin
) -> None:
    """A wrong password raises LoginFailed with the portal's message after exactly one attempt."""
    account = coupa_account(sandbox.portal_url("coupa"), login_name=PLAIN_LOGIN, password="wrong")
    with pytest.raises(LoginFailed, match="Invalid email or password"):
        await driver.login(browser_page, account)
    logins = await sandbox.logins()
    assert [(e["login_name"], e["ok"], e["reason"]) for e in logins] == [
        (PLAIN_LOGIN, False, "bad_password")
    ]


async def test_coupa_driver_locked_account_fails_with_the_lock_message(
    driver: CoupaDriver, browser_page: Page, sandbox: SandboxAdmin
) -> None:
    """A locked user is refused with the lock message, even with the right password."""
    await sandbox.set_faults(lockout_after=1)
    portal = sandbox.portal_url("coupa")
    with pytest.raises(LoginFailed):
        await driver.login(
            browser_page, coupa_account(portal, login_name=PLAIN_LOGIN, password="x")
        )
    with pytest.raises(LoginFailed, match="Your account has been locked"):
        await driver.login(browser_page, coupa_account(portal, login_name=PLAIN_LOGIN))


async def test_coupa_driver_submits_once_and_returns_the_portal_reference(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """A PO flip with one line (of the PO's two) is confirmed and arrives exactly once."""
    page = await logged_in(driver, browser_page, account)
    invoice = outgoing_invoice("INV-1001")
    receipt = await driver.submit_invoice(page, account, invoice, invoice_pdf())
    assert receipt.invoice_number == "INV-1001"
    assert receipt.portal_reference.startswith("CP-")
    received = await sandbox.received()
    assert [(e["invoice_number"], e["buyer_name"], e["amount"]) for e in received] == [
        ("INV-1001", GLOBEX, "55.00")
    ]
    assert received[0]["portal_reference"] == receipt.portal_reference


async def test_coupa_driver_adds_rows_for_more_lines_than_the_po(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """Three invoice lines on a two-line PO are all submitted (rows added client-side)."""
    page = await logged_in(driver, browser_page, account)
    lines = (("Brackets", "2", "12.50"), ("Installation", "1", "80.00"), ("Travel", "1", "19.99"))
    invoice = outgoing_invoice("INV-3L", lines=lines, tax="0.00")
    await driver.submit_invoice(page, account, invoice, invoice_pdf())
    received = await sandbox.received()
    assert [(e["invoice_number"], e["amount"]) for e in received] == [("INV-3L", "124.99")]


async def test_coupa_driver_finds_a_submitted_invoice_and_not_an_absent_one(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount
) -> None:
    """find_invoice returns the portal's view of a submitted invoice, None for an unknown one."""
    page = await logged_in(driver, browser_page, account)
    receipt = await driver.submit_invoice(page, account, outgoing_invoice("INV-F1"), invoice_pdf())
    found = await driver.find_invoice(page, account, "INV-F1")
    assert found is not None
    assert found.portal_reference == receipt.portal_reference
    assert found.status is PortalStatus.PENDING_APPROVAL
    assert found.raw_status == "Pending Approval"
    assert found.amount == Decimal("55.00")
    assert await driver.find_invoice(page, account, "INV-F") is None
    assert await driver.find_invoice(page, account, "NEVER-SENT") is None


@pytest.mark.parametrize(
    ("code", "number", "changes", "document", "portal_says"),
    [
        # the number was used by the first upload of the same invoice
        (RejectionCode.DUPLICATE, "INV-DUP", {}, None, "Invoice number has already been used"),
        # a closed PO offers no Create Invoice; the PO page says why
        (
            RejectionCode.PO_CLOSED,
            "INV-CL",
            {"purchase_order": CLOSED_PO},
            None,
            "PO is closed and cannot be invoiced",
        ),
        # 4 x 12.50 = 50.00 on a PO with 100.00 left is fine; 10 x 12.50 = 125.00 is not
        (
            RejectionCode.PO_AMOUNT_EXCEEDED,
            "INV-BIG",
            {"purchase_order": SMALL_PO, "lines": (("Brackets", "10", "12.50"),)},
            None,
            "Invoice amount exceeds the remaining PO balance",
        ),
        # no PO on the invoice, and the customer disables blank invoices
        (
            RejectionCode.PO_MISSING,
            "INV-NOPO",
            {"purchase_order": None},
            None,
            "Your customer requires a purchase order",
        ),
        # a PO number the customer does not have
        (
            RejectionCode.PO_MISSING,
            "INV-PO404",
            {"purchase_order": "PO-9999"},
            None,
            "No purchase orders found",
        ),
        # invoice dated tomorrow
        (
            RejectionCode.DATE_RULE,
            "INV-FUT",
            {"invoice_date": TOMORROW},
            None,
            "Invoice date cannot be in the future",
        ),
        # a "PDF" that is not one
        (
            RejectionCode.ATTACHMENT_INVALID,
            "INV-BADPDF",
            {},
            b"this is not a PDF",
            "Attachment is not a valid PDF file",
        ),
    ],
    ids=lambda value: value.value if isinstance(value, RejectionCode) else None,
)
async def test_coupa_driver_reports_the_portals_rejection(
    driver: CoupaDriver,
    browser_page: Page,
    account: PortalAccount,
    sandbox: SandboxAdmin,
    code: RejectionCode,
    number: str,
    changes: dict[str, object],
    document: bytes | None,
    portal_says: str,
) -> None:
    """Each refusal becomes InvoiceRejected with its code and the portal's own words."""
    page = await logged_in(driver, browser_page, account)
    invoice = outgoing_invoice(number, **changes)  # type: ignore[arg-type]
    pdf = invoice_pdf(document) if document is not None else invoice_pdf()
    before = 0
    if code is RejectionCode.DUPLICATE:
        await driver.submit_invoice(page, account, invoice, pdf)
        before = 1
    with pytest.raises(InvoiceRejected) as caught:
        await driver.submit_invoice(page, account, invoice, pdf)
    assert caught.value.rejection is code
    assert portal_says in caught.value.message
    assert len(await sandbox.received()) == before


async def test_coupa_driver_unknown_customer_is_a_changed_portal(
    driver: CoupaDriver, browser_page: Page, sandbox: SandboxAdmin
) -> None:
    """A buyer name the portal does not list stops the driver before any submission."""
    account = coupa_account(sandbox.portal_url("coupa"), buyer_name="Umbrella Corp")
    page = await logged_in(driver, browser_page, account)
    with pytest.raises(PortalChanged, match="Umbrella Corp"):
        await driver.submit_invoice(page, account, outgoing_invoice("INV-U"), invoice_pdf())
    assert await sandbox.received() == []


async def test_coupa_driver_layout_v2_is_a_changed_portal(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """Renamed invoice form fields: the driver names the missing one and sends nothing."""
    page = await logged_in(driver, browser_page, account)
    await sandbox.set_faults(layout="v2")
    with pytest.raises(PortalChanged, match="#invoice-number"):
        await driver.submit_invoice(page, account, outgoing_invoice("INV-V2"), invoice_pdf())
    assert await sandbox.received() == []


async def test_coupa_driver_busy_portal_is_unavailable_before_submit(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """A "System busy" page raises PortalUnavailable that says nothing was submitted."""
    page = await logged_in(driver, browser_page, account)
    await sandbox.set_faults(error_rate=1.0)
    with pytest.raises(PortalUnavailable, match="System busy") as caught:
        await driver.submit_invoice(page, account, outgoing_invoice("INV-BUSY"), invoice_pdf())
    assert caught.value.after_submit is False
    assert not isinstance(caught.value, SessionExpired)


async def test_coupa_driver_lost_confirmation_is_unavailable_after_submit(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """A 500 after the submit click is PortalUnavailable(after_submit) while the portal has it."""
    page = await logged_in(driver, browser_page, account)
    await sandbox.set_faults(confirm_fail_rate=1.0)
    with pytest.raises(PortalUnavailable) as caught:
        await driver.submit_invoice(page, account, outgoing_invoice("INV-LOST"), invoice_pdf())
    assert caught.value.after_submit is True
    assert [e["invoice_number"] for e in await sandbox.received()] == ["INV-LOST"]
    await sandbox.set_faults(confirm_fail_rate=0.0)
    found = await driver.find_invoice(page, account, "INV-LOST")
    assert found is not None and found.status is PortalStatus.PENDING_APPROVAL


async def test_coupa_driver_idle_session_expires(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """After the idle timeout the next operation raises SessionExpired; a login heals it."""
    page = await logged_in(driver, browser_page, account)
    assert await driver.find_invoice(page, account, "INV-NONE") is None
    await sandbox.set_faults(session_idle_s=0.3)
    await asyncio.sleep(0.5)
    with pytest.raises(SessionExpired):
        await driver.find_invoice(page, account, "INV-NONE")
    await sandbox.set_faults(session_idle_s=1800.0)
    await driver.login(page, account)
    assert await driver.find_invoice(page, account, "INV-NONE") is None


async def test_coupa_driver_reads_the_invoice_lifecycle(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """invoice_status reads Approved (projected date), Disputed (reason), Paid (date, number)."""
    page = await logged_in(driver, browser_page, account)
    await driver.submit_invoice(page, account, outgoing_invoice("INV-LIFE"), invoice_pdf())

    await sandbox.set_coupa_status(
        "INV-LIFE", buyer="GLOBEX", status="approved", projected_payment_date="2031-03-15"
    )
    approved = await driver.invoice_status(page, account, "INV-LIFE")
    assert approved is not None and approved.status is PortalStatus.APPROVED
    assert approved.projected_pay_date == dt.date(2031, 3, 15)

    await sandbox.set_coupa_status(
        "INV-LIFE",
        buyer="GLOBEX",
        status="disputed",
        reason="Price mismatch",
        comment="Use PO price",
    )
    disputed = await driver.invoice_status(page, account, "INV-LIFE")
    assert disputed is not None and disputed.status is PortalStatus.DISPUTED
    assert disputed.reason == "Price mismatch: Use PO price"

    await sandbox.set_coupa_status("INV-LIFE", buyer="GLOBEX", status="approved")
    await sandbox.set_coupa_status(
        "INV-LIFE", buyer="GLOBEX", status="paid", payment_date="2031-04-01", payment_number="PAY-9"
    )
    paid = await driver.invoice_status(page, account, "INV-LIFE")
    assert paid is not None and paid.status is PortalStatus.PAID
    assert (paid.payment_date, paid.payment_reference) == (dt.date(2031, 4, 1), "PAY-9")
    assert paid.amount == Decimal("55.00")
    assert await driver.invoice_status(page, account, "INV-ABSENT") is None


async def test_coupa_driver_logs_in_once_more_when_the_session_expires_during_login(
    driver: CoupaDriver, browser_page: Page, account: PortalAccount, sandbox: SandboxAdmin
) -> None:
    """The session expiring between the password and the code is SessionExpired inside the
    login, which signs in once more and succeeds: no failed login, no changed page."""
    done = await log_in_through_an_expiry(
        driver,
        browser_page,
        account,
        sandbox,
        url_glob="**/coupa/login**",
        expire_path="/login/verify",
        after_answer=False,
    )
    assert done.posts == ["/coupa/login", "/coupa/login/verify"] * 2
    assert done.events == ["portal.login_session_expired"]
    assert done.logins == [(TOTP_LOGIN, True, "ok")]
    assert await driver.find_invoice(browser_page, account, "INV-NONE") is None
