"""What the collections reports need of the demo book, beyond what the worker submits.

The book (:mod:`sandbox.book`) builds the invoices and their EBS rows; this module adds, from the
same customers and invoices, the EBS data that collections work reads, as EBS keeps it:

- the collectors and the customer profiles that assign them (:mod:`sandbox.collectors`);
- the aging bucket sets (:mod:`sandbox.aging_sets`);
- each operating unit's ledger and its currency (``AR_SYSTEM_PARAMETERS_ALL`` → ``GL_LEDGERS``),
  and on every payment schedule the functional-currency view: ``EXCHANGE_RATE`` (NULL in the
  ledger's own currency), ``ACCTD_AMOUNT_DUE_REMAINING``, ``GL_DATE``, ``GL_DATE_CLOSED``
  (31-DEC-4712 while open, as EBS keeps it);
- the receipt applications that paid closed and part-paid invoices, dated, so a report as of a
  past date can add back what was paid after it;
- disputes (``AMOUNT_IN_DISPUTE``) on a few past-due invoices, and unapplied receipts
  (``CLASS = 'PMT'``) on a few accounts.

One call from the book's row builder, so the book itself barely changes when reports need more.
Everything is derived from the book's rows and fixed constants: the same book gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sandbox.aging_sets import bucket_rows
from sandbox.collectors import collector_rows, ebs_who, profile_rows

if TYPE_CHECKING:
    from sandbox.book import DemoCustomer, DemoInvoice

CENT = Decimal("0.01")
RATE_QUANTUM = Decimal("0.00000001")
#: GL_DATE_CLOSED of an open item: EBS's end of time
OPEN_GL_DATE_CLOSED = dt.date(4712, 12, 31)
#: ledger id, name, short name, currency
LEDGERS = (
    (1, "Northwind US Ledger", "NW US", "USD"),
    (2, "Northwind Europe Ledger", "NW EU", "EUR"),
)
#: operating unit → ledger (the book's ORG 204 keeps USD books, ORG 458 EUR books)
LEDGER_OF_ORG = {204: 1, 458: 2}
#: US dollars per unit of each currency: the demo's corporate rates
USD_PER_UNIT = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.0850"),
    "GBP": Decimal("1.2700"),
    "CAD": Decimal("0.7300"),
}
DISPUTED_ITEMS = 8
DISPUTE_SEED = 14
#: share of the open amount disputed on the partly disputed items
PARTIAL_DISPUTE_SHARE = Decimal("0.4")
FIRST_APPLICATION_ID = 780001
FIRST_CASH_RECEIPT_ID = 560001
#: unapplied receipts: (customer position in the book, amount in its currency, days ago)
UNAPPLIED_RECEIPTS = (
    (1, Decimal("1250.00"), 6),
    (3, Decimal("3400.00"), 15),
    (7, Decimal("780.50"), 24),
)
FIRST_RECEIPT_SCHEDULE_ID = 990001
FIRST_RECEIPT_ID = 569001


def collections_rows(
    customers: Sequence[DemoCustomer],
    invoices: Sequence[DemoInvoice],
    rows: Mapping[str, list[dict[str, Any]]],
    *,
    today: dt.date,
) -> dict[str, list[dict[str, Any]]]:
    """Rows per table to add to (or, for a table already in ``rows``, replace in) the book."""
    del invoices  # everything needed is on the schedule rows
    ledger_currency = {org: _ledger_currency(ledger) for org, ledger in LEDGER_OF_ORG.items()}
    schedules = [
        _functional(row, ledger_currency[row["org_id"]], today)
        for row in rows["ar_payment_schedules_all"]
    ]
    _dispute_some(schedules, today)
    schedules += _unapplied_receipts(customers, ledger_currency, today)
    return {
        "ar_collectors": collector_rows(today),
        "hz_customer_profiles": profile_rows(customers, today),
        **bucket_rows(today),
        "gl_ledgers": [_ledger_row(ledger, today) for ledger in LEDGERS],
        "ar_system_parameters_all": [
            {"org_id": org, "set_of_books_id": ledger, **ebs_who(_stamp(today, 900))}
            for org, ledger in LEDGER_OF_ORG.items()
        ],
        "ar_payment_schedules_all": schedules,
        "ar_receivable_applications_all": _applications(schedules, today),
    }


def exchange_rate(currency: str, ledger_currency: str) -> Decimal | None:
    """Ledger-currency units per unit of ``currency``; None when they are the same, as in EBS."""
    if currency == ledger_currency:
        return None
    return (USD_PER_UNIT[currency] / USD_PER_UNIT[ledger_currency]).quantize(RATE_QUANTUM)


def accounted(amount: Decimal, rate: Decimal | None) -> Decimal:
    """``amount`` in the ledger's currency, to the cent."""
    return amount if rate is None else (amount * rate).quantize(CENT, ROUND_HALF_UP)


def _ledger_currency(ledger_id: int) -> str:
    return next(currency for lid, _, _, currency in LEDGERS if lid == ledger_id)


