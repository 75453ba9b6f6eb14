"""HTML of the upload-style portal, built from small escaped functions (no template engine).

Its look and markup are its own (a top bar, a side menu, cards, status pills) so that a recipe
written for it proves nothing about the other families' pages. The selectors the shipped recipe
relies on are listed in :mod:`sandbox.upload_portal`. Everything user-supplied is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from sandbox.catalog import Buyer
from sandbox.upload_form import FORM_TOKEN_FIELD, FormField, UploadFormLayout
from sandbox.upload_locale import AmountLocale, format_amount
from sandbox.upload_records import (
    CURRENCIES,
    DATE_FORMAT,
    DATE_FORMAT_HINT,
    Upload,
    UploadEntry,
    UploadStatus,
)

PORTAL_TITLE = "e-Invoicing Network"
BUSY_MESSAGE = "Service temporarily unavailable - please try again later"
FAILURE_MESSAGE = "An unexpected error occurred"


@dataclass(frozen=True, kw_only=True, slots=True)
class PageContext:
    """What every page shows around its content."""

    prefix: str  #: where the portal is mounted, e.g. "/upload"
    user: str | None = None

    def url(self, path: str, **query: str | None) -> str:
        params = {k: v for k, v in query.items() if v}
        return f"{self.prefix}{path}" + (f"?{urlencode(params)}" if params else "")


# --- the frame ------------------------------------------------------------------------------


def shell(ctx: PageContext, *, title: str, body: str, current: str = "") -> str:
    """A complete page: top bar with the account menu, side menu, content."""
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | {PORTAL_TITLE}</title>"
        f'<link rel="stylesheet" href="{ctx.url("/static/upload.css")}">'
        f'<script src="{ctx.url("/static/upload.js")}" defer></script></head>'
    )
    topbar = (
        f'<div class="topbar"><img src="{ctx.url("/static/logo.svg")}" alt="">'
        f'<span class="brand">{PORTAL_TITLE}</span>'
    )
    if ctx.user is None:
        return (
            f'{head}<body class="bare">{topbar}</div>'
            f'<main class="content">{body}</main></body></html>'
        )
    topbar += (
        f'<span class="account" id="account-menu">Signed in as '
        f'<strong id="signed-in-user">{escape(ctx.user)}</strong>'
        f'<a id="signout" href="{ctx.url("/logout")}">Sign out</a></span></div>'
    )
    links = (
        ("dashboard", "/dashboard", "Dashboard"),
        ("upload", "/invoices/new", "Upload invoice"),
        ("status", "/status", "Invoice status"),
    )
    menu = "".join(
        f'<a id="nav-{key}" href="{ctx.url(path)}"{_current(key == current)}>{label}</a>'
        for key, path, label in links
    )
    return (
        f'{head}<body>{topbar}<aside class="sidebar">{menu}</aside>'
        f'<main class="content">{body}</main></body></html>'
    )


def _current(is_current: bool) -> str:
    return ' class="current"' if is_current else ""


def banner(kind: str, message: str, *, element_id: str) -> str:
    return f'<div id="{element_id}" class="banner {kind}">{escape(message)}</div>'


# --- sign-in --------------------------------------------------------------------------------


def signin_page(
    ctx: PageContext, *, error: str | None = None, notice: str | None = None, username: str = ""
) -> str:
    messages = banner("notice", notice, element_id="signin-notice") if notice else ""
    if error:
        messages += banner("error", error, element_id="signin-error")
    body = (
        f'<div class="card signin"><h1>Sign in</h1>{messages}'
        f'<form id="signin-form" method="post" action="{ctx.url("/login")}">'
        '<p><label for="username">User name</label><br>'
        f'<input type="text" id="username" name="username" value="{escape(username)}" '
        'autocomplete="username"></p>'
        '<p><label for="password">Password</label><br>'
        '<input type="password" id="password" name="password" '
        'autocomplete="current-password"></p>'
        '<button type="submit" class="btn" id="signin-button">Sign in</button></form></div>'
    )
    return shell(PageContext(prefix=ctx.prefix), title="Sign in", body=body)


# --- dashboard ------------------------------------------------------------------------------


def dashboard_page(
    ctx: PageContext,
    *,
    processing: Sequence[Upload],
    in_error: Sequence[Upload],
    buyers: Mapping[str, Buyer],
) -> str:
    if in_error:
        rows = "".join(
            f'<tr class="error-row" data-reference="{escape(u.reference)}" '
            f'data-invoice-number="{escape(u.number)}">'
            f'<td class="col-number">{escape(u.number)}</td>'
            f'<td class="col-recipient">{escape(_buyer_name(buyers, u))}</td>'
            f'<td class="col-date">{_day(u.status_date)}</td>'
            f'<td class="col-reason reason">{escape(u.reason or "")}</td></tr>'
            for u in in_error
        )
        errors = (
            '<table id="errors-table" class="list"><thead><tr><th>Invoice number</th>'
            "<th>Customer</th><th>Date</th><th>Failure reason</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    else:
        errors = '<p id="errors-empty" class="empty">No invoices in error.</p>'
    body = (
        "<h1>Dashboard</h1>"
        f'<div class="card"><strong id="processing-count">{len(processing)}</strong> '
        "invoice(s) processing. "
        f'<a id="dashboard-upload" class="btn" href="{ctx.url("/invoices/new")}">Upload invoice</a>'
        "</div>"
        f'<div class="card" id="invoices-in-error"><h2>Invoices in error</h2>{errors}</div>'
    )
    return shell(ctx, title="Dashboard", body=body, current="dashboard")


# --- upload ---------------------------------------------------------------------------------


def recipient_page(
    ctx: PageContext, buyers: Sequence[Buyer], locales: Mapping[str, AmountLocale]
) -> str:
    options = '<option value="">Select a customer…</option>' + "".join(
        f'<option value="{escape(b.code)}" data-locale="{escape(locales[b.code].code)}">'
        f"{escape(b.name)}</option>"
        for b in buyers
    )
    body = (
        "<h1>Upload invoice</h1>"
        '<div class="card"><h2>1. Choose the customer</h2>'
        f'<form id="recipient-form" method="get" action="{ctx.url("/invoices/new/details")}">'
        '<div class="row"><label for="recipient-select">Customer</label>'
        f'<select id="recipient-select" name="buyer">{options}</select></div>'
        '<button type="submit" class="btn" id="recipient-continue">Continue</button>'
        "</form></div>"
    )
    return shell(ctx, title="Upload invoice", body=body, current="upload")


def upload_form_page(
    ctx: PageContext,
    *,
    layout: UploadFormLayout,
    buyer: Buyer,
    locale: AmountLocale,
    entry: UploadEntry,
    form_token: str,
    errors: Mapping[str, str],
) -> str:
    error_list = ""
    if errors:
        items = "".join(
            f'<li class="form-error" data-field="{escape(field)}">{escape(message)}</li>'
            for field, message in errors.items()
        )
        error_list = f'<ul id="form-errors" class="form-errors">{items}</ul>'
    values = {
        "number": entry.number,
        "invoice_date": entry.invoice_date,
        "due_date": entry.due_date,
        "po_number": entry.po_number,
        "net_amount": entry.net_amount,
        "tax_amount": entry.tax_amount,
        "total_amount": entry.total_amount,
    }
    hints = {
        "invoice_date": DATE_FORMAT_HINT,
        "due_date": f"{DATE_FORMAT_HINT} (optional)",
        "po_number": "as printed on the customer's order",
    }
    amount_hint = f"write amounts as {locale.example}"
    rows = "".join(
        _text_row(field, values[key], hints.get(key, amount_hint if "amount" in key else ""))
        for key, field in layout.text_fields()
        if key not in ("net_amount", "tax_amount", "total_amount")
    )
    currency_options = '<option value="">Select…</option>' + "".join(
        f'<option value="{c}"{" selected" if c == entry.currency.strip().upper() else ""}>{c}'
        "</option>"
        for c in CURRENCIES
    )
    rows += (
        f'<div class="row"><label for="{layout.currency.id}">{layout.currency.label}</label>'
        f'<select id="{layout.currency.id}" name="{layout.currency.name}">{currency_options}'
        "</select></div>"
    )
    rows += "".join(
        _text_row(field, values[key], "")
        for key, field in layout.text_fields()
        if key in ("net_amount", "tax_amount", "total_amount")
    )
    rows += (
        f'<p id="amount-format-hint" class="hint">Amounts: {escape(amount_hint)} '
        f"(language {escape(locale.code)})</p>"
    )
    file_id = layout.file.id
    attach = (
        f'<div class="row"><label>{layout.file.label}</label><div class="attach">'
        f'<input type="file" id="{file_id}" name="{layout.file.name}" '
        'accept="application/pdf,.pdf" style="display:none">'
        f'<button type="button" class="btn secondary" id="{layout.attach_button_id}" '
        f'data-opens-file="{file_id}" data-shows-name="attached-name">Attach PDF…</button>'
        '<span id="attached-name" class="file-name">No file chosen</span></div></div>'
    )
    action = ctx.url("/invoices/new/details", buyer=buyer.code)
    body = (
        "<h1>Upload invoice</h1>"
        '<div class="card"><h2>2. Invoice details</h2>'
        f'<p>Customer: <strong id="recipient-name" data-buyer-code="{escape(buyer.code)}">'
        f"{escape(buyer.name)}</strong> "
        f'<a id="change-recipient" href="{ctx.url("/invoices/new")}">change</a></p>'
        f"{error_list}"
        f'<form id="invoice-form" method="post" enctype="multipart/form-data" '
        f'action="{escape(action)}" data-locale="{escape(locale.code)}" '
        f'data-amount-example="{escape(locale.example)}">'
        f'<input type="hidden" name="{FORM_TOKEN_FIELD}" value="{escape(form_token)}">'
        f"{rows}{attach}"
        f'<button type="submit" class="btn" id="{layout.submit_id}">{layout.submit_label}'
        "</button></form></div>"
    )
    return shell(ctx, title="Upload invoice", body=body, current="upload")


def _text_row(field: FormField, value: str, hint: str) -> str:
    hint_html = f'<span class="hint">{escape(hint)}</span>' if hint else ""
    return (
        f'<div class="row"><label for="{field.id}">{field.label}</label>'
        f'<div><input type="text" id="{field.id}" name="{field.name}" '
        f'value="{escape(value)}"> {hint_html}</div></div>'
    )


def received_page(ctx: PageContext, upload: Upload, buyer: Buyer) -> str:
    body = (
        "<h1>Upload received</h1>"
        '<div class="card">'
        + banner(
            "ok",
            f"Your invoice {upload.number} was received as {upload.reference} and is being "
            "validated. Its status will change from Processing within a few minutes.",
            element_id="upload-received",
        )
        + '<div class="row"><label>Upload reference</label>'
        f'<span id="upload-reference">{escape(upload.reference)}</span></div>'
        '<div class="row"><label>Invoice number</label>'
        f'<span id="upload-number">{escape(upload.number)}</span></div>'
        '<div class="row"><label>Customer</label>'
        f'<span id="upload-recipient">{escape(buyer.name)}</span></div>'
        '<div class="row"><label>Status</label>'
        f'<span id="upload-status" class="pill processing">{upload.status.value}</span></div>'
        f'<p><a id="to-status" href="{ctx.url("/status", number=upload.number)}">'
        "Follow its status</a></p></div>"
    )
    return shell(ctx, title="Upload received", body=body, current="upload")


# --- status ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusPaging:
    """Which page of the status list is shown, and how to ask for its neighbours."""

    page: int  #: 1-based
    per_page: int
    total: int  #: rows matching the search, on every page
    #: the query of every page link besides ``page`` (the search, ``per_page`` if asked)
    query: Mapping[str, str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def link(self, ctx: PageContext, page: int) -> str:
        return ctx.url("/status", **self.query, page=str(page))


def status_page(
    ctx: PageContext,
    uploads: Sequence[Upload],
    *,
    number: str,
    status: str,
    buyers: Mapping[str, Buyer],
    locales: Mapping[str, AmountLocale],
    paging: StatusPaging,
) -> str:
    filter_options = '<option value="">All statuses</option>' + "".join(
        f"<option{' selected' if s.value == status else ''}>{s.value}</option>"
        for s in UploadStatus
    )
    search = (
        f'<form id="status-search" class="card" method="get" action="{ctx.url("/status")}">'
        '<div class="row"><label for="status-number">Invoice number</label>'
        f'<input type="text" id="status-number" name="number" value="{escape(number)}"></div>'
        '<div class="row"><label for="status-filter">Status</label>'
        f'<select id="status-filter" name="status">{filter_options}</select></div>'
        '<button type="submit" class="btn" id="status-search-button">Search</button></form>'
    )
    if uploads:
        rows = "".join(_status_row(u, buyers, locales) for u in uploads)
        table = (
            '<table id="status-table" class="list"><thead><tr><th>Reference</th>'
            "<th>Invoice number</th><th>Customer</th><th>Status date</th>"
            '<th class="num">Total</th><th>Status</th><th>Failure / rejection reason</th>'
            "<th>Payment due</th><th>Paid on</th><th>Payment reference</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    else:
        table = '<p id="status-empty" class="empty">No invoices match your search.</p>'
    body = f"<h1>Invoice status</h1>{search}{table}{_pager(ctx, paging)}"
    return shell(ctx, title="Invoice status", body=body, current="status")


def _pager(ctx: PageContext, paging: StatusPaging) -> str:
    """ "Page 2 of 3 (120 invoices)" with its previous and next links, where there are some."""
    links = ""
    if paging.page > 1:
        previous = escape(paging.link(ctx, paging.page - 1))
        links += f'<a id="status-previous" rel="prev" href="{previous}">Previous</a> '
    if paging.page < paging.pages:
        following = escape(paging.link(ctx, paging.page + 1))
        links += f'<a id="status-next" rel="next" href="{following}">Next</a>'
    return (
        f'<nav id="status-pager" class="pager" data-page="{paging.page}" '
        f'data-pages="{paging.pages}">Page {paging.page} of {paging.pages} '
        f"({paging.total} invoices) {links}</nav>"
    )


def _status_row(u: Upload, buyers: Mapping[str, Buyer], locales: Mapping[str, AmountLocale]) -> str:
    pill = u.status.value.lower().replace(" ", "-")
    amount = f"{format_amount(u.total_amount, locales[u.buyer_code])} {u.currency}"
    return (
        f'<tr class="status-row" data-reference="{escape(u.reference)}" '
        f'data-invoice-number="{escape(u.number)}">'
        f'<td class="col-reference">{escape(u.reference)}</td>'
        f'<td class="col-number">{escape(u.number)}</td>'
        f'<td class="col-recipient">{escape(_buyer_name(buyers, u))}</td>'
        f'<td class="col-date">{_day(u.status_date)}</td>'
        f'<td class="col-amount num">{escape(amount)}</td>'
        f'<td class="col-status"><span class="pill {pill}">{u.status.value}</span></td>'
        f'<td class="col-reason reason">{escape(u.reason or "")}</td>'
        f'<td class="col-due">{_day(u.projected_payment_date)}</td>'
        f'<td class="col-paid-on">{_day(u.payment_date)}</td>'
        f'<td class="col-payment-ref">{escape(u.payment_reference or "")}</td></tr>'
    )


# --- trouble --------------------------------------------------------------------------------


def busy_page(prefix: str) -> str:
    body = (
        f'<div class="card"><h1 id="busy-notice">{BUSY_MESSAGE}</h1>'
        "<p>Scheduled maintenance or high load. Nothing was saved.</p></div>"
    )
    return shell(PageContext(prefix=prefix), title="Unavailable", body=body)


def failure_page(ctx: PageContext) -> str:
    body = (
        f'<div class="card"><h1 id="failure-notice">{FAILURE_MESSAGE}</h1>'
        "<p>Please try again later or contact support.</p></div>"
    )
    return shell(ctx, title="Error", body=body)


def not_found_page(ctx: PageContext, message: str) -> str:
    body = f'<div class="card"><h1 id="not-found">{escape(message)}</h1></div>'
    return shell(ctx, title="Not found", body=body)


def _buyer_name(buyers: Mapping[str, Buyer], upload: Upload) -> str:
    buyer = buyers.get(upload.buyer_code)
    return buyer.name if buyer is not None else upload.buyer_code


def _day(value: dt.date | None) -> str:
    return value.strftime(DATE_FORMAT) if value is not None else ""
