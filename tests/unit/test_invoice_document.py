"""The document uploaded with an invoice: EBS's PDF, else one rendered as the configured supplier,
never one naming a placeholder."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from config.settings import SupplierSettings
from connectors.oracle.records import InvoiceLineRecord, InvoicePdfRecord, InvoiceRecord
from jobs.invoice_mapping import SupplierNotConfigured, invoice_document, to_outgoing_invoice

SUPPLIER = SupplierSettings(
    name="Contoso Industrial Ltd",
    address=["4 Quay Street", "Dublin 2", "Ireland"],
    tax_id="IE 6388047V",
    remit_to="Remit to: Contoso Industrial Ltd, Bank of Example, IBAN IE29 AIBK 9311 5212 3456 78",
)


def _invoice(*, pdf: InvoicePdfRecord | None = None) -> InvoiceRecord:
    return InvoiceRecord(
        customer_trx_id=7,
        trx_number="104512",
        trx_date=dt.date(2026, 3, 5),
        term_due_date=dt.date(2026, 4, 4),
        currency="EUR",
        purchase_order="PO-310045",
        customer_reference=None,
        cust_account_id=1003,
        account_number="1003",
        account_name="Rheinwerk Maschinenbau GmbH",
        party_name="Rheinwerk",
        lines=(
            InvoiceLineRecord(
                line_number=1,
                line_type="LINE",
                description="Hydraulic hose, 2 m",
                quantity=Decimal("4"),
                unit_price=Decimal("25.00"),
                amount=Decimal("100.00"),
            ),
            InvoiceLineRecord(
                line_number=2,
                line_type="TAX",
                description="VAT 19%",
                quantity=None,
                unit_price=None,
                amount=Decimal("19.00"),
            ),
        ),
        pdf=pdf,
    )


def _document(invoice: InvoiceRecord, supplier: SupplierSettings) -> tuple[bool, bytes]:
    outgoing = to_outgoing_invoice(invoice, portal_invoice_number="104512", buyer_name="Rheinwerk")
    document = invoice_document(invoice, outgoing, supplier=supplier)
    return document.rendered, document.data


def test_rendered_pdf_names_the_configured_supplier() -> None:
    """Name, address lines, tax id and remit-to text come from [supplier], not the demo book."""
    rendered, data = _document(_invoice(), SUPPLIER)
    assert rendered
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Contoso Industrial Ltd" in text
    assert "4 Quay Street" in text and "Dublin 2" in text
    assert "Tax ID IE 6388047V" in text
    assert "IBAN IE29" in text
    assert "Northwind" not in text
    assert reader.metadata is not None and reader.metadata.author == "Contoso Industrial Ltd"


def test_no_supplier_name_no_rendered_pdf() -> None:
    """Without supplier.name, an invoice that needs a rendered PDF is refused, saying the key."""
    with pytest.raises(SupplierNotConfigured, match=r"supplier\.name \(ARWORKER_SUPPLIER__NAME\)"):
        _document(_invoice(), SupplierSettings())


def test_ebs_pdf_is_sent_as_is_without_a_supplier() -> None:
    """An invoice whose PDF is in EBS needs no supplier setting: the stored file goes."""
    stored = InvoicePdfRecord(file_name="104512.pdf", content_type="application/pdf", data=b"%PDF")
    rendered, data = _document(_invoice(pdf=stored), SupplierSettings())
    assert not rendered
    assert data == b"%PDF"


def test_blank_supplier_values_count_as_unset() -> None:
    """A name of spaces (an empty environment variable) is no name."""
    assert SupplierSettings(name="  ", tax_id="").name is None
    assert SupplierSettings(name="  ", tax_id="").tax_id is None
