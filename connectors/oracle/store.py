"""The store: the only door from jobs to the database, one unit of work per verb.

Each public method opens its own transaction inside a tenacity attempt, so a dropped connection
retries the whole unit and never half of one (style rule 4). Jobs get values from
:mod:`connectors.oracle.records`, never rows or connections. The claim is the portable one of
design §8: pick candidates without a lock, take them with a guarded UPDATE, read back what carries
our token; identical SQL on SQLite, PostgreSQL and Oracle, so what CI proves here holds there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from connectors.oracle.ar_reads import (
    open_invoices,
    open_invoices_query,
    open_items_by_kind_query,
    read_invoice,
)
from connectors.oracle.deliveries import DeliveryVerbs
from connectors.oracle.digest_reads import DigestVerbs
from connectors.oracle.documents import read_invoice_pdf
from connectors.oracle.engine import READ_ONLY_OPTION
from connectors.oracle.errors import AlreadyExists, wrap_db_errors
from connectors.oracle.invoice_standing import InvoiceStandingVerbs
from connectors.oracle.job_runs import JobRunVerbs
from connectors.oracle.notes import read_notes, write_note
from connectors.oracle.portal_pauses import PortalPauseVerbs
from connectors.oracle.portal_status import PortalStatusVerbs
from connectors.oracle.queue_leases import LeaseVerbs
from connectors.oracle.records import (
    CollectionNote,
    EnqueueResult,
    EventType,
    InvoiceRecord,
    NoteRecord,
    OpenInvoice,
    OutcomeRecord,
    PortalAccountRecord,
    Requeued,
    Submission,
    SubmissionStatus,
)
from connectors.oracle.report_verbs import ReportVerbs
from connectors.oracle.resync_requests import ResyncRequestVerbs
from connectors.oracle.schema_probe import SchemaProbeVerbs
from connectors.oracle.unit_of_work import clip_text
from connectors.oracle.workspace_verbs import WorkspaceVerbs

STREAM_BATCH_ROWS = 500
ENQUEUE_BATCH_ROWS = 500


class Store(
    LeaseVerbs,
    PortalPauseVerbs,
    JobRunVerbs,
    ResyncRequestVerbs,
    PortalStatusVerbs,
    SchemaProbeVerbs,
    InvoiceStandingVerbs,
    ReportVerbs,
    DeliveryVerbs,
    DigestVerbs,
    WorkspaceVerbs,
):
    """Domain verbs over the EBS schema and the worker's XX_ARW_ tables."""

    # ---- reads -----------------------------------------------------------------------------

    def portal_accounts(
        self, *, account_number: str | None = None, enabled_only: bool = True
    ) -> list[PortalAccountRecord]:
        """Enrolled customer accounts with their portal, optionally one account."""
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        query = (
            sa.select(pa, acct.c.account_number, acct.c.account_name, acct.c.party_id)
            .join(acct, acct.c.cust_account_id == pa.c.cust_account_id)
            .where(pa.c.org_id.in_(self.org_ids))
            .order_by(acct.c.account_number, pa.c.portal_code)
        )
        if enabled_only:
            query = query.where(pa.c.enabled_flag == True)  # noqa: E712
        if account_number is not None:
            query = query.where(acct.c.account_number == account_number)
        return self._read(lambda c: [PortalAccountRecord.from_row(r) for r in c.execute(query)])

    def account_id(self, account_number: str) -> int | None:
        """HZ_CUST_ACCOUNTS id of an account number, or None."""
        acct = self._t["hz_cust_accounts"]
        value = self._read(
            lambda c: c.execute(
                sa.select(acct.c.cust_account_id).where(acct.c.account_number == account_number)
            ).scalar_one_or_none()
        )
        return None if value is None else int(value)

    def open_invoices(
        self, *, cust_account_id: int | None = None, unqueued_only: bool = True
    ) -> Iterator[OpenInvoice]:
        """Stream open invoices of enrolled accounts; memory does not grow with the book."""
        query = open_invoices_query(
            self.md,
            org_ids=self.org_ids,
            include_debit_memos=self.include_debit_memos,
            cust_account_id=cust_account_id,
            unqueued_only=unqueued_only,
        )
        with (
            wrap_db_errors(),
            self.engine.connect().execution_options(
                yield_per=STREAM_BATCH_ROWS, **{READ_ONLY_OPTION: True}
            ) as conn,
        ):
            try:
                # a batch at a time: per-row iteration of a Result costs as much as the driver
                for rows in conn.execute(query).partitions():
                    yield from open_invoices(rows)
            finally:
                conn.rollback()

    def open_items_by_kind(
        self, *, cust_account_id: int | None = None
    ) -> list[tuple[str, bool, bool, int]]:
        """Open schedules of enrolled accounts: (class, amount positive, complete, count)."""
        query = open_items_by_kind_query(
            self.md, org_ids=self.org_ids, cust_account_id=cust_account_id
        )

        def work(conn: sa.Connection) -> list[tuple[str, bool, bool, int]]:
            rows: list[Any] = list(conn.execute(query).all())
            return [(str(r[0]), r[1] == "Y", bool(r[2]), int(r[3])) for r in rows]

        return self._read(work)

    def load_invoice(self, customer_trx_id: int) -> InvoiceRecord | None:
        """An invoice with lines and its EBS PDF (``pdf=None`` when EBS has none)."""

        def work(conn: sa.Connection) -> InvoiceRecord | None:
            invoice = read_invoice(conn, self.md, customer_trx_id, org_ids=self.org_ids)
            if invoice is None:
                return None
            pdf = read_invoice_pdf(conn, self.md, customer_trx_id)
            return InvoiceRecord(**{**_fields(invoice), "pdf": pdf})

        return self._read(work)

    def submissions(
        self,
        *,
        cust_account_id: int | None = None,
        statuses: Iterable[SubmissionStatus] | None = None,
        trx_numbers: Iterable[str] | None = None,
        submission_ids: Iterable[int] | None = None,
    ) -> list[Submission]:
        """Submission rows, for jobs that act on a set and for summaries and tests."""
        sub = self._t["xx_arw_submissions"]
        query = sa.select(sub).order_by(sub.c.submission_id)
        if submission_ids is not None:
            query = query.where(sub.c.submission_id.in_(list(submission_ids)))
        if cust_account_id is not None:
            query = query.where(sub.c.cust_account_id == cust_account_id)
        if statuses is not None:
            query = query.where(sub.c.status.in_([s.value for s in statuses]))
        if trx_numbers is not None:
            query = query.where(sub.c.trx_number.in_(list(trx_numbers)))
        return self._read(lambda c: [Submission.from_row(r) for r in c.execute(query)])

    def notes_for_account(self, cust_account_id: int) -> list[NoteRecord]:
        return self._read(lambda c: read_notes(c, self.md, cust_account_id))

    def events(self, submission_id: int) -> list[dict[str, Any]]:
        """The event history of one submission, oldest first."""
        ev = self._t["xx_arw_events"]
        return self._read(
            lambda c: [
                dict(r._mapping)
                for r in c.execute(
                    sa.select(ev).where(ev.c.submission_id == submission_id).order_by(ev.c.event_id)
                )
            ]
        )

    def status_counts(self) -> dict[str, int]:
        sub = self._t["xx_arw_submissions"]
        rows = self._read(
            lambda c: c.execute(
                sa.select(sub.c.status, sa.func.count()).group_by(sub.c.status)
            ).all()
        )
        return {str(status): int(n) for status, n in rows}

    # ---- the queue -------------------------------------------------------------------------

    def enqueue(
        self, invoices: Iterable[OpenInvoice], *, run_id: str | None = None
    ) -> EnqueueResult:
        """Queue invoices that have no submission row yet; safe to call twice or concurrently."""
        enqueued = already = 0
        batch: list[OpenInvoice] = []
        for invoice in invoices:
            batch.append(invoice)
            if len(batch) >= ENQUEUE_BATCH_ROWS:
                e, a = self._enqueue_batch(batch, run_id)
                enqueued, already, batch = enqueued + e, already + a, []
        if batch:
            e, a = self._enqueue_batch(batch, run_id)
            enqueued, already = enqueued + e, already + a
        return EnqueueResult(enqueued=enqueued, already_queued=already)

    def enqueue_open_invoices(
        self, *, cust_account_id: int | None = None, run_id: str | None = None
    ) -> EnqueueResult:
        """Queue every open invoice that has no submission row yet (the nightly's and a resync's
        first step).

        The read streams *every* open invoice, not only the unqueued ones: filtering them with
        an anti-join against the table this very call fills let PostgreSQL keep the plan it chose
        while the table was empty (a nested-loop anti-join scanning that table for every row
        read), which grows with the square of the book. Each batch's own look-up of what is
        already queued (one query per batch) keeps it exactly-once.
        """
        return self.enqueue(
            self.open_invoices(cust_account_id=cust_account_id, unqueued_only=False),
            run_id=run_id,
        )

    def _enqueue_batch(self, batch: list[OpenInvoice], run_id: str | None) -> tuple[int, int]:
        sub = self._t["xx_arw_submissions"]

        def work(conn: sa.Connection) -> tuple[int, int]:
            now = self.clock()
            existing = {
                (int(r.customer_trx_id), int(r.portal_account_id))
                for r in conn.execute(
                    sa.select(sub.c.customer_trx_id, sub.c.portal_account_id).where(
                        sub.c.customer_trx_id.in_([i.customer_trx_id for i in batch])
                    )
                )
            }
            fresh = [i for i in batch if (i.customer_trx_id, i.portal_account_id) not in existing]
            rows = [self._new_submission(invoice, now) for invoice in fresh]
            inserted = 0
            try:
                if rows:  # one executemany, not a savepoint and an INSERT per invoice
                    with conn.begin_nested():
                        conn.execute(sa.insert(sub), rows)
                    inserted = len(rows)
            except sa.exc.IntegrityError:
                # another worker queued some of them between our read and insert: one by one
                for row in rows:
                    try:
                        with conn.begin_nested():
                            conn.execute(sa.insert(sub).values(**row))
                        inserted += 1
                    except sa.exc.IntegrityError:
                        continue
            if inserted:
                self._events_for_new(conn, [i.customer_trx_id for i in fresh], run_id, now)
            return inserted, len(batch) - inserted

        return self._unit(work)

    def _new_submission(self, invoice: OpenInvoice, now: dt.datetime) -> dict[str, Any]:
        return {
            "customer_trx_id": invoice.customer_trx_id,
            "payment_schedule_id": invoice.payment_schedule_id,
            "cust_account_id": invoice.cust_account_id,
            "portal_account_id": invoice.portal_account_id,
            "trx_number": invoice.trx_number,
            "portal_invoice_number": invoice.trx_number,
            "status": SubmissionStatus.PENDING.value,
            "attempts": 0,
            "resubmit_count": 0,
            "enqueued_at": now,
            "org_id": invoice.org_id,
            **self._who(now, insert=True),
        }

    def _events_for_new(
        self, conn: sa.Connection, trx_ids: list[int], run_id: str | None, now: dt.datetime
    ) -> None:
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]
        rows = conn.execute(
            sa.select(sub.c.submission_id, sub.c.cust_account_id).where(
                sub.c.customer_trx_id.in_(trx_ids),
                sub.c.status == SubmissionStatus.PENDING.value,
                sub.c.attempts == 0,
            )
        ).all()
        if rows:
            conn.execute(
                sa.insert(ev),
                [
                    {
                        "submission_id": r.submission_id,
                        "cust_account_id": r.cust_account_id,
                        "event_type": EventType.ENQUEUED.value,
                        "to_status": SubmissionStatus.PENDING.value,
                        "detail": "queued for portal submission",
                        "run_id": run_id,
                        **self._who(now, insert=True),
                    }
                    for r in rows
                ],
            )

    def record_outcome(
        self,
        submission_id: int,
        token: str | None,
        outcome: OutcomeRecord,
        *,
        reset_attempts_to: int | None = None,
        refund_attempt: bool = False,
    ) -> int | None:
        """Apply an attempt's outcome, its event and its note in one transaction.

        Guarded twice: by the lease token (a worker that lost its lease changes nothing) and by
        ``outcome_uid`` (unique on the events table, so replaying an outcome from the journal after
        a crash cannot apply it twice). Returns the note id, ``0`` when no note was asked, or
        ``None`` when nothing was applied.
        """
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> int | None:
            now = self.clock()
            db_now = self._db_now(conn)
            seen = conn.execute(
                sa.select(ev.c.event_id).where(ev.c.outcome_uid == outcome.outcome_uid)
            ).first()
            if seen is not None:
                return None
            guard = [sub.c.submission_id == submission_id]
            if token is not None:
                guard.append(sub.c.lease_token == token)
            else:  # journal replay: only while nobody else has resolved the item
                guard.append(
                    sub.c.status.in_(
                        [SubmissionStatus.IN_PROGRESS.value, SubmissionStatus.UNCERTAIN.value]
                    )
                )
            current = conn.execute(
                sa.select(sub.c.status, sub.c.cust_account_id).where(*guard)
            ).first()
            if current is None:
                return None
            values: dict[str, Any] = {
                "status": outcome.to_status.value,
                "lease_owner": None,
                "lease_token": None,
                "lease_expires_at": None,
                "next_attempt_at": None
                if outcome.retry_after_s is None
                else db_now + dt.timedelta(seconds=outcome.retry_after_s),
                "last_error_code": outcome.error_code,
                "last_error_text": clip_text(outcome.error_text),
                **self._who(now, insert=False),
            }
            if outcome.artifact_path is not None:
                values["artifact_path"] = outcome.artifact_path
            if outcome.portal_reference is not None:
                values["portal_reference"] = outcome.portal_reference
            if outcome.portal_invoice_number is not None:
                values["portal_invoice_number"] = outcome.portal_invoice_number
            if outcome.to_status is SubmissionStatus.SUBMITTED:
                values["submitted_at"] = now
                values["next_status_check_at"] = None  # a new submission: its verdict is due
            if reset_attempts_to is not None:
                values["attempts"] = max(0, reset_attempts_to)
            elif refund_attempt:
                # relative, not absolute: an attempt an outage took back meanwhile stays back
                values["attempts"] = sa.case((sub.c.attempts > 0, sub.c.attempts - 1), else_=0)
            updated = conn.execute(sa.update(sub).where(*guard).values(**values))
            if updated.rowcount != 1:
                return None
            note_id = 0
            if outcome.note is not None:
                note_id = write_note(conn, self.md, outcome.note, self.notes, now=now)
            conn.execute(
                sa.insert(ev).values(
                    submission_id=submission_id,
                    cust_account_id=current.cust_account_id,
                    event_type=outcome.event_type.value,
                    from_status=current.status,
                    to_status=outcome.to_status.value,
                    detail=clip_text(outcome.detail),
                    outcome_uid=outcome.outcome_uid,
                    run_id=outcome.run_id,
                    jtf_note_id=note_id or None,
                    **self._who(now, insert=True),
                )
            )
            return note_id

        try:
            return self._unit(work)
        except AlreadyExists:
            return None  # a concurrent replay of the same outcome won the unique key

    def requeue(
        self,
        *,
        cust_account_id: int | None = None,
        submission_ids: Sequence[int] | None = None,
        statuses: Sequence[SubmissionStatus] = (
            SubmissionStatus.REJECTED,
            SubmissionStatus.FAILED,
            SubmissionStatus.UNCERTAIN,
        ),
        run_id: str | None = None,
        reason: str = "re-queued by resync",
    ) -> Requeued:
        """Put an account's (or the named) rejected/failed/uncertain items back in the queue.

        An item the portal holds (disputed or rejected there after submission) goes back under a
        new number when its portal account demands one (``NEW_NUMBER_ON_RESUBMIT``): such portals
        refuse a number they have seen, even for a corrected invoice. Where the portal takes no
        new number, re-uploading under the same one can only be refused as a duplicate: such an
        item is not re-queued but returned as ``held_on_portal`` (someone resolves it on the
        portal; resync re-reads its verdict there). An UNCERTAIN item stays UNCERTAIN (it is
        looked up before anything else) with its attempts reset. Nothing here clears "submit
        started": an item that may ever have reached the portal is looked up first, forever.
        """
        if cust_account_id is None and submission_ids is None:
            raise ValueError("requeue needs an account or submission ids, never the whole queue")
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> Requeued:
            now = self.clock()
            query = (
                sa.select(sub, pa.c.new_number_on_resubmit)
                .join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
                .where(sub.c.status.in_([s.value for s in statuses]))
                .order_by(sub.c.submission_id)
            )
            if cust_account_id is not None:
                query = query.where(sub.c.cust_account_id == cust_account_id)
            if submission_ids is not None:
                query = query.where(sub.c.submission_id.in_(list(submission_ids)))
            rows = [
                (Submission.from_row(r), bool(r.new_number_on_resubmit))
                for r in conn.execute(query)
            ]
            requeued: list[Submission] = []
            held: list[Submission] = []
            for s, new_number in rows:
                on_portal = s.portal_reference is not None
                if on_portal and not new_number and s.status is SubmissionStatus.REJECTED:
                    held.append(s)
                    continue
                number = s.portal_invoice_number
                if new_number and on_portal:
                    number = f"{s.trx_number}-R{s.resubmit_count + 1}"
                uncertain = s.status is SubmissionStatus.UNCERTAIN
                to_status = SubmissionStatus.UNCERTAIN if uncertain else SubmissionStatus.PENDING
                changed = conn.execute(
                    sa.update(sub)
                    .where(sub.c.submission_id == s.submission_id, sub.c.status == s.status.value)
                    .values(
                        status=to_status.value,
                        next_attempt_at=None,
                        attempts=s.attempts if s.status is SubmissionStatus.REJECTED else 0,
                        resubmit_count=s.resubmit_count + (0 if uncertain else 1),
                        portal_invoice_number=number,
                        portal_reference=None
                        if number != s.portal_invoice_number
                        else s.portal_reference,
                        portal_status=None
                        if number != s.portal_invoice_number
                        else s.portal_status,
                        next_status_check_at=None,
                        **self._who(now, insert=False),
                    )
                )
                if changed.rowcount != 1:
                    continue  # a worker changed it meanwhile: not ours to re-queue
                detail = reason
                if uncertain:
                    detail = f"{reason}: looked up on the portal again now"
                elif number != s.portal_invoice_number:
                    detail += f" as {number} (the portal wants a new number)"
                conn.execute(
                    sa.insert(ev).values(
                        submission_id=s.submission_id,
                        cust_account_id=s.cust_account_id,
                        event_type=EventType.REQUEUED.value,
                        from_status=s.status.value,
                        to_status=to_status.value,
                        detail=detail,
                        run_id=run_id,
                        **self._who(now, insert=True),
                    )
                )
                requeued.append(s)
            return Requeued(requeued=tuple(requeued), held_on_portal=tuple(held))

        return self._unit(work)

    def refund_attempt(
        self, submission_id: int, *, attempts: int, reason: str, run_id: str | None = None
    ) -> bool:
        """Give back attempt number ``attempts``, which an outage, not the invoice, used; the
        item is due as soon as the portal is back. Relative (one less), so it holds even when
        the item was claimed again meanwhile; never below that attempt's number less one."""
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> bool:
            now = self.clock()
            result = conn.execute(
                sa.update(sub)
                .where(
                    sub.c.submission_id == submission_id,
                    sub.c.status.in_(
                        [
                            SubmissionStatus.PENDING.value,
                            SubmissionStatus.UNCERTAIN.value,
                            SubmissionStatus.IN_PROGRESS.value,
                        ]
                    ),
                    sub.c.attempts >= attempts,
                    sub.c.attempts > 0,
                )
                .values(
                    attempts=sub.c.attempts - 1,
                    next_attempt_at=None,
                    **self._who(now, insert=False),
                )
            )
            if result.rowcount != 1:
                return False
            status, cust_account_id = conn.execute(
                sa.select(sub.c.status, sub.c.cust_account_id).where(
                    sub.c.submission_id == submission_id
                )
            ).one()
            conn.execute(
                sa.insert(ev).values(
                    submission_id=submission_id,
                    cust_account_id=cust_account_id,
                    event_type=EventType.RELEASED.value,
                    from_status=status,
                    to_status=status,
                    detail=clip_text(reason),
                    run_id=run_id,
                    **self._who(now, insert=True),
                )
            )
            return True

        return self._unit(work)

    def queue_depth_by_portal_account(self) -> dict[int, int]:
        """Queued items (PENDING or UNCERTAIN) per portal account."""
        sub = self._t["xx_arw_submissions"]
        query = (
            sa.select(sub.c.portal_account_id, sa.func.count())
            .where(
                sub.c.status.in_([SubmissionStatus.PENDING.value, SubmissionStatus.UNCERTAIN.value])
            )
            .group_by(sub.c.portal_account_id)
        )
        return self._read(lambda c: {int(a): int(n) for a, n in c.execute(query)})

    def write_account_note(self, note: CollectionNote) -> int:
        """A note that belongs to no single submission (resync summary, portal alerts)."""
        return self._unit(lambda c: write_note(c, self.md, note, self.notes, now=self.clock()))


def _fields(record: InvoiceRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}
