"""From an EBS invoice to what a portal receives: header, lines and a PDF.

Tax lines become the tax amount, not portal lines (portals flip lines from the PO and take tax
in the header). When EBS has no PDF, one is rendered from the invoice data: many EBS sites never
store the printed invoice, and most portals refuse an invoice without one.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.oracle.records import InvoiceRecord
from connectors.portals.base import InvoiceDocument, OutgoingInvoice, OutgoingLine
from jobs.invoice_pdf import InvoicePdf, InvoicePdfLine, render_invoice_pdf

PDF_CONTENT_TYPE = "application/pdf"
SUPPLIER_NAME = "Northwind Supply Co."


def to_outgoing_invoice(
    invoice: InvoiceRecord, *, portal_invoice_number: str, buyer_name: str | None
) -> OutgoingInvoice:
    item_lines = [ln for ln in invoice.lines if ln.line_type != "TAX"]
    return OutgoingInvoice(
        invoice_number=portal_invoice_number,
        invoice_date=invoice.trx_date,
        due_date=invoice.term_due_date,
        currency=invoice.currency,
        total_amount=invoice.total,
        tax_amount=invoice.tax_total,
        purchase_order=invoice.purchase_order,
        buyer_name=buyer_name,
        lines=tuple(
            OutgoingLine(
                line_number=i,
                description=ln.description or f"Line {ln.line_number}",
                quantity=ln.quantity if ln.quantity is not None else Decimal("1"),
                unit_price=ln.unit_price if ln.unit_price is not None else ln.amount,
                amount=ln.amount,
            )
            for i, ln in enumerate(item_lines, start=1)
        ),
    )


def invoice_document(invoice: InvoiceRecord, outgoing: OutgoingInvoice) -> InvoiceDocument:
    """The EBS PDF when there is one, else one rendered from the invoice data."""
    if invoice.pdf is not None:
        return InvoiceDocument(
            file_name=invoice.pdf.file_name,
            content_type=invoice.pdf.content_type,
            data=invoice.pdf.data,
        )
    pdf = render_invoice_pdf(
        InvoicePdf(
            supplier_name=SUPPLIER_NAME,
            customer_name=invoice.account_name or invoice.party_name,
            account_number=invoice.account_number,
            invoice_number=outgoing.invoice_number,
            invoice_date=invoice.trx_date,
            due_date=invoice.term_due_date,
            currency=invoice.currency,
            purchase_order=invoice.purchase_order,
            lines=tuple(
                InvoicePdfLine(
                    description=ln.description,
                    quantity=ln.quantity,
                    unit_price=ln.unit_price,
                    amount=ln.amount,
                )
                for ln in outgoing.lines
            ),
            tax=outgoing.tax_amount,
            total=outgoing.total_amount,
        )
    )
    return InvoiceDocument(
        file_name=f"{outgoing.invoice_number}.pdf",
        content_type=PDF_CONTENT_TYPE,
        data=pdf,
        rendered=True,
    )
