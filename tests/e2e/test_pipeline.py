"""The core pipeline end to end: the CLI as a subprocess, real Chromium, the stand-in portal."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from connectors.oracle.records import SubmissionStatus
from sandbox.book import demo_book
from sandbox.seeder import update_purchase_order
from tests.support.workspace import DEFAULT_ACCOUNTS, TODAY, Workspace
from worker.demo import DEMO_FAMILIES

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

#: the whole demo book (189 invoices, three portal families); minutes on a busy 2-core machine
DEMO_TIMEOUT_S = 1200


def test_nightly_submits_every_eligible_invoice_once(workspace: Workspace) -> None:
    """One nightly run submits every eligible invoice, rejects the bad ones with the portal's
    reason, writes a note per outcome; a second run submits nothing."""
    book = demo_book(today=TODAY)
    summary = workspace.cli_json("nightly")
    eligible = {
        i.trx_number for i in book.eligible_invoices if i.account_number in DEFAULT_ACCOUNTS
    }
    expected_rejected = set(book.expected_rejections) & eligible
    assert {book.expected_rejections[n] for n in expected_rejected} == {
        "PO_CLOSED",
        "PO_AMOUNT_EXCEEDED",
        "PO_MISSING",
    }
    assert summary["status"] == "COMPLETED"
    assert summary["enqueued"] == len(eligible)
    assert summary["submitted"] == len(eligible - expected_rejected)
    assert summary["rejected"] == len(expected_rejected)
    assert summary["failed"] == 0
    # what was not sent is said, not silently skipped: the book's open credit memos of these
    # customers (and their incomplete transactions) are counted in the summary
    credits = [
        i
        for i in book.invoices
        if i.account_number in DEFAULT_ACCOUNTS
        and i.trx_class == "CM"
        and i.schedule_status == "OP"
        and i.org_id == 204
    ]
    reasons = summary["not_submitted"]
    assert reasons.get("credit memos (portals take credit notes separately)", 0) == len(credits)
    assert credits, "the demo book has open credit memos for these customers"

    store = workspace.store()
    try:
        rows = {s.trx_number: s for s in store.submissions()}
        assert set(rows) == eligible
        for number, row in rows.items():
            wanted = (
                SubmissionStatus.REJECTED
                if number in expected_rejected
                else SubmissionStatus.SUBMITTED
            )
            assert row.status is wanted, (number, row.status, row.last_error_text)
            if number in expected_rejected:
                assert row.last_error_code == book.expected_rejections[number]

        # one note per outcome, on the account, with the invoice's payment schedule as context
        notes_by_schedule: Counter[int] = Counter()
        texts: dict[int, str] = {}
        for customer in book.enrolled_customers:
            if customer.account_number not in DEFAULT_ACCOUNTS:
                continue
            for note in store.notes_for_account(customer.cust_account_id):
                contexts = dict(note.contexts)
                assert contexts["IEX_ACCOUNT"] == customer.cust_account_id
                assert contexts["PARTY"] == customer.party_id
                notes_by_schedule[contexts["IEX_INVOICES"]] += 1
                texts[contexts["IEX_INVOICES"]] = note.text
        for row in rows.values():
            assert notes_by_schedule[row.payment_schedule_id] == 1, row.trx_number
            if row.status is SubmissionStatus.REJECTED:
                assert row.last_error_text and row.last_error_text in texts[row.payment_schedule_id]
                assert "ACTION NEEDED" in texts[row.payment_schedule_id]
    finally:
        store.engine.dispose()

    received = workspace.received()
    per_invoice = Counter(r["invoice_number"] for r in received)
    assert set(per_invoice) == eligible - expected_rejected
    assert max(per_invoice.values()) == 1

    again = workspace.cli_json("nightly")
    assert again["submitted"] == 0 and again["enqueued"] == 0
    assert len(workspace.received()) == len(received)


def test_resync_submits_a_corrected_invoice_once(workspace: Workspace) -> None:
    """After the PO of a rejected invoice is fixed in EBS, resync submits it once and writes
    one resync note."""
    book = demo_book(today=TODAY)
    workspace.cli_json("nightly")
    missing_po = sorted(
        n
        for n, code in book.expected_rejections.items()
        if code == "PO_MISSING" and book.invoice(n).account_number in DEFAULT_ACCOUNTS
    )
    fixed = missing_po[0]
    invoice = book.invoice(fixed)
    customer = book.customer(invoice.account_number)
    assert customer.spare_po is not None
    store = workspace.store()
    try:
        update_purchase_order(store.engine, fixed, customer.spare_po)
        notes_before = len(store.notes_for_account(customer.cust_account_id))
        summary = workspace.cli_json("resync", customer.account_number)
        assert summary["submitted"] >= 1
        (row,) = store.submissions(trx_numbers=[fixed])
        assert row.status is SubmissionStatus.SUBMITTED
        notes = store.notes_for_account(customer.cust_account_id)
        resync_notes = [n for n in notes if "resync of account" in n.text]
        assert len(resync_notes) == 1
        # the fixed invoice's submission note + the resync note + a note per re-rejected item
        still_rejected = [
            n
            for n, code in book.expected_rejections.items()
            if n != fixed and book.invoice(n).account_number == customer.account_number
        ]
        assert len(notes) - notes_before == 2 + len(still_rejected)
    finally:
        store.engine.dispose()
    assert Counter(r["invoice_number"] for r in workspace.received())[fixed] == 1


def test_wrong_password_one_attempt_others_continue(workspace: Workspace) -> None:
    """A wrong password ends that login's run after exactly one attempt, with a clear note;
    accounts on other logins are still submitted."""
    book = demo_book(today=TODAY)
    store = workspace.store()
    victim = book.customer(DEFAULT_ACCOUNTS[0])
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE xx_arw_portal_accounts SET login_name = "
                "'ap-clerk@northwind-supply.example', "
                "secret_ref = 'WRONG_PASSWORD', totp_secret_ref = NULL "
                f"WHERE cust_account_id = {victim.cust_account_id}"
            )
        summary = workspace.cli_json("nightly", ARWORKER_SECRET_WRONG_PASSWORD="not-the-password")
        attempts = [
            a for a in workspace.logins() if a["login_name"] == "ap-clerk@northwind-supply.example"
        ]
        assert len(attempts) == 1 and not attempts[0]["ok"]
        assert "coupa:ap-clerk@northwind-supply.example" in summary["paused_logins"]
        victims = [s for s in store.submissions() if s.cust_account_id == victim.cust_account_id]
        assert victims and all(s.status is SubmissionStatus.PENDING for s in victims)
        notes = store.notes_for_account(victim.cust_account_id)
        assert len(notes) == 1 and "WRONG_PASSWORD" in notes[0].text
        others = [s for s in store.submissions() if s.cust_account_id != victim.cust_account_id]
        assert (
            sum(s.status is SubmissionStatus.SUBMITTED for s in others) == summary["submitted"] > 0
        )
        # the pause outlives the run: the next run does not try the same password again, and
        # it says why in its summary (DEGRADED: that account's invoices are still queued)
        again = workspace.cli_json("nightly", ARWORKER_SECRET_WRONG_PASSWORD="not-the-password")
        attempts = [
            a for a in workspace.logins() if a["login_name"] == "ap-clerk@northwind-supply.example"
        ]
        assert len(attempts) == 1
        assert again["status"] == "DEGRADED" and again["left_undone"] == len(victims)
        assert "coupa:ap-clerk@northwind-supply.example" in again["paused_logins"]
        assert len(store.notes_for_account(victim.cust_account_id)) == 1, "one note per pause"
        # a new password lifts the pause: the next run logs in (and the portal refuses it too)
        workspace.cli_json("nightly", ARWORKER_SECRET_WRONG_PASSWORD="another-wrong-one")
        attempts = [
            a for a in workspace.logins() if a["login_name"] == "ap-clerk@northwind-supply.example"
        ]
        assert len(attempts) == 2
    finally:
        store.engine.dispose()


@pytest.mark.slow
def test_demo_command_exits_zero(workspace: Workspace) -> None:
    """``arworker demo --json`` seeds, serves, submits and reports on a fresh directory; with
    ``--customers 3`` (one customer per portal family) only those customers' invoices go out.
    The whole book (189 invoices, a few minutes) is what ``./run.sh demo`` runs."""
    result = workspace.cli(
        "demo",
        "--json",
        "--customers",
        "3",
        timeout=DEMO_TIMEOUT_S,
        ARWORKER_DATABASE__URL=f"sqlite:///{workspace.root / 'demo.db'}",
        ARWORKER_SECRETS_DIR=str(workspace.root / "demo-secrets"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    book = demo_book(today=TODAY, families=DEMO_FAMILIES)
    first_three = {c.account_number for c in book.enrolled_customers[:3]}
    assert {book.customer(a).portal_family for a in first_three} == {"coupa", "ariba", "upload"}
    eligible = {i.trx_number for i in book.eligible_invoices if i.account_number in first_three}
    rejected = eligible & set(book.expected_rejections)
    assert data["submitted"] == len(eligible - rejected)
    assert data["portal_received"] == data["submitted"]
    assert data["rejected"] == len(rejected)
