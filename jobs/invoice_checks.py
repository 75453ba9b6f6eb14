"""Checks an invoice must pass before anything is uploaded: what the portal gets must be what
EBS bills.

An invoice with no lines and 3,759.20 open was once uploaded as 0.00 and noted SUBMITTED: the
portal accepted a document that bills nothing, and the collector was told all was well. A
portal's own checks cannot catch that (it knows nothing of the payment schedule), so the
worker checks first and refuses, with a note that says what to fix in EBS. Pure: the table test
is ``tests/unit/test_invoice_checks.py``.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.oracle.records import InvoiceRecord

ZERO = Decimal("0")


def invoice_problems(invoice: InvoiceRecord) -> list[str]:
    """What is wrong with the invoice as EBS holds it, in words a collector can act on;
    empty when it may be uploaded."""
    problems: list[str] = []
    number = invoice.trx_number
    if not (invoice.currency or "").strip():
        problems.append(
            f"invoice {number} has no currency (RA_CUSTOMER_TRX_ALL.INVOICE_CURRENCY_CODE is "
            "empty): set it on the transaction in EBS"
        )
    items = [line for line in invoice.lines if line.line_type != "TAX"]
    if not invoice.lines:
        problems.append(
            f"invoice {number} has no lines in EBS (RA_CUSTOMER_TRX_LINES_ALL): a portal would "
            "receive an invoice for nothing; add its lines to the transaction in EBS"
        )
    elif not items:
        problems.append(
            f"invoice {number} has only tax lines in EBS: add the goods or services lines the "
            "tax is on"
        )
    total = invoice.total
    if invoice.lines and total <= ZERO:
        problems.append(
            f"invoice {number} totals {total:,.2f}: a zero or negative amount is a credit memo "
            "or an adjustment, not an invoice for the customer's portal"
        )
    original = invoice.amount_due_original
    if original is not None and invoice.lines and total != original:
        problems.append(
            f"invoice {number}: its lines (items, tax and freight) add up to {total:,.2f} "
            f"{invoice.currency} but its payment schedule bills {original:,.2f} "
            "(AR_PAYMENT_SCHEDULES_ALL.AMOUNT_DUE_ORIGINAL): correct the lines or the "
            "transaction in EBS so that they agree"
        )
    return problems
