"""One value, written the way each format wants it (shared by CSV, JSON and HTML)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jobs.reports.document import ColumnKind

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
#: a text cell starting with one of these is a formula to a spreadsheet (CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain_text(value: Any, kind: ColumnKind) -> str:
    """The machine form: ``.`` decimals, no thousands separator, ISO dates, '' for nothing.

    Free text that a spreadsheet would run as a formula gets a leading apostrophe: EBS names and
    portal reasons are untrusted, and a CSV is often opened in Excel.
    """
    if value is None:
        return ""
    if kind is ColumnKind.MONEY:
        return str(Decimal(value).quantize(CENT, ROUND_HALF_UP))
    if kind is ColumnKind.DAYS:
        return str(Decimal(value).quantize(TENTH, ROUND_HALF_UP))
    if kind is ColumnKind.DATETIME and isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    if kind is ColumnKind.DATE and isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if kind is ColumnKind.TEXT and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def json_value(value: Any, kind: ColumnKind) -> Any:
    """Money and days as exact decimal strings, integers as numbers, dates ISO, None as null."""
    if value is None:
        return None
    if kind is ColumnKind.INTEGER:
        return int(value)
    if kind in (ColumnKind.MONEY, ColumnKind.DAYS, ColumnKind.DATE, ColumnKind.DATETIME):
        return plain_text(value, kind)
    return str(value)


def display_text(value: Any, kind: ColumnKind, currency: str | None = None) -> str:
    """What a person reads: thousands separators, a currency code on totals, '–' for nothing."""
    if value is None:
        return "–"
    if kind is ColumnKind.MONEY:
        text = f"{Decimal(value).quantize(CENT, ROUND_HALF_UP):,}"
        return f"{text} {currency}" if currency else text
    if kind is ColumnKind.DAYS:
        return f"{Decimal(value).quantize(TENTH, ROUND_HALF_UP):,} d"
    if kind is ColumnKind.INTEGER:
        return f"{int(value):,}"
    if kind is ColumnKind.DATETIME and isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if kind is ColumnKind.DATE and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
