"""One recipe operation on one page: open, run steps, check where we landed, read rows.

The recipe driver (:mod:`connectors.portals.recipe.driver`) decides *what* to do; this module
does it on a Playwright page with the recipe's selectors and timeouts. Where a navigation landed
is classified as for every driver (:mod:`connectors.portals.portal_page`, from the recipe's
``[pages]``): the portal's login page mid-flow is ``SessionExpired``, a busy, 429 or 5xx page
``PortalUnavailable`` (``after_submit`` once the submit button was clicked); a selector that
finds nothing is ``PortalChanged`` naming the recipe file, line and key that holds it. Values
typed from secret templates never appear in an error message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playwright.async_api import FilePayload

from connectors.portals.base import InvoiceDocument, PortalAccount
from connectors.portals.errors import (
    InvoiceRejected,
    PortalChanged,
    PortalUnavailable,
    RejectionCode,
    wrap_playwright_errors,
)
from connectors.portals.matching import normalised, same_number
from connectors.portals.portal_page import Landmarks, LoginStage, PortalPages, ResultsList, count
from connectors.portals.recipe.files import LoadedRecipe
from connectors.portals.recipe.model import (
    CellValue,
    Loc,
    PageValue,
    Recipe,
    StatusColumns,
    Step,
)
from connectors.portals.recipe.numbers import LocaleUnknown, NumberLocale, number_locale
from connectors.portals.recipe.template import (
    FieldKind,
    TemplateValues,
    parse_template,
    render,
)

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

ACCOUNT_LOCALE_OPTION = "locale"  #: a portal account option that overrides the recipe's locale

_OPTIONS_JS = "e => Array.from(e.options || []).map(o => [(o.textContent || '').trim(), o.value])"


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusRow:
    """One row of the status list, as text (None where the row has no such cell)."""

    cells: Mapping[str, str | None]

    def get(self, name: str) -> str | None:
        value = self.cells.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None


class RecipePage:
    """A page driven by a recipe for one portal account, during one driver call."""

    def __init__(self, page: Page, loaded: LoadedRecipe, account: PortalAccount) -> None:
        self.page = page
        self.loaded = loaded
        self.recipe = loaded.recipe
        self.account = account
        self.base = account.login.portal_url.rstrip("/")
        self._page_locale: NumberLocale | None = None
        timeouts = loaded.recipe.timeouts
        self.element_ms = timeouts.element_ms
        self.navigation_ms = timeouts.navigation_ms
        self.submit_ms = timeouts.submit_ms
        self.pages = PortalPages(
            recipe_landmarks(self.recipe),
            navigation_ms=timeouts.navigation_ms,
            element_ms=timeouts.element_ms,
        )

    # --- where am I -------------------------------------------------------------------------

    def where(self, loc: Loc) -> str:
        return self.loaded.where(loc)

    async def open(
        self,
        path: str,
        loc: Loc,
        values: TemplateValues,
        *,
        stage: LoginStage = LoginStage.NONE,
    ) -> None:
        """Go to a recipe path (templates URL-encoded) and check the landing page."""
        url = self.base + self.render(path, loc, values, for_url=True)
        self._page_locale = None
        await self.pages.open(self.page, url, f"open {self.where(loc)}", stage=stage)

    async def click_and_land(
        self,
        selector: str,
        loc: Loc,
        *,
        scope: Locator | None = None,
        after_submit: bool = False,
        stage: LoginStage = LoginStage.NONE,
    ) -> None:
        """Click an element that loads a page, wait for it, check where we landed."""
        target = await self.element(selector, loc, scope=scope)
        self._page_locale = None
        await self.pages.click_and_land(
            self.page,
            target,
            f"click {self.where(loc)}",
            timeout_ms=self.submit_ms if after_submit else self.navigation_ms,
            after_submit=after_submit,
            stage=stage,
        )

    # --- elements ---------------------------------------------------------------------------

    async def element(self, selector: str, loc: Loc, *, scope: Locator | None = None) -> Locator:
        """The first element matching ``selector`` (inside ``scope``); PortalChanged if none."""
        return await self.pages.element(
            scope if scope is not None else self.page,
            selector,
            f"{selector!r} found nothing on {self.page.url} ({self.where(loc)})",
            self.where(loc),
        )

    async def count(self, selector: str) -> int:
        return await count(self.page, selector)

    async def text(self, selector: str, loc: Loc, *, after_submit: bool = False) -> str:
        target = await self.element(selector, loc)
        with wrap_playwright_errors(self.where(loc), after_submit=after_submit):
            return (await target.inner_text()).strip()

    async def value(self, source: PageValue, loc: Loc, *, after_submit: bool = False) -> str:
        """An element's text, or the part of it the source's pattern picks out.

        A missing element is PortalChanged; a text the pattern does not match too, except
        after the submit click, where it is PortalUnavailable(after_submit=True) as any
        confirmation that does not add up (the caller looks the invoice up before retrying).
        """
        shown = await self.text(source.selector, loc, after_submit=after_submit)
        picked = source.pick(shown)
        if picked is None:
            message = (
                f"{self.where((*loc, 'pattern'))}: the text of {source.selector!r} does not match "
                f"{source.pattern!r}: {shown[:200]!r}"
            )
            if after_submit:
                raise PortalUnavailable(message, after_submit=True)
            raise PortalChanged(message)
        return picked

    async def texts(self, selector: str, loc: Loc, *, after_submit: bool = False) -> list[str]:
        with wrap_playwright_errors(self.where(loc), after_submit=after_submit):
            found: list[str] = await self.page.locator(selector).evaluate_all(
                "els => els.map(e => (e.textContent || '').trim()).filter(t => t)"
            )
        return found

    # --- steps ------------------------------------------------------------------------------

    async def run_steps(
        self,
        base: Loc,
        steps: Sequence[Step],
        values: TemplateValues,
        *,
        document: InvoiceDocument | None = None,
        scope: Locator | None = None,
    ) -> None:
        for index, step in enumerate(steps):
            await self.run_step((*base, index), step, values, document=document, scope=scope)

    async def run_step(
        self,
        loc: Loc,
        step: Step,
        values: TemplateValues,
        *,
        document: InvoiceDocument | None = None,
        scope: Locator | None = None,
    ) -> None:
        action = step.action
        target_loc = (*loc, action)
        if action == "click" and step.navigates:
            await self.click_and_land(step.target, target_loc, scope=scope)
            return
        if action == "upload":
            await self._upload(step, target_loc, document, scope=scope)
            return
        target = await self.element(step.target, target_loc, scope=scope)
        secret = any(_is_secret(source) for _, source in step.templates())
        step_name = self.where(target_loc)
        try:
            with wrap_playwright_errors(step_name):
                if action == "fill":
                    assert step.value is not None  # the model requires it
                    text = await self.render_step(step.value, (*loc, "value"), values)
                    await target.fill(text, timeout=self.element_ms)
                elif action == "select":
                    await self._select(target, step, loc, values)
                elif action == "click":
                    await target.click(timeout=self.element_ms)
                elif action == "check":
                    await target.check(timeout=self.element_ms)
                elif action == "expect":
                    assert step.text is not None  # the model requires it
                    wanted = await self.render_step(step.text, (*loc, "text"), values)
                    shown = (await target.inner_text()).strip()
                    if normalised(shown) != normalised(wanted):
                        raise PortalChanged(
                            f"{step_name}: the page shows {shown!r} where {wanted!r} was "
                            "expected; nothing was submitted"
                        )
        except PortalUnavailable:
            if secret:  # Playwright's message may quote what was typed
                raise PortalUnavailable(f"{step_name}: could not type the secret") from None
            raise

    async def _select(self, target: Locator, step: Step, loc: Loc, values: TemplateValues) -> None:
        options: list[list[str]] = await target.evaluate(_OPTIONS_JS)
        key, source = ("label", step.label) if step.label is not None else ("value", step.value)
        assert source is not None  # the model requires one of them
        wanted = await self.render_step(source, (*loc, key), values)
        index = 0 if key == "label" else 1
        match = next((o for o in options if o[index] == wanted), None) or next(
            (o for o in options if normalised(o[index]) == normalised(wanted)), None
        )
        if match is None:
            offered = ", ".join(o[index] for o in options if o[1]) or "none"
            message = (
                f"the portal offers no {key} {wanted!r} in {step.target!r} (offered: {offered})"
            )
            if "invoice" in parse_template(source).namespaces:
                raise InvoiceRejected(RejectionCode.OTHER, message[0].upper() + message[1:])
            raise PortalChanged(f"{self.where((*loc, key))}: {message}")
        await target.select_option(value=match[1], timeout=self.element_ms)

    async def _upload(
        self,
        step: Step,
        loc: Loc,
        document: InvoiceDocument | None,
        *,
        scope: Locator | None,
    ) -> None:
        if document is None:
            raise PortalChanged(f"{self.where(loc)}: an upload step outside [submit]")
        payload: FilePayload = {
            "name": document.file_name,
            "mimeType": document.content_type,
            "buffer": document.data,
        }
        if step.button is None:
            target = await self.element(step.target, loc, scope=scope)
            with wrap_playwright_errors(self.where(loc)):
                await target.set_input_files([payload], timeout=self.element_ms)
            return
        button = await self.element(step.button, (*loc[:-1], "button"), scope=scope)
        with wrap_playwright_errors(self.where(loc)):
            async with self.page.expect_file_chooser(timeout=self.element_ms) as chooser:
                await button.click(timeout=self.element_ms)
            await (await chooser.value).set_files([payload], timeout=self.element_ms)

    # --- templates --------------------------------------------------------------------------

    def render(self, source: str, loc: Loc, values: TemplateValues, *, for_url: bool) -> str:
        """A template that needs no locale (paths, labels, texts)."""
        return render(parse_template(source), values, locale=self.base_locale(loc), for_url=for_url)

    async def render_step(self, source: str, loc: Loc, values: TemplateValues) -> str:
        """A step's template; amounts follow the page's locale when the recipe says where."""
        template = parse_template(source)
        locale = await self.locale(loc) if template.needs_locale else self.base_locale(loc)
        return render(template, values, locale=locale)

    async def locale(self, loc: Loc) -> NumberLocale:
        """The page's declared locale (read once a page), else the account's, else the recipe's."""
        source = self.recipe.portal.locale_from
        if source is None:
            return self.base_locale(loc)
        if self._page_locale is None:
            with wrap_playwright_errors(self.where(loc)):
                found = self.page.locator(source.selector).first
                declared = (
                    await found.get_attribute(source.attribute) if await found.count() else None
                )
            if not declared:
                return self.base_locale(loc)
            try:
                self._page_locale = number_locale(declared)
            except LocaleUnknown as exc:
                raise PortalChanged(
                    f"{self.where(('portal', 'locale_from'))}: the page declares {exc}"
                ) from exc
        return self._page_locale

    def base_locale(self, loc: Loc) -> NumberLocale:
        option = self.account.options.get(ACCOUNT_LOCALE_OPTION)
        if not option:
            return number_locale(self.recipe.portal.locale)
        try:
            return number_locale(option)
        except LocaleUnknown as exc:
            raise PortalChanged(
                f"portal account {self.account.portal_account_id} option "
                f"{ACCOUNT_LOCALE_OPTION!r}: {exc}"
            ) from exc

    # --- status rows ------------------------------------------------------------------------

    async def status_rows(self, number: str, values: TemplateValues) -> list[StatusRow] | None:
        """Rows of the status search for ``number`` across pages; None when the portal has none.

        Stops at the first page holding a row with that number.
        """
        status = self.recipe.status
        await self.open(status.open, ("status", "open"), values)
        await self.run_steps(("status", "steps"), status.steps, values)
        results = ResultsList(
            what="status rows",
            table=status.rows,
            empty=status.empty,
            rows=status.rows,
            next_page=status.next_page,
            columns=_column_specs(status.columns),
        )
        rows_where = self.where(("status", "rows"))
        next_where = self.where(("status", "next_page"))
        search = await self.pages.search_list(
            self.page,
            results,
            rows_where,
            first_url=None,
            open_page=lambda url: self.pages.open(self.page, url, next_where),
            wanted=lambda cells: same_number(
                status_row(cells, status.columns).get("number"), number
            ),
            missing=f"'{status.rows}, {status.empty}' found nothing on {self.page.url} "
            f"({rows_where})",
        )
        rows = [status_row(cells, status.columns) for cells in search.rows]
        if search.empty is not None:
            return rows or None
        return rows

    async def list_rows(
        self,
        values: TemplateValues,
        *,
        max_pages: int,
        enough: Callable[[list[StatusRow]], bool],
    ) -> ListedRows:
        """The rows of the invoice list (``[status.list]``), page after page, until
        ``enough(rows)`` holds, the list ends, or ``max_pages`` pages were loaded."""
        listed = self.recipe.status.list
        assert listed is not None  # only called when the recipe has one
        loc: Loc = ("status", "list", "open")
        url = self.base + self.render(listed.open, loc, values, for_url=True)
        results = ResultsList(
            what="invoice list",
            table=listed.rows,
            empty=self.recipe.status.list_empty,
            rows=listed.rows,
            next_page=listed.next_page,
            columns=_column_specs(listed.columns),
        )
        step = f"open {self.where(loc)}"
        self._page_locale = None
        cells, loaded = await self.pages.read_pages(
            self.page,
            results,
            self.where(("status", "list", "rows")),
            first_url=url,
            open_page=lambda page_url: self.pages.open(self.page, page_url, step),
            enough=lambda read: enough([status_row(row, listed.columns) for row in read]),
            max_pages=max_pages,
        )
        # the page left open is the last one read: a next link there means the list goes on
        ended = listed.next_page is None or not await self.count(listed.next_page)
        rows = [status_row(row, listed.columns) for row in cells]
        return ListedRows(rows=rows, pages_read=loaded, ended=ended)

    def parse_date(self, text: str | None, date_format: str | None = None) -> dt.date | None:
        """A date as the status rows write it (``date_format``: [status]'s unless given)."""
        if not text:
            return None
        try:
            fmt = date_format or self.recipe.status.date_format
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            return None


