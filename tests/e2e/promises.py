"""What the worker promises, as assertions the end-to-end tests share.

Nothing reaches a portal twice, nothing is lost, each outcome has one note: checked against
the database and the stand-in portal's ledger after a run, however the run was disturbed.
"""

from __future__ import annotations

from collections import Counter

from connectors.oracle.records import SubmissionStatus
from connectors.oracle.store import Store
from sandbox.book import demo_book
from tests.e2e.conftest import TODAY


def eligible(accounts: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(all eligible invoice numbers, those the portal must reject) for these accounts."""
    book = demo_book(today=TODAY)
    numbers = {i.trx_number for i in book.eligible_invoices if i.account_number in accounts}
    return numbers, numbers & set(book.expected_rejections)


def assert_exactly_once(
    store: Store,
    received: list[dict[str, object]],
    accounts: tuple[str, ...],
    *,
    account_notes: int = 0,
) -> None:
    """Every eligible invoice ended where it should, reached the portal once, has one note;
    besides, exactly ``account_notes`` notes on the accounts themselves (pauses, resyncs)."""
    numbers, rejected = eligible(accounts)
    rows = {s.trx_number: s for s in store.submissions()}
    assert set(rows) == numbers, "an eligible invoice was lost (never queued)"
    statuses = Counter(r.status for r in rows.values())
    assert {n for n, r in rows.items() if r.status is SubmissionStatus.REJECTED} == rejected, (
        statuses
    )
    assert {
        n for n, r in rows.items() if r.status is SubmissionStatus.SUBMITTED
    } == numbers - rejected, statuses
    per_invoice = Counter(str(r["invoice_number"]) for r in received)
    duplicates = {n: c for n, c in per_invoice.items() if c > 1}
    assert not duplicates, f"uploaded more than once: {duplicates}"
    assert set(per_invoice) == numbers - rejected
    book = demo_book(today=TODAY)
    notes: Counter[int] = Counter()
    on_accounts = []
    for account in accounts:
        for note in store.notes_for_account(book.customer(account).cust_account_id):
            schedule = dict(note.contexts).get("IEX_INVOICES")
            if schedule is None:
                on_accounts.append(note.text)
            else:
                notes[schedule] += 1
    assert len(on_accounts) == account_notes, f"account-level notes: {on_accounts}"
    for row in rows.values():
        assert notes[row.payment_schedule_id] == 1, (row.trx_number, notes[row.payment_schedule_id])


def assert_no_duplicates(received: list[dict[str, object]]) -> Counter[str]:
    """No invoice number reached the portal twice; returns the count per number."""
    per_invoice = Counter(str(r["invoice_number"]) for r in received)
    duplicates = {n: c for n, c in per_invoice.items() if c > 1}
    assert not duplicates, f"uploaded more than once: {duplicates}"
    return per_invoice
