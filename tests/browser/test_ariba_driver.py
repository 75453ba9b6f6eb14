"""The Ariba driver against the Ariba-style stand-in portal, in real headless Chromium.

The module serves its own sandbox (a small Ariba book) for its tests, reset before each one;
the browser comes from the shared ``chromium`` / ``browser_page`` fixtures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page, Route
from pydantic import SecretStr

from connectors.portals.ariba import AribaDriver
from connectors.portals.ariba_vocabulary import portal_status
from connectors.portals.base import (
    PortalAccount,
    PortalDriver,
    PortalLogin,
    PortalStatus,
)
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
    PortalChanged,
    PortalUnavailable,
    RejectionCode,
    SessionExpired,
)
from connectors.portals.registry import driver_for
from tests.support.books.ariba import (
    CLOSED_PO,
    LOGIN,
    OTHER_LOGIN,
    PASSWORD,
    SMALL_PO,
    outgoing_invoice,
)
from tests.support.books.common import GLOBEX, invoice_pdf
from tests.support.sandbox_admin import SandboxAdmin
from tests.support.session_expiry import log_in_through_an_expiry

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

TODAY = dt.date.today()


@pytest_asyncio.fixture(loop_scope="module")
async def ariba(sandbox: SandboxAdmin) -> SandboxAdmin:
    """The session's sandbox (serving the test book's Ariba portal), reset for this test."""
    return sandbox


@pytest.fixture
def driver() -> AribaDriver:
    """A fresh driver (no cached customer codes)."""
    return AribaDriver()


def account_for(
    ariba: SandboxAdmin, *, login_name: str = LOGIN, password: str = PASSWORD
) -> PortalAccount:
    login = PortalLogin(
        portal_code="ARIBA-SANDBOX",
        portal_url=ariba.portal_url("ariba"),
        login_name=login_name,
        password=SecretStr(password),
    )
    return PortalAccount(portal_account_id=7, login=login, buyer_name=GLOBEX)


@pytest.fixture
def account(ariba: SandboxAdmin) -> PortalAccount:
    """The supplier's account for Globex on the sandbox's Ariba portal."""
    return account_for(ariba)


async def logged_in(driver: AribaDriver, page: Page, account: PortalAccount) -> Page:
    await driver.login(page, account)
    return page


async def test_ariba_driver_is_registered_and_implements_the_contract() -> None:
    """The registry gives the Ariba driver for "ariba", and it satisfies PortalDriver."""
    driver = driver_for("ariba")
    assert isinstance(driver, AribaDriver) and isinstance(driver, PortalDriver)
    assert driver.family == "ariba"


@pytest.mark.parametrize(
    ("routing", "status", "expected"),
    [
        ("Queued", "Sent", PortalStatus.PENDING_APPROVAL),  # not yet delivered
        ("Acknowledged", "Approved", PortalStatus.APPROVED),
        ("Acknowledged", "Paid", PortalStatus.PAID),
        ("Acknowledged", "Rejected", PortalStatus.REJECTED),
        ("Sent", "Canceled", PortalStatus.VOIDED),
        ("Failed", "Sent", PortalStatus.REJECTED),  # broke a customer rule: routing decides
        ("Obsoleted", "Sent", PortalStatus.VOIDED),  # replaced by an edited invoice
    ],
)
async def test_ariba_status_words_normalise_over_both_tracks(
    routing: str, status: str, expected: PortalStatus
) -> None:
    """Routing Failed/Obsoleted win over the invoice status; otherwise the invoice status maps."""
    assert portal_status(routing, status) is expected


async def test_ariba_unknown_status_word_is_a_changed_portal() -> None:
    """A status the driver does not know is PortalChanged, never a guess."""
    with pytest.raises(PortalChanged, match="Disputed"):
        portal_status("Acknowledged", "Disputed")


async def test_ariba_driver_wrong_password_fails_once(
    driver: AribaDriver, browser_page: Page, ariba: SandboxAdmin
) -> None:
    """A wrong password raises LoginFailed with the portal's words after exactly one attempt."""
    account = account_for(ariba, login_name=OTHER_LOGIN, password="wrong")
    with pytest.raises(LoginFailed, match="user name or password you entered is incorrect"):
        await driver.login(browser_page, account)
    logins = await ariba.logins()
    assert [(e["portal"], e["login_name"], e["ok"], e["reason"]) for e in logins] == [
        ("ariba", OTHER_LOGIN, False, "bad_password")
    ]


