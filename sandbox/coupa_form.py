"""The Coupa-style invoice form in its two "releases", and reading a posted form back.

Portals rename fields between releases without notice; a driver must then stop and say which
element it lost (``PortalChanged``) rather than guess. Layout ``v1`` is the form the driver
is written for; ``v2`` renames every field's id, name and label. The server reads a post with
the layout that is live at that moment, so the pages and the parser never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.coupa_records import Attachment, InvoiceEntry, LineEntry

FORM_TOKEN_FIELD = "authenticity_token"
CUSTOMER_FIELD = "customer"


@dataclass(frozen=True, kw_only=True, slots=True)
class FormField:
    id: str
    name: str
    label: str


@dataclass(frozen=True, kw_only=True, slots=True)
class LineColumn:
    """One column of the lines table; a row's input is ``{row_prefix}-{n}-{stem}`` (id and name)."""

    stem: str
    css_class: str
    label: str


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceFormLayout:
    number: FormField
    invoice_date: FormField
    currency: FormField
    tax_amount: FormField
    attachment: FormField
    submit_id: str
    submit_label: str
    lines_container_id: str
    line_row_class: str
    row_prefix: str
    add_line_id: str
    remove_line_class: str
    description: LineColumn
    quantity: LineColumn
    unit_price: LineColumn

    @property
    def columns(self) -> tuple[LineColumn, LineColumn, LineColumn]:
        return (self.description, self.quantity, self.unit_price)

    def line_input(self, row: int | str, column: LineColumn) -> str:
        return f"{self.row_prefix}-{row}-{column.stem}"


LAYOUT_V1 = InvoiceFormLayout(
    number=FormField(id="invoice-number", name="invoice_number", label="Invoice #"),
    invoice_date=FormField(id="invoice-date", name="invoice_date", label="Invoice Date"),
    currency=FormField(id="invoice-currency", name="currency", label="Currency"),
    tax_amount=FormField(id="invoice-tax", name="tax_amount", label="Tax Amount"),
    attachment=FormField(id="invoice-attachment", name="attachment", label="Invoice Image"),
    submit_id="invoice-submit",
    submit_label="Submit",
    lines_container_id="invoice-lines",
    line_row_class="invoice-line",
    row_prefix="line",
    add_line_id="add-line",
    remove_line_class="remove-line",
    description=LineColumn(stem="description", css_class="line-description", label="Description"),
    quantity=LineColumn(stem="quantity", css_class="line-quantity", label="Qty"),
    unit_price=LineColumn(stem="unit-price", css_class="line-unit-price", label="Unit Price"),
)

LAYOUT_V2 = InvoiceFormLayout(
    number=FormField(id="doc-ref", name="supplier_document_ref", label="Supplier Document No."),
    invoice_date=FormField(id="doc-issued-on", name="issued_on", label="Issued On"),
    currency=FormField(id="doc-ccy", name="ccy_code", label="Invoice Currency"),
    tax_amount=FormField(id="doc-tax-total", name="tax_total", label="Total Tax"),
    attachment=FormField(id="doc-scan", name="scan_upload", label="Scanned Document"),
    submit_id="send-document",
    submit_label="Send to Customer",
    lines_container_id="document-items",
    line_row_class="document-item",
    row_prefix="item",
    add_line_id="add-item",
    remove_line_class="delete-item",
    description=LineColumn(stem="desc", css_class="item-desc", label="Item"),
    quantity=LineColumn(stem="qty", css_class="item-qty", label="Quantity"),
    unit_price=LineColumn(stem="price", css_class="item-price", label="Price"),
)

LAYOUTS: Mapping[str, InvoiceFormLayout] = {"v1": LAYOUT_V1, "v2": LAYOUT_V2}


def read_entry(
    layout: InvoiceFormLayout, fields: Mapping[str, str], attachment: Attachment | None
) -> InvoiceEntry:
    """The invoice as typed, from a posted form's text fields and its file (if any)."""
    rows = _row_keys(layout, fields)
    lines = tuple(
        LineEntry(
            line_key=row,
            description=fields.get(layout.line_input(row, layout.description), ""),
            quantity=fields.get(layout.line_input(row, layout.quantity), ""),
            unit_price=fields.get(layout.line_input(row, layout.unit_price), ""),
        )
        for row in rows
    )
    return InvoiceEntry(
        number=fields.get(layout.number.name, ""),
        invoice_date=fields.get(layout.invoice_date.name, ""),
        currency=fields.get(layout.currency.name, ""),
        tax_amount=fields.get(layout.tax_amount.name, ""),
        lines=lines,
        attachment=attachment,
    )


def _row_keys(layout: InvoiceFormLayout, fields: Mapping[str, str]) -> list[str]:
    """Row indexes present in the post, in order (removed rows simply do not come back)."""
    pattern = re.compile(
        rf"^{re.escape(layout.row_prefix)}-(\d+)-(?:"
        + "|".join(re.escape(c.stem) for c in layout.columns)
        + r")$"
    )
    keys = {m.group(1) for name in fields if (m := pattern.match(name))}
    return sorted(keys, key=int)
