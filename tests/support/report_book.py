"""The demo book loaded for the report tests: every EBS row except the PDFs (fast to insert)."""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa

from connectors.oracle.report_records import AgingBucketLine, AgingBucketSet, BucketLineType
from connectors.oracle.tables import build_metadata
from sandbox.aging_sets import BUCKET_SETS
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


def seeded_bucket_sets() -> list[AgingBucketSet]:
    """The demo schema's bucket sets as the store reads them, without a database."""
    return [
        AgingBucketSet(
            aging_bucket_id=bucket_id,
            name=name,
            lines=tuple(
                AgingBucketLine(
                    sequence=n,
                    days_start=start,
                    days_to=to,
                    line_type=BucketLineType(kind),
                    heading1=h1,
                    heading2=h2,
                )
                for n, (start, to, kind, h1, h2) in enumerate(lines, 1)
            ),
        )
        for bucket_id, name, _, lines in BUCKET_SETS
    ]
