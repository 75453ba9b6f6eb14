"""The shipped recipe (config/portals/upload.toml) drives the upload-style stand-in portal, in
real headless Chromium: no Python is specific to that portal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page

from connectors.portals.base import PortalAccount, PortalStatus
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
    PortalChanged,
    PortalUnavailable,
    RejectionCode,
    SessionExpired,
)
from connectors.portals.recipe.driver import RecipeDriver
from connectors.portals.recipe.files import installed_recipes_dir, load_recipe
from connectors.portals.registry import driver_for
from tests.support.books.common import invoice_pdf
from tests.support.books.upload import (
    CLOSED_PO,
    EUR_PO,
    LOGIN,
    LUMI,
    LUMI_PO,
    RHEIN,
    SMALL_PO,
    outgoing_invoice,
    upload_account,
)
from tests.support.sandbox_admin import SandboxAdmin
from tests.support.session_expiry import log_in_through_an_expiry

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

TODAY = dt.date.today()


@pytest_asyncio.fixture(loop_scope="module")
async def portal(sandbox: SandboxAdmin) -> SandboxAdmin:
    """The session's sandbox (serving the test book's upload portal), reset for this test."""
    return sandbox


@pytest.fixture
def driver() -> RecipeDriver:
    """The upload portal's driver, as the registry builds it from the shipped recipe."""
    built = driver_for("upload")
    assert isinstance(built, RecipeDriver)
    return built


@pytest.fixture
def account(portal: SandboxAdmin) -> PortalAccount:
    """The book's supplier for Globex (en-US) on the upload portal."""
    return upload_account(portal.portal_url("upload"))


