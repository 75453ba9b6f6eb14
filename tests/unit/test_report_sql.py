"""The report SQL obeys the Oracle rules, groups in the database and binds every value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connectors.oracle.ddl import dialect_for
from connectors.oracle.receivables import customer_receivables_query, due_date_range
from connectors.oracle.report_reads import (
    credit_sales_query,
    last_notes_query,
    past_due_items_query,
    receivables_at_query,
)
from connectors.oracle.tables import build_metadata
from tests.support.report_book import seeded_bucket_sets
from tools.oracle_rules.dialect_rules import check_oracle_sql

AS_OF = dt.date(2026, 10, 31)


def _statements() -> list[tuple[str, str]]:
    md = build_metadata()
    found = []
    for bucket_set in seeded_bucket_sets():
        for collector in (None, "Maria Lopez"):
            for minimum in (None, Decimal("10000")):
                query = customer_receivables_query(
                    md,
                    as_of=AS_OF,
                    org_ids=[204, 458],
                    bucket_set=bucket_set,
                    min_days=60,
                    min_past_due=minimum,
                    collector=collector,
                    past_due_figures=minimum is not None,
                )
                found.append((f"receivables {bucket_set.name} {collector} {minimum}", query))
    found.append(
        (
            "past-due items",
            past_due_items_query(
                md, as_of=AS_OF, org_ids=[204], min_days=60, cust_account_ids=[3041, 3042]
            ),
        )
    )
    found.append(("last notes", last_notes_query(md, [3041])))
    points = [AS_OF, dt.date(2026, 9, 30), dt.date(2026, 8, 31)]
    for collector in (None, "Tom Becker"):
        found.append(
            (
                "receivables at",
                receivables_at_query(md, points=points, org_ids=[204], collector=collector),
            )
        )
        found.append(
            (
                "credit sales",
                credit_sales_query(
                    md,
                    periods=[
                        (dt.date(2026, 10, 1), AS_OF),
                        (dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
                    ],
                    org_ids=[204],
                    collector=collector,
                ),
            )
        )
    dialect = dialect_for("oracle")
    return [(name, str(query.compile(dialect=dialect))) for name, query in found]


@pytest.mark.parametrize(("name", "sql"), _statements(), ids=lambda v: str(v)[:40])
def test_report_sql_compiled_for_oracle_passes_the_oracle_rules(name: str, sql: str) -> None:
    """Each report statement, as the Oracle dialect sends it, breaks none of design §8's rules."""
    assert check_oracle_sql(sql, source=name) == []


@pytest.mark.parametrize(("name", "sql"), _statements(), ids=lambda v: str(v)[:40])
def test_report_sql_binds_every_value(name: str, sql: str) -> None:
    """No date, amount, code or name is spliced into the SQL: all are bind variables."""
    for literal in ("2026", "10000", "'INV'", "'OP'", "'APP'", "Maria", "Tom", "'A'", "'Y'"):
        assert literal not in sql, f"{name}: {literal} in {sql[:200]}"


@pytest.mark.parametrize(("name", "sql"), _statements(), ids=lambda v: str(v)[:40])
def test_report_sql_groups_in_the_database(name: str, sql: str) -> None:
    """Every report statement but the item list groups or ranks in SQL."""
    if name != "past-due items":
        assert "GROUP BY" in sql or "row_number() OVER" in sql


@pytest.mark.parametrize(
    ("days_start", "days_to", "expected"),
    [
        # current: due today or later (up to 9999 days ahead, the seeded DAYS_START)
        (-9999, 0, (dt.date(2026, 10, 31), AS_OF + dt.timedelta(days=10_000))),
        # 1-30 days late: due 2026-10-01 .. 2026-10-30
        (1, 30, (dt.date(2026, 10, 1), dt.date(2026, 10, 31))),
        # 61-90: due 2026-08-02 .. 2026-08-31 (61 days before the 31st is 2026-08-31)
        (61, 90, (dt.date(2026, 8, 2), dt.date(2026, 9, 1))),
        # open-ended line far into the past: beyond the calendar means no bound
        (181, 99_999_999, (None, dt.date(2026, 5, 4))),
        (None, None, (None, None)),
    ],
)
def test_due_date_range_turns_days_late_into_half_open_due_dates(
    days_start: int | None,
    days_to: int | None,
    expected: tuple[dt.date | None, dt.date | None],
) -> None:
    """``days late in [start, to]`` is ``due date in [as_of - to, as_of - start + 1)``."""
    assert due_date_range(AS_OF, days_start, days_to) == expected
