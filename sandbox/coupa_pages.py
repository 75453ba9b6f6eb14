"""HTML of the Coupa-style portal, built from small escaped functions (no template engine).

The pages carry the selectors the Coupa driver relies on (see :mod:`sandbox.coupa_portal` for
the contract): ids for fields and values, classes for rows, the current customer in a bar on
every customer page. Everything user-supplied goes through :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from urllib.parse import urlencode

from sandbox.catalog import Buyer, PurchaseOrder
from sandbox.coupa_form import (
    CUSTOMER_FIELD,
    FORM_TOKEN_FIELD,
    FormField,
    InvoiceFormLayout,
)
from sandbox.coupa_records import (
    ATTACHMENT_SIGNATURES,
    DATE_FORMAT_HINT,
    MESSAGE_NON_PO_DISABLED,
    MESSAGE_PO_CLOSED,
    CoupaInvoice,
    InvoiceEntry,
    InvoiceStatus,
    LineEntry,
)

PORTAL_TITLE = "Supplier Portal"
BUSY_MESSAGE = "System busy - please try again later"
ERROR_MESSAGE = "Something went wrong"


@dataclass(frozen=True, kw_only=True, slots=True)
class PageContext:
    """What every page of a signed-in user shows around its content."""

    prefix: str  #: where the portal is mounted, e.g. "/coupa"
    user: str | None = None
    customer: Buyer | None = None

    def url(self, path: str, **query: str | int | None) -> str:
        params = {k: str(v) for k, v in query.items() if v not in (None, "")}
        return f"{self.prefix}{path}" + (f"?{urlencode(params)}" if params else "")

    def customer_url(self, path: str, **query: str | int | None) -> str:
        code = self.customer.code if self.customer is not None else None
        return self.url(path, customer=code, **query)


@dataclass(frozen=True, kw_only=True, slots=True)
class Paging:
    page: int
    pages: int
    total: int


# --- the frame ------------------------------------------------------------------------------


def shell(ctx: PageContext, *, title: str, body: str, flash: str = "") -> str:
    """A complete page: header with navigation, customer bar, flash message, content."""
    nav = ""
    if ctx.user is not None:
        links = [f'<a id="nav-home" href="{ctx.url("/home")}">Home</a>']
        if ctx.customer is not None:
            links.append(f'<a id="nav-orders" href="{ctx.customer_url("/orders")}">Orders</a>')
            links.append(
                f'<a id="nav-invoices" href="{ctx.customer_url("/invoices")}">Invoices</a>'
            )
        links.append(f'<span id="signed-in-user">{escape(ctx.user)}</span>')
        links.append(f'<a id="logout" href="{ctx.url("/logout")}">Log out</a>')
        nav = "<nav>" + "".join(links) + "</nav>"
    customer_bar = ""
    if ctx.customer is not None:
        customer_bar = (
            '<div class="customer-bar">Customer: '
            f'<strong id="current-customer" data-customer-code="{escape(ctx.customer.code)}">'
            f"{escape(ctx.customer.name)}</strong> "
            f'<a id="change-customer" href="{ctx.url("/home")}">Change</a></div>'
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · {PORTAL_TITLE}</title>"
        f'<link rel="stylesheet" href="{ctx.url("/static/portal.css")}">'
        f'<script src="{ctx.url("/static/portal.js")}" defer></script>'
        "</head><body>"
        f'<header class="portal-header"><img src="{ctx.url("/static/logo.svg")}" alt="logo">'
        f'<span class="portal-name">{PORTAL_TITLE}</span>{nav}</header>'
        f"{customer_bar}<main>{flash}{body}</main></body></html>"
    )


def flash(kind: str, message: str, *, element_id: str) -> str:
    return f'<div id="{element_id}" class="flash flash-{kind}">{escape(message)}</div>'


# --- sign-in --------------------------------------------------------------------------------


def login_page(
    ctx: PageContext, *, error: str | None = None, notice: str | None = None, email: str = ""
) -> str:
    messages = ""
    if notice:
        messages += flash("notice", notice, element_id="login-notice")
    if error:
        messages += flash("error", error, element_id="login-error")
    body = (
        '<div class="login-box panel"><h1>Log in</h1>'
        f'{messages}<form id="login-form" method="post" action="{ctx.url("/login")}">'
        '<div class="field"><label for="user_login">Email</label>'
        f'<input type="text" id="user_login" name="email" value="{escape(email)}" '
        'autocomplete="username"></div>'
        '<div class="field"><label for="user_password">Password</label>'
        '<input type="password" id="user_password" name="password" '
        'autocomplete="current-password"></div>'
        '<button type="submit" id="login-button">Log in</button></form></div>'
    )
    return shell(PageContext(prefix=ctx.prefix), title="Log in", body=body)


def totp_page(ctx: PageContext, *, error: str | None = None) -> str:
    messages = flash("error", error, element_id="totp-error") if error else ""
    body = (
        '<div class="login-box panel"><h1>Verify it\'s you</h1>'
        f"{messages}<p>Enter the 6-digit code from your authenticator app.</p>"
        f'<form id="totp-form" method="post" action="{ctx.url("/login/verify")}">'
        '<div class="field"><label for="totp-code">Verification code</label>'
        '<input type="text" id="totp-code" name="code" inputmode="numeric" '
        'autocomplete="one-time-code" maxlength="6"></div>'
        '<button type="submit" id="totp-submit">Verify</button></form></div>'
    )
    return shell(PageContext(prefix=ctx.prefix), title="Verification", body=body)


# --- customers and orders -------------------------------------------------------------------


def home_page(ctx: PageContext, buyers: Sequence[Buyer], *, notice: str | None = None) -> str:
    options = "".join(
        f'<option value="{escape(b.code)}"'
        f"{' selected' if ctx.customer is not None and b.code == ctx.customer.code else ''}>"
        f"{escape(b.name)}</option>"
        for b in buyers
    )
    rows = "".join(
        f'<tr class="customer-row" data-customer-code="{escape(b.code)}">'
        f'<td class="customer-name">{escape(b.name)}</td>'
        f'<td><a class="customer-orders" href="{ctx.url("/orders", customer=b.code)}">Orders</a> '
        f'<a class="customer-invoices" href="{ctx.url("/invoices", customer=b.code)}">'
        "Invoices</a></td></tr>"
        for b in buyers
    )
    body = (
        "<h1>Home</h1>"
        f'<div class="panel"><form id="customer-form" method="get" action="{ctx.url("/orders")}">'
        '<label for="customer-select">Select Customer</label>'
        f'<select id="customer-select" name="{CUSTOMER_FIELD}">{options}</select> '
        '<button type="submit" id="customer-go">Go</button></form></div>'
        '<table id="customers-table" class="grid"><thead><tr><th>Customer</th><th></th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )
    message = flash("notice", notice, element_id="home-notice") if notice else ""
    return shell(ctx, title="Home", body=body, flash=message)


def orders_page(
    ctx: PageContext,
    rows: Sequence[tuple[int, PurchaseOrder, Decimal]],
    *,
    query: str,
    paging: Paging,
) -> str:
    search = (
        f'<form id="po-search" method="get" action="{ctx.url("/orders")}">'
        f'<input type="hidden" name="{CUSTOMER_FIELD}" value="{escape(_code(ctx))}">'
        '<label for="po-search-input">Search by PO number</label>'
        f'<input type="text" id="po-search-input" name="q" value="{escape(query)}"> '
        '<button type="submit" id="po-search-button">Search</button></form>'
    )
    actions = (
        '<div class="panel"><button type="button" id="create-blank-invoice" disabled '
        f'title="{escape(MESSAGE_NON_PO_DISABLED)}">Create Blank Invoice</button> '
        f'<span id="blank-invoice-note" class="muted">{escape(MESSAGE_NON_PO_DISABLED)}</span>'
        "</div>"
    )
    if rows:
        body_rows = "".join(_order_row(ctx, po_id, po, remaining) for po_id, po, remaining in rows)
        table = (
            '<table id="orders-table" class="grid"><thead><tr><th>PO Number</th><th>Status</th>'
            '<th>Currency</th><th class="num">Total</th><th class="num">Remaining</th>'
            f"<th>Actions</th></tr></thead><tbody>{body_rows}</tbody></table>"
            + _pager(ctx, "/orders", query, paging)
        )
    else:
        wanted = f' matching "{escape(query)}"' if query else ""
        table = f'<p id="orders-empty">No purchase orders found{wanted}.</p>'
    body = f'<h1>Orders</h1><div class="panel">{search}</div>{actions}{table}'
    return shell(ctx, title="Orders", body=body)


def _order_row(ctx: PageContext, po_id: int, po: PurchaseOrder, remaining: Decimal) -> str:
    action = (
        f'<a class="create-invoice button" '
        f'href="{ctx.customer_url(f"/orders/{po_id}/invoices/new")}" '
        'title="Create Invoice">Create Invoice</a>'
        if po.status == "OPEN"
        else '<span class="muted">—</span>'
    )
    return (
        f'<tr class="po-row" data-po-number="{escape(po.number)}" data-po-id="{po_id}">'
        f'<td class="po-number"><a href="{ctx.customer_url(f"/orders/{po_id}")}">'
        f"{escape(po.number)}</a></td>"
        f'<td class="po-status">{_status_badge(po.status)}</td>'
        f'<td class="po-currency">{escape(po.currency)}</td>'
        f'<td class="po-total num">{_money(po.amount)}</td>'
        f'<td class="po-remaining num">{_money(remaining)}</td>'
        f'<td class="po-actions">{action}</td></tr>'
    )


def purchase_order_page(ctx: PageContext, po_id: int, po: PurchaseOrder, remaining: Decimal) -> str:
    lines = "".join(
        f'<tr class="po-line"><td>{line.line_number}</td><td>{escape(line.description)}</td>'
        f'<td class="num">{line.quantity}</td><td class="num">{_money(line.unit_price)}</td></tr>'
        for line in po.lines
    )
    if po.status == "OPEN":
        action = (
            f'<a id="create-invoice" class="button" '
            f'href="{ctx.customer_url(f"/orders/{po_id}/invoices/new")}">Create Invoice</a>'
        )
    else:
        action = flash("error", MESSAGE_PO_CLOSED, element_id="po-closed-notice")
    body = (
        f'<h1>Purchase Order <span id="po-number">{escape(po.number)}</span></h1>'
        '<div class="panel"><dl class="details">'
        f'<dt>Status</dt><dd id="po-status">{escape(po.status)}</dd>'
        f'<dt>Currency</dt><dd id="po-currency">{escape(po.currency)}</dd>'
        f'<dt>Total</dt><dd id="po-total">{_money(po.amount)}</dd>'
        f'<dt>Remaining</dt><dd id="po-remaining">{_money(remaining)}</dd></dl></div>'
        '<table id="po-lines" class="grid"><thead><tr><th>#</th><th>Description</th>'
        '<th class="num">Qty</th><th class="num">Unit Price</th></tr></thead>'
        f"<tbody>{lines}</tbody></table><p>{action}</p>"
    )
    return shell(ctx, title=f"PO {po.number}", body=body)


# --- the invoice form -----------------------------------------------------------------------


def invoice_form_page(
    ctx: PageContext,
    *,
    layout: InvoiceFormLayout,
    po_id: int,
    po: PurchaseOrder,
    remaining: Decimal,
    entry: InvoiceEntry,
    currencies: Sequence[str],
    form_token: str,
    errors: Mapping[str, Sequence[str]],
) -> str:
    summary = ""
    if errors:
        items = "".join(f"<li>{escape(m)}</li>" for msgs in errors.values() for m in msgs)
        summary = (
            '<div id="form-errors" class="flash flash-error">'
            f"<p>The invoice could not be submitted:</p><ul>{items}</ul></div>"
        )
    next_row = max((int(line.line_key) for line in entry.lines), default=0) + 1
    rows = "".join(_line_row(layout, line.line_key, line) for line in entry.lines)
    template_id = f"{layout.row_prefix}-template"
    blank = LineEntry(line_key="__N__", description="", quantity="1", unit_price="0.00")
    accept = ",".join(f".{ext}" for ext in ATTACHMENT_SIGNATURES)
    currency_options = "".join(
        f'<option value="{escape(c)}"{" selected" if c == entry.currency else ""}>'
        f"{escape(c)}</option>"
        for c in ("", *currencies)
    )
    action = ctx.customer_url(f"/orders/{po_id}/invoices")
    body = (
        "<h1>Create Invoice</h1>"
        f"{summary}{_errors_for(errors, 'form')}"
        f'<form id="invoice-form" data-invoice-form method="post" action="{action}" '
        'enctype="multipart/form-data">'
        f'<input type="hidden" name="{FORM_TOKEN_FIELD}" value="{escape(form_token)}">'
        f'<input type="hidden" name="{CUSTOMER_FIELD}" value="{escape(_code(ctx))}">'
        '<div class="panel"><dl class="details">'
        f'<dt>Purchase Order</dt><dd id="invoice-po-number">{escape(po.number)}</dd>'
        f'<dt>PO Currency</dt><dd id="invoice-po-currency">{escape(po.currency)}</dd>'
        f'<dt>Remaining on PO</dt><dd id="invoice-po-remaining">{_money(remaining)}</dd>'
        "</dl></div>"
        '<div class="panel">'
        + _text_field(layout.number, entry.number, errors, "number", required=True)
        + _text_field(
            layout.invoice_date,
            entry.invoice_date,
            errors,
            "date",
            required=True,
            placeholder=DATE_FORMAT_HINT,
        )
        + _field(
            layout.currency,
            f'<select id="{layout.currency.id}" name="{layout.currency.name}">'
            f"{currency_options}</select>",
            errors,
            "currency",
            required=True,
        )
        + "</div>"
        '<div class="panel"><h2>Lines</h2>'
        '<table class="grid"><thead><tr>'
        + "".join(f"<th>{escape(col.label)}</th>" for col in layout.columns)
        + "<th></th></tr></thead>"
        f'<tbody id="{layout.lines_container_id}" data-next-line="{next_row}">{rows}</tbody>'
        "</table>"
        f'<template id="{template_id}">{_line_row(layout, "__N__", blank)}</template>'
        f'<p><button type="button" id="{layout.add_line_id}" data-add-line '
        f'data-target="{layout.lines_container_id}" data-template="{template_id}">Add Line</button>'
        f"</p>{_errors_for(errors, 'lines')}</div>"
        '<div class="panel">'
        + _text_field(layout.tax_amount, entry.tax_amount, errors, "tax", data_tax=True)
        + '<p class="total-row">Total: <span id="invoice-total" data-invoice-total></span></p>'
        + _field(
            layout.attachment,
            f'<input type="file" id="{layout.attachment.id}" name="{layout.attachment.name}" '
            f'accept="{accept}">',
            errors,
            "attachment",
            required=True,
        )
        + "</div>"
        f'<button type="submit" id="{layout.submit_id}">{escape(layout.submit_label)}</button>'
        "</form>"
    )
    return shell(ctx, title="Create Invoice", body=body)


def _line_row(layout: InvoiceFormLayout, row: str, line: LineEntry) -> str:
    values = {
        layout.description.stem: line.description,
        layout.quantity.stem: line.quantity,
        layout.unit_price.stem: line.unit_price,
    }
    data_cols = {
        layout.description.stem: "description",
        layout.quantity.stem: "quantity",
        layout.unit_price.stem: "unit-price",
    }
    cells = "".join(
        f'<td><input type="text" class="{col.css_class}" data-col="{data_cols[col.stem]}" '
        f'id="{layout.line_input(row, col)}" name="{layout.line_input(row, col)}" '
        f'value="{escape(values[col.stem])}" aria-label="{escape(col.label)}"></td>'
        for col in layout.columns
    )
    return (
        f'<tr class="{layout.line_row_class}" data-line-row data-line="{escape(row)}">{cells}'
        f'<td><button type="button" class="{layout.remove_line_class} link" data-remove-line '
        'title="Remove line">✕</button></td></tr>'
    )


def _text_field(
    field: FormField,
    value: str,
    errors: Mapping[str, Sequence[str]],
    key: str,
    *,
    required: bool = False,
    placeholder: str = "",
    data_tax: bool = False,
) -> str:
    extra = f' placeholder="{escape(placeholder)}"' if placeholder else ""
    extra += " data-tax" if data_tax else ""
    control = (
        f'<input type="text" id="{field.id}" name="{field.name}" value="{escape(value)}"{extra}>'
    )
    return _field(field, control, errors, key, required=required)


def _field(
    field: FormField,
    control: str,
    errors: Mapping[str, Sequence[str]],
    key: str,
    *,
    required: bool = False,
) -> str:
    """A labelled control; ``key`` is the logical field its errors are marked with."""
    marker = '<span class="required">*</span>' if required else ""
    css = "field has-error" if errors.get(key) else "field"
    messages = _errors_for(errors, key)
    return (
        f'<div class="{css}"><label for="{field.id}">{escape(field.label)}{marker}</label>'
        f"{control}{messages}</div>"
    )


def _errors_for(errors: Mapping[str, Sequence[str]], key: str) -> str:
    return "".join(
        f'<span class="field-error" data-field="{key}">{escape(m)}</span>'
        for m in errors.get(key, ())
    )


# --- after submission -----------------------------------------------------------------------


def confirmation_page(ctx: PageContext, invoice: CoupaInvoice) -> str:
    detail = ctx.customer_url(f"/invoices/{invoice.document_id}")
    customer = ctx.customer.name if ctx.customer is not None else ""
    body = (
        "<h1>Invoice submitted</h1>"
        '<div id="invoice-confirmation" class="flash flash-success">'
        f'Invoice <span id="confirmed-invoice-number">{escape(invoice.number)}</span> '
        f"has been submitted to {escape(customer)}. "
        f'Document ID <span id="document-id">{escape(invoice.document_id)}</span>. '
        f'Status: <span id="confirmed-status">{escape(invoice.status.value)}</span>.</div>'
        f'<p><a id="view-invoice" href="{detail}">View invoice</a> · '
        f'<a id="back-to-orders" href="{ctx.customer_url("/orders")}">Back to orders</a></p>'
    )
    return shell(ctx, title="Invoice submitted", body=body)


def invoices_page(
    ctx: PageContext,
    invoices: Sequence[CoupaInvoice],
    *,
    query: str,
    paging: Paging,
    status: str = "",
    per_page: int | None = None,
) -> str:
    """The invoices list: search by number, filter by status; ``per_page`` rows a page."""
    choices = "".join(
        f'<option value="{escape(word)}"{" selected" if word == status else ""}>'
        f"{escape(label)}</option>"
        for word, label in (("", "All statuses"), *((s.value, s.value) for s in InvoiceStatus))
    )
    search = (
        f'<form id="invoice-search" method="get" action="{ctx.url("/invoices")}">'
        f'<input type="hidden" name="{CUSTOMER_FIELD}" value="{escape(_code(ctx))}">'
        '<label for="invoice-search-input">Search by invoice number</label>'
        f'<input type="text" id="invoice-search-input" name="q" value="{escape(query)}"> '
        '<label for="invoice-status-filter">Status</label>'
        f'<select id="invoice-status-filter" name="status">{choices}</select> '
        '<button type="submit" id="invoice-search-button">Search</button></form>'
    )
    if invoices:
        rows = "".join(_invoice_row(ctx, inv) for inv in invoices)
        pager = _pager(ctx, "/invoices", query, paging, status=status, per_page=per_page)
        table = (
            '<table id="invoices-table" class="grid"><thead><tr><th>Invoice #</th>'
            '<th>Invoice Date</th><th>PO</th><th class="num">Total</th><th>Currency</th>'
            "<th>Status</th><th>Status Date</th><th>Projected Payment Date</th><th>Payment</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>" + pager
        )
    else:
        wanted = f' matching "{escape(query)}"' if query else ""
        if status:
            wanted += f" with status {escape(status)}"
        table = f'<p id="invoices-empty">No invoices found{wanted}.</p>'
    body = f'<h1>Invoices</h1><div class="panel">{search}</div>{table}'
    return shell(ctx, title="Invoices", body=body)


def _invoice_row(ctx: PageContext, inv: CoupaInvoice) -> str:
    payment = ""
    if inv.payment_date is not None:
        payment = (
            f'Paid <span class="payment-date">{_date(inv.payment_date)}</span> '
            f'(<span class="payment-number">{escape(inv.payment_number or "")}</span>)'
        )
    return (
        f'<tr class="invoice-row" data-invoice-number="{escape(inv.number)}" '
        f'data-document-id="{escape(inv.document_id)}">'
        f'<td class="invoice-number"><a href="{ctx.customer_url(f"/invoices/{inv.document_id}")}">'
        f"{escape(inv.number)}</a></td>"
        f'<td class="invoice-date">{_date(inv.invoice_date)}</td>'
        f'<td class="invoice-po">{escape(inv.po_number)}</td>'
        f'<td class="invoice-amount num">{_money(inv.total)}</td>'
        f'<td class="invoice-currency">{escape(inv.currency)}</td>'
        f'<td class="invoice-status">{_status_badge(inv.status.value)}</td>'
        f'<td class="status-date">{_date(inv.status_date)}</td>'
        f'<td class="projected-payment-date">{_date(inv.projected_payment_date)}</td>'
        f'<td class="payment-info">{payment}</td></tr>'
    )


def invoice_detail_page(ctx: PageContext, inv: CoupaInvoice) -> str:
    facts: Iterable[tuple[str, str, str]] = (
        ("detail-invoice-number", "Invoice #", escape(inv.number)),
        ("detail-document-id", "Document ID", escape(inv.document_id)),
        ("detail-status", "Status", escape(inv.status.value)),
        ("detail-status-date", "Status Date", _date(inv.status_date)),
        ("detail-invoice-date", "Invoice Date", _date(inv.invoice_date)),
        ("detail-po-number", "Purchase Order", escape(inv.po_number)),
        ("detail-total", "Total", _money(inv.total)),
        ("detail-currency", "Currency", escape(inv.currency)),
        (
            "detail-projected-payment-date",
            "Projected Payment Date",
            _date(inv.projected_payment_date),
        ),
        ("detail-dispute-reason", "Dispute Reason", escape(inv.dispute_reason or "")),
        ("detail-dispute-comment", "Dispute Comment", escape(inv.dispute_comment or "")),
        ("detail-payment-date", "Payment Date", _date(inv.payment_date)),
        ("detail-payment-number", "Payment #", escape(inv.payment_number or "")),
    )
    rows = "".join(f'<dt>{label}</dt><dd id="{eid}">{value}</dd>' for eid, label, value in facts)
    lines = "".join(
        f'<tr><td>{escape(line.description)}</td><td class="num">{line.quantity}</td>'
        f'<td class="num">{_money(line.unit_price)}</td><td class="num">{_money(line.amount)}</td>'
        "</tr>"
        for line in inv.lines
    )
    body = (
        f"<h1>Invoice {escape(inv.number)}</h1>"
        f'<div class="panel"><dl class="details" id="invoice-details">{rows}</dl></div>'
        '<table class="grid"><thead><tr><th>Description</th><th class="num">Qty</th>'
        '<th class="num">Unit Price</th><th class="num">Amount</th></tr></thead>'
        f"<tbody>{lines}</tbody></table>"
        f'<p><a id="back-to-invoices" href="{ctx.customer_url("/invoices")}">'
        "Back to invoices</a></p>"
    )
    return shell(ctx, title=f"Invoice {inv.number}", body=body)


# --- trouble --------------------------------------------------------------------------------


def busy_page(prefix: str) -> str:
    body = (
        f'<div class="panel"><h1 id="busy-title">{BUSY_MESSAGE}</h1>'
        "<p>We are experiencing high demand. Your request was not processed.</p></div>"
    )
    return shell(PageContext(prefix=prefix), title="System busy", body=body)


def error_page(ctx: PageContext) -> str:
    body = (
        f'<div class="panel"><h1 id="error-title">{ERROR_MESSAGE}</h1>'
        "<p>We're sorry, but something went wrong. Please try again later.</p></div>"
    )
    return shell(ctx, title=ERROR_MESSAGE, body=body)


def not_found_page(ctx: PageContext, message: str) -> str:
    body = f'<div class="panel"><h1 id="not-found-title">{escape(message)}</h1></div>'
    return shell(ctx, title="Not found", body=body)


# --- formatting -----------------------------------------------------------------------------


def _pager(
    ctx: PageContext, path: str, query: str, paging: Paging, **kept: str | int | None
) -> str:
    """Page i of n with Previous / Next links that keep the search and ``kept`` filters."""
    links = f'<span id="page-info">Page {paging.page} of {paging.pages}</span>'
    if paging.page > 1:
        href = ctx.customer_url(path, q=query, **kept, page=paging.page - 1)
        links += f'<a id="prev-page" href="{escape(href)}">Previous</a>'
    if paging.page < paging.pages:
        href = ctx.customer_url(path, q=query, **kept, page=paging.page + 1)
        links += f'<a id="next-page" href="{escape(href)}">Next</a>'
    return f'<div class="pager">{links}</div>'


def _status_badge(status: str) -> str:
    css = "status-" + status.lower().replace(" ", "-")
    return f'<span class="status {css}">{escape(status)}</span>'


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def _code(ctx: PageContext) -> str:
    return ctx.customer.code if ctx.customer is not None else ""
