"""HTML of the Ariba-style invoice wizard, the pages that live inside the workbench's iframe.

Each step is a page of its own in the frame (``body[data-aw-step]``), with the order's context
(customer, order, currency, amount remaining), the step indicator, the refusals of the last post
(``li.aw-error[data-field][data-code]``) and one form that carries the step's fresh anti-forgery
token. Buttons post ``_action``: ``next``, ``back``, ``add_line``, ``upload``, ``remove:N``,
``submit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from sandbox.ariba_drafts import ACTION_FIELD, CSRF_FIELD, STEPS, HeaderLayout, line_field
from sandbox.ariba_pages import PageContext, date, head, money
from sandbox.ariba_records import (
    ATTACHMENT_SIGNATURES,
    DATE_ENTRY_FORMAT,
    AribaInvoice,
    Attachment,
    HeaderEntry,
    InvoiceLine,
    LineEntry,
    RuleError,
    parse_amount,
)
from sandbox.catalog import Buyer, PurchaseOrder

STEP_LABELS = {
    "header": "1 Header",
    "lines": "2 Line Items",
    "attachments": "3 Attachments",
    "review": "4 Review",
}
CSRF_REFUSED = "Your request was refused: this page has expired (invalid security token)."


@dataclass(frozen=True, kw_only=True, slots=True)
class WizardContext:
    """What every step shows: where it posts, its token, the order being invoiced."""

    prefix: str
    draft_id: str
    token: str
    buyer: Buyer
    order: PurchaseOrder
    remaining: Decimal
    completed: frozenset[str]

    def step_url(self, step: str) -> str:
        return f"{self.prefix}/wizard/{self.draft_id}/{step}"


def frame_page(prefix: str, *, step: str, title: str, body: str) -> str:
    return (
        head(PageContext(prefix=prefix), title)
        + f'<body class="aw-frame" data-aw-step="{escape(step)}">'
        f'<div class="aw-content">{body}</div></body></html>'
    )


def _step_page(
    ctx: WizardContext,
    step: str,
    *,
    errors: Sequence[RuleError],
    fields: str,
    buttons: str,
    multipart: bool = False,
) -> str:
    indicator = "".join(
        f'<li data-step="{s}" class="{_step_css(ctx, s, step)}">{STEP_LABELS[s]}</li>'
        for s in STEPS
    )
    enctype = ' enctype="multipart/form-data"' if multipart else ""
    po = ctx.order
    body = (
        f'<ol id="aw-steps" class="aw-steps">{indicator}</ol>'
        '<div id="aw-wizard-context" class="aw-card"><dl class="aw-facts">'
        f'<dt>Customer</dt><dd id="aw-hdr-customer" data-buyer-code="{escape(ctx.buyer.code)}">'
        f"{escape(ctx.buyer.name)}</dd>"
        f'<dt>Purchase Order</dt><dd id="aw-hdr-order">{escape(po.number)}</dd>'
        f'<dt>Currency</dt><dd id="aw-hdr-currency">{escape(po.currency)}</dd>'
        f'<dt>Amount Remaining</dt><dd id="aw-hdr-remaining">'
        f"{money(ctx.remaining, po.currency)}</dd></dl></div>"
        f"{error_list(errors)}"
        f'<form id="aw-step-form" data-aw-step-form method="post" '
        f'action="{ctx.step_url(step)}"{enctype}>'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(ctx.token)}">'
        f'{fields}<div class="aw-actions">{buttons}</div></form>'
    )
    return frame_page(ctx.prefix, step=step, title=STEP_LABELS[step][2:], body=body)


def error_list(errors: Sequence[RuleError]) -> str:
    if not errors:
        return ""
    items = "".join(
        f'<li class="aw-error" data-field="{escape(e.field)}" data-code="{escape(e.code)}">'
        f"{escape(e.message)}</li>"
        for e in errors
    )
    return (
        '<div id="aw-errors" class="aw-msg aw-msg-error aw-errors">'
        f"<strong>Correct the following errors before you continue:</strong><ul>{items}</ul></div>"
    )


def _button(element_id: str, action: str, label: str, *, ghost: bool = False) -> str:
    css = "aw-btn aw-btn-ghost" if ghost else "aw-btn"
    return (
        f'<button class="{css}" type="submit" id="{element_id}" name="{ACTION_FIELD}" '
        f'value="{escape(action)}">{escape(label)}</button>'
    )


NEXT = _button("aw-next", "next", "Next")
BACK = _button("aw-back", "back", "Back", ghost=True)


# --- the steps ------------------------------------------------------------------------------


def header_step(
    ctx: WizardContext,
    layout: HeaderLayout,
    header: HeaderEntry,
    errors: Sequence[RuleError],
) -> str:
    fields = (
        '<div class="aw-card"><h2>Summary</h2>'
        + _row(layout.number.id, layout.number.name, layout.number.label, header.number, True)
        + _row(
            layout.invoice_date.id,
            layout.invoice_date.name,
            layout.invoice_date.label,
            header.invoice_date,
            True,
            placeholder=DATE_ENTRY_FORMAT,
        )
        + _row(
            layout.tax_amount.id,
            layout.tax_amount.name,
            layout.tax_amount.label,
            header.tax_amount,
            False,
            placeholder="0.00",
        )
        + "</div>"
    )
    return _step_page(ctx, "header", errors=errors, fields=fields, buttons=NEXT)


def _row(
    element_id: str,
    name: str,
    label: str,
    value: str,
    mandatory: bool,
    *,
    placeholder: str = "",
) -> str:
    css = ' class="aw-mandatory"' if mandatory else ""
    hint = f' placeholder="{escape(placeholder)}"' if placeholder else ""
    return (
        f'<div class="aw-form-row"><label for="{element_id}"{css}>{escape(label)}</label>'
        f'<input class="aw-input" type="text" id="{element_id}" name="{name}" '
        f'value="{escape(value)}"{hint}></div>'
    )


def lines_step(ctx: WizardContext, lines: Sequence[LineEntry], errors: Sequence[RuleError]) -> str:
    rows = "".join(_line_row(n, line) for n, line in enumerate(lines, start=1))
    subtotal = sum((_amount(line) for line in lines if line.include), Decimal("0.00"))
    fields = (
        '<div class="aw-card"><h2>Line Items</h2>'
        '<p class="aw-muted">Untick the lines you do not invoice.</p>'
        '<table id="aw-lines" class="aw-table"><thead><tr><th>Include</th><th>#</th>'
        '<th>Description</th><th>Quantity</th><th>Unit Price</th><th class="aw-num">Amount</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        f"<p>{_button('aw-add-line', 'add_line', 'Add Line', ghost=True)}</p>"
        f'<p>Subtotal: <strong id="aw-lines-subtotal">{subtotal:.2f}</strong> '
        f"{escape(ctx.order.currency)}</p></div>"
    )
    return _step_page(ctx, "lines", errors=errors, fields=fields, buttons=NEXT + BACK)


def _line_row(n: int, line: LineEntry) -> str:
    checked = " checked" if line.include else ""

    def cell(stem: str, css: str, value: str, label: str) -> str:
        name = line_field(n, stem)
        return (
            f'<td><input class="aw-input {css}" type="text" id="{name}" name="{name}" '
            f'value="{escape(value)}" aria-label="{label} {n}"></td>'
        )

    return (
        f'<tr class="aw-line" data-line="{n}">'
        f'<td><input type="checkbox" class="aw-line-include" name="{line_field(n, "include")}" '
        f'value="on"{checked} aria-label="Include line {n}"></td>'
        f'<td class="aw-line-no">{n}</td>'
        + cell("description", "aw-line-desc", line.description, "Description")
        + cell("quantity", "aw-line-qty", line.quantity, "Quantity")
        + cell("unitPrice", "aw-line-price", line.unit_price, "Unit Price")
        + f'<td class="aw-line-amount aw-num">{_amount(line):.2f}</td></tr>'
    )


def attachments_step(
    ctx: WizardContext, attachments: Sequence[Attachment], errors: Sequence[RuleError]
) -> str:
    if attachments:
        items = "".join(
            f'<li class="aw-att-item" data-file-name="{escape(a.file_name)}">'
            f'<span class="aw-att-name">{escape(a.file_name)}</span> '
            f'<span class="aw-muted">({max(1, len(a.data) // 1024)} KB)</span> '
            + _button(f"aw-att-remove-{i}", f"remove:{i}", "Remove", ghost=True)
            + "</li>"
            for i, a in enumerate(attachments)
        )
        listing = f'<ul id="aw-att-list">{items}</ul>'
    else:
        listing = '<p id="aw-att-none" class="aw-muted">No attachments yet.</p>'
    accept = ",".join(f".{ext}" for ext in ATTACHMENT_SIGNATURES)
    fields = (
        '<div class="aw-card"><h2>Attachments</h2>'
        '<p class="aw-muted">Attach the invoice document (PDF, TIFF, JPEG or PNG, up to 10 MB).</p>'
        '<div class="aw-form-row"><label for="aw-att-file">File</label>'
        f'<input type="file" id="aw-att-file" name="attachment" accept="{accept}"></div>'
        f"<p>{_button('aw-att-upload', 'upload', 'Upload', ghost=True)}</p>"
        f"{listing}</div>"
    )
    return _step_page(
        ctx, "attachments", errors=errors, fields=fields, buttons=NEXT + BACK, multipart=True
    )


def review_step(
    ctx: WizardContext,
    *,
    header: HeaderEntry,
    lines: Sequence[InvoiceLine],
    tax: Decimal,
    attachments: Sequence[Attachment],
    errors: Sequence[RuleError],
) -> str:
    currency = ctx.order.currency
    subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    facts = (
        ("aw-rev-number", "Invoice #", escape(header.number.strip())),
        ("aw-rev-date", "Invoice Date", escape(header.invoice_date.strip())),
        ("aw-rev-customer", "Customer", escape(ctx.buyer.name)),
        ("aw-rev-order", "Purchase Order", escape(ctx.order.number)),
        ("aw-rev-subtotal", "Subtotal", f"{subtotal:,.2f}"),
        ("aw-rev-tax", "Tax", f"{tax:,.2f}"),
        ("aw-rev-total", "Total Amount", f"{subtotal + tax:,.2f}"),
        ("aw-rev-currency", "Currency", escape(currency)),
    )
    rows = "".join(f'<dt>{label}</dt><dd id="{eid}">{value}</dd>' for eid, label, value in facts)
    line_rows = "".join(
        f'<tr class="aw-rev-line"><td>{escape(line.description)}</td>'
        f'<td class="aw-num">{line.quantity}</td><td class="aw-num">{line.unit_price}</td>'
        f'<td class="aw-num">{line.amount:,.2f}</td></tr>'
        for line in lines
    )
    files = "".join(f'<li class="aw-rev-att">{escape(a.file_name)}</li>' for a in attachments)
    fields = (
        f'<div class="aw-card"><h2>Review</h2><dl class="aw-facts">{rows}</dl></div>'
        '<table class="aw-table"><thead><tr><th>Description</th><th class="aw-num">Qty</th>'
        '<th class="aw-num">Unit Price</th><th class="aw-num">Amount</th></tr></thead>'
        f'<tbody>{line_rows}</tbody></table><ul id="aw-rev-attachments">{files}</ul>'
    )
    buttons = _button("aw-submit", "submit", "Submit") + BACK
    return _step_page(ctx, "review", errors=errors, fields=fields, buttons=buttons)


def done_page(prefix: str, invoice: AribaInvoice, buyer: Buyer) -> str:
    outbox = f"{prefix}/outbox"
    body = (
        '<div id="aw-done" class="aw-msg aw-msg-success">'
        f'Invoice <strong id="aw-done-number">{escape(invoice.number)}</strong> was submitted '
        f'to <span id="aw-done-customer">{escape(buyer.name)}</span>. '
        f'Document ID <strong id="aw-done-docid">{escape(invoice.document_id)}</strong>. '
        f'Routing status: <span id="aw-done-routing">{escape(invoice.routing.value)}</span>.'
        "</div>"
        f"<p>Invoice date {date(invoice.invoice_date)}, total "
        f"{money(invoice.total, invoice.currency)}.</p>"
        f'<p><a id="aw-done-outbox" href="{outbox}" target="_top">Go to Outbox</a></p>'
    )
    return frame_page(prefix, step="done", title="Invoice submitted", body=body)


def csrf_refused_page(prefix: str, step_url: str) -> str:
    body = (
        f'<div class="aw-msg aw-msg-error"><h1 id="aw-csrf-error" class="aw-title">'
        f"{CSRF_REFUSED}</h1>"
        f'<p><a id="aw-csrf-reload" href="{escape(step_url)}">Reload the step</a> and try again.'
        "</p></div>"
    )
    return frame_page(prefix, step="refused", title="Request refused", body=body)


def draft_missing_page(prefix: str) -> str:
    body = (
        '<div class="aw-msg aw-msg-error"><h1 id="aw-draft-missing" class="aw-title">'
        "This invoice draft no longer exists.</h1></div>"
    )
    return frame_page(prefix, step="missing", title="Draft not found", body=body)


def _step_css(ctx: WizardContext, step: str, current: str) -> str:
    if step == current:
        return "is-current"
    return "is-done" if step in ctx.completed else ""


def _amount(line: LineEntry) -> Decimal:
    quantity = parse_amount(line.quantity, places=None)
    price = parse_amount(line.unit_price, places=None)
    if quantity is None or price is None:
        return Decimal("0.00")
    return InvoiceLine(description="", quantity=quantity, unit_price=price).amount
