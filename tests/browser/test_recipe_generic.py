"""A recipe is not tied to the upload portal: one written for the Coupa-style stand-in drives it
too, through the parts the upload recipe does not use (TOTP, invoice lines, row attributes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page

from connectors.portals.base import PortalStatus
from connectors.portals.errors import InvoiceRejected, RejectionCode
from connectors.portals.recipe.driver import RecipeDriver
from connectors.portals.recipe.files import load_recipe
from tests.support.books.common import invoice_pdf
from tests.support.books.coupa import (
    TOTP_LOGIN,
    coupa_account,
    outgoing_invoice,
)
from tests.support.sandbox_admin import SandboxAdmin

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

#: the Coupa-style stand-in described as a recipe; its customer code is fixed (GLOBEX)
COUPA_RECIPE = """
[portal]
name = "Coupa-style stand-in, driven by a recipe"

[pages]
login = "#login-form, #totp-form"
busy = "#busy-title"
failure = "#error-title"

[login]
open = "/login"
steps = [
  { fill = "#user_login", value = "{account.login_name}" },
  { fill = "#user_password", value = "{account.password}" },
]
submit = "#login-button"
signed_in = "#signed-in-user"
error = "#login-error"

[login.totp]
field = "#totp-code"
submit = "#totp-submit"
error = "#totp-error"

[submit]
open = "/orders?customer=GLOBEX&q={invoice.purchase_order}"
steps = [
  { click = "#orders-table tr.po-row a.create-invoice", navigates = true },
  { expect = "#current-customer", text = "{invoice.buyer_name}" },
  { fill = "#invoice-number", value = "{invoice.number}" },
  { fill = "#invoice-date", value = "{invoice.date}" },
  { select = "#invoice-currency", value = "{invoice.currency}" },
  { fill = "#invoice-tax", value = "{invoice.tax:plain}" },
  { upload = "#invoice-attachment" },
]
button = "#invoice-submit"
errors = ".field-error"

[submit.lines]
row = "#invoice-lines tr.invoice-line"
add = "#add-line"
remove = ".remove-line"
steps = [
  { fill = ".line-description", value = "{line.description}" },
  { fill = ".line-quantity", value = "{line.quantity:plain}" },
  { fill = ".line-unit-price", value = "{line.unit_price:plain}" },
]

[submit.confirmation]
reference = "#document-id"
number = "#confirmed-invoice-number"

[status]
open = "/invoices?customer=GLOBEX&q={invoice.number}"
rows = "#invoices-table tr.invoice-row"
empty = "#invoices-empty"

[status.columns]
number = "@data-invoice-number"
reference = "@data-document-id"
status = ".invoice-status"
amount = ".invoice-amount"

[status.map]
"Pending Approval" = "PENDING_APPROVAL"
"Approved" = "APPROVED"
"Disputed" = "DISPUTED"
"Paid" = "PAID"
"Voided" = "VOIDED"

[[rejections]]
pattern = "already been used"
code = "DUPLICATE"

[[rejections]]
pattern = "in the future|days in the past"
code = "DATE_RULE"
"""


@pytest.fixture
def driver(tmp_path: Path) -> RecipeDriver:
    """A driver of the Coupa-style recipe."""
    path = tmp_path / "coupa-recipe.toml"
    path.write_text(COUPA_RECIPE, encoding="utf-8")
    return RecipeDriver(load_recipe(path))


async def test_recipe_driver_signs_in_with_a_totp_step(
    driver: RecipeDriver, browser_page: Page, sandbox: SandboxAdmin
) -> None:
    """[login.totp] types the code from the account's secret: one successful attempt."""
    await driver.login(browser_page, coupa_account(sandbox.portal_url("coupa")))
    assert [(e["login_name"], e["ok"]) for e in await sandbox.logins()] == [(TOTP_LOGIN, True)]


async def test_recipe_driver_types_invoice_lines_and_reads_row_attributes(
    driver: RecipeDriver, browser_page: Page, sandbox: SandboxAdmin
) -> None:
    """[submit.lines] fits the PO's rows to the invoice's lines; status columns read attributes."""
    account = coupa_account(sandbox.portal_url("coupa"))
    invoice = outgoing_invoice(
        "RCP-LINES-1",
        lines=(("Steel brackets", "4", "12.50"), ("Installation", "2", "80.00"), ("Freight", "1",
               "25.00")),
    )  # fmt: skip
    await driver.login(browser_page, account)
    receipt = await driver.submit_invoice(browser_page, account, invoice, invoice_pdf())
    [received] = await sandbox.received()
    assert (received["invoice_number"], received["amount"]) == ("RCP-LINES-1", "240.00")
    found = await driver.find_invoice(browser_page, account, "RCP-LINES-1")
    assert found is not None
    assert (found.portal_reference, found.status) == (
        receipt.portal_reference,
        PortalStatus.PENDING_APPROVAL,
    )


async def test_recipe_driver_classifies_a_form_refusal(
    driver: RecipeDriver, browser_page: Page, sandbox: SandboxAdmin
) -> None:
    """A number already used, refused on the portal's form, is classified by the recipe."""
    account = coupa_account(sandbox.portal_url("coupa"))
    await driver.login(browser_page, account)
    await driver.submit_invoice(browser_page, account, outgoing_invoice("RCP-DUP-1"), invoice_pdf())
    with pytest.raises(InvoiceRejected) as caught:
        await driver.submit_invoice(
            browser_page, account, outgoing_invoice("RCP-DUP-1"), invoice_pdf()
        )
    assert caught.value.rejection is RejectionCode.DUPLICATE
    assert "Invoice number has already been used" in caught.value.message
    assert len(await sandbox.received()) == 1
