"""The demo book's collections data: functional currency, applications, disputes, bucket sets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

import pytest

from sandbox.book import DemoBook, demo_book

TODAY = dt.date(2026, 11, 20)
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def book() -> DemoBook:
    return demo_book(today=TODAY, with_documents=False)


def _ledger_currency(book: DemoBook) -> dict[int, str]:
    ledgers = {r["ledger_id"]: r["currency_code"] for r in book.rows["gl_ledgers"]}
    return {
        r["org_id"]: ledgers[r["set_of_books_id"]] for r in book.rows["ar_system_parameters_all"]
    }


def test_foreign_currency_schedules_carry_a_rate_and_the_ledger_amount(book: DemoBook) -> None:
    """EUR, GBP and CAD items of the USD ledger have a rate; USD items none; the accounted
    amount is the remaining amount times the rate, to the cent."""
    currency_of = _ledger_currency(book)
    assert currency_of[204] == "USD"
    seen = set()
    for row in book.rows["ar_payment_schedules_all"]:
        ledger = currency_of[row["org_id"]]
        if row["invoice_currency_code"] == ledger:
            assert row["exchange_rate"] is None
            assert row["acctd_amount_due_remaining"] == row["amount_due_remaining"]
        else:
            seen.add(row["invoice_currency_code"])
            expected = (row["amount_due_remaining"] * row["exchange_rate"]).quantize(
                CENT, ROUND_HALF_UP
            )
            assert row["acctd_amount_due_remaining"] == expected
    assert {"EUR", "GBP", "CAD"} <= seen


def test_open_items_stay_open_until_4712_and_closed_ones_close_on_their_payment(
    book: DemoBook,
) -> None:
    """GL_DATE_CLOSED is EBS's end of time while open; a closed item closes the day it was paid,
    and each paid amount is one application on that item, in both currencies."""
    applied: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for app in book.rows["ar_receivable_applications_all"]:
        applied[app["applied_payment_schedule_id"]].append(app)
    for row in book.rows["ar_payment_schedules_all"]:
        assert row["gl_date"] == row["trx_date"]
        paid = row["amount_due_original"] - row["amount_due_remaining"]
        if row["status"] == "OP":
            assert row["gl_date_closed"] == dt.date(4712, 12, 31)
        else:
            assert row["gl_date_closed"] == row["actual_date_closed"] <= TODAY
            assert [a["gl_date"] for a in applied[row["payment_schedule_id"]]] == [
                row["gl_date_closed"]
            ]
        if row["class"] == "INV" and paid > 0:
            (app,) = applied[row["payment_schedule_id"]]
            assert app["amount_applied"] == paid
            assert row["trx_date"] <= app["gl_date"] <= TODAY
    assert sum(1 for r in book.rows["ar_payment_schedules_all"] if r["status"] == "CL") >= 10


def test_disputes_and_unapplied_receipts_are_there(book: DemoBook) -> None:
    """Some past-due invoices are disputed (in full and in part); some receipts are unapplied."""
    schedules = book.rows["ar_payment_schedules_all"]
    disputed = [r for r in schedules if r["amount_in_dispute"]]
    assert len(disputed) >= 4
    assert any(r["amount_in_dispute"] == r["amount_due_remaining"] for r in disputed)
    assert any(0 < r["amount_in_dispute"] < r["amount_due_remaining"] for r in disputed)
    assert all(r["due_date"] < TODAY and r["status"] == "OP" for r in disputed)
    receipts = [r for r in schedules if r["class"] == "PMT"]
    assert receipts and all(r["amount_due_remaining"] < 0 and r["status"] == "OP" for r in receipts)


@pytest.mark.parametrize("name", ["7-Bucket Aging", "4-Bucket Aging", "7-Bucket + Dispute"])
def test_bucket_sets_cover_every_age_without_gaps(book: DemoBook, name: str) -> None:
    """The aging lines of each set follow each other day by day from the far past to the far
    future; at most one dispute-only line."""
    (bucket,) = [r for r in book.rows["ar_aging_buckets"] if r["bucket_name"] == name]
    lines = sorted(
        (
            r
            for r in book.rows["ar_aging_bucket_lines"]
            if r["aging_bucket_id"] == bucket["aging_bucket_id"]
        ),
        key=lambda r: r["bucket_sequence_num"],
    )
    aging = [r for r in lines if r["type"] in ("CURRENT", "PAST_DUE")]
    assert aging[0]["days_start"] < -365 and aging[-1]["days_to"] > 100_000
    for before, after in pairwise(aging):
        assert after["days_start"] == before["days_to"] + 1
    assert sum(1 for r in lines if r["type"] == "DISPUTE_ONLY") == (1 if "Dispute" in name else 0)
