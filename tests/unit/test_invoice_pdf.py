"""The invoice PDF rendered when EBS holds none: readable, complete, the same bytes every time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal

from pypdf import PdfReader

from jobs.invoice_pdf import InvoicePdf, InvoicePdfLine, render_invoice_pdf


def _invoice(*, lines: int = 3, number: str = "104512", description: str = "") -> InvoicePdf:
    items = tuple(
        InvoicePdfLine(
            description=description or f"Nitrile exam gloves, powder-free, box of 100 (lot {i})",
            quantity=Decimal("12"),
            unit_price=Decimal("8.45"),
            amount=Decimal("101.40"),
        )
        for i in range(1, lines + 1)
    )
    subtotal = Decimal("101.40") * lines
    tax = (subtotal * Decimal("0.19")).quantize(Decimal("0.01"))
    return InvoicePdf(
        supplier_name="Northwind Supply Co.",
        customer_name="Rheinwerk Maschinenbau GmbH",
        account_number="1003",
        invoice_number=number,
        invoice_date=dt.date(2026, 3, 5),
        due_date=dt.date(2026, 4, 4),
        currency="EUR",
        purchase_order="PO-310045",
        lines=items,
        tax=tax,
        total=subtotal + tax,
        customer_address=("Industriestraße 12", "70173 Stuttgart", "Germany"),
        payment_terms="Net 30",
    )


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_render_invoice_pdf_reads_back_with_number_po_and_total() -> None:
    """The rendered file is a one-page PDF showing the invoice number, customer, PO and total."""
    data = _invoice()
    reader, text = _text(render_invoice_pdf(data))

    assert len(reader.pages) == 1
    assert "104512" in text
    assert "Rheinwerk Maschinenbau GmbH" in text
    assert "PO-310045" in text
    assert f"{data.total:,.2f}" in text
    assert "Industriestraße 12" in text  # cp1252 letters print as themselves


def test_render_invoice_pdf_same_input_gives_identical_bytes() -> None:
    """Rendering twice gives the same bytes, dated from the invoice date rather than the clock."""
    first = render_invoice_pdf(_invoice())
    second = render_invoice_pdf(_invoice())

    assert first == second
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata is not None
    assert str(metadata["/CreationDate"]).startswith("D:20260305")


def test_render_invoice_pdf_differs_when_the_invoice_differs() -> None:
    """Two invoices never share a file: the number is in the content and the document id."""
    assert render_invoice_pdf(_invoice(number="104512")) != render_invoice_pdf(
        _invoice(number="104513")
    )


def test_render_invoice_pdf_overflowing_lines_continue_on_more_pages() -> None:
    """Eighty lines run over numbered pages; every line and the total still appear."""
    data = _invoice(lines=80)
    reader, text = _text(render_invoice_pdf(data))

    assert len(reader.pages) > 1
    assert "(lot 80)" in text and "(lot 1)" in text
    assert f"{data.total:,.2f}" in reader.pages[-1].extract_text()
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text


def test_render_invoice_pdf_survives_text_the_core_font_cannot_print() -> None:
    """Characters outside cp1252 (CJK, arrows) are replaced, not an encoding error."""
    data = _invoice(description="Ersatzteil → Lager 東京 " + "x" * 300)
    reader, text = _text(render_invoice_pdf(data))

    assert "Ersatzteil" in text
    assert len(reader.pages) >= 1


def test_render_invoice_pdf_without_po_or_due_date_says_so() -> None:
    """An invoice with no PO and no due date prints placeholders instead of failing."""
    data = dataclasses.replace(_invoice(), purchase_order=None, due_date=None)
    _, text = _text(render_invoice_pdf(data))

    assert "On receipt" in text
    assert "(none)" in text
