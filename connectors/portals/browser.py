"""The browser runtime: one Chromium per process, one context per portal account.

Launching a browser per invoice costs five times the CPU of reusing one (reference
``browser-limits.md``), so a worker keeps one Chromium for its whole life and gives each portal
account its own ``BrowserContext``. Accounts that share a portal login share its session through
a ``storage_state`` file (mode 0600, named by a hash of the login key; cookies, never the
password). A context is recycled after ``recycle_after_invoices`` pages (a renderer grows
≈ 1.5 MB per invoice), and a browser that died is launched again on the next call rather than
failing every later one. Pages outlive their operation: a new page costs a renderer process, so
a page given back waits for the next operation of its account, and the runtime keeps at most as
many waiting pages as it may lend at once (``max_pages``), closing the longest-waiting first; a
context left with no page is closed too, so memory stays flat over any number of accounts.
Each page of a context has a window of its own (:mod:`connectors.portals.page_windows`): as a
background tab it would get no animation frames, and every click would wait for them.
The runtime hands out pages; logging in, retries and bounds are the gateway's
(:mod:`connectors.portals.gateway`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import structlog
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from config.settings import BrowserSettings
from connectors.portals.base import PortalAccount, PortalLogin
from connectors.portals.chromium import find_chromium, launch_args
from connectors.portals.errors import PortalError, PortalUnavailable, wrap_playwright_errors
from connectors.portals.evidence import ContextTracer
from connectors.portals.page_windows import WindowedPages

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam  # not re-exported publicly
    from playwright.async_api import Browser, BrowserContext, Page, Playwright, StorageState

STATE_FILE_MODE = 0o600
STATE_DIR_MODE = 0o700
#: hex digits of the login-key hash used in file names and logs
LOGIN_HASH_CHARS = 16
#: idle pages (each a renderer process) kept for the next operations, across all contexts:
#: ``max(IDLE_PAGES_MIN, max_pages)``. Kept per context instead, a run over many accounts
#: piles up renderers: 40 accounts, 400 invoices, PSS 1.4 → 3.2 GB (``benchmarks/long_run.py``)
IDLE_PAGES_MIN = 2
#: how long closing a context, the browser or Playwright may take before we move on
CLOSE_TIMEOUT_S = 10.0
#: Playwright's wording when the page, context or browser under a call went away or crashed
TARGET_CLOSED = re.compile(
    r"Target(?: page, context or browser)? (?:has been )?(?:closed|crashed)", re.I
)

log = structlog.get_logger()


def login_key_hash(login: PortalLogin) -> str:
    """A stable, non-reversible name for a login: state file names and log fields."""
    return hashlib.sha256(login.key.encode("utf-8")).hexdigest()[:LOGIN_HASH_CHARS]


@dataclass(frozen=True, kw_only=True, slots=True)
class RuntimeStats:
    """Counters of the runtime's life, for logs, benchmarks and tests."""

    launches: int
    contexts_created: int
    contexts_open: int
    pages_created: int  #: a renderer process each: many more than invoices/recycling = churn
    pages_in_use: int


@dataclass(eq=False, kw_only=True)
class AccountContext:
    """One portal account's browser context and its bookkeeping (mutable, runtime-owned)."""

    account_id: int
    login: PortalLogin
    context: BrowserContext
    tracer: ContextTracer
    #: version of the login's stored state this context's cookies come from (0: none)
    state_version: int
    leases: int = 0
    in_use: int = 0
    idle_pages: list[Page] = field(default_factory=list)
    retiring: bool = False
    closed: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class PageLease:
    """A page lent for one operation, with the context it belongs to."""

    page: Page
    holder: AccountContext

    @property
    def tracer(self) -> ContextTracer:
        """The trace chunk dispenser of this page's context."""
        return self.holder.tracer