def recipe_variant(tmp_path: Path, old: str, new: str) -> RecipeDriver:
    """A driver of the shipped recipe with one change."""
    text = (installed_recipes_dir() / "upload.toml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "upload.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return RecipeDriver(load_recipe(path))


async def test_upload_recipe_submits_and_the_portal_accepts_it_once(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """Login, form, hidden file input, submit: accepted after validation, one ledger entry."""
    await driver.login(browser_page, account)
    receipt = await driver.submit_invoice(
        browser_page, account, outgoing_invoice("UP-INV-1"), invoice_pdf()
    )
    received = await portal.received()
    assert [(e["portal"], e["invoice_number"], e["amount"]) for e in received] == [
        ("upload", "UP-INV-1", "1469.13")
    ]
    assert receipt.portal_reference == received[0]["portal_reference"]
    assert receipt.message.endswith(": Accepted")


@pytest.mark.parametrize(
    ("buyer", "po"), [(RHEIN, EUR_PO), (LUMI, LUMI_PO)], ids=["de-DE", "fr-FR"]
)
async def test_upload_recipe_types_amounts_the_way_the_form_expects(
    driver: RecipeDriver, browser_page: Page, portal: SandboxAdmin, buyer: str, po: str
) -> None:
    """The form's locale decides the separators: de-DE would misread, fr-FR would refuse."""
    account = upload_account(portal.portal_url("upload"), buyer_name=buyer)
    invoice = outgoing_invoice("UP-LOC-1", purchase_order=po, currency="EUR", buyer_name=buyer)
    await driver.login(browser_page, account)
    await driver.submit_invoice(browser_page, account, invoice, invoice_pdf())
    assert [(e["buyer_name"], e["amount"]) for e in await portal.received()] == [(buyer, "1469.13")]


async def test_upload_recipe_finds_an_invoice_and_not_an_unknown_one(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount
) -> None:
    """find_invoice reads the status row of a submitted invoice, and None for another."""
    await driver.login(browser_page, account)
    receipt = await driver.submit_invoice(
        browser_page, account, outgoing_invoice("UP-FIND-1"), invoice_pdf()
    )
    found = await driver.find_invoice(browser_page, account, "up-find-1")
    assert found is not None
    assert (found.invoice_number, found.portal_reference) == ("UP-FIND-1", receipt.portal_reference)
    assert (found.raw_status, found.status) == ("Accepted", PortalStatus.PENDING_APPROVAL)
    assert str(found.amount) == "1469.13"
    assert found.status_date == TODAY
    assert await driver.find_invoice(browser_page, account, "UP-NEVER") is None


@pytest.mark.parametrize(
    ("changes", "document", "code", "message"),
    [
        ({"purchase_order": CLOSED_PO}, {}, RejectionCode.PO_CLOSED, "VAL 10: Purchase order"),
        (
            {"purchase_order": SMALL_PO},
            {},
            RejectionCode.PO_AMOUNT_EXCEEDED,
            "VAL 9: Invoice net amount exceeds the open balance",
        ),
        ({"purchase_order": None}, {}, RejectionCode.PO_MISSING, "VAL 8: A purchase order"),
        ({"purchase_order": "PO-0000"}, {}, RejectionCode.PO_MISSING, "VAL 8: Purchase order"),
        (
            {"invoice_date": TODAY + dt.timedelta(days=2)},
            {},
            RejectionCode.DATE_RULE,
            "VAL 11: Invoice date",
        ),
        ({}, {"data": b"GIF89a"}, RejectionCode.ATTACHMENT_INVALID, "VAL 14: The attached"),
        ({}, {"file_name": "invoice.txt"}, RejectionCode.ATTACHMENT_INVALID, "Only PDF files"),
    ],
    ids=["po-closed", "po-amount", "po-missing", "po-unknown", "date-rule", "pdf-unreadable",
         "not-a-pdf"],
)  # fmt: skip
async def test_upload_recipe_classifies_each_rejection_the_portal_produces(
    driver: RecipeDriver,
    browser_page: Page,
    account: PortalAccount,
    portal: SandboxAdmin,
    changes: dict[str, Any],
    document: dict[str, Any],
    code: RejectionCode,
    message: str,
) -> None:
    """Failures found at the door or later (Invoices in error) are InvoiceRejected with a code."""
    await driver.login(browser_page, account)
    with pytest.raises(InvoiceRejected) as caught:
        await driver.submit_invoice(
            browser_page, account, outgoing_invoice("UP-REJ-1", **changes), invoice_pdf(**document)
        )
    assert caught.value.rejection is code
    assert message in caught.value.message
    assert await portal.received() == []


async def test_upload_recipe_classifies_a_duplicate_number(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """A number the portal already accepted comes back as DUPLICATE; the ledger keeps one."""
    await driver.login(browser_page, account)
    await driver.submit_invoice(browser_page, account, outgoing_invoice("UP-DUP-1"), invoice_pdf())
    with pytest.raises(InvoiceRejected) as caught:
        await driver.submit_invoice(
            browser_page, account, outgoing_invoice("UP-DUP-1"), invoice_pdf()
        )
    assert caught.value.rejection is RejectionCode.DUPLICATE
    assert "has already been submitted" in caught.value.message
    assert len(await portal.received()) == 1
    found = await driver.find_invoice(browser_page, account, "UP-DUP-1")
    assert found is not None and found.raw_status == "Accepted"  # the live one, not the error


async def test_upload_recipe_lookup_treats_an_upload_in_error_as_absent(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """An upload the validation refused ("Invoices in error") was never delivered: a lookup
    before re-sending the corrected invoice reads it as not there, while the status read still
    shows the refusal; a buyer's rejection of a delivered invoice still counts as there."""
    await driver.login(browser_page, account)
    with pytest.raises(InvoiceRejected):
        await driver.submit_invoice(
            browser_page,
            account,
            outgoing_invoice("UP-ERR-1", purchase_order=CLOSED_PO),
            invoice_pdf(),
        )
    assert await driver.find_invoice(browser_page, account, "UP-ERR-1") is None
    status = await driver.invoice_status(browser_page, account, "UP-ERR-1")
    assert status is not None and status.raw_status == "In error"
    await driver.submit_invoice(browser_page, account, outgoing_invoice("UP-BR-2"), invoice_pdf())
    await portal.set_upload_status("UP-BR-2", "rejected", reason="Goods not received")
    found = await driver.find_invoice(browser_page, account, "UP-BR-2")
    assert found is not None and found.raw_status == "Rejected"


async def test_upload_recipe_wrong_password_is_tried_once(
    driver: RecipeDriver, browser_page: Page, portal: SandboxAdmin
) -> None:
    """A refused password is LoginFailed with the portal's words after exactly one attempt."""
    account = upload_account(portal.portal_url("upload"), password="not-it")
    with pytest.raises(LoginFailed, match="Invalid email or password"):
        await driver.login(browser_page, account)
    assert [(e["login_name"], e["ok"]) for e in await portal.logins()] == [(LOGIN, False)]


async def test_upload_recipe_reads_the_lifecycle_the_buyer_drives(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """Approved (pay date) then Paid (date, reference), as the admin endpoint moves it."""
    await driver.login(browser_page, account)
    await driver.submit_invoice(browser_page, account, outgoing_invoice("UP-LIFE-1"), invoice_pdf())
    pay_on = TODAY + dt.timedelta(days=25)
    await portal.set_upload_status(
        "UP-LIFE-1", "approved", projected_payment_date=pay_on.isoformat()
    )
    approved = await driver.invoice_status(browser_page, account, "UP-LIFE-1")
    assert approved is not None
    assert (approved.status, approved.projected_pay_date) == (PortalStatus.APPROVED, pay_on)
    await portal.set_upload_status("UP-LIFE-1", "paid", payment_reference="REM-2024-77")
    paid = await driver.invoice_status(browser_page, account, "UP-LIFE-1")
    assert paid is not None
    assert (paid.status, paid.payment_date, paid.payment_reference) == (
        PortalStatus.PAID,
        TODAY,
        "REM-2024-77",
    )


async def test_upload_recipe_reads_a_buyer_rejection_with_its_reason(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """A buyer's rejection after acceptance is REJECTED with the buyer's reason."""
    await driver.login(browser_page, account)
    await driver.submit_invoice(browser_page, account, outgoing_invoice("UP-BR-1"), invoice_pdf())
    await portal.set_upload_status("UP-BR-1", "rejected", reason="Goods not received")
    status = await driver.invoice_status(browser_page, account, "UP-BR-1")
    assert status is not None
    assert (status.status, status.raw_status, status.reason) == (
        PortalStatus.REJECTED,
        "Rejected",
        "Goods not received",
    )


async def test_upload_recipe_leaves_a_slow_verdict_to_the_status_job(
    browser_page: Page, account: PortalAccount, portal: SandboxAdmin, tmp_path: Path
) -> None:
    """Past the recipe's wait the upload stands as received, and reads as still processing."""
    driver = recipe_variant(tmp_path, "timeout_ms = 30000", "timeout_ms = 300")
    await portal.set_validation_delay(30)
    await driver.login(browser_page, account)
    receipt = await driver.submit_invoice(
        browser_page, account, outgoing_invoice("UP-SLOW-1"), invoice_pdf()
    )
    assert "still processing after 0.3 s" in receipt.message
    status = await driver.invoice_status(browser_page, account, "UP-SLOW-1")
    assert status is not None
    assert (status.raw_status, status.status) == ("Processing", PortalStatus.PENDING_APPROVAL)
    assert await portal.received() == []


async def test_upload_recipe_can_answer_the_file_chooser_of_the_custom_button(
    browser_page: Page, account: PortalAccount, portal: SandboxAdmin, tmp_path: Path
) -> None:
    """With `button`, the recipe clicks "Attach PDF" and answers the chooser it opens."""
    driver = recipe_variant(
        tmp_path,
        '{ upload = "#invoice-file" }',
        '{ upload = "#invoice-file", button = "#attach-button" }',
    )
    await driver.login(browser_page, account)
    await driver.submit_invoice(browser_page, account, outgoing_invoice("UP-FC-1"), invoice_pdf())
    assert [e["invoice_number"] for e in await portal.received()] == ["UP-FC-1"]


async def test_upload_recipe_stops_with_the_recipe_place_when_the_form_changed(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """Layout v2 renames the fields: PortalChanged names the selector, file, line and key."""
    await driver.login(browser_page, account)
    await portal.set_faults(layout="v2")
    with pytest.raises(PortalChanged) as caught:
        await driver.submit_invoice(
            browser_page, account, outgoing_invoice("UP-V2-1"), invoice_pdf()
        )
    assert "'#inv-number' found nothing" in caught.value.message
    assert driver.loaded.where(("submit", "steps", 3, "fill")) in caught.value.message
    assert await portal.received() == []


async def test_upload_recipe_sees_an_expired_session(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """Sent back to sign-in mid-flow is SessionExpired (log in again), not a failed login."""
    await driver.login(browser_page, account)
    await portal.set_faults(session_idle_s=0.05)
    await browser_page.wait_for_timeout(100)
    with pytest.raises(SessionExpired):
        await driver.find_invoice(browser_page, account, "UP-ANY")


async def test_upload_recipe_busy_portal_is_unavailable(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """The portal's busy page is PortalUnavailable, before any submit."""
    await driver.login(browser_page, account)
    await portal.set_faults(error_rate=1.0)
    with pytest.raises(PortalUnavailable) as caught:
        await driver.find_invoice(browser_page, account, "UP-ANY")
    assert "temporarily unavailable" in caught.value.message
    assert not caught.value.after_submit


async def test_upload_recipe_lost_confirmation_is_unavailable_after_submit(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """A 500 after the click is after_submit, and the upload is then found on the portal."""
    await driver.login(browser_page, account)
    await portal.set_faults(confirm_fail_rate=1.0)
    with pytest.raises(PortalUnavailable) as caught:
        await driver.submit_invoice(
            browser_page, account, outgoing_invoice("UP-LOST-1"), invoice_pdf()
        )
    assert caught.value.after_submit
    await portal.set_faults(confirm_fail_rate=0.0)
    found = await driver.find_invoice(browser_page, account, "UP-LOST-1")
    assert found is not None


async def test_upload_recipe_logs_in_once_more_when_the_session_expires_during_login(
    driver: RecipeDriver, browser_page: Page, account: PortalAccount, portal: SandboxAdmin
) -> None:
    """The session expiring right after the password is SessionExpired inside the login, which
    signs in once more and succeeds: no failed login, no changed page."""
    done = await log_in_through_an_expiry(
        driver,
        browser_page,
        account,
        portal,
        url_glob="**/upload/login",
        expire_path="/login",
        after_answer=True,
    )
    assert done.posts == ["/upload/login"] * 2
    assert done.events == ["portal.login_session_expired"]
    assert done.logins == [(LOGIN, True, "ok"), (LOGIN, True, "ok")]
    assert await driver.find_invoice(browser_page, account, "UP-NONE") is None
