"""The demo book loaded for the report tests: every EBS row except the PDFs (fast to insert)."""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa

from connectors.oracle.tables import build_metadata
from sandbox.book import DemoBook, demo_book

#: the book's "today" in the report tests (a Friday; the previous month-end is 2026-10-31)
TODAY = dt.date(2026, 11, 20)
PORTALS = "http://127.0.0.1:9/"
FAMILIES = ("coupa", "ariba", "upload")


@functools.cache
def report_book(today: dt.date = TODAY) -> DemoBook:
    return demo_book(today=today, families=FAMILIES, with_documents=False)


def load_report_book(engine: sa.Engine, today: dt.date = TODAY) -> DemoBook:
    """Insert the book's EBS rows and portal accounts in one transaction."""
    book = report_book(today)
    tables = build_metadata().tables
    with engine.begin() as conn:
        for name, rows in book.rows.items():
            if rows:
                conn.execute(sa.insert(tables[name]), rows)
        conn.execute(sa.insert(tables["xx_arw_portal_accounts"]), book.portal_accounts(PORTALS))
    return book