class BrowserRuntime:
    """One Chromium for the process; use ``async with BrowserRuntime(settings) as runtime``."""

    def __init__(self, settings: BrowserSettings) -> None:
        self.settings = settings
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._windows: WindowedPages | None = None
        self._executable: Path | None = None
        self._launch_lock = asyncio.Lock()
        self._account_locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, AccountContext] = {}
        self._all_holders: set[AccountContext] = set()
        self._state_versions: dict[str, int] = {}
        #: every idle page with its context, longest-waiting first: the eviction order
        self._idle_order: dict[Page, AccountContext] = {}
        self._launches = 0
        self._contexts_created = 0
        self._pages_created = 0
        self._closing = False

    async def __aenter__(self) -> BrowserRuntime:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Start Playwright and launch Chromium; closes what it started if the launch fails."""
        if self._playwright is not None:
            raise RuntimeError("the browser runtime is already started")
        self._closing = False
        self._playwright = await async_playwright().start()
        try:
            self._executable = self._chromium_path(self._playwright)
            async with self._launch_lock:
                await self._launch()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close every context, the browser and Playwright, whatever fails on the way."""
        self._closing = True
        holders, self._all_holders = self._all_holders, set()
        self._holders.clear()
        self._idle_order.clear()
        browser, self._browser = self._browser, None
        self._windows = None
        playwright, self._playwright = self._playwright, None
        try:
            for holder in holders:
                await self._close_holder(holder)
            if browser is not None:
                with suppress(PlaywrightError, TimeoutError):
                    await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT_S)
        finally:
            # stopping the driver ends the browser too, even if closing it failed or was cancelled
            if playwright is not None:
                with suppress(PlaywrightError, TimeoutError):
                    await asyncio.wait_for(playwright.stop(), CLOSE_TIMEOUT_S)
        if browser is not None:
            log.info(
                "browser.closed",
                launches=self._launches,
                contexts=self._contexts_created,
                pages=self._pages_created,
            )

    def stats(self) -> RuntimeStats:
        """How many launches, contexts and pages there have been and are."""
        open_holders = [h for h in self._all_holders if not h.closed]
        return RuntimeStats(
            launches=self._launches,
            contexts_created=self._contexts_created,
            contexts_open=len(open_holders),
            pages_created=self._pages_created,
            pages_in_use=sum(h.in_use for h in open_holders),
        )

    # -- login state -------------------------------------------------------------------------

    def state_path(self, login: PortalLogin) -> Path:
        """Where the login's storage state is kept."""
        return self.settings.state_dir / f"{login_key_hash(login)}.json"

    def login_version(self, login: PortalLogin) -> int:
        """0 when the login has no stored state, else a number that grows with every save."""
        key = login.key
        if key not in self._state_versions:
            self._state_versions[key] = 1 if self.state_path(login).is_file() else 0
        return self._state_versions[key]

    async def save_login_state(self, lease: PageLease) -> Path:
        """Store the lease's context session (after a login) for every context of that login."""
        holder = lease.holder
        with wrap_playwright_errors("save login state"):
            state = await holder.context.storage_state()
        path = self.state_path(holder.login)
        await asyncio.to_thread(_write_private_json, path, state)
        version = self.login_version(holder.login) + 1
        self._state_versions[holder.login.key] = version
        holder.state_version = version
        return path

    async def adopt_login_state(self, lease: PageLease) -> None:
        """Give the lease's context the cookies another context of the same login stored."""
        holder = lease.holder
        version = self.login_version(holder.login)
        state = await asyncio.to_thread(_read_state, self.state_path(holder.login))
        if state is None:
            return
        cookies = cast("list[SetCookieParam]", state.get("cookies", []))
        with wrap_playwright_errors("load login state"):
            await holder.context.add_cookies(cookies)
        holder.state_version = version

    # -- pages -------------------------------------------------------------------------------

    @asynccontextmanager
    async def page(self, account: PortalAccount) -> AsyncIterator[PageLease]:
        """Lend a page of the account's context for one operation; it goes back afterwards.

        The page is kept for a later operation after a success or a portal's own answer
        (``PortalError``); after anything else, or when its target went away, it is closed.
        """
        holder, page = await self._open_page(account)
        keep_page = False
        try:
            yield PageLease(page=page, holder=holder)
            keep_page = True
        except BaseException as exc:
            if _target_closed(exc):
                # the page, its context or the browser went away under us: do not reuse it
                holder.retiring = True
            else:
                keep_page = isinstance(exc, PortalError)
            raise
        finally:
            holder.in_use -= 1
            await self._give_back(holder, page, keep=keep_page)

    @asynccontextmanager
    async def scratch_page(self) -> AsyncIterator[Page]:
        """A page in a context of its own, with no stored session, closed afterwards.

        For a login test: with the login's stored cookies the portal would let us in without
        ever checking the password, which is what the test is about.
        """
        if self._playwright is None or self._closing:
            raise RuntimeError("the browser runtime is not started")
        browser = await self._live_browser()
        with wrap_playwright_errors("open browser context"):
            context = await browser.new_context()
        context.set_default_navigation_timeout(self.settings.navigation_timeout_ms)
        context.set_default_timeout(self.settings.action_timeout_ms)
        try:
            with wrap_playwright_errors("open page"):
                page = await context.new_page()
            yield page
        finally:
            with suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(context.close(), CLOSE_TIMEOUT_S)

    async def _open_page(self, account: PortalAccount) -> tuple[AccountContext, Page]:
        """A page of the account's context; one more try on a new context if its target died."""
        for tries_left in (1, 0):
            holder = await self._holder_for(account)
            holder.in_use += 1
            try:
                with wrap_playwright_errors("open page"):
                    page = holder.idle_pages.pop() if holder.idle_pages else None
                    if page is not None:
                        self._idle_order.pop(page, None)
                    if page is None or page.is_closed():
                        page = await self._new_page(holder)
                        self._pages_created += 1
                return holder, page
            except BaseException as exc:
                holder.in_use -= 1
                retry = tries_left > 0 and _target_closed(exc)
                if retry:
                    holder.retiring = True
                await self._give_back(holder, None, keep=False)
                if not retry:
                    raise
        raise AssertionError("unreachable: the last try returns or raises")  # pragma: no cover

    async def _new_page(self, holder: AccountContext) -> Page:
        """A page of the holder's context in a window of its own (:mod:`page_windows`)."""
        windows = self._windows
        if windows is None:
            raise RuntimeError("the browser runtime is not started")
        return await windows.new_page(holder.context)

    async def _holder_for(self, account: PortalAccount) -> AccountContext:
        if self._playwright is None or self._closing:
            raise RuntimeError("the browser runtime is not started")
        lock = self._account_locks.setdefault(account.portal_account_id, asyncio.Lock())
        async with lock:
            browser = await self._live_browser()
            holder = self._holders.get(account.portal_account_id)
            if holder is not None:
                if holder.closed:  # the context died with its browser or crashed
                    await self._close_holder(holder)
                    holder = None
                elif holder.retiring:  # it closes itself when its last page comes back
                    holder = None
                elif holder.leases >= self.settings.recycle_after_invoices:
                    await self._retire(holder)
                    holder = None
            if holder is None:
                try:
                    holder = await self._new_holder(browser, account)
                except PortalUnavailable as exc:
                    if not _target_closed(exc):
                        raise
                    # the browser died before Playwright told us: launch it again now
                    browser = await self._live_browser(dead=browser)
                    holder = await self._new_holder(browser, account)
                self._holders[account.portal_account_id] = holder
            holder.leases += 1
            return holder

    async def _new_holder(self, browser: Browser, account: PortalAccount) -> AccountContext:
        login = account.login
        version = self.login_version(login)
        state: dict[str, Any] | None = None
        if version:
            state = await asyncio.to_thread(_read_state, self.state_path(login))
            if state is None:  # unreadable: start without it, the gateway logs in again
                self._state_versions[login.key] = version = 0
        with wrap_playwright_errors("open browser context"):
            context = await browser.new_context(storage_state=cast("StorageState | None", state))
        context.set_default_navigation_timeout(self.settings.navigation_timeout_ms)
        context.set_default_timeout(self.settings.action_timeout_ms)
        holder = AccountContext(
            account_id=account.portal_account_id,
            login=login,
            context=context,
            tracer=ContextTracer(context, enabled=self.settings.trace_on_failure),
            state_version=version,
        )
        context.on("close", lambda _context: _mark_closed(holder))
        self._all_holders.add(holder)
        self._contexts_created += 1
        return holder

    async def _give_back(self, holder: AccountContext, page: Page | None, *, keep: bool) -> None:
        reusable = (
            keep
            and page is not None
            and not page.is_closed()
            and not holder.retiring
            and not holder.closed
        )
        surplus: list[tuple[Page, AccountContext]] = []
        if reusable and page is not None:
            holder.idle_pages.append(page)
            self._idle_order[page] = holder
            surplus = self._surplus_idle_pages()
        elif page is not None and not holder.closed:
            surplus = [(page, holder)]
        for extra, _owner in surplus:
            with suppress(PlaywrightError):
                await extra.close()
        if holder.retiring and holder.in_use == 0:
            await self._close_holder(holder)
        # a context left without pages waits for nothing: close it (its account gets a new one,
        # with the stored session, if it needs one again); left open, 200 accounts grew the
        # tree's PSS by a third over a run (``benchmarks/long_run.py --buyers 200``)
        for owner in dict.fromkeys([holder, *(owner for _page, owner in surplus)]):
            if (
                not owner.closed
                and not owner.retiring
                and not owner.in_use
                and not owner.idle_pages
            ):
                await self._retire(owner, recycled=False)

    def _surplus_idle_pages(self) -> list[tuple[Page, AccountContext]]:
        """Idle pages beyond the budget, longest-waiting first, taken out of their contexts."""
        budget = max(IDLE_PAGES_MIN, self.settings.max_pages)
        surplus: list[tuple[Page, AccountContext]] = []
        while len(self._idle_order) > budget:
            page, holder = next(iter(self._idle_order.items()))
            del self._idle_order[page]
            if page in holder.idle_pages:  # else: its context closed and forgot it already
                holder.idle_pages.remove(page)
                if not holder.closed:
                    surplus.append((page, holder))
        return surplus

    async def _retire(self, holder: AccountContext, *, recycled: bool = True) -> None:
        """Recycle (or close an idle context): keep its fresh session for the next context of
        its login, and close it once none of its pages is lent out."""
        holder.retiring = True
        if holder.state_version and holder.state_version == self.login_version(holder.login):
            with suppress(PlaywrightError):
                state = await holder.context.storage_state()
                await asyncio.to_thread(_write_private_json, self.state_path(holder.login), state)
        fields = {
            "account": holder.account_id,
            "login": login_key_hash(holder.login),
            "leases": holder.leases,
        }
        if recycled:
            log.info("browser.context_recycled", **fields)
        else:
            log.debug("browser.context_idle_closed", **fields)
        if holder.in_use == 0:
            await self._close_holder(holder)

    async def _close_holder(self, holder: AccountContext) -> None:
        self._all_holders.discard(holder)
        if self._holders.get(holder.account_id) is holder:
            del self._holders[holder.account_id]
        for page in holder.idle_pages:
            self._idle_order.pop(page, None)
        if holder.closed:
            holder.idle_pages.clear()
            return
        holder.closed = True
        holder.idle_pages.clear()
        with suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(holder.context.close(), CLOSE_TIMEOUT_S)

    # -- the browser -------------------------------------------------------------------------

    async def _live_browser(self, *, dead: Browser | None = None) -> Browser:
        """The browser, launched again first if it died (or is ``dead``) since the last call."""
        async with self._launch_lock:
            browser = self._browser
            if browser is not None and browser.is_connected() and browser is not dead:
                return browser
            log.warning("browser.relaunch", launches=self._launches)
            orphans = list(self._all_holders)
            self._all_holders.clear()
            self._holders.clear()
            self._idle_order.clear()
            for holder in orphans:
                holder.closed = True
            if browser is not None:
                with suppress(PlaywrightError, TimeoutError):
                    await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT_S)
            return await self._launch()

    async def _launch(self) -> Browser:
        if self._playwright is None or self._executable is None:
            raise RuntimeError("the browser runtime is not started")
        with wrap_playwright_errors("launch Chromium"):
            browser = await self._playwright.chromium.launch(
                executable_path=self._executable,
                args=launch_args(lean=self.settings.lean_flags),
                headless=self.settings.headless,
            )
        browser.on("disconnected", lambda _browser: self._on_disconnected())
        self._browser = browser
        self._windows = WindowedPages(browser)
        self._launches += 1
        log.info(
            "browser.launched",
            executable=str(self._executable),
            version=browser.version,
            launches=self._launches,
        )
        return browser

    def _on_disconnected(self) -> None:
        if not self._closing:
            log.warning("browser.disconnected", launches=self._launches)

    def _chromium_path(self, playwright: Playwright) -> Path:
        """The configured Chromium, else Playwright's own build, else the system's."""
        configured = self.settings.executable_path
        if configured is None and os.environ.get("PLAYWRIGHT_BROWSERS_PATH") != "0":
            own = Path(playwright.chromium.executable_path)
            if own.is_file():
                return own
        # the async API is running, so find_chromium must not start the sync one
        return find_chromium(configured, probe_playwright=False)


def _mark_closed(holder: AccountContext) -> None:
    holder.closed = True
    holder.idle_pages.clear()


def _target_closed(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the page, context or browser is gone."""
    current: BaseException | None = exc
    while current is not None:
        if TARGET_CLOSED.search(str(current)):
            return True
        current = current.__cause__
    return False


def _write_private_json(path: Path, data: object) -> None:
    """Write ``data`` as JSON readable by the owner only, replacing the file atomically."""
    path.parent.mkdir(mode=STATE_DIR_MODE, parents=True, exist_ok=True)
    # unique per write: two saves of one login's state may overlap (threads of one process)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, STATE_FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, STATE_FILE_MODE)  # the umask cannot widen it, but an old file might
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _read_state(path: Path) -> dict[str, Any] | None:
    """A stored storage state, or None when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
