"""What every portal driver checks on the page it is on, and how it compares what the page shows.

The Coupa- and Ariba-style drivers must fail the same way when a page lacks what they rely on:
``PortalChanged`` naming the element after a short explicit wait (never Playwright's long
default), ``PortalUnavailable`` when the browser itself fails meanwhile. And both compare the
portal's names and document numbers with ours the way the portals do: white space folded,
case ignored. Kept in one place so the two families cannot drift apart on these promises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from connectors.portals.errors import PortalChanged, PortalUnavailable, wrap_playwright_errors

if TYPE_CHECKING:
    from playwright.async_api import Frame, Page

    #: the top page or a frame in it (a wizard): both are checked the same way
    Surface = Page | Frame

ELEMENT_TIMEOUT_MS = 2_500  #: an element the page should already have; longer = it changed


async def require(surface: Surface, selector: str, what: str, step: str) -> None:
    """Wait briefly for an element the page must have; PortalChanged naming it otherwise."""
    try:
        await surface.wait_for_selector(selector, state="attached", timeout=ELEMENT_TIMEOUT_MS)
    except PlaywrightTimeout as exc:
        raise PortalChanged(f"{step}: {what} ({selector}) not found on {surface.url}") from exc
    except PlaywrightError as exc:
        raise PortalUnavailable(f"{step}: {str(exc).splitlines()[0][:300]}") from exc


async def count(surface: Surface, selector: str) -> int:
    """How many elements match ``selector`` now (no waiting)."""
    with wrap_playwright_errors(f"look for {selector}"):
        return await surface.locator(selector).count()


async def attribute(surface: Surface, selector: str, name: str, step: str) -> str:
    """The first match's attribute ``name``; PortalChanged when it is missing or empty."""
    with wrap_playwright_errors(step):
        value = await surface.locator(selector).first.get_attribute(name)
    if not value:
        raise PortalChanged(f"{step}: {selector} has no {name}")
    return value


def normalised(text: str) -> str:
    """A portal's name or status word as compared: white space folded, case ignored."""
    return " ".join(text.split()).casefold()


def same_number(portal_number: str | None, ours: str) -> bool:
    """Document numbers compare as the portal compares them: trimmed, case-insensitive."""
    return (portal_number or "").strip().casefold() == ours.strip().casefold()
