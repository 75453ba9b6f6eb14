"""The upload-style portal's static assets: its stylesheet, its logo and its small script.

The script does what such portals' scripts do to a driver: the real file input is hidden and a
styled button opens it (a driver must set the hidden input's files, or catch the file chooser
the button opens), the chosen file's name is shown next to the button, the amount hints follow
the buyer's locale, and a second click on "Send invoice" is ignored while the first one posts.
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
:root { --ink: #17323a; --teal: #0e6e6e; --teal-dark: #0a4f4f; --amber: #e8891c;
        --error: #b3261e; --ok: #2e7d32; --rule: #cfd8dc; --muted: #607d8b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       background: #eef2f3; display: grid; grid-template-columns: 220px 1fr;
       grid-template-rows: 56px 1fr; min-height: 100vh; }
body.bare { display: block; }
.topbar { grid-column: 1 / 3; display: flex; align-items: center; gap: 12px; padding: 0 20px;
          background: var(--teal-dark); color: #fff; }
.topbar img { height: 28px; }
.topbar .brand { font-weight: 700; letter-spacing: .04em; text-transform: uppercase; }
.topbar .account { margin-left: auto; font-size: 13px; }
.topbar .account a { color: #ffd8a8; margin-left: 12px; }
aside.sidebar { background: var(--teal); padding: 16px 0; }
aside.sidebar a { display: block; padding: 10px 20px; color: #e0f2f1; text-decoration: none; }
aside.sidebar a:hover, aside.sidebar a.current { background: var(--teal-dark); color: #fff;
          border-left: 4px solid var(--amber); padding-left: 16px; }
main.content { padding: 24px 32px; max-width: 1100px; }
h1 { font-size: 21px; font-weight: 600; margin: 0 0 18px; }
h2 { font-size: 16px; margin: 22px 0 10px; color: var(--teal-dark); }
.card { background: #fff; border-radius: 4px; box-shadow: 0 1px 3px rgba(0,0,0,.12);
        padding: 18px 22px; margin-bottom: 18px; }
.signin { max-width: 380px; margin: 80px auto; }
.row { display: grid; grid-template-columns: 200px 1fr; gap: 6px 16px; align-items: center;
       margin-bottom: 10px; }
.row label { font-weight: 600; font-size: 13px; color: var(--muted); }
input[type=text], input[type=password], select { padding: 7px 9px; border: 1px solid var(--rule);
       border-radius: 3px; font: inherit; width: 100%; max-width: 320px; }
.hint { font-size: 12px; color: var(--muted); }
.btn { background: var(--amber); color: #fff; border: 0; border-radius: 3px; padding: 8px 18px;
       font: inherit; font-weight: 600; cursor: pointer; }
.btn.secondary { background: #fff; color: var(--teal-dark); border: 1px solid var(--teal); }
.btn[disabled] { opacity: .6; cursor: wait; }
.attach { display: flex; align-items: center; gap: 12px; }
.attach .file-name { font-style: italic; color: var(--muted); }
.banner { padding: 10px 14px; border-radius: 3px; margin-bottom: 14px; }
.banner.error { background: #fdecea; color: var(--error); border-left: 4px solid var(--error); }
.banner.notice { background: #e8f4fd; color: #0b4f71; border-left: 4px solid #0b79b9; }
.banner.ok { background: #edf7ed; color: var(--ok); border-left: 4px solid var(--ok); }
ul.form-errors { margin: 0 0 14px; padding: 10px 14px 10px 32px; background: #fdecea;
       color: var(--error); border-radius: 3px; }
table.list { width: 100%; border-collapse: collapse; background: #fff; }
table.list th { text-align: left; font-size: 12px; text-transform: uppercase; color: var(--muted);
       border-bottom: 2px solid var(--rule); padding: 8px; }
table.list td { border-bottom: 1px solid var(--rule); padding: 8px; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12px;
        font-weight: 600; background: #eceff1; }
.pill.processing { background: #fff3e0; color: #a65c00; }
.pill.in-error, .pill.rejected { background: #fdecea; color: var(--error); }
.pill.accepted, .pill.approved { background: #e0f2f1; color: var(--teal-dark); }
.pill.paid { background: #edf7ed; color: var(--ok); }
.reason { color: var(--error); font-size: 13px; }
.empty { color: var(--muted); font-style: italic; }
"""

SCRIPT = """
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-opens-file]').forEach(button => {
    const input = document.getElementById(button.getAttribute('data-opens-file'));
    const shown = document.getElementById(button.getAttribute('data-shows-name'));
    if (!input) return;
    button.addEventListener('click', event => { event.preventDefault(); input.click(); });
    input.addEventListener('change', () => {
      if (shown) shown.textContent = input.files.length ? input.files[0].name : 'No file chosen';
    });
  });
  const form = document.getElementById('invoice-form');
  if (form) {
    let sent = false;
    form.addEventListener('submit', event => {
      if (sent) { event.preventDefault(); return; }
      sent = true;
      form.querySelectorAll('button[type=submit]').forEach(b => { b.disabled = true; });
    });
  }
});
"""

LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="120" height="28" viewBox="0 0 120 28">
<rect x="1" y="3" width="22" height="22" rx="4" fill="#e8891c"/>
<path d="M7 14h10M12 9l5 5-5 5" stroke="#fff" stroke-width="2.4" fill="none"/>
<text x="30" y="19" font-family="Arial" font-size="13" font-weight="700"
 fill="#fff">e-INVOICE</text>
</svg>"""

ASSETS: Mapping[str, StaticAsset] = {
    "upload.css": StaticAsset(media_type="text/css", body=STYLESHEET.encode()),
    "upload.js": StaticAsset(media_type="application/javascript", body=SCRIPT.encode()),
    "logo.svg": StaticAsset(media_type="image/svg+xml", body=LOGO.encode()),
}
