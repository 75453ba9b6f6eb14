"""How the stand-in portals page their lists: ``page=`` and ``per_page=``, as real portals do.

A list shows ``per_page`` rows a page (the portal's default when absent or not a number), never
more than the portal's cap (:data:`sandbox.faults.MAX_PER_PAGE`, or the lower
``Faults.list_page_cap``): a driver asking for 100 rows must read what the page shows, not what
it asked for. A page number out of range shows the nearest page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

_Item = TypeVar("_Item")


@dataclass(frozen=True, kw_only=True, slots=True)
class ListPage:
    """Where a page of a list is: its number, how many pages there are, rows in all."""

    page: int
    pages: int
    total: int
    per_page: int  #: rows a page shows (after the cap)


def page_size(raw: str | None, *, default: int, cap: int) -> int:
    """The rows a page shows for the ``per_page`` asked: 1 to ``cap``, ``default`` when absent."""
    try:
        asked = int(raw) if raw else default
    except ValueError:
        asked = default
    return min(max(asked, 1), cap)


def page_of(
    items: Sequence[_Item], raw_page: str | None, per_page: int
) -> tuple[ListPage, list[_Item]]:
    """The page ``raw_page`` asks for (the nearest one when out of range) and its rows."""
    pages = max(1, math.ceil(len(items) / per_page))
    try:
        number = int(raw_page) if raw_page else 1
    except ValueError:
        number = 1
    number = min(max(number, 1), pages)
    start = (number - 1) * per_page
    where = ListPage(page=number, pages=pages, total=len(items), per_page=per_page)
    return where, list(items[start : start + per_page])
