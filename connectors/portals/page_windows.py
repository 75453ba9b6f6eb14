"""Every page of a portal account's context in a window of its own, never a background tab.

Playwright's ``context.new_page()`` opens a context's second and later pages as tabs of the
window its first page opened. Only the front tab of a window gets animation frames, and before a
click Playwright waits for two frames to see the element stable: 450–950 ms a click in a
background tab against about 40 ms in front (measured on this machine kind: three pages of one
context clicking at once). A page opened with CDP ``Target.createTarget(newWindow=true)`` in the
same context has a window, so renders at full rate, with the context's cookies, viewport and
timeouts like any other page of it (Playwright attaches to it as it does to a popup).

So an account keeps one context (one login, one cookie jar; design §5) and may still run several
pages at once at full speed. Chromium only: if the browser has no CDP (or refuses), pages fall
back to ``new_page`` tabs, slower but correct.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import structlog
from playwright.async_api import Error as PlaywrightError

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, CDPSession, Page

#: how long Playwright may take to report the page a ``Target.createTarget`` opened
PAGE_ARRIVAL_TIMEOUT_S = 30.0

log = structlog.get_logger()


class WindowedPages:
    """Opens pages of one browser's contexts, each page in a window of its own."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._session: CDPSession | None = None
        self._session_lock = asyncio.Lock()
        self._usable = True
        #: one page opened at a time per context, so the first page's window exists before the
        #: second page asks for another, and a page event is matched to its request
        self._locks: WeakKeyDictionary[BrowserContext, asyncio.Lock] = WeakKeyDictionary()
        self._context_ids: WeakKeyDictionary[BrowserContext, str] = WeakKeyDictionary()

    async def new_page(self, context: BrowserContext) -> Page:
        """A new page of ``context``: its first in a plain ``new_page``, later ones each in a
        window of their own."""
        lock = self._locks.setdefault(context, asyncio.Lock())
        async with lock:
            if context.pages:
                session = await self._browser_session()
                # the context's pages may have closed meanwhile (given back, evicted)
                context_id = await self._context_id(context) if session else None
                if session is not None and context_id is not None:
                    return await self._page_in_new_window(context, session, context_id)
            # a context without a page has no window: its first page opens one
            return await context.new_page()

    async def _page_in_new_window(
        self, context: BrowserContext, session: CDPSession, context_id: str
    ) -> Page:
        arrived: asyncio.Queue[Page] = asyncio.Queue()
        context.on("page", arrived.put_nowait)
        try:
            created = await session.send(
                "Target.createTarget",
                {"url": "about:blank", "browserContextId": context_id, "newWindow": True},
            )
        except BaseException:
            context.remove_listener("page", arrived.put_nowait)
            raise
        target_id = created["targetId"]
        try:
            async with asyncio.timeout(PAGE_ARRIVAL_TIMEOUT_S):
                while True:
                    page = await arrived.get()
                    # a popup of another page of this context may arrive meanwhile: not ours
                    try:
                        if await _target_id(context, page) == target_id:
                            return page
                    except PlaywrightError:
                        if not page.is_closed():
                            raise
        except TimeoutError as exc:
            with suppress(PlaywrightError):  # not left behind as a page nobody uses
                await session.send("Target.closeTarget", {"targetId": target_id})
            raise PlaywrightError(
                f"the page opened in a new window did not arrive within {PAGE_ARRIVAL_TIMEOUT_S} s"
            ) from exc
        finally:
            context.remove_listener("page", arrived.put_nowait)

    async def _context_id(self, context: BrowserContext) -> str | None:
        """The context's CDP id, read from one of its open pages; None when none is left."""
        known = self._context_ids.get(context)
        if known is None:
            for page in list(context.pages):
                try:
                    info = await _target_info(context, page)
                except PlaywrightError:
                    if page.is_closed():
                        continue  # closed while we asked: try another
                    raise
                known = self._context_ids[context] = str(info["browserContextId"])
                break
        return known

    async def _browser_session(self) -> CDPSession | None:
        """The browser's CDP session; None (once warned) where the browser offers none."""
        async with self._session_lock:  # contexts open pages concurrently: one session
            if self._session is None and self._usable:
                try:
                    self._session = await self._browser.new_browser_cdp_session()
                except PlaywrightError as exc:
                    if not self._browser.is_connected():
                        raise
                    self._usable = False
                    log.warning(
                        "browser.window_pages_unavailable",
                        error=(str(exc).strip().splitlines() or [type(exc).__name__])[0][:200],
                        effect="later pages of a context open as tabs; background tabs click "
                        "slower",
                    )
            return self._session


async def _target_info(context: BrowserContext, page: Page) -> dict[str, object]:
    session = await context.new_cdp_session(page)
    try:
        answer = await session.send("Target.getTargetInfo")
    finally:
        await session.detach()
    info: dict[str, object] = answer["targetInfo"]
    return info


async def _target_id(context: BrowserContext, page: Page) -> str:
    return str((await _target_info(context, page))["targetId"])
