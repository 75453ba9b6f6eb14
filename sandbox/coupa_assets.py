"""The Coupa-style portal's static assets: its stylesheet, its logo and its small script.

A stand-in without assets would flatter the worker: a real portal makes the browser fetch CSS,
images and script, cached (``Cache-Control: max-age=3600``) after the first page of a context.
The script does what portal scripts do to drivers: rows added and removed client-side, a live
total, and a guard against a second submit of the same form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CACHE_MAX_AGE_S = 3600


@dataclass(frozen=True, kw_only=True, slots=True)
class StaticAsset:
    media_type: str
    body: bytes


STYLESHEET = """
:root { --brand: #0b5394; --brand-dark: #073763; --error: #c0392b; --ok: #1e8449;
        --line: #d5dbe3; --muted: #5f6b7a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "Helvetica Neue", Arial, sans-serif; color: #1d2733;
       background: #f4f6f9; }
header.portal-header { display: flex; align-items: center; gap: 16px; padding: 10px 24px;
       background: var(--brand); color: #fff; }
header.portal-header img { height: 32px; }
header.portal-header .portal-name { font-size: 18px; font-weight: 600; }
header.portal-header nav { margin-left: auto; display: flex; gap: 16px; align-items: center; }
header.portal-header a { color: #fff; text-decoration: none; }
.customer-bar { padding: 8px 24px; background: #e8eef6; border-bottom: 1px solid var(--line); }
.customer-bar strong { color: var(--brand-dark); }
main { max-width: 1100px; margin: 24px auto; padding: 0 24px; }
h1 { font-size: 22px; margin: 0 0 16px; color: var(--brand-dark); }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 20px;
         margin-bottom: 16px; }
table.grid { width: 100%; border-collapse: collapse; background: #fff; }
table.grid th, table.grid td { padding: 8px 10px; border-bottom: 1px solid var(--line);
         text-align: left; }
table.grid th { background: #eef2f7; font-weight: 600; }
td.num, th.num { text-align: right; }
.status { display: inline-block; padding: 2px 8px; border-radius: 10px; background: #eef2f7; }
.status-open, .status-approved, .status-paid { background: #d5f5e3; color: var(--ok); }
.status-closed, .status-voided { background: #eee; color: var(--muted); }
.status-disputed { background: #fdebd0; color: #9c640c; }
label { display: block; font-weight: 600; margin-bottom: 4px; }
.required { color: var(--error); margin-left: 2px; }
.field { margin-bottom: 14px; }
input[type=text], input[type=password], input[type=date], input[type=number], select {
       padding: 6px 8px; border: 1px solid #aab4c0; border-radius: 4px; min-width: 220px; }
.field-error { display: block; color: var(--error); font-size: 13px; margin-top: 3px; }
.has-error input, .has-error select { border-color: var(--error); }
.flash { padding: 10px 14px; border-radius: 4px; margin-bottom: 16px; }
.flash-error { background: #fadbd8; color: #78281f; border: 1px solid #f1948a; }
.flash-notice { background: #d6eaf8; color: #1b4f72; border: 1px solid #85c1e9; }
.flash-success { background: #d5f5e3; color: #145a32; border: 1px solid #82e0aa; }
button, .button { display: inline-block; padding: 7px 16px; border: 0; border-radius: 4px;
       background: var(--brand); color: #fff; font-weight: 600; cursor: pointer;
       text-decoration: none; }
button[disabled], .button.disabled { background: #b0b8c2; cursor: not-allowed; }
button.link { background: none; color: var(--error); padding: 2px 6px; }
.muted { color: var(--muted); }
.pager { margin-top: 12px; display: flex; gap: 12px; align-items: center; }
dl.details { display: grid; grid-template-columns: 220px 1fr; gap: 6px 16px; margin: 0; }
dl.details dt { font-weight: 600; color: var(--muted); }
.login-box { max-width: 380px; margin: 60px auto; }
.total-row { font-weight: 700; }
"""

SCRIPT = """
(function () {
  "use strict";
  function num(value) {
    var n = parseFloat(String(value || "").replace(/,/g, ""));
    return isFinite(n) ? n : 0;
  }
  function recalc(form) {
    if (!form) { return; }
    var total = 0;
    form.querySelectorAll("[data-line-row]").forEach(function (row) {
      var qty = row.querySelector("[data-col=quantity]");
      var price = row.querySelector("[data-col=unit-price]");
      total += num(qty && qty.value) * num(price && price.value);
    });
    var tax = form.querySelector("[data-tax]");
    total += num(tax && tax.value);
    var out = form.querySelector("[data-invoice-total]");
    if (out) { out.textContent = total.toFixed(2); }
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var add = target.closest("[data-add-line]");
    if (add) {
      event.preventDefault();
      var body = document.getElementById(add.getAttribute("data-target"));
      var template = document.getElementById(add.getAttribute("data-template"));
      var next = parseInt(body.getAttribute("data-next-line"), 10);
      body.setAttribute("data-next-line", String(next + 1));
      body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__N__/g, String(next)));
      recalc(add.closest("form"));
      return;
    }
    var remove = target.closest("[data-remove-line]");
    if (remove) {
      event.preventDefault();
      var form = remove.closest("form");
      var row = remove.closest("[data-line-row]");
      if (row) { row.remove(); }
      recalc(form);
    }
  });
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target instanceof Element) { recalc(target.closest("form[data-invoice-form]")); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-submitted")) { event.preventDefault(); return; }
    form.setAttribute("data-submitted", "yes");
  });
  document.addEventListener("DOMContentLoaded", function () {
    recalc(document.querySelector("form[data-invoice-form]"));
  });
})();
"""

LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32">
<rect x="1" y="1" width="30" height="30" rx="7" fill="#ffffff"/>
<path d="M22 10.5a8 8 0 1 0 0 11" stroke="#0b5394" stroke-width="4" fill="none"
 stroke-linecap="round"/>
<text x="38" y="22" font-family="Arial, sans-serif" font-size="16" font-weight="700"
 fill="#ffffff">Supplier</text>
</svg>
"""

ASSETS: Mapping[str, StaticAsset] = {
    "portal.css": StaticAsset(media_type="text/css", body=STYLESHEET.encode()),
    "portal.js": StaticAsset(media_type="text/javascript", body=SCRIPT.encode()),
    "logo.svg": StaticAsset(media_type="image/svg+xml", body=LOGO_SVG.encode()),
}
