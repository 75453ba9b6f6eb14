"""Plain-Playwright uploads of the benchmark book: the naive baseline and the ceiling.

Both take the steps the Coupa driver takes for an invoice (log in with the authenticator code,
search the PO, open its invoice form, fill number, date, currency, lines and tax, attach the PDF,
submit, read the document id), with none of the worker's checks, queue or bookkeeping:

- ``naive``: what a simple RPA script does: for every invoice launch Chromium (default flags),
  log in, upload, close the browser;
- ``ceiling``: the least a browser can do: log in once, ``K`` contexts sharing that login's
  ``storage_state``, one page each, ``K`` asyncio workers on one queue (lean flags, as the
  worker launches Chromium).

Run one variant per process; it prints one JSON line (counts and times) on stdout::

    python benchmarks/raw_flows.py ceiling --book work/invoices.json --k 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

import pyotp
from playwright.async_api import async_playwright

from connectors.portals.chromium import find_chromium, launch_args

if TYPE_CHECKING:
    from playwright.async_api import Browser, FilePayload, Page, Playwright

NAVIGATION_TIMEOUT_MS = 60_000
ACTION_TIMEOUT_MS = 30_000


class RawBook:
    """The invoice file :func:`bench_book.write_invoice_file` wrote."""

    def __init__(self, path: Path) -> None:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.portal_url: str = data["portal_url"]
        self.login_name: str = data["login_name"]
        self.password: str = data["password"]
        self.totp_secret: str = data["totp_secret"]
        self.invoices: list[dict[str, Any]] = data["invoices"]
        #: read before the clock starts, as the worker's database read is not a browser cost
        self.pdfs: dict[str, bytes] = {
            invoice["trx_number"]: Path(invoice["pdf"]).read_bytes() for invoice in self.invoices
        }


async def log_in(page: Page, book: RawBook) -> None:
    """Email and password, then the authenticator code; ends on the signed-in home page."""
    await page.goto(f"{book.portal_url}/login", wait_until="domcontentloaded")
    await page.fill("#user_login", book.login_name)
    await page.fill("#user_password", book.password)
    async with page.expect_navigation(wait_until="domcontentloaded"):
        await page.click("#login-button")
    if await page.locator("#totp-code").count():
        await page.fill("#totp-code", pyotp.TOTP(book.totp_secret).now())
        async with page.expect_navigation(wait_until="domcontentloaded"):
            await page.click("#totp-submit")
    await page.wait_for_selector("#signed-in-user", state="attached")


async def upload(page: Page, book: RawBook, invoice: dict[str, Any]) -> str:
    """Flip the invoice's PO, fill the form, attach the PDF, submit; the portal's document id."""
    po = invoice["purchase_order"]
    query = urlencode({"customer": invoice["buyer_code"], "q": po})
    await page.goto(f"{book.portal_url}/orders?{query}", wait_until="domcontentloaded")
    create = page.locator(f'#orders-table tr.po-row[data-po-number="{po}"] a.create-invoice')
    href = await create.get_attribute("href")
    if not href:
        raise RuntimeError(f"PO {po} cannot be invoiced")
    await page.goto(urljoin(page.url, href), wait_until="domcontentloaded")
    await page.fill("#invoice-number", invoice["trx_number"])
    await page.fill("#invoice-date", invoice["invoice_date"])
    await page.select_option("#invoice-currency", invoice["currency"])
    rows = page.locator("#invoice-lines tr.invoice-line")
    for index, (description, quantity, unit_price) in enumerate(invoice["lines"]):
        row = rows.nth(index)
        await row.locator(".line-description").fill(description)
        await row.locator(".line-quantity").fill(quantity)
        await row.locator(".line-unit-price").fill(unit_price)
    await page.fill("#invoice-tax", invoice["tax"])
    payload: FilePayload = {
        "name": f"Invoice_{invoice['trx_number']}.pdf",
        "mimeType": "application/pdf",
        "buffer": book.pdfs[invoice["trx_number"]],
    }
    await page.set_input_files("#invoice-attachment", files=[payload])
    async with page.expect_navigation(wait_until="domcontentloaded"):
        await page.click("#invoice-submit")
    return (await page.locator("#document-id").inner_text()).strip()


async def _launch(playwright: Playwright, *, lean: bool) -> Browser:
    return await playwright.chromium.launch(
        executable_path=find_chromium(probe_playwright=False),
        args=launch_args(lean=lean),
        headless=True,
    )


async def naive(book: RawBook) -> dict[str, Any]:
    """A fresh browser per invoice: launch → log in → upload → close."""
    submitted, errors = 0, []
    async with async_playwright() as playwright:
        ready_at = time.time()
        for invoice in book.invoices:
            browser = await _launch(playwright, lean=False)
            try:
                context = await browser.new_context()
                context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
                context.set_default_timeout(ACTION_TIMEOUT_MS)
                page = await context.new_page()
                await log_in(page, book)
                await upload(page, book, invoice)
                submitted += 1
            except Exception as exc:  # a benchmark reports failures, it does not stop on one
                errors.append(f"{invoice['trx_number']}: {str(exc).splitlines()[0][:200]}")
            finally:
                await browser.close()
    return {"submitted": submitted, "errors": errors, "ready_at": ready_at, "done_at": time.time()}


async def ceiling(book: RawBook, k: int) -> dict[str, Any]:
    """One browser, one login, ``k`` contexts on its storage state, one page each."""
    submitted, errors = 0, []
    async with async_playwright() as playwright:
        browser = await _launch(playwright, lean=True)
        first = await browser.new_context()
        first.set_default_timeout(ACTION_TIMEOUT_MS)
        await log_in(await first.new_page(), book)
        state = await first.storage_state()
        await first.close()
        pages = []
        for _ in range(k):
            context = await browser.new_context(storage_state=state)
            context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            pages.append(await context.new_page())
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for invoice in book.invoices:
            queue.put_nowait(invoice)
        ready_at = time.time()

        async def work(page: Page) -> None:
            nonlocal submitted
            while not queue.empty():
                invoice = queue.get_nowait()
                try:
                    await upload(page, book, invoice)
                    submitted += 1
                except Exception as exc:  # reported, not raised: the run goes on
                    errors.append(f"{invoice['trx_number']}: {str(exc).splitlines()[0][:200]}")

        await asyncio.gather(*(work(page) for page in pages))
        done_at = time.time()
        await browser.close()
    return {"submitted": submitted, "errors": errors, "ready_at": ready_at, "done_at": done_at}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=["naive", "ceiling"])
    parser.add_argument("--book", type=Path, required=True, help="the invoice file")
    parser.add_argument("--k", type=int, default=1, help="contexts (ceiling only)")
    args = parser.parse_args(argv)
    book = RawBook(args.book)
    if args.variant == "naive":
        result = asyncio.run(naive(book))
    else:
        result = asyncio.run(ceiling(book, max(1, args.k)))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
