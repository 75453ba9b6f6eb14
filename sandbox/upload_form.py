"""The upload-style portal's invoice form in its two "releases", and reading a post back.

A recipe names the form's elements by selector; when the portal ships a new release with
renamed fields, the recipe driver must stop with ``PortalChanged`` naming the selector that
found nothing, never type into the wrong box. Layout ``v1`` is what the shipped recipe
(``config/portals/upload.toml``) describes; ``v2`` renames every id and name. The server
reads a post with the layout live at that moment, so the page and the parser never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.upload_records import Attachment, UploadEntry

FORM_TOKEN_FIELD = "form_token"


@dataclass(frozen=True, kw_only=True, slots=True)
class FormField:
    id: str
    name: str
    label: str


@dataclass(frozen=True, kw_only=True, slots=True)
class UploadFormLayout:
    number: FormField
    invoice_date: FormField
    due_date: FormField
    po_number: FormField
    currency: FormField
    net_amount: FormField
    tax_amount: FormField
    total_amount: FormField
    file: FormField  #: the real, hidden ``<input type=file>``
    attach_button_id: str  #: the styled button that opens the file chooser
    submit_id: str
    submit_label: str

    def text_fields(self) -> tuple[tuple[str, FormField], ...]:
        """(logical name, field) of the typed fields, in form order (currency aside)."""
        return (
            ("number", self.number),
            ("invoice_date", self.invoice_date),
            ("due_date", self.due_date),
            ("po_number", self.po_number),
            ("net_amount", self.net_amount),
            ("tax_amount", self.tax_amount),
            ("total_amount", self.total_amount),
        )


LAYOUT_V1 = UploadFormLayout(
    number=FormField(id="inv-number", name="invoice_number", label="Invoice number"),
    invoice_date=FormField(id="inv-date", name="invoice_date", label="Invoice date"),
    due_date=FormField(id="inv-due-date", name="due_date", label="Due date"),
    po_number=FormField(id="inv-po", name="po_number", label="Purchase order number"),
    currency=FormField(id="inv-currency", name="currency", label="Currency"),
    net_amount=FormField(id="inv-net", name="net_amount", label="Net amount"),
    tax_amount=FormField(id="inv-tax", name="tax_amount", label="Tax amount"),
    total_amount=FormField(id="inv-total", name="total_amount", label="Total amount"),
    file=FormField(id="invoice-file", name="invoice_file", label="Invoice document (PDF)"),
    attach_button_id="attach-button",
    submit_id="send-invoice",
    submit_label="Send invoice",
)

LAYOUT_V2 = UploadFormLayout(
    number=FormField(id="doc-no", name="document_no", label="Document no."),
    invoice_date=FormField(id="doc-date", name="document_date", label="Document date"),
    due_date=FormField(id="doc-due", name="payment_due", label="Payment due"),
    po_number=FormField(id="order-ref", name="order_reference", label="Order reference"),
    currency=FormField(id="doc-ccy", name="document_currency", label="Document currency"),
    net_amount=FormField(id="sum-net", name="sum_net", label="Sum excl. tax"),
    tax_amount=FormField(id="sum-vat", name="sum_vat", label="VAT"),
    total_amount=FormField(id="sum-gross", name="sum_gross", label="Sum incl. tax"),
    file=FormField(id="doc-pdf", name="document_pdf", label="Document image"),
    attach_button_id="pick-pdf",
    submit_id="transmit",
    submit_label="Transmit",
)

LAYOUTS: Mapping[str, UploadFormLayout] = {"v1": LAYOUT_V1, "v2": LAYOUT_V2}


def read_entry(
    layout: UploadFormLayout, fields: Mapping[str, str], attachment: Attachment | None
) -> UploadEntry:
    """The upload as typed, from a posted form's text fields and its file (if any)."""

    def value(field: FormField) -> str:
        return fields.get(field.name, "")

    return UploadEntry(
        number=value(layout.number),
        invoice_date=value(layout.invoice_date),
        due_date=value(layout.due_date),
        po_number=value(layout.po_number),
        currency=value(layout.currency),
        net_amount=value(layout.net_amount),
        tax_amount=value(layout.tax_amount),
        total_amount=value(layout.total_amount),
        attachment=attachment,
    )
