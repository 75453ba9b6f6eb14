"""From an EBS invoice to what a portal receives: header, lines and a PDF.

Tax lines become the tax amount, not portal lines (portals flip lines from the PO and take tax
in the header). When EBS has no PDF, one is rendered from the invoice data: many EBS sites never
store the printed invoice, and most portals refuse an invoice without one. The rendered PDF names
the configured supplier (``[supplier]``); without one it is not rendered at all: a placeholder
seller must never reach a customer's accounts-payable team.
"""

from __future__ import annotations

from decimal import Decimal

from config.settings import ConfigError, SupplierSettings
from connectors.oracle.records import InvoiceRecord
from connectors.portals.base import InvoiceDocument, OutgoingInvoice, OutgoingLine
from jobs.invoice_pdf import InvoicePdf, InvoicePdfLine, render_invoice_pdf

PDF_CONTENT_TYPE = "application/pdf"


class SupplierNotConfigured(ConfigError):
    """An invoice without a PDF in EBS needs one rendered, and no supplier name is configured."""


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


def invoice_document(
    invoice: InvoiceRecord, outgoing: OutgoingInvoice, *, supplier: SupplierSettings
) -> InvoiceDocument:
    """The EBS PDF when there is one, else one rendered from the invoice data as ``supplier``."""
    if invoice.pdf is not None:
        return InvoiceDocument(
            file_name=invoice.pdf.file_name,
            content_type=invoice.pdf.content_type,
            data=invoice.pdf.data,
        )
    if supplier.name is None:
        raise SupplierNotConfigured(
            f"invoice {outgoing.invoice_number} has no PDF in EBS and none can be rendered: "
            "supplier.name (ARWORKER_SUPPLIER__NAME) is not set"
        )
    pdf = render_invoice_pdf(
        InvoicePdf(
            supplier_name=supplier.name,
            supplier_address=tuple(supplier.address),
            supplier_tax_id=supplier.tax_id,
            remit_to=supplier.remit_to,
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
