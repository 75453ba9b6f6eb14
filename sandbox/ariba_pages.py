"""HTML of the Ariba-style portal's own pages (the wizard inside its iframe is elsewhere).

Built from small escaped functions, no template engine. The markup is deliberately unlike the
Coupa-style portal's: a shell bar and tabs, orders of every customer in one list with a customer
filter, an outbox with two status columns, dates shown as "15 Mar 2031" and amounts with their
currency. The ids and classes the Ariba driver relies on are listed in
:mod:`sandbox.ariba_portal`. Everything user-supplied goes through :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from urllib.parse import urlencode

from sandbox.ariba_drafts import CSRF_FIELD
from sandbox.ariba_records import (
    MESSAGE_NON_PO,
    MESSAGE_ORDER_CLOSED,
    AribaInvoice,
    InvoiceStatus,
)
from sandbox.catalog import Buyer, PurchaseOrder

PORTAL_TITLE = "Business Network"
BUSY_MESSAGE = "The system is currently busy. Please try again later."
FAILURE_MESSAGE = "An unexpected error has occurred."
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ALL_CUSTOMERS = ""  #: the customer filter's value for "All customers"


@dataclass(frozen=True, kw_only=True, slots=True)
class PageContext:
    """What every page of a signed-in user shows around its content."""

    prefix: str  #: where the portal is mounted, e.g. "/ariba"
    user: str | None = None
    tab: str | None = None  #: "home", "orders" or "invoices"

    def url(self, path: str, **query: str | int | None) -> str:
        params = {k: str(v) for k, v in query.items() if v is not None}
        return f"{self.prefix}{path}" + (f"?{urlencode(params)}" if params else "")


@dataclass(frozen=True, kw_only=True, slots=True)
class Paging:
    page: int
    pages: int
    total: int


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderRow:
    order_id: int
    order: PurchaseOrder
    buyer: Buyer
    remaining: Decimal


# --- the frame ------------------------------------------------------------------------------


def head(ctx: PageContext, title: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | {PORTAL_TITLE}</title>"
        f'<link rel="stylesheet" href="{ctx.url("/static/aw.css")}">'
        f'<script src="{ctx.url("/static/aw.js")}" defer></script></head>'
    )


def shell(ctx: PageContext, *, title: str, body: str) -> str:
    """A complete page: shell bar with the user menu, tabs, content."""
    menu = tabs = ""
    if ctx.user is not None:
        menu = (
            f'<div class="aw-usermenu"><span id="aw-user-menu" data-user="{escape(ctx.user)}">'
            f"{escape(ctx.user)}</span>"
            f'<a id="aw-logout" href="{ctx.url("/logout")}">Logout</a></div>'
        )
        links = (
            ("home", "/dashboard", "Home"),
            ("orders", "/orders", "Orders"),
            ("invoices", "/outbox", "Invoices"),
        )
        tabs = (
            '<nav class="aw-tabs">'
            + "".join(
                f'<a id="aw-tab-{key}" href="{ctx.url(path)}"{_active(key == ctx.tab)}>{label}</a>'
                for key, path, label in links
            )
            + "</nav>"
        )
    return (
        head(ctx, title) + "<body>"
        f'<header class="aw-shellbar"><img src="{ctx.url("/static/bn-logo.svg")}" alt="">'
        f'<span class="aw-brand">{PORTAL_TITLE}</span>'
        f'<span class="aw-env">Supplier · Standard account</span>{menu}</header>'
        f'{tabs}<div class="aw-content">{body}</div></body></html>'
    )


def message(kind: str, text: str, *, element_id: str) -> str:
    return f'<div id="{element_id}" class="aw-msg aw-msg-{kind}">{escape(text)}</div>'


# --- sign-in and home -----------------------------------------------------------------------


def login_page(
    ctx: PageContext, *, error: str | None = None, notice: str | None = None, username: str = ""
) -> str:
    messages = message("info", notice, element_id="aw-login-notice") if notice else ""
    messages += message("error", error, element_id="aw-login-error") if error else ""
    body = (
        '<div class="aw-login aw-card"><h1 class="aw-title">Supplier Login</h1>'
        f'{messages}<form id="aw-login-form" method="post" action="{ctx.url("/login")}">'
        '<div class="aw-form-row"><label for="aw-username">User Name</label>'
        f'<input class="aw-input" type="text" id="aw-username" name="UserName" '
        f'value="{escape(username)}" autocomplete="username"></div>'
        '<div class="aw-form-row"><label for="aw-password">Password</label>'
        '<input class="aw-input" type="password" id="aw-password" name="Password" '
        'autocomplete="current-password"></div>'
        '<div class="aw-actions"><button class="aw-btn" type="submit" id="aw-login-submit">'
        "Login</button></div></form>"
        '<p class="aw-muted">Forgot Username or Password? Contact your administrator.</p></div>'
    )
    return shell(PageContext(prefix=ctx.prefix), title="Supplier Login", body=body)


def dashboard_page(ctx: PageContext, buyers: Sequence[Buyer], *, invoices: int) -> str:
    customers = "".join(
        f'<li class="aw-customer" data-buyer="{escape(b.code)}">{escape(b.name)}</li>'
        for b in buyers
    )
    body = (
        '<h1 class="aw-title">Home</h1>'
        '<div class="aw-card"><strong>Create</strong>: '
        f'<a id="aw-create-po-invoice" href="{ctx.url("/orders")}">PO Invoice</a> · '
        '<span class="aw-muted">Non-PO Invoice (not enabled by your customers)</span></div>'
        f'<div class="aw-card"><p>Invoices sent: <strong id="aw-invoice-count">{invoices}'
        "</strong></p>"
        f'<p>Customer relationships:</p><ul id="aw-customers">{customers}</ul></div>'
    )
    return shell(ctx, title="Home", body=body)


# --- orders ---------------------------------------------------------------------------------


def customer_filter(element_id: str, buyers: Sequence[Buyer], selected: Buyer | None) -> str:
    chosen = selected.code if selected is not None else ALL_CUSTOMERS
    options = "".join(
        f'<option value="{escape(code)}"{" selected" if code == chosen else ""}>'
        f"{escape(name)}</option>"
        for code, name in ((ALL_CUSTOMERS, "All customers"), *((b.code, b.name) for b in buyers))
    )
    return (
        f'<label for="{element_id}">Customer</label> '
        f'<select class="aw-input" id="{element_id}" name="buyer">{options}</select>'
    )


def orders_page(
    ctx: PageContext,
    rows: Sequence[OrderRow],
    *,
    buyers: Sequence[Buyer],
    selected: Buyer | None,
    query: str,
    paging: Paging,
    form_token: str,
) -> str:
    filters = (
        f'<form id="aw-orders-filter" method="get" action="{ctx.url("/orders")}">'
        + customer_filter("aw-buyer-filter", buyers, selected)
        + ' <label for="aw-order-search">Order Number</label> '
        f'<input class="aw-input" type="text" id="aw-order-search" name="q" '
        f'value="{escape(query)}"> '
        '<button class="aw-btn" type="submit" id="aw-order-search-go">Search</button></form>'
    )
    non_po = ""
    if selected is not None:
        note = f"{selected.name} {MESSAGE_NON_PO}."
        non_po = (
            '<div class="aw-card"><button class="aw-btn aw-btn-ghost" type="button" '
            f'id="aw-nonpo-invoice" disabled title="{escape(note)}">Create Non-PO Invoice'
            f'</button> <span id="aw-nonpo-note" class="aw-muted">{escape(note)}</span></div>'
        )
    if rows:
        table = (
            '<table id="aw-orders" class="aw-table"><thead><tr><th>Order Number</th>'
            '<th>Customer</th><th>Status</th><th class="aw-num">Amount</th>'
            '<th class="aw-num">Amount Remaining</th><th>Actions</th></tr></thead><tbody>'
            + "".join(_order_row(ctx, row, form_token) for row in rows)
            + "</tbody></table>"
            + _pager(ctx, "/orders", selected, query, paging)
        )
    else:
        wanted = f" match {query}" if query else " found"
        table = f'<p id="aw-orders-none" class="aw-card">No orders{escape(wanted)}.</p>'
    body = (
        '<h1 class="aw-title">Orders and Releases</h1>'
        f'<div class="aw-card">{filters}</div>{non_po}{table}'
    )
    return shell(ctx, title="Orders", body=body)


def _order_row(ctx: PageContext, row: OrderRow, form_token: str) -> str:
    po = row.order
    if po.status == "OPEN":
        action = (
            f'<form class="aw-create-invoice" method="post" '
            f'action="{ctx.url(f"/orders/{row.order_id}/invoice")}">'
            f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(form_token)}">'
            '<button class="aw-btn aw-create-invoice-btn" type="submit">Create Invoice</button>'
            "</form>"
        )
    else:
        action = '<span class="aw-muted">—</span>'
    return (
        f'<tr class="aw-order-row" data-order-no="{escape(po.number)}" '
        f'data-order-id="{row.order_id}" data-buyer="{escape(row.buyer.code)}">'
        f'<td class="aw-order-no"><a class="aw-order-link" '
        f'href="{ctx.url(f"/orders/{row.order_id}")}">{escape(po.number)}</a></td>'
        f'<td class="aw-order-customer">{escape(row.buyer.name)}</td>'
        f'<td class="aw-order-status">{pill(status_word(po.status))}</td>'
        f'<td class="aw-order-amount aw-num">{money(po.amount, po.currency)}</td>'
        f'<td class="aw-order-remaining aw-num">{money(row.remaining, po.currency)}</td>'
        f'<td class="aw-order-actions">{action}</td></tr>'
    )


def order_page(ctx: PageContext, row: OrderRow, *, form_token: str) -> str:
    po = row.order
    lines = "".join(
        f'<tr class="aw-order-line"><td>{line.line_number}</td>'
        f"<td>{escape(line.description)}</td>"
        f'<td class="aw-num">{line.quantity}</td>'
        f'<td class="aw-num">{money(line.unit_price, po.currency)}</td></tr>'
        for line in po.lines
    )
    if po.status == "OPEN":
        action = (
            f'<form id="aw-order-create" method="post" '
            f'action="{ctx.url(f"/orders/{row.order_id}/invoice")}">'
            f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(form_token)}">'
            '<button class="aw-btn" type="submit">Create Invoice</button></form>'
        )
    else:
        action = message("error", MESSAGE_ORDER_CLOSED, element_id="aw-order-closed")
    body = (
        f'<h1 class="aw-title">Purchase Order: <span id="aw-order-number">{escape(po.number)}'
        "</span></h1>"
        '<div class="aw-card"><dl class="aw-facts">'
        f'<dt>Customer</dt><dd id="aw-order-customer">{escape(row.buyer.name)}</dd>'
        f'<dt>Status</dt><dd id="aw-order-status-value">{escape(status_word(po.status))}</dd>'
        f'<dt>Amount</dt><dd id="aw-order-amount">{money(po.amount, po.currency)}</dd>'
        f'<dt>Amount Remaining</dt><dd id="aw-order-remaining">'
        f"{money(row.remaining, po.currency)}</dd></dl></div>"
        '<table class="aw-table"><thead><tr><th>Line #</th><th>Description</th>'
        '<th class="aw-num">Qty</th><th class="aw-num">Unit Price</th></tr></thead>'
        f'<tbody>{lines}</tbody></table><div class="aw-card">{action}</div>'
    )
    return shell(ctx, title=f"Order {po.number}", body=body)


def workbench_page(ctx: PageContext, *, draft_id: str, row: OrderRow) -> str:
    """The page that hosts the invoice wizard in an iframe."""
    src = ctx.url(f"/wizard/{draft_id}/header")
    body = (
        f'<h1 class="aw-title">Create Invoice: order {escape(row.order.number)} '
        f"({escape(row.buyer.name)})</h1>"
        f'<iframe id="aw-wizard-frame" name="aw-wizard" class="aw-wizard-frame" '
        f'title="Invoice wizard" src="{src}"></iframe>'
    )
    return shell(ctx, title="Create Invoice", body=body)


# --- invoices -------------------------------------------------------------------------------


def outbox_page(
    ctx: PageContext,
    invoices: Sequence[tuple[AribaInvoice, Buyer]],
    *,
    buyers: Sequence[Buyer],
    selected: Buyer | None,
    query: str,
    paging: Paging,
    status: str = "",
    per_page: int | None = None,
) -> str:
    """The outbox: customer filter, number search, invoice status view; ``per_page`` rows."""
    views = "".join(
        f'<option value="{escape(word)}"{" selected" if word == status else ""}>'
        f"{escape(label)}</option>"
        for word, label in (("", "All statuses"), *((s.value, s.value) for s in InvoiceStatus))
    )
    filters = (
        f'<form id="aw-outbox-filter" method="get" action="{ctx.url("/outbox")}">'
        + customer_filter("aw-outbox-buyer", buyers, selected)
        + ' <label for="aw-outbox-search">Invoice #</label> '
        f'<input class="aw-input" type="text" id="aw-outbox-search" name="q" '
        f'value="{escape(query)}"> '
        '<label for="aw-outbox-status">Invoice Status</label> '
        f'<select class="aw-input" id="aw-outbox-status" name="status">{views}</select> '
        '<button class="aw-btn" type="submit" id="aw-outbox-search-go">Search</button></form>'
    )
    if invoices:
        kept = {"status": status or None, "per_page": per_page}
        table = (
            '<table id="aw-outbox" class="aw-table"><thead><tr><th>Invoice #</th>'
            "<th>Customer</th><th>Reference</th><th>Invoice Date</th>"
            '<th class="aw-num">Amount</th><th>Routing Status</th><th>Invoice Status</th>'
            "<th>Status Changed</th><th>Scheduled Payment</th><th>Payment Date</th>"
            "<th>Remittance Reference</th></tr></thead><tbody>"
            + "".join(_invoice_row(ctx, inv, buyer) for inv, buyer in invoices)
            + "</tbody></table>"
            + _pager(ctx, "/outbox", selected, query, paging, **kept)
        )
    else:
        wanted = f" match {query}" if query else " found"
        if status:
            wanted += f" with status {status}"
        table = f'<p id="aw-outbox-none" class="aw-card">No invoices{escape(wanted)}.</p>'
    body = f'<h1 class="aw-title">Invoices (Outbox)</h1><div class="aw-card">{filters}</div>{table}'
    return shell(ctx, title="Outbox", body=body)


def _invoice_row(ctx: PageContext, inv: AribaInvoice, buyer: Buyer) -> str:
    return (
        f'<tr class="aw-inv-row" data-invoice-no="{escape(inv.number)}" '
        f'data-doc-id="{escape(inv.document_id)}" data-buyer="{escape(buyer.code)}">'
        f'<td class="aw-inv-no"><a href="{ctx.url(f"/outbox/{inv.document_id}")}">'
        f"{escape(inv.number)}</a></td>"
        f'<td class="aw-inv-customer">{escape(buyer.name)}</td>'
        f'<td class="aw-inv-order">{escape(inv.order_number)}</td>'
        f'<td class="aw-inv-date">{date(inv.invoice_date)}</td>'
        f'<td class="aw-inv-amount aw-num">{money(inv.total, inv.currency)}</td>'
        f'<td class="aw-inv-routing">{pill(inv.routing.value)}</td>'
        f'<td class="aw-inv-status">{pill(inv.status.value)}</td>'
        f'<td class="aw-inv-status-date">{date(inv.status_date)}</td>'
        f'<td class="aw-inv-scheduled-payment">{date(inv.scheduled_payment_date)}</td>'
        f'<td class="aw-inv-payment-date">{date(inv.payment_date)}</td>'
        f'<td class="aw-inv-payment-ref">{escape(inv.payment_reference or "")}</td></tr>'
    )


def invoice_page(ctx: PageContext, inv: AribaInvoice, buyer: Buyer) -> str:
    facts = (
        ("aw-det-number", "Invoice #", escape(inv.number)),
        ("aw-det-docid", "Document ID", escape(inv.document_id)),
        ("aw-det-customer", "Customer", escape(buyer.name)),
        ("aw-det-order", "Purchase Order", escape(inv.order_number)),
        ("aw-det-date", "Invoice Date", date(inv.invoice_date)),
        ("aw-det-amount", "Total Amount", money(inv.total, inv.currency)),
        ("aw-det-routing", "Routing Status", escape(inv.routing.value)),
        ("aw-det-status", "Invoice Status", escape(inv.status.value)),
        ("aw-det-status-date", "Status Changed", date(inv.status_date)),
        ("aw-det-reason", "Reason", escape(inv.reason or "")),
        ("aw-det-scheduled-payment", "Scheduled Payment Date", date(inv.scheduled_payment_date)),
        ("aw-det-payment-date", "Payment Date", date(inv.payment_date)),
        ("aw-det-payment-ref", "Remittance Reference", escape(inv.payment_reference or "")),
    )
    rows = "".join(f'<dt>{label}</dt><dd id="{eid}">{value}</dd>' for eid, label, value in facts)
    lines = "".join(
        f'<tr><td>{escape(line.description)}</td><td class="aw-num">{line.quantity}</td>'
        f'<td class="aw-num">{money(line.unit_price, inv.currency)}</td>'
        f'<td class="aw-num">{money(line.amount, inv.currency)}</td></tr>'
        for line in inv.lines
    )
    body = (
        f'<h1 class="aw-title">Invoice {escape(inv.number)}</h1>'
        f'<div class="aw-card"><dl id="aw-inv-detail" class="aw-facts">{rows}</dl></div>'
        '<table class="aw-table"><thead><tr><th>Description</th><th class="aw-num">Qty</th>'
        '<th class="aw-num">Unit Price</th><th class="aw-num">Amount</th></tr></thead>'
        f"<tbody>{lines}</tbody></table>"
        f'<p><a id="aw-back-to-outbox" href="{ctx.url("/outbox")}">Back to Outbox</a></p>'
    )
    return shell(ctx, title=f"Invoice {inv.number}", body=body)


# --- trouble --------------------------------------------------------------------------------


def busy_page(prefix: str) -> str:
    body = (
        f'<div class="aw-card"><h1 id="aw-busy" class="aw-title">{BUSY_MESSAGE}</h1>'
        "<p>Your request could not be completed. No changes were saved.</p></div>"
    )
    return shell(PageContext(prefix=prefix), title="Service unavailable", body=body)


def failure_page(ctx: PageContext) -> str:
    body = (
        f'<div class="aw-card"><h1 id="aw-failure" class="aw-title">{FAILURE_MESSAGE}</h1>'
        "<p>Please try again later. If the problem persists contact SAP Support.</p></div>"
    )
    return shell(ctx, title="Error", body=body)


def not_found_page(ctx: PageContext, text: str) -> str:
    body = f'<div class="aw-card"><h1 id="aw-not-found" class="aw-title">{escape(text)}</h1></div>'
    return shell(ctx, title="Not found", body=body)


# --- formatting (shared with the wizard pages) -----------------------------------------------


def _pager(
    ctx: PageContext,
    path: str,
    selected: Buyer | None,
    query: str,
    paging: Paging,
    **kept: str | int | None,
) -> str:
    """Page i of n, Previous / Next keeping the customer, the search and ``kept`` filters."""
    code = selected.code if selected is not None else ALL_CUSTOMERS
    links = f'<span id="aw-page-info">Page {paging.page} of {paging.pages}</span>'
    if paging.page > 1:
        href = ctx.url(path, buyer=code, q=query, **kept, page=paging.page - 1)
        links += f'<a id="aw-page-prev" href="{escape(href)}">Previous</a>'
    if paging.page < paging.pages:
        href = ctx.url(path, buyer=code, q=query, **kept, page=paging.page + 1)
        links += f'<a id="aw-page-next" href="{escape(href)}">Next</a>'
    return f'<div class="aw-pager">{links}</div>'


def _active(active: bool) -> str:
    return ' class="is-active"' if active else ""


def pill(word: str) -> str:
    css = "aw-pill-" + word.lower().replace(" ", "-")
    return f'<span class="aw-pill {css}">{escape(word)}</span>'


def status_word(po_status: str) -> str:
    return po_status.capitalize()


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {escape(currency)}"


def date(value: dt.date | None) -> str:
    """Dates as the network shows them: "15 Mar 2031"."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
