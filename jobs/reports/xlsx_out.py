"""The workbook for people: a summary sheet (figures and bar charts), then one sheet per table.

XlsxWriter in constant-memory mode writes each row as it comes and keeps none, so a detail sheet
of a million invoices costs no more memory than one of ten. Every sheet has a frozen header row
and an autofilter; money cells carry a number format in the row's ledger currency; free text
goes in with ``write_string`` so nothing from EBS or a portal can become a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from jobs.reports.document import BarChart, ColumnKind, ReportDocument, ReportTable

SUMMARY_SHEET = "Summary"
#: Excel's limits: sheet names, characters in a cell
SHEET_NAME_MAX = 31
CELL_TEXT_MAX = 32_767
CHART_WIDTH_PX = 620
CHART_HEIGHT_PX = 300
CHART_ROWS = 16  #: rows a chart covers on the summary sheet


class _Formats:
    """Cell formats, made once per workbook (Excel caps how many a workbook holds)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.header = book.add_format({"bold": True, "bg_color": "#E8EEF3", "border": 1})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.integer = book.add_format({"num_format": "#,##0"})
        self.days = book.add_format({"num_format": "#,##0.0"})
        self._money: dict[str | None, Any] = {}

    def money(self, currency: str | None) -> Any:
        if currency not in self._money:
            suffix = f' "{currency}"' if currency and currency.isalpha() else ""
            pattern = f"#,##0.00{suffix};-#,##0.00{suffix}"
            self._money[currency] = self.book.add_format({"num_format": pattern})
        return self._money[currency]


def write_xlsx(documents: Sequence[ReportDocument], path: Path) -> Path:
    """Write the reports into one workbook at ``path``; returns ``path``."""
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "remove_timezone": True, "strings_to_numbers": False}
    )
    try:
        formats = _Formats(book)
        summary = book.add_worksheet(SUMMARY_SHEET)
        tables = [table for document in documents for table in document.tables]
        names = _sheet_names([t.name for t in tables])
        _write_summary(book, summary, documents, formats)
        for table, name in zip(tables, names, strict=True):
            _write_table(book.add_worksheet(name), table, formats)
    finally:
        book.close()
    return path


def _write_summary(
    book: Any, sheet: Any, documents: Sequence[ReportDocument], formats: _Formats
) -> None:
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 2, 14)
    row = 0
    for document in documents:
        sheet.write_string(row, 0, document.title, formats.title)
        row += 1
        for key, value in document.parameters:
            sheet.write_string(row, 0, key)
            sheet.write_string(row, 1, value)
            row += 1
        row += 1
        for figure in document.figures:
            sheet.write_string(row, 0, figure.label, formats.bold)
            _write_value(sheet, row, 1, figure.value, figure.kind, figure.currency, formats)
            row += 1
        for chart in document.charts:
            row += 1
            row = _write_chart(book, sheet, row, chart, formats)
        row += 1
        for text in document.definitions:
            sheet.write_string(row, 0, text, formats.note)
            row += 1
        stamp = document.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        sheet.write_string(row, 0, f"Generated {stamp} by arworker", formats.note)
        row += 3


def _write_chart(book: Any, sheet: Any, row: int, chart: BarChart, formats: _Formats) -> int:
    """The chart's data (label, value) in two columns, and a column chart of it beside them."""
    sheet.write_string(row, 0, chart.title, formats.bold)
    first = row + 1
    for offset, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        sheet.write_string(first + offset, 0, label)
        _write_value(sheet, first + offset, 1, value, chart.kind, chart.currency, formats)
    last = first + max(len(chart.labels), 1) - 1
    excel_chart = book.add_chart({"type": "column"})
    excel_chart.add_series(
        {
            "name": chart.title,
            "categories": [SUMMARY_SHEET, first, 0, last, 0],
            "values": [SUMMARY_SHEET, first, 1, last, 1],
            "fill": {"color": "#2F6F9F"},
            "data_labels": {"value": False},
        }
    )
    excel_chart.set_title({"name": chart.title})
    excel_chart.set_legend({"none": True})
    excel_chart.set_size({"width": CHART_WIDTH_PX, "height": CHART_HEIGHT_PX})
    sheet.insert_chart(row, 3, excel_chart)
    return max(last + 1, row + CHART_ROWS)


def _write_table(sheet: Any, table: ReportTable, formats: _Formats) -> None:
    for index, column in enumerate(table.columns):
        sheet.set_column(index, index, column.width)
    for index, column in enumerate(table.columns):
        sheet.write_string(0, index, column.heading, formats.header)
    sheet.freeze_panes(1, 0)
    currency_at = table.currency_index()
    last_row = 0
    for last_row, values in enumerate(table.rows(), start=1):
        currency = values[currency_at] if currency_at is not None else None
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            _write_value(sheet, last_row, index, value, column.kind, currency, formats)
    sheet.autofilter(0, 0, last_row, len(table.columns) - 1)


def _write_value(
    sheet: Any,
    row: int,
    column: int,
    value: Any,
    kind: ColumnKind,
    currency: str | None,
    formats: _Formats,
) -> None:
    if value is None:
        sheet.write_blank(row, column, None)
    elif kind is ColumnKind.MONEY:
        sheet.write_number(row, column, float(Decimal(value)), formats.money(currency))
    elif kind is ColumnKind.DAYS:
        sheet.write_number(row, column, float(Decimal(value)), formats.days)
    elif kind is ColumnKind.INTEGER:
        sheet.write_number(row, column, int(value), formats.integer)
    elif kind is ColumnKind.DATETIME and isinstance(value, dt.datetime):
        sheet.write_datetime(row, column, value.astimezone(dt.UTC), formats.datetime)
    elif kind is ColumnKind.DATE and isinstance(value, dt.date):
        sheet.write_datetime(row, column, dt.datetime.combine(value, dt.time()), formats.date)
    else:
        sheet.write_string(row, column, str(value)[:CELL_TEXT_MAX])


def _sheet_names(names: Sequence[str]) -> list[str]:
    """Unique, Excel-legal sheet names (≤ 31 characters, none of []:*?/\\)."""
    used = {SUMMARY_SHEET.casefold()}
    result = []
    for name in names:
        clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:SHEET_NAME_MAX]
        candidate, n = clean, 2
        while candidate.casefold() in used:
            suffix = f" {n}"
            candidate = clean[: SHEET_NAME_MAX - len(suffix)] + suffix
            n += 1
        used.add(candidate.casefold())
        result.append(candidate)
    return result
