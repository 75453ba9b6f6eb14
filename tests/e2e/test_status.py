"""Portal status tracking back into notes: one note per transition, none on a second run."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.oracle.records import SubmissionStatus
from sandbox.book import demo_book
from tests.support.workspace import TODAY, MakeWorkspace, Workspace

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def move(ws: Workspace, family: str, number: str, **body: Any) -> None:
    request = urllib.request.Request(
        f"{ws.sandbox.url}/__sandbox/{family}/invoices/{number}/status",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def test_status_transitions_noted_once(make_workspace: MakeWorkspace) -> None:
    """Approved (projected date), disputed (reason) and paid (date, number) each write exactly
    one note with the right facts; a second status run writes none; a disputed invoice goes
    back to a person and resync re-submits it under a new number when the portal wants one."""
    ws: Workspace = make_workspace(accounts=("1004",))
    book = demo_book(today=TODAY)
    customer = book.customer("1004")
    ws.cli_json("nightly")
    store = ws.store()
    try:
        submitted = sorted(
            s.trx_number for s in store.submissions(statuses=[SubmissionStatus.SUBMITTED])
        )
        approved, disputed, paid = submitted[:3]
        buyer = customer.buyer_code
        projected = (TODAY + dt.timedelta(days=30)).isoformat()
        paid_on = TODAY.isoformat()
        move(
            ws, "coupa", approved, buyer=buyer, status="approved", projected_payment_date=projected
        )
        move(
            ws,
            "coupa",
            disputed,
            buyer=buyer,
            status="disputed",
            reason="PO line mismatch",
            comment="qty 10 ordered, 12 invoiced",
        )
        move(ws, "coupa", paid, buyer=buyer, status="approved", projected_payment_date=projected)
        move(
            ws,
            "coupa",
            paid,
            buyer=buyer,
            status="paid",
            payment_date=paid_on,
            payment_number="PAY-7781",
        )
        before = {n.jtf_note_id for n in store.notes_for_account(customer.cust_account_id)}

        # the nightly read every verdict a moment ago: none is due, so read them all now
        assert ws.cli_json("status", "--account", "1004")["statuses_due"] == 0
        first = ws.cli_json("status", "--account", "1004", "--all")
        notes = [
            n
            for n in store.notes_for_account(customer.cust_account_id)
            if n.jtf_note_id not in before
        ]
        assert first["notes_written"] == len(notes) == 3
        by_invoice = {
            t: [n.text for n in notes if f"invoice {t} " in n.text]
            for t in (approved, disputed, paid)
        }
        assert all(len(texts) == 1 for texts in by_invoice.values()), by_invoice
        assert "approved" in by_invoice[approved][0] and projected in by_invoice[approved][0]
        assert "ACTION NEEDED" in by_invoice[disputed][0]
        assert "PO line mismatch" in by_invoice[disputed][0]
        assert paid_on in by_invoice[paid][0] and "PAY-7781" in by_invoice[paid][0]
        rows = {s.trx_number: s for s in store.submissions()}
        assert rows[approved].portal_status == "APPROVED"
        assert rows[approved].projected_pay_date == dt.date.fromisoformat(projected)
        assert rows[paid].portal_status == "PAID" and rows[paid].payment_reference == "PAY-7781"
        assert rows[disputed].status is SubmissionStatus.REJECTED
        assert rows[disputed].last_error_code == "PORTAL_DISPUTED"

        second = ws.cli_json("status", "--account", "1004", "--all")
        assert second["notes_written"] == 0 and second["statuses_read"] >= 1
        assert len(store.notes_for_account(customer.cust_account_id)) == len(before) + 3

        # the buyer voids the disputed invoice (freeing its PO balance); the portal demands a new
        # number for the corrected one: resync re-submits it under one
        move(ws, "coupa", disputed, buyer=buyer, status="voided")
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE xx_arw_portal_accounts SET new_number_on_resubmit = 'Y' "
                f"WHERE cust_account_id = {customer.cust_account_id}"
            )
        resync = ws.cli_json("resync", "1004")
        assert resync["submitted"] >= 1
        (row,) = store.submissions(trx_numbers=[disputed])
        assert row.status is SubmissionStatus.SUBMITTED
        assert row.portal_invoice_number == f"{disputed}-R1"
        received = [r["invoice_number"] for r in ws.received()]
        assert received.count(disputed) == 1 and received.count(f"{disputed}-R1") == 1
    finally:
        store.engine.dispose()


def test_the_next_nights_pass_reads_only_what_is_due(make_workspace: MakeWorkspace) -> None:
    """After a pass, the next night's pass reads the verdicts due for a look (pending ones)
    and leaves an approval with a far pay date for later and a paid invoice for good; the count
    is in ``--json``; ``status --all`` reads every watched verdict."""
    ws: Workspace = make_workspace(accounts=("1004",))
    customer = demo_book(today=TODAY).customer("1004")
    nightly = ws.cli_json("nightly")
    store = ws.store()
    try:
        submitted = sorted(
            s.trx_number for s in store.submissions(statuses=[SubmissionStatus.SUBMITTED])
        )
        assert len(submitted) >= 3
        assert nightly["statuses_read"] == nightly["statuses_due"] == len(submitted)
        approved, paid = submitted[:2]
        buyer = customer.buyer_code
        far = (TODAY + dt.timedelta(days=40)).isoformat()
        move(ws, "coupa", approved, buyer=buyer, status="approved", projected_payment_date=far)
        move(ws, "coupa", paid, buyer=buyer, status="approved", projected_payment_date=far)
        move(ws, "coupa", paid, buyer=buyer, status="paid", payment_date=TODAY.isoformat())
        full = ws.cli_json("status", "--all")
        assert full["statuses_due"] == full["statuses_read"] == len(submitted)
        assert full["notes_written"] == 2
        # pending, approved with its pay date and paid: the Coupa list settles them all
        assert full["status_list_pages"] >= 1 and full["status_invoice_pages"] == 0

        _a_night_passes(store)
        night = ws.cli_json("status")
        assert night["statuses_watched"] == len(submitted) - 1, "paid: never read again"
        assert night["statuses_due"] == night["statuses_read"] == len(submitted) - 2
        assert night["notes_written"] == 0

        again = ws.cli_json("status", "--all")
        assert again["statuses_due"] == again["statuses_read"] == len(submitted) - 1
    finally:
        store.engine.dispose()


def _a_night_passes(store: Any) -> None:
    """Every scheduled look a day earlier: what the next night's clock would make of them."""
    sub = store.md.tables["xx_arw_submissions"]
    with store.engine.begin() as conn:
        rows = conn.execute(
            sa.select(sub.c.submission_id, sub.c.next_status_check_at).where(
                sub.c.next_status_check_at.is_not(None)
            )
        ).all()
        for submission_id, due in rows:
            conn.execute(
                sa.update(sub)
                .where(sub.c.submission_id == submission_id)
                .values(next_status_check_at=due - dt.timedelta(days=1))
            )
