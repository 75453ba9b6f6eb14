"""Note texts: what a collector reads must state the facts and the action."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from connectors.oracle.records import PortalAccountRecord
from jobs import note_text


def test_submitted_note_names_invoice_amount_portal_and_reference() -> None:
    """A submission note carries invoice number, amount, portal, buyer and portal document."""
    text = note_text.submitted(
        invoice_number="10234",
        amount=Decimal("1234.5"),
        currency="EUR",
        portal_name="Coupa",
        buyer_name="Acme Corp",
        portal_reference="CP-000123",
        pdf_rendered=False,
    )
    assert text.startswith("arworker: ")
    for part in ("10234", "EUR 1,234.50", "Coupa portal of Acme Corp", "CP-000123"):
        assert part in text
    assert "rendered" not in text


def test_submitted_note_says_when_pdf_was_rendered() -> None:
    """When EBS had no PDF, the note says the PDF was rendered from the invoice data."""
    text = note_text.submitted(
        invoice_number="1",
        amount=Decimal(1),
        currency="USD",
        portal_name="Coupa",
        buyer_name=None,
        portal_reference="R",
        pdf_rendered=True,
    )
    assert "rendered from the invoice data" in text


def test_rejected_note_quotes_reason_and_asks_for_action() -> None:
    """A rejection note quotes the portal's reason, its code, and what to do."""
    text = note_text.rejected(
        invoice_number="10234",
        portal_name="Coupa",
        buyer_name="Acme",
        code="PO_CLOSED",
        reason="PO is closed and cannot be invoiced",
    )
    assert "ACTION NEEDED" in text
    assert '"PO is closed and cannot be invoiced"' in text
    assert "[PO_CLOSED]" in text
    assert "resync" in text


def test_login_failed_note_names_secret_not_password() -> None:
    """A login-failure note names the secret to fix, and explains why no retry happened."""
    text = note_text.login_failed(
        portal_name="Coupa",
        login_name="ar@x.example",
        reason="Invalid email or password",
        secret_ref="COUPA_PW",
    )
    assert "COUPA_PW" in text and "lock" in text


def test_duplicate_rejection_says_the_portal_holds_it_and_how_to_check() -> None:
    """A DUPLICATE is not something to correct in EBS: the note says the portal already holds
    that number, how to check, and that a resync marks it submitted when it is this invoice."""
    text = note_text.rejected(
        invoice_number="10234",
        portal_name="Coupa",
        buyer_name="Acme",
        code="DUPLICATE",
        reason="Invoice number has already been used",
    )
    assert "ACTION NEEDED" in text and "already holds an invoice numbered 10234" in text
    assert "Search the portal for 10234" in text and "resync" in text
    assert "Correct the invoice in EBS" not in text


def test_notes_name_the_portal_as_collectors_do() -> None:
    """The portal's display name, else the family's name; never an internal code."""
    record = PortalAccountRecord(
        portal_account_id=1,
        cust_account_id=11,
        account_number="1001",
        account_name="Acme",
        party_id=1,
        portal_code="upload",
        portal_url="http://127.0.0.1:1/upload",
        buyer_name="Acme",
        supplier_portal_id=None,
        login_name="ar@x.example",
        secret_ref="S",
        totp_secret_ref=None,
        enabled=True,
        po_required=True,
        new_number_on_resubmit=False,
    )
    assert note_text.portal_name_of(record) == "e-invoicing network"
    named = dataclasses.replace(record, display_name="Tungsten Network")
    assert note_text.portal_name_of(named) == "Tungsten Network"
    text = note_text.submitted(
        invoice_number="1",
        amount=Decimal(1),
        currency="USD",
        portal_name=note_text.portal_name_of(named),
        buyer_name="Acme",
        portal_reference="R",
        pdf_rendered=False,
    )
    assert "Tungsten Network portal of Acme" in text and "upload portal" not in text


def test_check_portal_note_asks_a_person_and_promises_no_blind_upload() -> None:
    """An item that may be on the portal, lookups exhausted: check it; no blind re-upload."""
    text = note_text.check_portal(
        invoice_number="10234",
        portal_name="Coupa",
        buyer_name=None,
        attempts=5,
        error="HTTP 503",
    )
    assert "ACTION NEEDED" in text and "may have reached" in text
    assert "never upload it again unless the portal shows it is not there" in text


def test_login_note_for_a_missing_secret_names_it_and_the_self_resume() -> None:
    text = note_text.login_failed(
        portal_name="Coupa",
        login_name="ar@x.example",
        reason="secret 'COUPA_PW' not found",
        secret_ref="COUPA_PW",
        missing_secret=True,
    )
    assert "COUPA_PW" in text and "resumes by itself" in text


def test_portal_changed_note_says_when_it_is_tried_again() -> None:
    text = note_text.portal_changed(portal_name="Coupa", reason="no #number", reprobe_after_s=21600)
    assert "every 6 hours" in text and "paused" in text
    assert "tries one invoice" not in note_text.portal_changed(portal_name="Coupa", reason="x")
