"""Pages in windows of their own, against real headless Chromium, while other pages close.

The runtime's tests (``test_browser_runtime.py``) check that an account's pages get a window
each; this checks the race around it that a throughput run hit: the context's last page closing
(given back, evicted) while another page of it is being opened.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page

from connectors.portals.page_windows import WindowedPages

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

TIMEOUT_MS = 5_000
ROUNDS = 5


@pytest_asyncio.fixture(loop_scope="module")
async def context(chromium: Browser) -> AsyncIterator[BrowserContext]:
    context = await chromium.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        await context.close()


async def _window_id(browser: Browser, context: BrowserContext, page: Page) -> int:
    page_session = await context.new_cdp_session(page)
    target = (await page_session.send("Target.getTargetInfo"))["targetInfo"]
    await page_session.detach()
    browser_session = await browser.new_browser_cdp_session()
    try:
        window = await browser_session.send(
            "Browser.getWindowForTarget", {"targetId": target["targetId"]}
        )
    finally:
        await browser_session.detach()
    return int(window["windowId"])


async def test_a_page_opens_while_the_contexts_last_page_closes(
    chromium: Browser, context: BrowserContext
) -> None:
    """The context's only page closing during the opening of another (given back, evicted) is
    no error: the new page opens anyway, usable."""
    windows = WindowedPages(chromium)
    for round_number in range(ROUNDS):
        leaving = await context.new_page()
        opening = asyncio.create_task(windows.new_page(context))
        await leaving.close()
        page = await opening
        await page.set_content(f"<p id=n>{round_number}</p>")
        assert await page.inner_text("#n") == str(round_number)
        assert page.context is context
        await page.close()
