"""DSO by both methods, the report calendar, and the portal verdict: pure rules, by table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from connectors.oracle.report_records import PastDueItem
from jobs.reports.dso import count_back_dso, standard_dso
from jobs.reports.params import month_ends_through, months_back, previous_month_end
from jobs.reports.verdict import VerdictKind, portal_verdict

D = Decimal


@pytest.mark.parametrize(
    ("receivables", "sales", "days", "expected"),
    [
        (D("300000"), D("270000"), 90, D("100.0")),  # 300/270 × 90 = 100
        (D("100"), D("300"), 92, D("30.7")),  # 30.666… rounds half up to a tenth
        (D("0"), D("1000"), 30, D("0.0")),  # nothing owed
        (D("5000"), D("0"), 30, None),  # no sales: undefined, not infinite
        (D("5000"), D("-10"), 30, None),  # net credits only: undefined
    ],
)
def test_standard_dso(
    receivables: Decimal, sales: Decimal, days: int, expected: Decimal | None
) -> None:
    """Receivables ÷ credit sales of the period × days in the period."""
    assert standard_dso(receivables, sales, days) == expected


@pytest.mark.parametrize(
    ("receivables", "months", "expected"),
    [
        # exhausted inside the newest month: 50/100 of its 31 days
        (D("50"), [(D("100"), 31)], D("15.5")),
        # 100 (31 d) + 200 (30 d) used up, then 60 of 120 in the third: 61 + 15.5
        (D("360"), [(D("100"), 31), (D("200"), 30), (D("120"), 31)], D("76.5")),
        # exactly the newest month's sales: its whole 31 days
        (D("100"), [(D("100"), 31), (D("50"), 30)], D("31.0")),
        # a month without sales counts whole: 30 + 10/20 × 31
        (D("10"), [(D("0"), 30), (D("20"), 31)], D("45.5")),
        # not exhausted within the months given: unknown
        (D("1000"), [(D("100"), 31), (D("100"), 30)], None),
        # nothing owed: zero days
        (D("0"), [(D("100"), 31)], D("0")),
    ],
)
def test_count_back_dso(
    receivables: Decimal, months: list[tuple[Decimal, int]], expected: Decimal | None
) -> None:
    """Exhaust the receivables against monthly sales, newest first."""
    assert count_back_dso(receivables, months) == expected


def test_calendar_month_ends_and_months_back() -> None:
    """Month-ends through a date (oldest first), and months back from a date (newest first)."""
    assert previous_month_end(dt.date(2026, 3, 1)) == dt.date(2026, 2, 28)
    assert previous_month_end(dt.date(2024, 3, 15)) == dt.date(2024, 2, 29)
    assert month_ends_through(dt.date(2026, 11, 20), 3) == [
        dt.date(2026, 8, 31),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 31),
    ]
    assert month_ends_through(dt.date(2026, 10, 31), 2) == [
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 31),
    ]
    assert months_back(dt.date(2026, 11, 20), 3) == [
        (dt.date(2026, 11, 1), dt.date(2026, 11, 20)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        (dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
    ]
    assert months_back(dt.date(2027, 1, 31), 2)[1] == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def _item(**submission: Any) -> PastDueItem:
    """An item 10.00 past due whose latest submission has these fields."""
    fields: dict[str, Any] = {
        "submission_id": 7,
        "submission_status": None,
        "portal_code": "coupa",
        "portal_status": None,
        "portal_status_reason": None,
        "projected_pay_date": None,
        "payment_date": None,
        "last_error_text": None,
        **submission,
    }
    return PastDueItem(
        org_id=204,
        cust_account_id=1,
        account_number="1001",
        payment_schedule_id=1,
        trx_number="104500",
        trx_class="INV",
        due_date=dt.date(2026, 8, 1),
        amount=D("10"),
        in_dispute=D("0"),
        invoice_currency="USD",
        **fields,
    )


@pytest.mark.parametrize(
    ("submission", "kind", "text"),
    [
        # never queued
        (
            {"submission_id": None, "portal_code": None},
            VerdictKind.NOT_ON_PORTAL,
            "not on a portal",
        ),
        ({"submission_status": "PENDING"}, VerdictKind.QUEUED, "queued for submission on coupa"),
        (
            {"submission_status": "SUBMITTED"},
            VerdictKind.SUBMITTED,
            "submitted on coupa, awaiting approval",
        ),
        # approved with a pay date
        (
            {
                "submission_status": "SUBMITTED",
                "portal_status": "APPROVED",
                "projected_pay_date": dt.date(2026, 12, 4),
            },
            VerdictKind.APPROVED,
            "approved on coupa, projected pay date 2026-12-04",
        ),
        # a dispute sends the item back (REJECTED) but the verdict says disputed, with why
        (
            {
                "submission_status": "REJECTED",
                "portal_status": "DISPUTED",
                "portal_status_reason": "PO line\n mismatch",
            },
            VerdictKind.DISPUTED,
            "disputed on coupa: PO line mismatch",
        ),
        (
            {
                "submission_status": "SUBMITTED",
                "portal_status": "PAID",
                "payment_date": dt.date(2026, 11, 2),
            },
            VerdictKind.PAID,
            "paid on coupa on 2026-11-02",
        ),
        (
            {"submission_status": "REJECTED", "last_error_text": "PO closed"},
            VerdictKind.REJECTED,
            "rejected on coupa: PO closed",
        ),
        ({"submission_status": "FAILED"}, VerdictKind.FAILED, "failed on coupa: no reason given"),
        (
            {"submission_status": "UNCERTAIN"},
            VerdictKind.UNCERTAIN,
            "being checked on coupa after an interrupted upload",
        ),
    ],
)
def test_portal_verdict(submission: dict[str, Any], kind: VerdictKind, text: str) -> None:
    """The verdict the report prints for each state of the latest submission."""
    verdict = portal_verdict(_item(**submission))
    assert (verdict.kind, verdict.text) == (kind, text)
