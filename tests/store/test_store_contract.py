"""The store's contract, run unchanged on every reachable backend (SQLite, PostgreSQL, Oracle)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa

from connectors.oracle.records import (
    CollectionNote,
    EventType,
    JobRunCounts,
    OpenInvoice,
    OutcomeRecord,
    SubmissionStatus,
)
from connectors.oracle.store import Store
from tests.support.books.ebs import ORG, PDF_BYTES, SampleBook, load_sample_book
from tests.support.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(engine: sa.Engine, clock: Clock) -> Store:
    return Store(engine, org_ids=[ORG], clock=clock)


@pytest.fixture
def book(engine: sa.Engine) -> SampleBook:
    return load_sample_book(engine)


def submitted_outcome(note: CollectionNote | None = None) -> OutcomeRecord:
    return OutcomeRecord(
        outcome_uid=uuid.uuid4().hex,
        to_status=SubmissionStatus.SUBMITTED,
        event_type=EventType.SUBMITTED,
        detail="portal document CP-1",
        portal_reference="CP-1",
        note=note,
    )


class TestOpenInvoices:
    def test_open_invoices_only_eligible(self, store: Store, book: SampleBook) -> None:
        """Only open, complete INV schedules of enrolled accounts in our org are read."""
        numbers = {i.trx_number for i in store.open_invoices()}
        assert numbers == book.eligible_trx_numbers

    def test_open_invoices_one_account(self, store: Store, book: SampleBook) -> None:
        """The read can be narrowed to one customer account (resync)."""
        numbers = {
            i.trx_number for i in store.open_invoices(cust_account_id=book.globex_account_id)
        }
        assert numbers == {"INV-201", "INV-202"}

    def test_open_invoices_money_is_decimal(self, store: Store, book: SampleBook) -> None:
        """Amounts come back exact, never as floats."""
        amounts = {i.trx_number: i.amount_due_remaining for i in store.open_invoices()}
        assert str(amounts["INV-102"]) == "250.50"

    def test_open_invoices_fields_have_their_types(self, store: Store, book: SampleBook) -> None:
        """Each field comes back as its declared type on this backend, not as the driver's raw
        value: the read does no conversion of its own (ids ``int``, due date a ``date`` and not
        Oracle's ``datetime``, money ``Decimal``)."""
        invoices = list(store.open_invoices())
        assert invoices
        expected = {
            "payment_schedule_id": int,
            "customer_trx_id": int,
            "cust_account_id": int,
            "portal_account_id": int,
            "trx_number": str,
            "due_date": dt.date,
            "currency": str,
            "amount_due_remaining": Decimal,
            "org_id": int,
        }
        assert set(expected) == set(OpenInvoice._fields)
        for invoice in invoices:
            types = {name: type(getattr(invoice, name)) for name in expected}
            assert types == expected, invoice


class TestEnqueue:
    def test_enqueue_is_idempotent(self, store: Store, book: SampleBook) -> None:
        """A second enqueue of the same open AR queues nothing new."""
        first = store.enqueue(store.open_invoices())
        second = store.enqueue(store.open_invoices(unqueued_only=False))
        assert first.enqueued == len(book.eligible_trx_numbers)
        assert second.enqueued == 0
        assert second.already_queued == len(book.eligible_trx_numbers)
        assert store.status_counts() == {"PENDING": len(book.eligible_trx_numbers)}

    def test_enqueue_open_invoices_queues_each_once(self, store: Store, book: SampleBook) -> None:
        """The nightly's enqueue reads every open invoice and queues only the new ones, once."""
        first = store.enqueue_open_invoices(run_id="run-1")
        second = store.enqueue_open_invoices(run_id="run-2")
        assert first.enqueued == len(book.eligible_trx_numbers)
        assert (second.enqueued, second.already_queued) == (0, len(book.eligible_trx_numbers))
        assert {s.trx_number for s in store.submissions()} == set(book.eligible_trx_numbers)

    def test_enqueue_writes_an_event_per_item(self, store: Store, book: SampleBook) -> None:
        """Every queued item has its ENQUEUED event."""
        store.enqueue(store.open_invoices())
        for s in store.submissions():
            assert [e["event_type"] for e in store.events(s.submission_id)] == ["ENQUEUED"]


class TestClaim:
    def test_claim_takes_limit_and_sets_lease(
        self, store: Store, book: SampleBook, clock: Clock
    ) -> None:
        """A claim takes at most ``limit`` items, with owner, token, expiry and one more attempt."""
        store.enqueue(store.open_invoices())
        claimed = store.claim(owner="h/1/1", limit=2, lease_s=60)
        assert len(claimed) == 2
        for s in claimed:
            assert s.status is SubmissionStatus.IN_PROGRESS
            assert s.lease_owner == "h/1/1"
            assert s.attempts == 1
            assert s.lease_expires_at == clock.now + dt.timedelta(seconds=60)
            assert not s.needs_lookup

    def test_claim_never_hands_an_item_twice(self, store: Store, book: SampleBook) -> None:
        """Claims from several threads at once never return the same item twice."""
        store.enqueue(store.open_invoices())
        results: list[int] = []
        lock = threading.Lock()

        def worker(name: str) -> None:
            while True:
                got = store.claim(owner=name, limit=1, lease_s=60)
                if not got:
                    return
                with lock:
                    results.extend(s.submission_id for s in got)

        threads = [threading.Thread(target=worker, args=(f"h/{i}/1",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == len(book.eligible_trx_numbers)
        assert max(Counter(results).values()) == 1

    def test_claim_respects_next_attempt_at(
        self, store: Store, book: SampleBook, clock: Clock
    ) -> None:
        """An item scheduled for a later retry is not claimable before its time; one whose
        submit click never happened needs no lookup when it comes back."""
        store.enqueue(store.open_invoices(cust_account_id=book.globex_account_id))
        (first, _second) = store.claim(owner="h/1/1", limit=2, lease_s=60)
        retry = OutcomeRecord(
            outcome_uid=uuid.uuid4().hex,
            to_status=SubmissionStatus.PENDING,
            event_type=EventType.RETRY_SCHEDULED,
            detail="busy",
            retry_after_s=300,
        )
        store.record_outcome(first.submission_id, first.lease_token, retry)
        assert store.claim(owner="h/2/1", limit=5, lease_s=60) == []
        clock.advance(301)
        again = store.claim(owner="h/2/1", limit=5, lease_s=60)
        assert [s.submission_id for s in again] == [first.submission_id]
        assert not again[0].needs_lookup

    def test_claim_by_trx_numbers(self, store: Store, book: SampleBook) -> None:
        """Named invoices can be claimed alone (``arworker submit INV...``)."""
        store.enqueue(store.open_invoices())
        claimed = store.claim(owner="h/1/1", limit=10, lease_s=60, trx_numbers=["INV-202"])
        assert [s.trx_number for s in claimed] == ["INV-202"]


class TestLeases:
    def test_expired_lease_makes_item_uncertain(
        self, store: Store, book: SampleBook, clock: Clock
    ) -> None:
        """A dead worker's item that passed the fence becomes UNCERTAIN and is looked up before
        any upload."""
        store.enqueue(store.open_invoices(cust_account_id=book.globex_account_id))
        claimed = store.claim(owner="h/1/1", limit=1, lease_s=30)
        assert store.start_submit(
            claimed[0].submission_id, claimed[0].lease_token or "", lease_s=30
        )
        clock.advance(10)
        assert store.expire_leases() == 0
        clock.advance(30)
        assert store.expire_leases() == 1
        (row,) = store.submissions(statuses=[SubmissionStatus.UNCERTAIN])
        assert row.submission_id == claimed[0].submission_id
        retaken = store.claim(owner="h/2/1", limit=1, lease_s=30)
        assert retaken[0].submission_id == row.submission_id
        assert retaken[0].needs_lookup

    def test_renew_lease_keeps_item(self, store: Store, book: SampleBook, clock: Clock) -> None:
        """Renewal pushes the expiry; a wrong token renews nothing."""
        store.enqueue(store.open_invoices(cust_account_id=book.globex_account_id))
        (s,) = store.claim(owner="h/1/1", limit=1, lease_s=30)
        clock.advance(20)
        assert store.renew_lease(s.submission_id, s.lease_token or "", lease_s=30)
        assert not store.renew_lease(s.submission_id, "not-the-token", lease_s=30)
        clock.advance(20)
        assert store.expire_leases() == 0

    def test_dead_local_owner_taken_over(self, store: Store, book: SampleBook) -> None:
        """Leases of a dead process of this host are released at once, live ones are kept."""
        store.enqueue(store.open_invoices(cust_account_id=book.globex_account_id))
        store.claim(owner="hostA/100/1", limit=1, lease_s=300)
        store.claim(owner="hostA/200/1", limit=1, lease_s=300)
        released = store.release_dead_owner_leases("hostA/", lambda owner: owner == "hostA/200/1")
        assert released == 1
        statuses = Counter(s.status for s in store.submissions())
        # the dead owner never reached the submit click: simply queued again, no lookup needed
        assert statuses[SubmissionStatus.PENDING] == 1
        assert statuses[SubmissionStatus.IN_PROGRESS] == 1


class TestRecordOutcome:
    def test_outcome_event_and_note_together(self, store: Store, book: SampleBook) -> None:
        """State, event and note are written together; the note carries the IEX contexts."""
        store.enqueue(store.open_invoices(cust_account_id=book.acme_account_id))
        (s,) = store.claim(owner="h/1/1", limit=1, lease_s=60)
        note = CollectionNote(
            cust_account_id=book.acme_account_id,
            party_id=book.acme_party_id,
            payment_schedule_id=s.payment_schedule_id,
            text="arworker: submitted",
        )
        note_id = store.record_outcome(s.submission_id, s.lease_token, submitted_outcome(note))
        assert note_id
        (row,) = store.submissions(trx_numbers=[s.trx_number])
        assert row.status is SubmissionStatus.SUBMITTED
        assert row.portal_reference == "CP-1"
        assert row.lease_token is None and row.submitted_at is not None
        events = store.events(s.submission_id)
        assert events[-1]["event_type"] == "SUBMITTED"
        assert events[-1]["jtf_note_id"] == note_id
        (saved,) = store.notes_for_account(book.acme_account_id)
        assert saved.text == "arworker: submitted"
        assert set(saved.contexts) == {
            ("IEX_ACCOUNT", book.acme_account_id),
            ("PARTY", book.acme_party_id),
            ("IEX_INVOICES", s.payment_schedule_id),
        }

    def test_outcome_applied_once(self, store: Store, book: SampleBook) -> None:
        """Replaying the same outcome (journal) applies nothing the second time."""
        store.enqueue(store.open_invoices(cust_account_id=book.acme_account_id))
        (s,) = store.claim(owner="h/1/1", limit=1, lease_s=60)
        outcome = submitted_outcome(
            CollectionNote(cust_account_id=11, party_id=1, payment_schedule_id=1, text="x")
        )
        assert store.record_outcome(s.submission_id, s.lease_token, outcome)
        assert store.record_outcome(s.submission_id, None, outcome) is None
        assert len(store.notes_for_account(book.acme_account_id)) == 1

    def test_journal_replay_applies_to_uncertain_item(
        self, store: Store, book: SampleBook, clock: Clock
    ) -> None:
        """An outcome journalled by a dead worker still lands once its lease expired."""
        store.enqueue(store.open_invoices(cust_account_id=book.acme_account_id))
        (s,) = store.claim(owner="h/1/1", limit=1, lease_s=30)
        assert store.start_submit(s.submission_id, s.lease_token or "", lease_s=30)
        clock.advance(31)
        store.expire_leases()
        assert store.record_outcome(s.submission_id, None, submitted_outcome()) == 0
        (row,) = store.submissions(trx_numbers=[s.trx_number])
        assert row.status is SubmissionStatus.SUBMITTED

    def test_lost_lease_changes_nothing(self, store: Store, book: SampleBook) -> None:
        """A worker whose token is stale cannot overwrite another worker's item."""
        store.enqueue(store.open_invoices(cust_account_id=book.acme_account_id))
        (s,) = store.claim(owner="h/1/1", limit=1, lease_s=60)
        assert store.record_outcome(s.submission_id, "stale", submitted_outcome()) is None
        (row,) = store.submissions(trx_numbers=[s.trx_number])
        assert row.status is SubmissionStatus.IN_PROGRESS

    def test_long_note_overflows_into_detail(self, store: Store, book: SampleBook) -> None:
        """NOTES holds 2000 characters; the rest is kept in NOTES_DETAIL, nothing lost."""
        text = "arworker: " + "x" * 2500
        store.write_account_note(
            CollectionNote(cust_account_id=11, party_id=1, payment_schedule_id=None, text=text)
        )
        (saved,) = store.notes_for_account(11)
        assert len(saved.text) == 2000
        assert saved.detail is not None
        assert saved.text[:-2] + saved.detail == text


class TestInvoices:
    def test_load_invoice_with_lines_and_pdf(self, store: Store, book: SampleBook) -> None:
        """An invoice comes with its lines and the PDF attached in FND_LOBS."""
        invoice = store.load_invoice(101)
        assert invoice is not None
        assert invoice.trx_number == "INV-101"
        assert invoice.purchase_order == "PO-1"
        assert len(invoice.lines) == 1
        assert invoice.pdf is not None and invoice.pdf.data == PDF_BYTES

    def test_load_invoice_without_pdf(self, store: Store, book: SampleBook) -> None:
        """An invoice without attachment has ``pdf=None`` (the job renders one)."""
        invoice = store.load_invoice(102)
        assert invoice is not None and invoice.pdf is None

    def test_load_invoice_other_org_hidden(self, store: Store, book: SampleBook) -> None:
        """Another operating unit's transaction is not readable."""
        assert store.load_invoice(107) is None


class TestRequeueAndRuns:
    def test_requeue_rejected(self, store: Store, book: SampleBook) -> None:
        """Resync puts rejected items back in the queue with an event."""
        store.enqueue(store.open_invoices(cust_account_id=book.acme_account_id))
        (s,) = store.claim(owner="h/1/1", limit=1, lease_s=60)
        rejected = OutcomeRecord(
            outcome_uid=uuid.uuid4().hex,
            to_status=SubmissionStatus.REJECTED,
            event_type=EventType.REJECTED,
            detail="PO closed",
            error_code="PO_CLOSED",
            error_text="PO is closed",
        )
        store.record_outcome(s.submission_id, s.lease_token, rejected)
        requeued = store.requeue(cust_account_id=book.acme_account_id).requeued
        assert [r.submission_id for r in requeued] == [s.submission_id]
        (row,) = store.submissions(trx_numbers=[s.trx_number])
        assert row.status is SubmissionStatus.PENDING
        assert row.resubmit_count == 1
        assert store.events(s.submission_id)[-1]["event_type"] == "REQUEUED"

    def test_job_run_once_per_slot(self, store: Store, book: SampleBook, clock: Clock) -> None:
        """The same (job, scheduled time) can start only once across a fleet."""
        slot = clock.now
        assert store.start_job_run(
            run_id="r1", job_name="nightly", scheduled_for=slot, worker_name="a"
        )
        assert not store.start_job_run(
            run_id="r2", job_name="nightly", scheduled_for=slot, worker_name="b"
        )
        store.finish_job_run(
            "r1", status="COMPLETED", counts=JobRunCounts(submitted=3), summary="ok"
        )
        (run,) = store.job_runs("nightly")
        assert run["submitted_count"] == 3 and run["status"] == "COMPLETED"
