"""The Ariba-style portal's static assets: its stylesheet, its logo and its small script.

Its own look (a dark shell bar, tabs, object pages) so nothing of the Coupa-style portal's CSS or
markup can be leaned on by a driver. The script does what the real wizard's scripts do to a
driver: it recomputes line amounts and the subtotal as the user types, and it refuses to post a
step twice while the first post is on its way.
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
:root { --shell: #1d2d3e; --accent: #0a6ed1; --accent-dark: #0854a1; --bad: #bb0000;
        --good: #107e3e; --warn: #e9730c; --edge: #d9d9d9; --soft: #6a6d70; --page: #f7f7f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.5 "72", "Segoe UI", Tahoma, sans-serif; color: #32363a;
       background: var(--page); }
.aw-shellbar { display: flex; align-items: center; height: 44px; padding: 0 16px; gap: 14px;
       background: var(--shell); color: #fff; }
.aw-shellbar img { height: 26px; }
.aw-brand { font-size: 15px; font-weight: 700; letter-spacing: .02em; }
.aw-env { font-size: 11px; text-transform: uppercase; color: #9fb3c8; }
.aw-usermenu { margin-left: auto; display: flex; gap: 12px; align-items: center; }
.aw-usermenu a { color: #d1e8ff; }
.aw-tabs { display: flex; gap: 2px; padding: 0 16px; background: #fff;
       border-bottom: 1px solid var(--edge); }
.aw-tabs a { padding: 10px 14px; color: #32363a; text-decoration: none;
       border-bottom: 3px solid transparent; }
.aw-tabs a.is-active { border-bottom-color: var(--accent); color: var(--accent); }
.aw-content { padding: 18px 24px; }
.aw-title { font-size: 20px; font-weight: 400; margin: 0 0 14px; }
.aw-card { background: #fff; border: 1px solid var(--edge); border-radius: 4px;
       padding: 14px 18px; margin-bottom: 14px; }
.aw-table { width: 100%; border-collapse: separate; border-spacing: 0; background: #fff;
       border: 1px solid var(--edge); }
.aw-table th { text-align: left; font-weight: 400; color: var(--soft); padding: 6px 10px;
       border-bottom: 1px solid var(--edge); background: #fafafa; }
.aw-table td { padding: 6px 10px; border-bottom: 1px solid #eee; }
.aw-table td.aw-num, .aw-table th.aw-num { text-align: right; }
.aw-pill { display: inline-block; padding: 0 8px; border-radius: 2px; font-size: 12px;
       border: 1px solid var(--edge); }
.aw-pill-open, .aw-pill-approved, .aw-pill-paid, .aw-pill-acknowledged { color: var(--good);
       border-color: var(--good); }
.aw-pill-failed, .aw-pill-rejected { color: var(--bad); border-color: var(--bad); }
.aw-pill-queued { color: var(--warn); border-color: var(--warn); }
.aw-pill-closed, .aw-pill-canceled, .aw-pill-obsoleted { color: var(--soft); }
.aw-btn { display: inline-block; padding: 5px 14px; border-radius: 4px; cursor: pointer;
       border: 1px solid var(--accent); background: var(--accent); color: #fff;
       text-decoration: none; font: inherit; }
.aw-btn-ghost { background: #fff; color: var(--accent); }
.aw-btn[disabled] { border-color: #c7c7c7; background: #eee; color: #999; cursor: default; }
.aw-form-row { display: grid; grid-template-columns: 200px 1fr; align-items: center;
       gap: 8px; margin-bottom: 10px; }
.aw-form-row label { color: var(--soft); text-align: right; }
.aw-form-row label.aw-mandatory::after { content: " *"; color: var(--bad); }
input.aw-input, select.aw-input { height: 28px; padding: 0 8px; border: 1px solid #89919a;
       border-radius: 2px; font: inherit; min-width: 200px; }
.aw-msg { padding: 8px 12px; border-left: 4px solid var(--accent); background: #e5f0fa;
       margin-bottom: 12px; }
.aw-msg-error { border-left-color: var(--bad); background: #ffebeb; }
.aw-msg-success { border-left-color: var(--good); background: #f1fdf6; }
.aw-errors ul { margin: 4px 0 0 18px; padding: 0; }
.aw-muted { color: var(--soft); }
.aw-steps { display: flex; gap: 0; list-style: none; margin: 0 0 16px; padding: 0; }
.aw-steps li { flex: 1; padding: 6px 10px; border-bottom: 3px solid var(--edge);
       color: var(--soft); }
.aw-steps li.is-done { border-bottom-color: var(--good); }
.aw-steps li.is-current { border-bottom-color: var(--accent); color: var(--accent);
       font-weight: 700; }
.aw-wizard-frame { width: 100%; height: 760px; border: 1px solid var(--edge); background: #fff; }
.aw-facts { display: grid; grid-template-columns: 220px 1fr; gap: 4px 14px; margin: 0; }
.aw-facts dt { color: var(--soft); }
.aw-facts dd { margin: 0; }
.aw-login { max-width: 360px; margin: 70px auto; }
.aw-login .aw-form-row { grid-template-columns: 1fr; }
.aw-login .aw-form-row label { text-align: left; }
.aw-actions { display: flex; gap: 8px; justify-content: flex-end; margin-top: 14px; }
.aw-pager { display: flex; gap: 12px; margin-top: 10px; }
body.aw-frame { background: #fff; }
body.aw-frame .aw-content { padding: 12px 16px; }
"""

SCRIPT = """
(function () {
  "use strict";
  function num(text) {
    var value = parseFloat(String(text || "").replace(/,/g, ""));
    return isFinite(value) ? value : 0;
  }
  function recompute(form) {
    if (!form) { return; }
    var subtotal = 0;
    form.querySelectorAll("tr.aw-line").forEach(function (row) {
      var include = row.querySelector("input.aw-line-include");
      var amount = num((row.querySelector(".aw-line-qty") || {}).value) *
                   num((row.querySelector(".aw-line-price") || {}).value);
      var cell = row.querySelector(".aw-line-amount");
      if (cell) { cell.textContent = amount.toFixed(2); }
      if (!include || include.checked) { subtotal += amount; }
    });
    var out = form.querySelector("#aw-lines-subtotal");
    if (out) { out.textContent = subtotal.toFixed(2); }
  }
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target instanceof Element) { recompute(target.closest("form")); }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof Element) { recompute(target.closest("form")); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-posting")) { event.preventDefault(); return; }
    form.setAttribute("data-posting", "1");
  });
  document.addEventListener("DOMContentLoaded", function () {
    recompute(document.querySelector("form[data-aw-step-form]"));
  });
})();
"""

LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="96" height="26" viewBox="0 0 96 26">
<polygon points="0,0 40,0 26,26 0,26" fill="#0a6ed1"/>
<text x="5" y="18" font-family="Arial, sans-serif" font-size="13" font-weight="700"
 fill="#ffffff">BN</text>
<text x="44" y="18" font-family="Arial, sans-serif" font-size="12" fill="#ffffff">Network</text>
</svg>
"""

ASSETS: Mapping[str, StaticAsset] = {
    "aw.css": StaticAsset(media_type="text/css", body=STYLESHEET.encode()),
    "aw.js": StaticAsset(media_type="text/javascript", body=SCRIPT.encode()),
    "bn-logo.svg": StaticAsset(media_type="image/svg+xml", body=LOGO_SVG.encode()),
}
