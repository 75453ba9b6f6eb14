"""Renderers over a hand-made report: machine formats exact, untrusted text harmless."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl

from jobs.reports.csv_out import write_csv, write_json
from jobs.reports.document import (
    BarChart,
    ColumnKind,
    Figure,
    ReportColumn,
    ReportDocument,
    ReportTable,
    TableRole,
)
from jobs.reports.html_out import email_document, report_fragment
from jobs.reports.xlsx_out import write_xlsx

HOSTILE = '<script>alert(1)</script><img src="http://evil.example/x.png">'
FORMULA = '=HYPERLINK("http://evil.example","click")'
NOW = dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)

COLUMNS = (
    ReportColumn(key="account_number", heading="Account"),
    ReportColumn(key="customer_name", heading="Customer"),
    ReportColumn(key="past_due_amount", heading="Past due", kind=ColumnKind.MONEY),
    ReportColumn(key="due_date", heading="Due", kind=ColumnKind.DATE),
    ReportColumn(key="days", heading="DSO", kind=ColumnKind.DAYS),
    ReportColumn(key="count", heading="Count", kind=ColumnKind.INTEGER),
    ReportColumn(key="currency", heading="Currency"),
)
ROWS = [
    ("1001", HOSTILE, Decimal("12345.6"), dt.date(2026, 8, 1), Decimal("45.25"), 3, "USD"),
    ("1002", FORMULA, Decimal("-0.5"), None, None, 0, "EUR"),
]


def _document() -> ReportDocument:
    return ReportDocument(
        report="past-due",
        title=f"Test report {HOSTILE}",
        as_of=dt.date(2026, 10, 31),
        generated_at=NOW,
        parameters=(("As of", "2026-10-31"), ("Collector", HOSTILE)),
        figures=(
            Figure(
                label="Past due", value=Decimal("12345.10"), kind=ColumnKind.MONEY, currency="USD"
            ),
        ),
        charts=(
            BarChart(
                title="Aging",
                labels=("Current", HOSTILE),
                values=(Decimal("100"), Decimal("-20")),
                kind=ColumnKind.MONEY,
                currency="USD",
            ),
        ),
        tables=(
            ReportTable(
                name="Accounts",
                title="Accounts",
                role=TableRole.MAIN,
                columns=COLUMNS,
                rows=lambda: iter(ROWS),
            ),
            ReportTable(
                name="Invoices",
                title="Invoices",
                role=TableRole.DETAIL,
                columns=COLUMNS[:3],
                rows=lambda: iter([r[:3] for r in ROWS]),
                currency_key=None,
            ),
        ),
        definitions=("Days late = as-of date − due date.",),
    )


def test_csv_has_one_header_row_dot_decimals_iso_dates_and_no_formulas() -> None:
    """Machines get exact values; a text cell a spreadsheet would run is quoted with '."""
    out = io.StringIO()
    assert write_csv(_document(), out) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [c.key for c in COLUMNS]
    assert rows[1] == ["1001", HOSTILE, "12345.60", "2026-08-01", "45.3", "3", "USD"]
    assert rows[2] == ["1002", "'" + FORMULA, "-0.50", "", "", "0", "EUR"]
    detail = io.StringIO()
    write_csv(_document(), detail, detail=True)
    assert detail.getvalue().splitlines()[0] == "account_number,customer_name,past_due_amount"


def test_json_is_one_object_with_exact_money_and_the_detail_only_on_request() -> None:
    """Money and days as exact strings, integers as numbers; the invoice table on request."""
    out = io.StringIO()
    write_json(_document(), out)
    data = json.loads(out.getvalue())
    assert list(data["tables"]) == ["accounts"]
    assert data["tables"]["accounts"][0]["past_due_amount"] == "12345.60"
    assert data["tables"]["accounts"][1]["due_date"] is None
    assert data["tables"]["accounts"][0]["count"] == 3
    assert data["figures"][0] == {"label": "Past due", "value": "12345.10", "currency": "USD"}
    full = io.StringIO()
    write_json(_document(), full, detail=True)
    assert list(json.loads(full.getvalue())["tables"]) == ["accounts", "invoices"]


class _References(HTMLParser):
    """Every attribute or style that would make a mail client fetch something."""

    FETCHING = frozenset(
        {"src", "href", "srcset", "background", "poster", "data", "action", "formaction"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in self.FETCHING or "url(" in (value or "") or "@import" in (value or ""):
                self.found.append(f"{tag} {name}={value}")


def test_html_escapes_untrusted_text_and_refers_to_nothing_outside() -> None:
    """No script, no image, no stylesheet, no link: only inline styles and an inline SVG."""
    html = email_document("Monthly report", "Hello", [report_fragment(_document())])
    parser = _References()
    parser.feed(html)
    assert parser.found == []
    assert "script" not in parser.tags and "img" not in parser.tags and "link" not in parser.tags
    assert "style" not in parser.tags  # mail clients drop <style>; everything is inline
    assert "svg" in parser.tags and "rect" in parser.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "12,345.60" in html and "12,345.10 USD" in html


def test_xlsx_has_summary_chart_frozen_headers_filters_and_no_formulas(tmp_path: Path) -> None:
    """The workbook opens with the summary and one sheet per table; money is a number in the
    row's currency format; untrusted text stays text."""
    path = write_xlsx([_document()], tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Accounts", "Invoices"]
    sheet = book["Accounts"]
    assert [c.value for c in sheet[1]] == [c.heading for c in COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G3"
    amount = sheet["C2"]
    assert amount.value == 12345.6 and '"USD"' in amount.number_format
    assert '"EUR"' in sheet["C3"].number_format
    assert sheet["B3"].value == FORMULA and sheet["B3"].data_type == "s"
    assert sheet["D2"].value == dt.datetime(2026, 8, 1)
    summary = [c.value for row in book["Summary"].iter_rows() for c in row if c.value is not None]
    assert "Past due" in summary and 12345.1 in summary
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert any(n.startswith("xl/drawings/") for n in names)
    assert "<c:barChart>" in chart and "Summary!$B$" in chart
