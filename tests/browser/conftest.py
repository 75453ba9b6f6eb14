"""Shared fixtures of the browser tests: one Chromium, a fresh page per test, the sandbox portals.

- ``chromium``: one headless Chromium per test module (``find_chromium()``, lean flags), closed
  when the module's tests end, so no browser outlives the module that uses it (other tests count
  Chromium processes);
- ``browser_page``: a new browser context and page per test, closed after it;
- ``running_sandbox``: every stand-in portal family served by uvicorn on 127.0.0.1 (port 0) for
  the session, from the ``sandbox_catalog`` fixture (override it in a conftest to serve another
  book);
- ``sandbox``: the same sandbox, reset before the test, with async helpers for the admin
  endpoints (received uploads, login attempts, faults, the Coupa invoice lifecycle).

The browser lives on the module's event loop, so a test using ``chromium``, ``browser_page`` or
``sandbox`` must run there too: give its module
``pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from connectors.portals.chromium import find_chromium, launch_args
from sandbox.catalog import Catalog
from sandbox.server import RunningSandbox, start_sandbox
from tests.browser.coupa_book import coupa_catalog

PAGE_TIMEOUT_MS = 10_000  #: Playwright's default wait for any action a driver leaves unbounded
ADMIN_TIMEOUT_S = 10.0


class SandboxAdmin:
    """The running sandbox's admin endpoints, for assertions and fault injection in tests."""

    def __init__(self, running: RunningSandbox, http: httpx.AsyncClient) -> None:
        self.url = running.url
        self._running = running
        self._http = http

    def portal_url(self, family: str) -> str:
        return self._running.portal_url(family)

    async def received(self) -> list[dict[str, Any]]:
        """Every upload the portals accepted (confirmation page lost or not)."""
        return await self._get("/__sandbox/received")

    async def logins(self) -> list[dict[str, Any]]:
        """Every login attempt the portals saw."""
        return await self._get("/__sandbox/logins")

    async def set_faults(self, **changes: Any) -> dict[str, Any]:
        answer = await self._http.post("/__sandbox/faults", json=changes)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    async def reset(self) -> None:
        (await self._http.post("/__sandbox/reset")).raise_for_status()

    async def set_coupa_status(
        self, invoice_number: str, *, buyer: str, status: str, **fields: str
    ) -> dict[str, Any]:
        """Move a Coupa invoice along its lifecycle (approved, disputed, paid, voided)."""
        answer = await self._http.post(
            f"/__sandbox/coupa/invoices/{invoice_number}/status",
            json={"buyer": buyer, "status": status, **fields},
        )
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    async def _get(self, path: str) -> list[dict[str, Any]]:
        answer = await self._http.get(path)
        answer.raise_for_status()
        result: list[dict[str, Any]] = answer.json()
        return result


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
    """What the sandbox portals serve; override to serve another book."""
    return coupa_catalog()


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
