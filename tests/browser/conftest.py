"""Shared fixtures of the browser tests: one Chromium, a fresh page per test, the sandbox portals.

- ``chromium``: one headless Chromium per test module (``find_chromium()``, lean flags), closed
  when the module's tests end, so no browser outlives the module that uses it (other tests count
  Chromium processes);
- ``browser_page``: a new browser context and page per test, closed after it;
- ``running_sandbox``: every stand-in portal family served by uvicorn on 127.0.0.1 (port 0) for
  the session, from the ``sandbox_catalog`` fixture (the test book's Coupa, Ariba and upload
  books; override it in a conftest to serve another book);
- ``sandbox``: the same sandbox, reset before the test, with async helpers for the admin
  endpoints (:class:`~tests.support.sandbox_admin.SandboxAdmin`).

The browser lives on the module's event loop, so a test using ``chromium``, ``browser_page`` or
``sandbox`` must run there too: give its module
``pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from connectors.portals.chromium import find_chromium, launch_args
from sandbox.catalog import Catalog
from sandbox.server import RunningSandbox, start_sandbox
from tests.support.books import all_portals_catalog
from tests.support.sandbox_admin import ADMIN_TIMEOUT_S, SandboxAdmin

PAGE_TIMEOUT_MS = 10_000  #: Playwright's default wait for any action a driver leaves unbounded
#: the upload portal validates an upload this long after it arrives (the tests watch it happen)
UPLOAD_VALIDATION_DELAY_S = 0.05


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """The Chromium to launch (Playwright's build if installed, else the system one)."""
    return find_chromium()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium(chromium_executable: Path) -> AsyncIterator[Browser]:
    """One headless Chromium for the test module, launched with the lean flags."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium_executable), headless=True, args=launch_args(lean=True)
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest_asyncio.fixture(loop_scope="module")
async def browser_page(chromium: Browser) -> AsyncIterator[Page]:
    """A page in a browser context of its own, closed after the test."""
    context = await chromium.new_context()
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest.fixture(scope="session")
def sandbox_catalog() -> Catalog:
    """What the sandbox portals serve: the test book's three families (override: another book)."""
    return all_portals_catalog(upload_validation_delay_s=UPLOAD_VALIDATION_DELAY_S)


@pytest.fixture(scope="session")
def running_sandbox(sandbox_catalog: Catalog) -> Iterator[RunningSandbox]:
    """The sandbox portals on 127.0.0.1, on a port of their own, for the whole session."""
    with start_sandbox(sandbox_catalog) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def sandbox(running_sandbox: RunningSandbox) -> AsyncIterator[SandboxAdmin]:
    """The session's sandbox, reset (no invoices, logins, lock-outs or faults) for this test."""
    async with httpx.AsyncClient(base_url=running_sandbox.url, timeout=ADMIN_TIMEOUT_S) as http:
        admin = SandboxAdmin(running_sandbox, http)
        await admin.reset()
        yield admin