async def test_ariba_driver_locked_account_fails_with_the_lock_message(
    driver: AribaDriver, browser_page: Page, ariba: SandboxAdmin
) -> None:
    """A locked user is refused with the lock message, even with the right password."""
    await ariba.set_faults(lockout_after=1)
    with pytest.raises(LoginFailed):
        await driver.login(browser_page, account_for(ariba, login_name=OTHER_LOGIN, password="x"))
    with pytest.raises(LoginFailed, match="Your account is locked"):
        await driver.login(browser_page, account_for(ariba, login_name=OTHER_LOGIN))


async def test_ariba_driver_submits_once_and_returns_the_network_id(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """A PO flip invoicing one line of the PO's two is confirmed and arrives exactly once."""
    page = await logged_in(driver, browser_page, account)
    receipt = await driver.submit_invoice(page, account, outgoing_invoice("INV-1"), invoice_pdf())
    assert receipt.invoice_number == "INV-1"
    assert receipt.portal_reference.startswith("AN")
    received = await ariba.received()
    assert [(e["portal"], e["invoice_number"], e["buyer_name"], e["amount"]) for e in received] == [
        ("ariba", "INV-1", GLOBEX, "55.00")
    ]
    assert received[0]["portal_reference"] == receipt.portal_reference


async def test_ariba_driver_adds_rows_for_more_lines_than_the_po(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """Three invoice lines on a two-line PO are all submitted (a row added in the wizard)."""
    page = await logged_in(driver, browser_page, account)
    lines = (("Brackets", "2", "12.50"), ("Installation", "1", "80.00"), ("Travel", "1", "19.99"))
    invoice = outgoing_invoice("INV-3L", lines=lines, tax="0.00")
    await driver.submit_invoice(page, account, invoice, invoice_pdf())
    received = await ariba.received()
    assert [(e["invoice_number"], e["amount"]) for e in received] == [("INV-3L", "124.99")]


async def test_ariba_driver_finds_a_submitted_invoice_and_not_an_absent_one(
    driver: AribaDriver, browser_page: Page, account: PortalAccount
) -> None:
    """find_invoice returns the outbox's view of a submitted invoice, None for an unknown one."""
    page = await logged_in(driver, browser_page, account)
    receipt = await driver.submit_invoice(page, account, outgoing_invoice("INV-F1"), invoice_pdf())
    found = await driver.find_invoice(page, account, "inv-f1")
    assert found is not None
    assert (found.invoice_number, found.portal_reference) == ("INV-F1", receipt.portal_reference)
    assert found.status is PortalStatus.PENDING_APPROVAL
    assert found.raw_status == "Sent (routing: Queued)"
    assert found.amount == Decimal("55.00")
    assert await driver.find_invoice(page, account, "INV-F") is None
    assert await driver.find_invoice(page, account, "NEVER-SENT") is None


@pytest.mark.parametrize(
    ("code", "number", "changes", "document", "portal_says"),
    [
        # the number was used by the first upload of the same invoice
        (RejectionCode.DUPLICATE, "INV-DUP", {}, None, "same ID already received"),
        # a closed order offers no Create Invoice; the order page says why
        (
            RejectionCode.PO_CLOSED,
            "INV-CL",
            {"purchase_order": CLOSED_PO},
            None,
            "This order is closed",
        ),
        # 10 x 12.50 = 125.00 on an order with 100.00 left
        (
            RejectionCode.PO_AMOUNT_EXCEEDED,
            "INV-BIG",
            {"purchase_order": SMALL_PO, "lines": (("Brackets", "10", "12.50"),)},
            None,
            "exceeds the amount remaining to be invoiced on order PO-7003",
        ),
        # no PO on the invoice, and the customer takes no non-PO invoices
        (
            RejectionCode.PO_MISSING,
            "INV-NOPO",
            {"purchase_order": None},
            None,
            "does not accept invoices without a purchase order",
        ),
        # a PO number the customer does not have
        (RejectionCode.PO_MISSING, "INV-PO404", {"purchase_order": "PO-9999"}, None, "No orders"),
        # dated 10 days ago for a customer that allows 2 (set below)
        (
            RejectionCode.DATE_RULE,
            "INV-OLD",
            {"invoice_date": TODAY - dt.timedelta(days=10)},
            None,
            "cannot be more than 2 days before today",
        ),
        # a "PDF" that is not one
        (
            RejectionCode.ATTACHMENT_INVALID,
            "INV-BADPDF",
            {},
            b"this is not a PDF",
            "is not a valid PDF document",
        ),
        # the order is in USD
        (RejectionCode.OTHER, "INV-EUR", {"currency": "EUR"}, None, "is in USD"),
    ],
    ids=lambda value: value.value if isinstance(value, RejectionCode) else None,
)
async def test_ariba_driver_reports_the_portals_rejection(
    driver: AribaDriver,
    browser_page: Page,
    account: PortalAccount,
    ariba: SandboxAdmin,
    code: RejectionCode,
    number: str,
    changes: dict[str, Any],
    document: bytes | None,
    portal_says: str,
) -> None:
    """Each refusal becomes InvoiceRejected with its code and the portal's own words."""
    await ariba.set_max_backdate_days(2)
    page = await logged_in(driver, browser_page, account)
    invoice = outgoing_invoice(number, **changes)
    pdf = invoice_pdf(document) if document is not None else invoice_pdf()
    before = 0
    if code is RejectionCode.DUPLICATE:
        await driver.submit_invoice(page, account, invoice, pdf)
        before = 1
    with pytest.raises(InvoiceRejected) as caught:
        await driver.submit_invoice(page, account, invoice, pdf)
    assert caught.value.rejection is code
    assert portal_says in caught.value.message
    assert len(await ariba.received()) == before


async def test_ariba_driver_idle_session_expires(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """After the idle timeout the next operation raises SessionExpired; a login heals it."""
    page = await logged_in(driver, browser_page, account)
    assert await driver.find_invoice(page, account, "INV-NONE") is None
    await ariba.set_faults(session_idle_s=0.5)
    await asyncio.sleep(1.0)
    with pytest.raises(SessionExpired) as caught:
        await driver.find_invoice(page, account, "INV-NONE")
    assert caught.value.after_submit is False
    await ariba.set_faults(session_idle_s=1800.0)
    await driver.login(page, account)
    assert await driver.find_invoice(page, account, "INV-NONE") is None


async def test_ariba_driver_session_expiring_inside_the_wizard_frame(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """The login page appearing in the wizard's frame mid-flow is SessionExpired, nothing sent."""
    page = await logged_in(driver, browser_page, account)

    async def idle_before_header_post(route: Route) -> None:
        if route.request.method == "POST":
            await ariba.set_faults(session_idle_s=0.5)
            await asyncio.sleep(1.0)
        await route.continue_()

    await page.route("**/wizard/*/header", idle_before_header_post)
    with pytest.raises(SessionExpired, match="login page") as caught:
        await driver.submit_invoice(page, account, outgoing_invoice("INV-EXP"), invoice_pdf())
    assert caught.value.after_submit is False
    assert await ariba.received() == []


async def test_ariba_driver_layout_v2_is_a_changed_portal(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """Renamed header fields in the frame: the driver names the missing one and sends nothing."""
    page = await logged_in(driver, browser_page, account)
    await ariba.set_faults(layout="v2")
    with pytest.raises(PortalChanged, match="#aw-inv-no"):
        await driver.submit_invoice(page, account, outgoing_invoice("INV-V2"), invoice_pdf())
    assert await ariba.received() == []


async def test_ariba_driver_busy_portal_is_unavailable_before_submit(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """A "system busy" page raises PortalUnavailable that says nothing was submitted."""
    page = await logged_in(driver, browser_page, account)
    await ariba.set_faults(error_rate=1.0)
    with pytest.raises(PortalUnavailable, match="currently busy") as caught:
        await driver.submit_invoice(page, account, outgoing_invoice("INV-BUSY"), invoice_pdf())
    assert caught.value.after_submit is False
    assert not isinstance(caught.value, SessionExpired)


async def test_ariba_driver_lost_confirmation_is_unavailable_after_submit(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """A 500 after the final click is PortalUnavailable(after_submit) while the portal has it."""
    page = await logged_in(driver, browser_page, account)
    await ariba.set_faults(confirm_fail_rate=1.0)
    with pytest.raises(PortalUnavailable) as caught:
        await driver.submit_invoice(page, account, outgoing_invoice("INV-LOST"), invoice_pdf())
    assert caught.value.after_submit is True
    assert [e["invoice_number"] for e in await ariba.received()] == ["INV-LOST"]
    found = await driver.find_invoice(page, account, "INV-LOST")
    assert found is not None and found.status is PortalStatus.PENDING_APPROVAL


async def test_ariba_driver_reads_both_status_tracks(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """invoice_status reads Approved (scheduled date), Paid (date, reference), Rejected (reason)."""
    page = await logged_in(driver, browser_page, account)
    for number in ("INV-PAY", "INV-REJ", "INV-FAIL"):
        await driver.submit_invoice(page, account, outgoing_invoice(number), invoice_pdf())

    await ariba.set_ariba_status("INV-PAY", status="approved", projected_payment_date="2031-03-15")
    approved = await driver.invoice_status(page, account, "INV-PAY")
    assert approved is not None and approved.status is PortalStatus.APPROVED
    assert approved.projected_pay_date == dt.date(2031, 3, 15)
    assert approved.raw_status == "Approved (routing: Acknowledged)"

    await ariba.set_ariba_status(
        "INV-PAY", status="paid", payment_date="2031-04-01", payment_reference="RA-9"
    )
    paid = await driver.invoice_status(page, account, "INV-PAY")
    assert paid is not None and paid.status is PortalStatus.PAID
    assert (paid.payment_date, paid.payment_reference) == (dt.date(2031, 4, 1), "RA-9")
    assert paid.amount == Decimal("55.00")

    await ariba.set_ariba_status("INV-REJ", status="rejected", reason="Incorrect amount")
    rejected = await driver.invoice_status(page, account, "INV-REJ")
    assert rejected is not None and rejected.status is PortalStatus.REJECTED
    assert rejected.reason == "Incorrect amount"

    await ariba.set_ariba_status("INV-FAIL", routing="failed", reason="Tax ID missing")
    failed = await driver.invoice_status(page, account, "INV-FAIL")
    assert failed is not None and failed.status is PortalStatus.REJECTED
    assert failed.reason == "Tax ID missing"
    assert await driver.invoice_status(page, account, "INV-ABSENT") is None


async def test_ariba_driver_logs_in_once_more_when_the_session_expires_during_login(
    driver: AribaDriver, browser_page: Page, account: PortalAccount, ariba: SandboxAdmin
) -> None:
    """The session expiring right after the password is SessionExpired inside the login, which
    signs in once more and succeeds: no failed login, no changed page."""
    done = await log_in_through_an_expiry(
        driver,
        browser_page,
        account,
        ariba,
        url_glob="**/ariba/login",
        expire_path="/login",
        after_answer=True,
    )
    assert done.posts == ["/ariba/login"] * 2
    assert done.events == ["portal.login_session_expired"]
    assert done.logins == [(LOGIN, True, "ok"), (LOGIN, True, "ok")]
    assert await driver.find_invoice(browser_page, account, "INV-NONE") is None
