"""The definitions each report prints in its footer (and docs/reports.md repeats)."""

from __future__ import annotations

OPEN_ITEMS = (
    "Open items: payment schedules of the configured operating units open at the end of the "
    "as-of date (GL date on or before it, closed after it) of complete transactions, with what "
    "was applied to them after that date added back. Classes INV, DM and CB; credit memos (CM) "
    "and unapplied receipts (PMT) are shown in their own columns and never netted."
)
MONEY = (
    "Amounts are in each operating unit's ledger currency (ACCTD_AMOUNT_DUE_REMAINING; "
    "disputes converted at the item's EXCHANGE_RATE)."
)
DAYS_LATE = "Days late = as-of date − due date."


def past_due(min_days: int, min_balance: str) -> tuple[str, ...]:
    return (
        DAYS_LATE,
        f"Past due: the open amount of items more than {min_days} days late. An account is "
        f"listed when its past-due amount is greater than {min_balance}.",
        "Invoices: the number of open items more than the minimum days late. Oldest days late: "
        "of the account's open items with a balance.",
        "Portal verdict: the latest status arworker recorded for the invoice on the customer's "
        "e-invoicing portal.",
        OPEN_ITEMS,
        MONEY,
    )


def aging(bucket_set: str, has_dispute_line: bool) -> tuple[str, ...]:
    dispute = (
        " The set has a dispute-only line: amounts in dispute are shown there and taken out of "
        "the bucket of their age."
        if has_dispute_line
        else ""
    )
    return (
        DAYS_LATE,
        f"Buckets: the lines of the aging bucket set {bucket_set!r} (AR_AGING_BUCKET_LINES), "
        f"each by its days-late range.{dispute}",
        OPEN_ITEMS,
        MONEY,
    )


def dso(period_months: int) -> tuple[str, ...]:
    return (
        "Receivables: the open INV, DM and CB balance at the end of the date. Credit sales: the "
        "original amount of INV, DM and CB items by GL date.",
        f"Standard DSO = receivables ÷ credit sales of the {period_months} months ending on the "
        "date × days in those months.",
        "Count-back DSO: the receivables are exhausted against monthly credit sales, newest "
        "month first; whole months count their days, the last one its fraction.",
        MONEY,
    )
