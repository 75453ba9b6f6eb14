"""How every portal driver moves between pages and checks what a page holds.

The Coupa and Ariba drivers and the recipe driver all promise the queue the same things about a
page they land on, so those promises are kept here once:

- **one classification of landings** (:func:`classify_landing`, pure): HTTP 429 and 503, a
  "system busy" page, a 5xx or the portal's error page, a refused form token are
  ``PortalUnavailable``; the portal's login page in the middle of a flow is ``SessionExpired``
  (log in again, this is not a failed login), and so is the sign-in page coming back after we
  sent the password or the code without a word of refusal (the portal forgot the half-made
  session: it expired *during* the login); a refusal shown there is ``LoginFailed``; a page
  without the element the step expects is ``PortalChanged``;
- **navigation** (:meth:`PortalPages.open`, :meth:`PortalPages.click_and_land`): go, wait for the
  page, read its signs in one call, classify them, wait briefly for an expected element that
  may still be rendering;
- **elements** the page must have (:meth:`PortalPages.require`, :meth:`~PortalPages.read`...):
  a short explicit wait (never Playwright's long default), then ``PortalChanged`` naming the
  element; ``PortalUnavailable`` when the browser itself fails meanwhile.

Each driver describes its portal's landmarks (:class:`Landmarks`: which element is the login
page, the busy page, the error page...) and its timeouts; nothing else differs.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

import structlog
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from connectors.portals.errors import (
    LoginFailed,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    SessionExpired,
    first_line,
    wrap_playwright_errors,
)

if TYPE_CHECKING:
    from playwright.async_api import Frame, Locator, Page, Response

    #: the top page or a frame in it (a wizard): both are checked the same way
    Surface = Page | Frame

ELEMENT_TIMEOUT_MS = 2_500  #: an element the page should already have; longer = it changed
MAX_LIST_PAGES = 25  #: pages of search results read before giving up on a number
NAVIGATION_TIMEOUT_MS = 30_000  #: a page load
TOO_MANY_REQUESTS = 429
SERVICE_UNAVAILABLE = 503
SERVER_ERROR = 500
#: what a refused sign-in says when the portal's refusal element is empty
REFUSED_SIGN_IN = "the portal refused the sign-in"
#: how a sign-in page's notice says the session expired (a few languages portals use)
EXPIRY_WORDS = re.compile(
    r"expired|timed?[ -]?out|inactiv|abgelaufen|expir[ée]e|caducad|scadut|verlopen|utgått",
    re.IGNORECASE,
)

log = structlog.get_logger()


class LoginStage(Enum):
    """Where in a login a navigation happens: it decides what the sign-in page means."""

    #: any page of a flow: the portal's login page there means the session expired
    NONE = "none"
    #: opening the login page: it is the page we want (or the home page, when still signed in)
    OPENING = "opening"
    #: the password (or the code) was sent: a refusal is LoginFailed, and the sign-in page
    #: again with a notice that the session expired is SessionExpired (the portal dropped the
    #: half-made session); the sign-in page again with neither is not a page we know
    SUBMITTED = "submitted"


@dataclass(frozen=True, kw_only=True, slots=True)
class Landmarks:
    """The elements that tell one portal's pages apart (CSS selectors).

    ``extra_js`` is the driver's own reading of a landing (``() => value``), done in the same
    page call and returned as :attr:`PageSigns.extra`; it is spliced into the script, never
    ``eval``-ed (a portal's CSP may forbid eval).
    """

    #: any page asking to sign in (credentials or code): met mid-flow, the session expired
    login: str
    #: an element only the page asking for the password has (the user name field)
    credentials: str
    #: where a refused sign-in (or code) is explained
    login_error: str | None = None
    #: the sign-in page's notice, which says when the session expired (:data:`EXPIRY_WORDS`)
    notice: str | None = None
    #: the "system busy" page
    busy: str | None = None
    #: the portal's error page
    failure: str | None = None
    #: a transient refusal of a step (an expired form token, a draft the portal lost)
    refused: str | None = None
    extra_js: str | None = None

    @property
    def script(self) -> str:
        """The page call that reads a landing's signs."""
        extra = f"({self.extra_js})()" if self.extra_js else "null"
        return _SIGNS_JS.replace("__EXTRA__", extra)

    @property
    def selectors(self) -> dict[str, str | None]:
        return {
            "login": self.login,
            "credentials": self.credentials,
            "login_error": self.login_error,
            "notice": self.notice,
            "busy": self.busy,
            "failure": self.failure,
            "refused": self.refused,
        }


_SIGNS_JS = """([marks, expected]) => {
  const find = sel => sel ? document.querySelector(sel) : null;
  const text = sel => {
    const e = find(sel);
    return e ? (e.textContent || '').trim() || sel : null;
  };
  const error = find(marks.login_error);
  return {
    login: !!find(marks.login), credentials: !!find(marks.credentials),
    login_error: error ? (error.innerText || '').trim() : null, notice: text(marks.notice),
    busy: text(marks.busy), failure: text(marks.failure), refused: text(marks.refused),
    expected: expected ? !!find(expected) : null,
    extra: __EXTRA__,
  };
}"""


@dataclass(frozen=True, kw_only=True, slots=True)
class PageSigns:
    """What a landing showed, read in one page call (texts trimmed; None: not on the page)."""

    status: int  #: the HTTP status (200 when the page changed without a response)
    url: str = ""
    login: bool = False  #: a sign-in page (credentials or code)
    credentials: bool = False  #: the page asking for the password
    login_error: str | None = None  #: the refusal shown ("" when its element is empty)
    notice: str | None = None  #: the sign-in page's notice
    busy: str | None = None
    failure: str | None = None
    refused: str | None = None
    expected: bool | None = None  #: the element the step expects is there (None: not asked)
    extra: Any = None  #: the driver's own reading

    @classmethod
    def from_page(cls, status: int, url: str, read: Mapping[str, Any]) -> PageSigns:
        """The signs from what :attr:`Landmarks.script` returned."""
        return cls(
            status=status,
            url=url,
            login=bool(read.get("login")),
            credentials=bool(read.get("credentials")),
            login_error=read.get("login_error"),
            notice=read.get("notice"),
            busy=read.get("busy"),
            failure=read.get("failure"),
            refused=read.get("refused"),
            expected=read.get("expected"),
            extra=read.get("extra"),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class ResultsList:
    """One of a portal's results lists (orders, invoices, statuses) and what a row holds.

    ``columns`` maps a name to where a row holds it: ``".cell"`` (its text), ``".cell@attr"``
    (an attribute), ``"@attr"`` (the row's own attribute) or ``"?.cell"`` (whether the row has
    such an element). A missing cell reads as None.
    """

    what: str  #: how a PortalChanged names it: "orders table"
    table: str  #: the list itself (or its rows), present when it lists anything
    empty: str  #: the "nothing found" text
    rows: str  #: one row
    columns: Mapping[str, str]
    next_page: str | None = None  #: the link to the next page of results, if the list has one

    @property
    def arguments(self) -> list[Any]:
        return [self.table, self.empty, self.rows, self.next_page, dict(self.columns)]


@dataclass(frozen=True, kw_only=True, slots=True)
class Listing:
    """One page of a results list as read."""

    empty: str | None  #: the "nothing found" text, when shown
    rows: list[dict[str, Any]]
    next_href: str | None  #: the next page link's href ("" when it has none); None: last page

    @property
    def blank_rows(self) -> list[dict[str, Any]]:
        """The rows with a missing cell as "" (for drivers that treat both alike)."""
        return [{k: "" if v is None else v for k, v in row.items()} for row in self.rows]


@dataclass(frozen=True, kw_only=True, slots=True)
class ListSearch:
    """What paging through a results list found."""

    rows: list[dict[str, Any]]  #: every row read, page after page, up to the wanted one
    found: dict[str, Any] | None = None  #: the first wanted row
    found_index: int | None = None  #: its position on the page left open
    empty: str | None = None  #: the "nothing found" text, when the portal found nothing


@dataclass(frozen=True, kw_only=True, slots=True)
class Expected:
    """The element a landing must show, and what it is called in a PortalChanged."""

    selector: str
    what: str


def classify_landing(
    signs: PageSigns,
    step: str,
    *,
    stage: LoginStage = LoginStage.NONE,
    expected: Expected | None = None,
    after_submit: bool = False,
) -> PortalError | None:
    """The error a landing means for the step, or None when it is the page the step wanted.

    Pure: the same signs always give the same answer, for every driver.
    """
    status = signs.status
    if signs.busy or status in (TOO_MANY_REQUESTS, SERVICE_UNAVAILABLE):
        return PortalUnavailable(
            f"{step}: {signs.busy or f'HTTP {status}'}", after_submit=after_submit
        )
    if status >= SERVER_ERROR or signs.failure:
        detail = f"HTTP {status} {signs.failure or ''}".strip()
        return PortalUnavailable(f"{step}: {detail}", after_submit=after_submit)
    if stage is LoginStage.SUBMITTED:
        if signs.login_error is not None:
            return LoginFailed(signs.login_error or REFUSED_SIGN_IN)
        if signs.credentials and signs.notice and EXPIRY_WORDS.search(signs.notice):
            return SessionExpired(
                f"{step}: the portal asked for the password again: {signs.notice} "
                "(the session expired during the login)"
            )
    elif signs.login and stage is LoginStage.NONE:
        return SessionExpired(
            f"{step}: the portal showed its login page (session expired)", after_submit=after_submit
        )
    if signs.refused:
        return PortalUnavailable(f"{step}: {signs.refused}", after_submit=after_submit)
    if expected is not None and signs.expected is False:
        return PortalChanged(
            f"{step}: {expected.what} ({expected.selector}) not found on {signs.url}"
        )
    return None


class PortalPages:
    """One portal's pages as a driver moves through them: its landmarks and its timeouts."""

    def __init__(
        self,
        landmarks: Landmarks,
        *,
        navigation_ms: int = NAVIGATION_TIMEOUT_MS,
        element_ms: int = ELEMENT_TIMEOUT_MS,
    ) -> None:
        self.landmarks = landmarks
        self.navigation_ms = navigation_ms
        self.element_ms = element_ms
        self._script = landmarks.script
        self._selectors = landmarks.selectors

    # --- navigation -------------------------------------------------------------------------

    async def open(
        self,
        page: Page,
        url: str,
        step: str,
        *,
        stage: LoginStage = LoginStage.NONE,
        expected: Expected | None = None,
    ) -> PageSigns:
        """Go to ``url`` and check the landing; its signs (the driver's reading among them)."""
        with wrap_playwright_errors(step):
            response = await page.goto(
                url, wait_until="domcontentloaded", timeout=self.navigation_ms
            )
        return await self.check_landing(page, response, step, stage=stage, expected=expected)

    async def click_and_land(
        self,
        surface: Surface,
        target: str | Locator,
        step: str,
        *,
        timeout_ms: int | None = None,
        after_submit: bool = False,
        stage: LoginStage = LoginStage.NONE,
        expected: Expected | None = None,
        wait_until: Literal["domcontentloaded", "load"] = "domcontentloaded",
    ) -> PageSigns:
        """Click an element that loads a page (in ``surface``), wait for it, check the landing.

        ``target`` is a selector in ``surface`` or a locator; ``wait_until="load"`` also waits
        for the page's frames.
        """
        with wrap_playwright_errors(step, after_submit=after_submit):
            async with surface.expect_navigation(
                wait_until=wait_until, timeout=timeout_ms or self.navigation_ms
            ) as navigation:
                if isinstance(target, str):
                    await surface.click(target, timeout=self.element_ms)
                else:
                    await target.click(timeout=self.element_ms)
            response = await navigation.value
        return await self.check_landing(
            surface, response, step, after_submit=after_submit, stage=stage, expected=expected
        )

    async def check_landing(
        self,
        surface: Surface,
        response: Response | None,
        step: str,
        *,
        after_submit: bool = False,
        stage: LoginStage = LoginStage.NONE,
        expected: Expected | None = None,
    ) -> PageSigns:
        """Read where ``surface`` landed and raise what it means (:func:`classify_landing`).

        An expected element that is not there yet gets one short wait, then the page is read
        again (it may have been still rendering, or turned into another page meanwhile).
        """
        status = response.status if response is not None else 200
        signs = await self._signs(surface, status, step, expected, after_submit)
        verdict = classify_landing(
            signs, step, stage=stage, expected=expected, after_submit=after_submit
        )
        if isinstance(verdict, PortalChanged) and expected is not None:
            await self._wait_briefly(surface, expected.selector, step, after_submit)
            signs = await self._signs(surface, status, step, expected, after_submit)
            verdict = classify_landing(
                signs, step, stage=stage, expected=expected, after_submit=after_submit
            )
        if verdict is not None:
            raise verdict
        return signs

    async def _signs(
        self,
        surface: Surface,
        status: int,
        step: str,
        expected: Expected | None,
        after_submit: bool,
    ) -> PageSigns:
        with wrap_playwright_errors(step, after_submit=after_submit):
            read: dict[str, Any] = await surface.evaluate(
                self._script, [self._selectors, expected.selector if expected else None]
            )
        return PageSigns.from_page(status, surface.url, read)

    async def _wait_briefly(
        self, surface: Surface, selector: str, step: str, after_submit: bool
    ) -> None:
        try:
            await surface.wait_for_selector(selector, state="attached", timeout=self.element_ms)
        except PlaywrightTimeout:
            return  # read again: the verdict names what is missing
        except PlaywrightError as exc:
            raise PortalUnavailable(
                f"{step}: {first_line(exc)}", after_submit=after_submit
            ) from exc

    # --- elements ---------------------------------------------------------------------------

    async def require(self, surface: Surface, selector: str, what: str, step: str) -> None:
        """Wait briefly for an element the page must have; PortalChanged naming it otherwise."""
        try:
            await surface.wait_for_selector(selector, state="attached", timeout=self.element_ms)
        except PlaywrightTimeout as exc:
            raise PortalChanged(f"{step}: {what} ({selector}) not found on {surface.url}") from exc
        except PlaywrightError as exc:
            raise PortalUnavailable(f"{step}: {first_line(exc)}") from exc

    async def require_all(self, surface: Surface, expected: Mapping[str, str], step: str) -> None:
        """The elements (selector → what) must be there after a short wait; else PortalChanged."""
        with wrap_playwright_errors(step):
            missing: list[str] = await surface.evaluate(_MISSING_JS, list(expected))
        if missing:
            await self.require(surface, missing[0], expected[missing[0]], step)  # still rendering?
            with wrap_playwright_errors(step):
                missing = await surface.evaluate(_MISSING_JS, missing)
        if missing:
            named = ", ".join(f"{expected[s]} ({s})" for s in missing)
            raise PortalChanged(f"{step}: {named} not found on {surface.url}")

    async def element(
        self, surface: Surface | Locator, selector: str, described: str, step: str
    ) -> Locator:
        """The first element matching ``selector`` (in a page, frame or element), after a short
        wait; PortalChanged naming it (``described``) when there is none."""
        target = surface.locator(selector).first
        try:
            await target.wait_for(state="attached", timeout=self.element_ms)
        except PlaywrightTimeout as exc:
            raise PortalChanged(described) from exc
        except PlaywrightError as exc:
            raise PortalUnavailable(f"{step}: {first_line(exc)}") from exc
        return target

    async def read(
        self, surface: Surface, spec: Mapping[str, str], step: str, *, after_submit: bool = False
    ) -> dict[str, str]:
        """Texts (``selector``) or attributes (``selector@name``) the page must show, in one go."""
        with wrap_playwright_errors(step, after_submit=after_submit):
            found: dict[str, str | None] = await surface.evaluate(_READ_JS, dict(spec))
            missing = [key for key, value in found.items() if value is None]
            if missing:  # give a page still rendering one short chance
                selector = spec[missing[0]].split("@")[0]
                await surface.wait_for_selector(selector, state="attached", timeout=self.element_ms)
                found = await surface.evaluate(_READ_JS, dict(spec))
        absent = [spec[key] for key, value in found.items() if value is None]
        if absent:
            raise PortalChanged(f"{step}: {', '.join(absent)} not found on {surface.url}")
        return {key: value or "" for key, value in found.items()}

    async def read_texts(
        self, surface: Surface, spec: Mapping[str, str], step: str
    ) -> dict[str, str]:
        """Texts or attributes (as :meth:`read`) of a page whose fields may be absent: ""."""
        with wrap_playwright_errors(step):
            found: dict[str, str | None] = await surface.evaluate(_READ_JS, dict(spec))
        return {key: value or "" for key, value in found.items()}

    async def read_list(self, surface: Surface, results: ResultsList, step: str) -> Listing | None:
        """One page of a results list, in one call; None when neither the list nor its empty
        text is there after a short wait (the caller names what it missed)."""
        with wrap_playwright_errors(step):
            read: dict[str, Any] | None = await surface.evaluate(_LIST_JS, results.arguments)
            if read is None:  # still rendering?
                try:
                    await surface.wait_for_selector(
                        f"{results.table}, {results.empty}",
                        state="attached",
                        timeout=self.element_ms,
                    )
                except PlaywrightTimeout:
                    return None
                read = await surface.evaluate(_LIST_JS, results.arguments)
        if read is None:  # it came and went: the page is changing under us
            return None
        return Listing(empty=read["empty"], rows=read["rows"], next_href=read["next"])

    async def search_list(
        self,
        page: Page,
        results: ResultsList,
        step: str,
        *,
        first_url: str | None,
        open_page: Callable[[str], Awaitable[object]],
        wanted: Callable[[dict[str, Any]], bool],
        blank: bool = False,
        missing: str | None = None,
    ) -> ListSearch:
        """Page through a results list until a row is ``wanted`` (that page stays open).

        ``open_page(url)`` opens a page of the list and checks the landing (the driver's way);
        ``first_url`` None means the first page is open already. ``blank`` reads missing cells
        as ""; ``missing`` is the PortalChanged message when the list is not on a page.
        Gives up after :data:`MAX_LIST_PAGES` pages.
        """
        url = first_url
        rows: list[dict[str, Any]] = []
        for _ in range(MAX_LIST_PAGES):
            if url is not None:
                await open_page(url)
            listing = await self.read_list(page, results, step)
            if listing is None:
                raise PortalChanged(
                    missing
                    or f"{step}: {results.what} ({results.table}, {results.empty}) "
                    f"not found on {page.url}"
                )
            if listing.empty is not None and not listing.rows:
                return ListSearch(rows=rows, empty=listing.empty)
            shown = listing.blank_rows if blank else listing.rows
            rows.extend(shown)
            index = next((i for i, row in enumerate(shown) if wanted(row)), None)
            if index is not None:
                return ListSearch(rows=rows, found=shown[index], found_index=index)
            if listing.next_href is None:
                break
            if not listing.next_href:
                raise PortalChanged(f"{step}: {results.next_page} has no href")
            url = urljoin(page.url, listing.next_href)
        return ListSearch(rows=rows)

    async def read_pages(
        self,
        page: Page,
        results: ResultsList,
        step: str,
        *,
        first_url: str,
        open_page: Callable[[str], Awaitable[object]],
        enough: Callable[[list[dict[str, Any]]], bool],
        max_pages: int,
        blank: bool = False,
    ) -> tuple[list[dict[str, Any]], int]:
        """Every row of a paged list, page after page, until ``enough(rows)`` holds, the list
        ends, or ``max_pages`` pages were loaded; returns the rows and the pages loaded.

        The status pass's list read: unlike :meth:`search_list` it does not stop at one row.
        A list that is not on the page is a changed page (PortalChanged), as there.
        """
        url: str | None = first_url
        rows: list[dict[str, Any]] = []
        loaded = 0
        while url is not None and loaded < max_pages:
            await open_page(url)
            loaded += 1
            listing = await self.read_list(page, results, step)
            if listing is None:
                raise PortalChanged(
                    f"{step}: {results.what} ({results.table}, {results.empty}) "
                    f"not found on {page.url}"
                )
            rows.extend(listing.blank_rows if blank else listing.rows)
            if enough(rows) or listing.next_href is None:
                break
            if not listing.next_href:
                raise PortalChanged(f"{step}: {results.next_page} has no href")
            url = urljoin(page.url, listing.next_href)
        return rows, loaded

    async def text(self, surface: Surface, selector: str, step: str) -> str:
        """The first match's text as shown; PortalChanged when the page has none."""
        await self.require(surface, selector, selector, step)
        with wrap_playwright_errors(step):
            return (await surface.locator(selector).first.inner_text()).strip()

    async def attribute(self, surface: Surface, selector: str, name: str, step: str) -> str:
        """The first match's attribute ``name``; PortalChanged when it is missing or empty."""
        with wrap_playwright_errors(step):
            value = await surface.locator(selector).first.get_attribute(name)
        if not value:
            raise PortalChanged(f"{step}: {selector} has no {name}")
        return value


async def log_in_once_more_if_expired(log_in: Callable[[], Awaitable[None]]) -> None:
    """Run a login; when the portal dropped its session during it, run it once more.

    Only an expiry the portal said so about gets the second go (:class:`LoginStage`): a refused
    password is LoginFailed and never tried twice.
    """
    try:
        await log_in()
    except SessionExpired as exc:
        log.info("portal.login_session_expired", error=exc.message)
        await log_in()


async def count(surface: Surface, selector: str) -> int:
    """How many elements match ``selector`` now (no waiting)."""
    with wrap_playwright_errors(f"look for {selector}"):
        return await surface.locator(selector).count()


_MISSING_JS = "sels => sels.filter(s => !document.querySelector(s))"

_READ_JS = """spec => Object.fromEntries(Object.entries(spec).map(([key, path]) => {
  const [selector, attribute] = path.split('@');
  const e = document.querySelector(selector);
  if (!e) { return [key, null]; }
  return [key, attribute ? e.getAttribute(attribute) : e.textContent.trim()];
}))"""

_LIST_JS = """([table, empty, rowSelector, next, columns]) => {
  const emptyEl = document.querySelector(empty);
  if (!document.querySelector(table) && !emptyEl) return null;
  const cell = (row, spec) => {
    if (spec.startsWith('?')) return !!row.querySelector(spec.slice(1));
    const at = spec.lastIndexOf('@');
    const sel = (at >= 0 ? spec.slice(0, at) : spec).trim();
    const attr = at >= 0 ? spec.slice(at + 1).trim() : null;
    const el = sel ? row.querySelector(sel) : row;
    return !el ? null : (attr ? el.getAttribute(attr) : (el.textContent || '').trim());
  };
  const nextEl = next ? document.querySelector(next) : null;
  return {
    empty: emptyEl ? (emptyEl.innerText || '').trim() : null,
    rows: [...document.querySelectorAll(rowSelector)].map(row => Object.fromEntries(
      Object.entries(columns).map(([name, spec]) => [name, cell(row, spec)]))),
    next: nextEl ? (nextEl.getAttribute('href') || '') : null,
  };
}"""