def _functional(row: dict[str, Any], ledger_currency: str, today: dt.date) -> dict[str, Any]:
    """A schedule row with its GL dates and its functional-currency amount."""
    rate = exchange_rate(row["invoice_currency_code"], ledger_currency)
    closed = row["status"] == "CL"
    paid_on = _paid_on(row, today) if closed else None
    return {
        **row,
        "gl_date": row["trx_date"],
        "gl_date_closed": paid_on if closed else OPEN_GL_DATE_CLOSED,
        "actual_date_closed": paid_on,
        "exchange_rate": rate,
        "acctd_amount_due_remaining": accounted(row["amount_due_remaining"], rate),
        "cash_receipt_id": None,
    }


def _paid_on(row: dict[str, Any], today: dt.date) -> dt.date:
    """When the customer paid an invoice: around its due date for a closed one, somewhere between
    its date and today for a part-paid one; never before the invoice, never after today."""
    trx_date: dt.date = row["trx_date"]
    due_date: dt.date = row["due_date"]
    if row["status"] == "CL":
        day = due_date + dt.timedelta(days=row["payment_schedule_id"] % 37 - 12)
    else:
        span = (today - trx_date).days
        day = trx_date + dt.timedelta(days=span * (row["payment_schedule_id"] % 5 + 2) // 8)
    return min(max(day, trx_date), today)


def _dispute_some(schedules: list[dict[str, Any]], today: dt.date) -> None:
    """Put a dispute on a few past-due invoices of ORG 204: half in full, half in part."""
    candidates = [
        row
        for row in schedules
        if row["class"] == "INV"
        and row["status"] == "OP"
        and row["org_id"] == 204
        and row["due_date"] < today
    ]
    chosen = random.Random(DISPUTE_SEED).sample(candidates, min(DISPUTED_ITEMS, len(candidates)))
    for position, row in enumerate(sorted(chosen, key=lambda r: r["payment_schedule_id"])):
        remaining: Decimal = row["amount_due_remaining"]
        disputed = remaining if position % 2 == 0 else remaining * PARTIAL_DISPUTE_SHARE
        row["amount_in_dispute"] = disputed.quantize(CENT, ROUND_HALF_UP)


def _applications(schedules: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """One cash application per paid or part-paid invoice, on the day it was paid."""
    rows: list[dict[str, Any]] = []
    for row in schedules:
        paid = row["amount_due_original"] - row["amount_due_remaining"]
        if row["class"] != "INV" or paid <= 0:
            continue
        paid_on = row["actual_date_closed"] or _paid_on(row, today)
        rate = row["exchange_rate"]
        acctd = accounted(row["amount_due_original"], rate) - row["acctd_amount_due_remaining"]
        position = len(rows)
        rows.append(
            {
                "receivable_application_id": FIRST_APPLICATION_ID + position,
                "payment_schedule_id": None,
                "cash_receipt_id": FIRST_CASH_RECEIPT_ID + position,
                "applied_payment_schedule_id": row["payment_schedule_id"],
                "applied_customer_trx_id": row["customer_trx_id"],
                "application_type": "CASH",
                "status": "APP",
                "amount_applied": paid,
                "acctd_amount_applied_to": acctd,
                "acctd_amount_applied_from": acctd,
                "apply_date": paid_on,
                "gl_date": paid_on,
                "org_id": row["org_id"],
                **ebs_who(_stamp(paid_on, 0)),
            }
        )
    return rows


def _unapplied_receipts(
    customers: Sequence[DemoCustomer], ledger_currency: Mapping[int, str], today: dt.date
) -> list[dict[str, Any]]:
    """Receipts of ORG 204 nobody applied yet: open ``PMT`` schedules with a negative balance."""
    rows = []
    for index, (position, amount, days_ago) in enumerate(UNAPPLIED_RECEIPTS):
        if position >= len(customers):
            continue
        customer = customers[position]
        received = today - dt.timedelta(days=days_ago)
        rate = exchange_rate(customer.currency, ledger_currency[204])
        rows.append(
            {
                "payment_schedule_id": FIRST_RECEIPT_SCHEDULE_ID + index,
                "customer_trx_id": None,
                "customer_id": customer.cust_account_id,
                "customer_site_use_id": customer.bill_to_site_use_id,
                "trx_number": f"RCPT-{FIRST_RECEIPT_ID + index}",
                "trx_date": received,
                "due_date": received,
                "amount_due_original": -amount,
                "amount_due_remaining": -amount,
                "amount_line_items_original": None,
                "tax_original": None,
                "amount_in_dispute": None,
                "invoice_currency_code": customer.currency,
                "status": "OP",
                "class": "PMT",
                "terms_sequence_number": None,
                "gl_date": received,
                "gl_date_closed": OPEN_GL_DATE_CLOSED,
                "actual_date_closed": None,
                "exchange_rate": rate,
                "acctd_amount_due_remaining": accounted(-amount, rate),
                "cash_receipt_id": FIRST_RECEIPT_ID + index,
                "org_id": 204,
            }
        )
    return rows


def _ledger_row(ledger: tuple[int, str, str, str], today: dt.date) -> dict[str, Any]:
    ledger_id, name, short_name, currency = ledger
    return {
        "ledger_id": ledger_id,
        "name": name,
        "short_name": short_name,
        "currency_code": currency,
        "period_set_name": "Accounting",
        **ebs_who(_stamp(today, 900)),
    }


def _stamp(day: dt.date, days_before: int) -> dt.datetime:
    return dt.datetime.combine(day - dt.timedelta(days=days_before), dt.time(8, 0), tzinfo=dt.UTC)
