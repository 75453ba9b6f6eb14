"""Reading and writing the sandbox portals' admin endpoint JSON: optional dates and texts.

The Coupa- and Ariba-style admin endpoints take the same kinds of optional fields (a
``YYYY-MM-DD`` date, a string) and answer with ISO dates. A body with a field of the wrong kind
is a ``ValueError`` naming the field, which the endpoint turns into a 400 for the test that sent
it. Kept in one place so the families' admin endpoints word the same mistake the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def date_field(body: dict[str, Any], key: str) -> dt.date | None:
    """The body's ``key`` as a date (absent or empty → None); ValueError when not a date."""
    value = body.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a YYYY-MM-DD string")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"'{key}' must be a YYYY-MM-DD date, got {value!r}") from exc


def str_field(body: dict[str, Any], key: str) -> str | None:
    """The body's ``key`` as a string (absent → None); ValueError when not a string."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string")
    return value


def iso_day(value: dt.date | None) -> str | None:
    """A date as the admin endpoints answer it (``YYYY-MM-DD``), or None."""
    return value.isoformat() if value is not None else None
