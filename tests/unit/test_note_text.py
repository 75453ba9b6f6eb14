"""Note texts: what a collector reads must state the facts and the action."""

from __future__ import annotations

from decimal import Decimal

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