@dataclass(frozen=True, kw_only=True, slots=True)
class ListedRows:
    """What one read of the invoice list found."""

    rows: list[StatusRow]  #: every row read, page after page
    pages_read: int  #: list pages loaded
    ended: bool  #: the last page of the list was read (no row of it was left unread)


def status_row(cells: Mapping[str, str | None], columns: StatusColumns) -> StatusRow:
    """A row as read, each column with a pattern narrowed to its value (None: no match)."""
    picked = dict(cells)
    for name, source in _columns(columns):
        raw = cells.get(name)
        picked[name] = source.pick(raw if isinstance(raw, str) else None)
    return StatusRow(cells=picked)


def _columns(columns: StatusColumns) -> list[tuple[str, CellValue]]:
    found = ((name, getattr(columns, name)) for name in StatusColumns.model_fields)
    return [(name, source) for name, source in found if source is not None]


def _column_specs(columns: StatusColumns) -> dict[str, str]:
    return {name: source.selector for name, source in _columns(columns)}


def _is_secret(source: str) -> bool:
    return any(p.kind is FieldKind.SECRET for p in parse_template(source).placeholders)


def recipe_landmarks(recipe: Recipe) -> Landmarks:
    """The portal's landmarks as its recipe names them (``[pages]`` and ``[login]``)."""
    login = recipe.login
    refusals = [login.error, login.totp.error if login.totp is not None else None]
    typed = [step.target for step in login.steps if step.action == "fill"]
    return Landmarks(
        login=recipe.pages.login,
        # the field typed first (the user name) is only on the page asking for the password
        credentials=typed[0] if typed else recipe.pages.login,
        login_error=", ".join(r for r in refusals if r) or None,
        notice=recipe.pages.notice,
        busy=recipe.pages.busy,
        failure=recipe.pages.failure,
    )
