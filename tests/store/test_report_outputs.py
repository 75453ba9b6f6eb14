"""Each report, in each format, says what a plain item-by-item reading of the demo book says.

The figures are computed twice: by the reports (grouped in SQL, formatted in ``jobs/reports``)
and here (every row read back, summed in Python, ``tests/report_expectations.py``); CSV, JSON,
HTML and XLSX are each parsed back and compared. One backend (SQLite) is enough here: the SQL is
compared on every backend by ``test_report_reads.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from connectors.oracle.tables import build_metadata
from jobs.reports.aging import build_aging
from jobs.reports.csv_out import write_csv, write_json
from jobs.reports.document import ReportDocument
from jobs.reports.dso import build_dso
from jobs.reports.html_out import report_fragment
from jobs.reports.params import ReportParams
from jobs.reports.past_due import build_past_due
from jobs.reports.xlsx_out import write_xlsx
from tests.support.report_book import load_report_book
from tests.support.report_expectations import Expected

AS_OF = dt.date(2026, 10, 31)
NOW = dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC)
TENTH = Decimal("0.1")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    path = tmp_path_factory.mktemp("reports") / "arworker.db"
    eng = create_engine(DatabaseSettings(url=f"sqlite:///{path}"))
    build_metadata().create_all(eng)
    load_report_book(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def store(engine: sa.Engine) -> Store:
    return Store(engine, org_ids=[204])


@pytest.fixture(scope="module")
def expected(engine: sa.Engine) -> Expected:
    return Expected.read(engine)


def _csv(document: ReportDocument, *, detail: bool = False) -> list[dict[str, str]]:
    out = io.StringIO()
    write_csv(document, out, detail=detail)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


class _Tables(HTMLParser):
    """The text of every cell of every table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _html_tables(html: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def test_past_due_in_every_format_matches_the_plain_computation(
    store: Store, expected: Expected, tmp_path: Path
) -> None:
    """CSV (accounts and invoices), JSON, HTML and XLSX list the same accounts with the same
    figures as the item-by-item computation, and the invoices more than 60 days late."""
    want = expected.past_due(AS_OF)
    assert len(want) >= 3
    document = build_past_due(store, ReportParams(as_of=AS_OF), now=NOW).document()

    rows = _csv(document)
    assert list(rows[0])[:8] == [
        "account_number",
        "customer_name",
        "collector",
        "past_due_amount",
        "open_balance",
        "in_dispute",
        "oldest_days_late",
        "invoice_count",
    ]
    assert {r["account_number"] for r in rows} == set(want)
    for row in rows:
        w = want[row["account_number"]]
        assert Decimal(row["past_due_amount"]) == w.past_due
        assert Decimal(row["open_balance"]) == w.open_balance
        assert Decimal(row["in_dispute"]) == w.in_dispute
        assert w.oldest is not None
        assert int(row["oldest_days_late"]) == (AS_OF - w.oldest).days
        assert int(row["invoice_count"]) == w.count
        assert Decimal(row["credit_memos"]) == w.credits
        assert row["customer_name"] == w.customer_name
        assert row["collector"] == w.collector
    past_dues = [Decimal(r["past_due_amount"]) for r in rows]
    assert past_dues == sorted(past_dues, reverse=True)

    invoices = _csv(document, detail=True)
    assert sorted((r["account_number"], r["invoice_number"]) for r in invoices) == sorted(
        (account, number) for account, w in want.items() for number, _, _ in w.items
    )
    for row in invoices:
        assert int(row["days_late"]) > 60
        assert row["portal_verdict"] == "not on a portal"

    out = io.StringIO()
    write_json(document, out, detail=True)
    data = json.loads(out.getvalue())
    assert {
        r["account_number"]: Decimal(r["past_due_amount"])
        for r in data["tables"]["past_due_accounts"]
    } == {a: w.past_due for a, w in want.items()}
    assert len(data["tables"]["invoices"]) == len(invoices)

    (accounts_table, *_) = _html_tables(report_fragment(document))
    html_rows = {cells[0]: cells for cells in accounts_table[1:]}
    assert set(html_rows) == set(want)
    for account, cells in html_rows.items():
        assert cells[3] == f"{want[account].past_due:,}"

    book = openpyxl.load_workbook(write_xlsx([document], tmp_path / "past-due.xlsx"))
    assert book.sheetnames == ["Summary", "Past due accounts", "Invoices"]
    sheet_rows = list(book["Past due accounts"].iter_rows(min_row=2, values_only=True))
    assert {r[0]: round(Decimal(str(r[3])), 2) for r in sheet_rows} == {
        a: w.past_due for a, w in want.items()
    }
    assert book["Invoices"].max_row == len(invoices) + 1
    summary = [
        c for row in book["Summary"].iter_rows(values_only=True) for c in row if c is not None
    ]
    total = sum((w.past_due for w in want.values()), Decimal(0))
    assert float(total) in summary


def test_aging_in_every_format_matches_the_plain_computation(
    store: Store, expected: Expected, tmp_path: Path
) -> None:
    """Every account's amount per bucket line, and each collector's total, in CSV, JSON, XLSX."""
    report = build_aging(store, ReportParams(as_of=AS_OF), now=NOW)
    lines = [
        (line.days_start or 0, line.days_to or 0, line.line_type.value)
        for line in report.bucket_set.lines
    ]
    want = expected.aging(AS_OF, lines)
    document = report.document()

    rows = _csv(document)
    keys = [k for k in rows[0] if k.startswith("b")]
    assert keys == [
        "b1_current",
        "b2_1_30",
        "b3_31_60",
        "b4_61_90",
        "b5_91_120",
        "b6_121_180",
        "b7_181",
    ]
    assert {r["account_number"]: [Decimal(r[k]) for k in keys] for r in rows} == want

    out = io.StringIO()
    write_json(document, out)
    by_collector = {
        r["collector"]: Decimal(r["total"])
        for r in json.loads(out.getvalue())["tables"]["aging_by_collector"]
    }
    want_collector: dict[str, Decimal] = {}
    for customer, account in expected.account_number.items():
        if account in want:
            name = expected.collector[customer] or "(no collector)"
            want_collector[name] = want_collector.get(name, Decimal(0)) + sum(
                want[account], Decimal(0)
            )
    assert by_collector == want_collector

    book = openpyxl.load_workbook(write_xlsx([document], tmp_path / "aging.xlsx"))
    assert book.sheetnames == ["Summary", "Aging by customer", "Aging by collector"]
    sheet = list(book["Aging by customer"].iter_rows(min_row=2, values_only=True))
    assert {r[0]: [round(Decimal(str(v)), 2) for v in r[3:10]] for r in sheet} == want


def _standard(receivables: Decimal, sales: Decimal, days: int) -> Decimal | None:
    return None if sales <= 0 else (receivables * days / sales).quantize(TENTH, ROUND_HALF_UP)


def _count_back(expected: Expected, point: dt.date, collector: str | None) -> Decimal | None:
    left = expected.receivables(point, collector)
    if left <= 0:
        return Decimal("0.0")  # nothing outstanding: no days
    days = Decimal(0)
    end = point
    for _ in range(24):
        start = end.replace(day=1)
        sales = expected.sales(start, end, collector)
        length = (end - start).days + 1
        if sales > 0 and left <= sales:
            return (days + left / sales * length).quantize(TENTH, ROUND_HALF_UP)
        left -= max(sales, Decimal(0))
        days += length
        end = start - dt.timedelta(days=1)
    return None


def test_dso_in_csv_and_json_matches_both_methods_computed_here(
    store: Store, expected: Expected
) -> None:
    """Standard and count-back DSO per collector and for the whole unit, at the as-of date and
    at each of the 12 month-ends of the trend."""
    document = build_dso(store, ReportParams(as_of=AS_OF), now=NOW).document()
    rows = _csv(document)
    trend = _csv(document, detail=True)
    assert rows[0]["collector"] == "All collectors"
    assert {r["collector"] for r in rows} == {"All collectors"} | {
        c for c in expected.collector.values() if c
    }
    assert len(trend) == 12 * len(rows)
    quarter = (dt.date(2026, 8, 1), AS_OF)
    for row in rows + trend:
        collector = None if row["collector"] == "All collectors" else row["collector"]
        point = dt.date.fromisoformat(row["as_of"])
        receivables = expected.receivables(point, collector)
        first = point.replace(day=1)
        for _ in range(2):  # the standard method's period: this month and the two before
            first = (first - dt.timedelta(days=1)).replace(day=1)
        sales = expected.sales(first, point, collector)
        days = (point - first).days + 1
        assert Decimal(row["receivables"]) == receivables, row
        assert Decimal(row["period_sales"]) == sales, row
        assert int(row["period_days"]) == days
        assert (Decimal(row["standard_dso"]) if row["standard_dso"] else None) == _standard(
            receivables, sales, days
        ), row
        assert (Decimal(row["count_back_dso"]) if row["count_back_dso"] else None) == _count_back(
            expected, point, collector
        ), row
    assert rows[0]["period_days"] == str((quarter[1] - quarter[0]).days + 1)
    out = io.StringIO()
    write_json(document, out)
    assert json.loads(out.getvalue())["tables"]["dso"][0]["standard_dso"] == rows[0]["standard_dso"]
