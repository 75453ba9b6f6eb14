"""What every renderer works from: a report as tables of typed columns, totals, a chart, notes.

Keeping the shape generic means CSV, JSON, HTML and XLSX agree on columns and values by
construction, and a new report needs a builder, not four renderers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class ColumnKind(StrEnum):
    """How a column's values are written: CSV text, JSON type, HTML alignment, XLSX format."""

    #: untrusted free text (EBS names, notes, portal reasons): escaped, never a formula
    TEXT = "text"
    #: an amount in the row's ledger currency (``Decimal``)
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    INTEGER = "integer"
    #: days with one decimal (DSO); ``None`` when it cannot be computed
    DAYS = "days"


class TableRole(StrEnum):
    """Which table a format picks: CSV and JSON write the main one, or the detail on request."""

    MAIN = "main"
    DETAIL = "detail"
    EXTRA = "extra"


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportColumn:
    key: str  #: the CSV header and JSON key
    heading: str  #: what people read (HTML, XLSX)
    kind: ColumnKind = ColumnKind.TEXT
    width: int = 14  #: XLSX column width, in characters


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportTable:
    """A table of a report. ``rows`` is called each time a renderer needs them, so a detail of
    a hundred thousand invoices streams from the database instead of sitting in memory."""

    name: str  #: XLSX sheet name (≤ 31 characters)
    title: str
    role: TableRole
    columns: tuple[ReportColumn, ...]
    rows: Callable[[], Iterable[Sequence[Any]]]
    #: key of the column that holds each row's currency (money columns are in it)
    currency_key: str | None = "currency"

    def currency_index(self) -> int | None:
        keys = [c.key for c in self.columns]
        return keys.index(self.currency_key) if self.currency_key in keys else None


@dataclass(frozen=True, kw_only=True, slots=True)
class Figure:
    """A headline figure of the summary (a total, a count, a DSO)."""

    label: str
    value: Decimal | int | None
    kind: ColumnKind
    currency: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class BarChart:
    """One series of bars: amounts per aging bucket, or DSO per month-end."""

    title: str
    labels: tuple[str, ...]
    values: tuple[Decimal, ...]
    kind: ColumnKind  #: MONEY (with ``currency``) or DAYS
    currency: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportDocument:
    """A whole report, ready for any format."""

    report: str  #: "past-due", "aging", "dso"
    title: str
    as_of: dt.date
    generated_at: dt.datetime
    parameters: tuple[tuple[str, str], ...]
    figures: tuple[Figure, ...]
    charts: tuple[BarChart, ...]
    tables: tuple[ReportTable, ...]
    definitions: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def table(self, role: TableRole) -> ReportTable | None:
        return next((t for t in self.tables if t.role is role), None)
