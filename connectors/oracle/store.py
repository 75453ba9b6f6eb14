"""The store: the only door from jobs to the database, one unit of work per verb.

Each public method opens its own transaction inside a tenacity attempt, so a dropped connection
retries the whole unit and never half of one (style rule 4). Jobs get values from
:mod:`connectors.oracle.records`, never rows or connections. The claim is the portable one of
design §8: pick candidates without a lock, take them with a guarded UPDATE, read back what carries
our token; identical SQL on SQLite, PostgreSQL and Oracle, so what CI proves here holds there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine, MetaData

from connectors.oracle.ar_reads import open_invoices_query, read_invoice
from connectors.oracle.documents import read_invoice_pdf
from connectors.oracle.engine import READ_ONLY_OPTION
from connectors.oracle.errors import AlreadyExists, wrap_db_errors
from connectors.oracle.notes import NoteSettings, read_notes, write_note
from connectors.oracle.records import (
    CLAIMABLE_STATUSES,
    CollectionNote,
    EnqueueResult,
    InvoiceRecord,
    JobRunCounts,
    NoteRecord,
    OpenInvoice,
    OutcomeRecord,
    PortalAccountRecord,
    PortalStatusChange,
    ResyncRequest,
    Submission,
    SubmissionStatus,
)
from connectors.oracle.retry import RetrySettings
from connectors.oracle.tables import WORKER_TABLES, build_metadata

T = TypeVar("T")

STREAM_BATCH_ROWS = 500
CLAIM_CANDIDATE_FACTOR = 3
ENQUEUE_BATCH_ROWS = 500
ERROR_TEXT_MAX_CHARS = 2000

EVENT_ENQUEUED = "ENQUEUED"
EVENT_CLAIMED = "CLAIMED"
EVENT_LEASE_EXPIRED = "LEASE_EXPIRED"
EVENT_REQUEUED = "REQUEUED"
EVENT_PORTAL_STATUS = "PORTAL_STATUS"
#: portal verdicts after which an invoice is not polled again
FINAL_PORTAL_STATUSES = ("PAID", "VOIDED")
RESYNC_PENDING = "PENDING"
RESYNC_RUNNING = "RUNNING"
RESYNC_DONE = "DONE"
RESYNC_FAILED = "FAILED"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """Domain verbs over the EBS schema and the worker's XX_ARW_ tables."""

    def __init__(
        self,
        engine: Engine,
        *,
        org_ids: Sequence[int],
        include_debit_memos: bool = False,
        notes: NoteSettings | None = None,
        retry: RetrySettings | None = None,
        metadata: MetaData | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.md = metadata if metadata is not None else build_metadata()
        self.org_ids = tuple(org_ids)
        self.include_debit_memos = include_debit_memos
        self.notes = notes or NoteSettings()
        self.retry = retry or RetrySettings()
        self.clock = clock
        self._t = self.md.tables

    # ---- plumbing --------------------------------------------------------------------------

    def _unit(self, work: Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in one transaction, retried whole on transient database errors."""
        for attempt in self.retry.retrying():
            with attempt, wrap_db_errors(), self.engine.begin() as conn:
                return work(conn)
        raise AssertionError("unreachable: tenacity re-raises")  # pragma: no cover

    def _read(self, work: Callable[[sa.Connection], T]) -> T:
        """Like :meth:`_unit`, for reads (SQLite takes no write lock for them)."""
        for attempt in self.retry.retrying():
            with (
                attempt,
                wrap_db_errors(),
                self.engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as conn,
            ):
                try:
                    return work(conn)
                finally:
                    conn.rollback()
        raise AssertionError("unreachable: tenacity re-raises")  # pragma: no cover

    def _who(self, now: dt.datetime, *, insert: bool) -> dict[str, Any]:
        who: dict[str, Any] = {
            "last_updated_by": self.notes.entered_by,
            "last_update_date": now,
        }
        if insert:
            who |= {"created_by": self.notes.entered_by, "creation_date": now}
        return who

    # ---- schema ----------------------------------------------------------------------------

    def create_schema(self, *, include_ebs_stand_ins: bool) -> None:
        """Create the worker's tables (and, for the embedded default, the EBS stand-ins).

        DDL commits implicitly on Oracle, so it never runs inside a unit of work with data.
        """
        names = list(WORKER_TABLES)
        if include_ebs_stand_ins:
            names = [t.name for t in self.md.sorted_tables]
        with wrap_db_errors():
            self.md.create_all(self.engine, tables=[self._t[n] for n in names], checkfirst=True)

    def drop_schema(self) -> None:
        """Drop every table of the metadata (tests and the demo's reset only)."""
        with wrap_db_errors():
            self.md.drop_all(self.engine, checkfirst=True)

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
                for row in conn.execute(query):
                    yield OpenInvoice.from_row(row)
            finally:
                conn.rollback()

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
    ) -> list[Submission]:
        """Submission rows, for jobs that act on a set and for summaries and tests."""
        sub = self._t["xx_arw_submissions"]
        query = sa.select(sub).order_by(sub.c.submission_id)
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
            inserted = 0
            for invoice in fresh:
                try:
                    with conn.begin_nested():
                        conn.execute(sa.insert(sub).values(**self._new_submission(invoice, now)))
                    inserted += 1
                except sa.exc.IntegrityError:
                    continue  # another worker queued it between our read and insert
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
                        "event_type": EVENT_ENQUEUED,
                        "to_status": SubmissionStatus.PENDING.value,
                        "detail": "queued for portal submission",
                        "run_id": run_id,
                        **self._who(now, insert=True),
                    }
                    for r in rows
                ],
            )

    def expire_leases(self, *, run_id: str | None = None) -> int:
        """IN_PROGRESS rows whose lease ran out become UNCERTAIN: their worker died mid-flight."""
        return self._make_uncertain(
            lambda sub, now: sa.and_(
                sub.c.status == SubmissionStatus.IN_PROGRESS.value, sub.c.lease_expires_at < now
            ),
            reason="lease expired: the worker holding it stopped; look it up on the portal first",
            run_id=run_id,
        )

    def release_dead_owner_leases(
        self, owner_prefix: str, is_alive: Callable[[str], bool], *, run_id: str | None = None
    ) -> int:
        """Take over at once the leases of processes of this host that no longer exist."""
        sub = self._t["xx_arw_submissions"]
        owners = self._read(
            lambda c: [
                str(o)
                for (o,) in c.execute(
                    sa.select(sub.c.lease_owner)
                    .where(
                        sub.c.status == SubmissionStatus.IN_PROGRESS.value,
                        sub.c.lease_owner.like(owner_prefix + "%"),
                    )
                    .distinct()
                )
            ]
        )
        dead = [o for o in owners if not is_alive(o)]
        if not dead:
            return 0
        return self._make_uncertain(
            lambda s, _now: sa.and_(
                s.c.status == SubmissionStatus.IN_PROGRESS.value, s.c.lease_owner.in_(dead)
            ),
            reason="the worker process holding it is gone; look it up on the portal first",
            run_id=run_id,
        )

    def _make_uncertain(
        self,
        condition: Callable[[sa.Table, dt.datetime], sa.ColumnElement[bool]],
        *,
        reason: str,
        run_id: str | None,
    ) -> int:
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> int:
            now = self.clock()
            rows = conn.execute(
                sa.select(sub.c.submission_id, sub.c.cust_account_id, sub.c.lease_token).where(
                    condition(sub, now)
                )
            ).all()
            changed = 0
            for r in rows:
                result = conn.execute(
                    sa.update(sub)
                    .where(
                        sub.c.submission_id == r.submission_id,
                        sub.c.status == SubmissionStatus.IN_PROGRESS.value,
                        sub.c.lease_token == r.lease_token,
                    )
                    .values(
                        status=SubmissionStatus.UNCERTAIN.value,
                        lease_owner=None,
                        lease_token=None,
                        lease_expires_at=None,
                        **self._who(now, insert=False),
                    )
                )
                if result.rowcount == 1:
                    changed += 1
                    conn.execute(
                        sa.insert(ev).values(
                            submission_id=r.submission_id,
                            cust_account_id=r.cust_account_id,
                            event_type=EVENT_LEASE_EXPIRED,
                            from_status=SubmissionStatus.IN_PROGRESS.value,
                            to_status=SubmissionStatus.UNCERTAIN.value,
                            detail=reason,
                            run_id=run_id,
                            **self._who(now, insert=True),
                        )
                    )
            return changed

        return self._unit(work)

    def claim(
        self,
        *,
        owner: str,
        limit: int,
        lease_s: float,
        portal_account_ids: Sequence[int] | None = None,
        exclude_portal_account_ids: Sequence[int] = (),
        trx_numbers: Sequence[str] | None = None,
        cust_account_id: int | None = None,
        run_id: str | None = None,
    ) -> list[Submission]:
        """Claim up to ``limit`` due submissions for ``owner`` (design §8, the portable claim)."""
        sub = self._t["xx_arw_submissions"]
        token = uuid.uuid4().hex
        claimable = [s.value for s in CLAIMABLE_STATUSES]

        def candidates(conn: sa.Connection, now: dt.datetime, skip: set[int]) -> list[int]:
            query = (
                sa.select(sub.c.submission_id)
                .where(
                    sub.c.status.in_(claimable),
                    sa.or_(sub.c.next_attempt_at.is_(None), sub.c.next_attempt_at <= now),
                )
                .order_by(sub.c.submission_id)
                .limit(limit * CLAIM_CANDIDATE_FACTOR + len(skip))
            )
            if portal_account_ids is not None:
                query = query.where(sub.c.portal_account_id.in_(list(portal_account_ids)))
            if exclude_portal_account_ids:
                query = query.where(
                    sub.c.portal_account_id.not_in(list(exclude_portal_account_ids))
                )
            if trx_numbers is not None:
                query = query.where(sub.c.trx_number.in_(list(trx_numbers)))
            if cust_account_id is not None:
                query = query.where(sub.c.cust_account_id == cust_account_id)
            return [int(i) for (i,) in conn.execute(query) if int(i) not in skip]

        def take(ids: list[int], now: dt.datetime) -> int:
            def work(conn: sa.Connection) -> int:
                result = conn.execute(
                    sa.update(sub)
                    .where(
                        sub.c.submission_id.in_(ids),
                        sub.c.status.in_(claimable),
                        sa.or_(sub.c.lease_expires_at.is_(None), sub.c.lease_expires_at < now),
                    )
                    .values(
                        status=SubmissionStatus.IN_PROGRESS.value,
                        lease_owner=owner,
                        lease_token=token,
                        lease_expires_at=now + dt.timedelta(seconds=lease_s),
                        attempts=sub.c.attempts + 1,
                        **self._who(now, insert=False),
                    )
                )
                return int(result.rowcount)

            return self._unit(work)

        taken = 0
        tried: set[int] = set()
        while taken < limit:
            now = self.clock()
            ids = self._read(lambda c, now=now: candidates(c, now, tried))  # type: ignore[misc]
            if not ids:
                break
            chunk = ids[: limit - taken]
            tried.update(chunk)
            taken += take(chunk, now)
        if taken == 0:
            return []
        claimed = self._read(
            lambda c: [
                Submission.from_row(r)
                for r in c.execute(
                    sa.select(sub).where(sub.c.lease_token == token).order_by(sub.c.submission_id)
                )
            ]
        )
        self._claim_events(claimed, run_id)
        return claimed

    def _claim_events(self, claimed: list[Submission], run_id: str | None) -> None:
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            conn.execute(
                sa.insert(ev),
                [
                    {
                        "submission_id": s.submission_id,
                        "cust_account_id": s.cust_account_id,
                        "event_type": EVENT_CLAIMED,
                        "to_status": SubmissionStatus.IN_PROGRESS.value,
                        "detail": f"attempt {s.attempts} by {s.lease_owner}",
                        "run_id": run_id,
                        **self._who(now, insert=True),
                    }
                    for s in claimed
                ],
            )

        self._unit(work)

    def renew_lease(self, submission_id: int, token: str, *, lease_s: float) -> bool:
        """Push the lease forward during a long upload; False if the lease was lost."""
        sub = self._t["xx_arw_submissions"]

        def work(conn: sa.Connection) -> bool:
            now = self.clock()
            result = conn.execute(
                sa.update(sub)
                .where(
                    sub.c.submission_id == submission_id,
                    sub.c.lease_token == token,
                    sub.c.status == SubmissionStatus.IN_PROGRESS.value,
                )
                .values(lease_expires_at=now + dt.timedelta(seconds=lease_s))
            )
            return bool(result.rowcount == 1)

        return self._unit(work)

    def record_outcome(
        self,
        submission_id: int,
        token: str | None,
        outcome: OutcomeRecord,
        *,
        reset_attempts_to: int | None = None,
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
                "next_attempt_at": outcome.next_attempt_at,
                "last_error_code": outcome.error_code,
                "last_error_text": _clip(outcome.error_text),
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
            if reset_attempts_to is not None:
                values["attempts"] = max(0, reset_attempts_to)
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
                    event_type=outcome.event_type,
                    from_status=current.status,
                    to_status=outcome.to_status.value,
                    detail=_clip(outcome.detail),
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

    def submissions_to_poll(self, *, cust_account_id: int | None = None) -> list[Submission]:
        """Submitted invoices whose portal verdict is not final yet (not paid, not voided)."""
        sub = self._t["xx_arw_submissions"]
        query = (
            sa.select(sub)
            .where(
                sub.c.status == SubmissionStatus.SUBMITTED.value,
                sa.or_(
                    sub.c.portal_status.is_(None),
                    sub.c.portal_status.not_in(list(FINAL_PORTAL_STATUSES)),
                ),
            )
            .order_by(sub.c.portal_account_id, sub.c.submission_id)
        )
        if cust_account_id is not None:
            query = query.where(sub.c.cust_account_id == cust_account_id)
        return self._read(lambda c: [Submission.from_row(r) for r in c.execute(query)])

    def record_portal_status(
        self, submission_id: int, *, seen: str | None, change: PortalStatusChange
    ) -> int | None:
        """Store a new portal verdict with its event and (on a transition) its note, at once.

        Guarded by the verdict the caller saw (``seen``): two workers polling the same invoice
        cannot both record the same transition, so each transition has exactly one note.
        Returns the note id, ``0`` without a note, ``None`` when someone else got there first.
        """
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> int | None:
            now = self.clock()
            same = sub.c.portal_status.is_(None) if seen is None else sub.c.portal_status == seen
            guard = [
                sub.c.submission_id == submission_id,
                sub.c.status == SubmissionStatus.SUBMITTED.value,
                same,
            ]
            current = conn.execute(sa.select(sub.c.cust_account_id).where(*guard)).first()
            if current is None:
                return None
            values: dict[str, Any] = {
                "portal_status": change.portal_status,
                "portal_status_at": now,
                "portal_status_reason": _clip(change.reason),
                "projected_pay_date": change.projected_pay_date,
                "payment_date": change.payment_date,
                "payment_reference": change.payment_reference,
                **self._who(now, insert=False),
            }
            if change.to_status is not None:
                values |= {
                    "status": change.to_status.value,
                    "last_error_code": change.error_code,
                    "last_error_text": _clip(change.reason),
                }
            conn.execute(sa.update(sub).where(*guard).values(**values))
            note_id = 0
            if change.note is not None:
                note_id = write_note(conn, self.md, change.note, self.notes, now=now)
            conn.execute(
                sa.insert(ev).values(
                    submission_id=submission_id,
                    cust_account_id=current.cust_account_id,
                    event_type=EVENT_PORTAL_STATUS,
                    from_status=seen,
                    to_status=change.portal_status,
                    detail=_clip(change.detail),
                    run_id=change.run_id,
                    jtf_note_id=note_id or None,
                    **self._who(now, insert=True),
                )
            )
            return note_id

        return self._unit(work)

    def requeue(
        self,
        *,
        cust_account_id: int,
        statuses: Sequence[SubmissionStatus] = (SubmissionStatus.REJECTED, SubmissionStatus.FAILED),
        run_id: str | None = None,
    ) -> list[Submission]:
        """Put an account's rejected/failed items back in the queue (resync), with events.

        An item the portal already holds (it was disputed or rejected after submission) goes
        back under a new number when its portal account demands one (``NEW_NUMBER_ON_RESUBMIT``):
        such portals refuse a number they have seen, even for a corrected invoice.
        """
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> list[Submission]:
            now = self.clock()
            rows = [
                (Submission.from_row(r), bool(r.new_number_on_resubmit))
                for r in conn.execute(
                    sa.select(sub, pa.c.new_number_on_resubmit)
                    .join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
                    .where(
                        sub.c.cust_account_id == cust_account_id,
                        sub.c.status.in_([s.value for s in statuses]),
                    )
                )
            ]
            for s, new_number in rows:
                number = s.portal_invoice_number
                if new_number and s.portal_reference is not None:
                    number = f"{s.trx_number}-R{s.resubmit_count + 1}"
                conn.execute(
                    sa.update(sub)
                    .where(sub.c.submission_id == s.submission_id, sub.c.status == s.status.value)
                    .values(
                        status=SubmissionStatus.PENDING.value,
                        next_attempt_at=None,
                        attempts=0 if s.status is SubmissionStatus.FAILED else s.attempts,
                        resubmit_count=s.resubmit_count + 1,
                        portal_invoice_number=number,
                        portal_reference=None
                        if number != s.portal_invoice_number
                        else s.portal_reference,
                        portal_status=None,
                        **self._who(now, insert=False),
                    )
                )
                detail = "re-queued by resync"
                if number != s.portal_invoice_number:
                    detail += f" as {number} (the portal wants a new number)"
                conn.execute(
                    sa.insert(ev).values(
                        submission_id=s.submission_id,
                        cust_account_id=s.cust_account_id,
                        event_type=EVENT_REQUEUED,
                        from_status=s.status.value,
                        to_status=SubmissionStatus.PENDING.value,
                        detail=detail,
                        run_id=run_id,
                        **self._who(now, insert=True),
                    )
                )
            return [s for s, _ in rows]

        return self._unit(work)

    def write_account_note(self, note: CollectionNote) -> int:
        """A note that belongs to no single submission (resync summary, portal alerts)."""
        return self._unit(lambda c: write_note(c, self.md, note, self.notes, now=self.clock()))

    # ---- resync requests -------------------------------------------------------------------

    def request_resync(self, account_number: str, *, requested_by: str) -> int:
        """Queue a collector's resync request (what a button or a PL/SQL call would insert)."""
        req = self._t["xx_arw_resync_requests"]

        def work(conn: sa.Connection) -> int:
            now = self.clock()
            result = conn.execute(
                sa.insert(req).values(
                    account_number=account_number,
                    requested_by=requested_by,
                    status=RESYNC_PENDING,
                    requested_at=now,
                    **self._who(now, insert=True),
                )
            )
            key = result.inserted_primary_key
            if key is None:
                raise RuntimeError("XX_ARW_RESYNC_REQUESTS insert returned no id")
            return int(key[0])

        return self._unit(work)

    def claim_resync_requests(
        self, *, worker_name: str, limit: int, stale_after_s: float = 3600.0
    ) -> list[ResyncRequest]:
        """Take pending requests (and ones whose worker died long ago), each by one worker."""
        req = self._t["xx_arw_resync_requests"]
        claimed: list[ResyncRequest] = []
        now = self.clock()
        stale_before = now - dt.timedelta(seconds=stale_after_s)
        due = sa.or_(
            req.c.status == RESYNC_PENDING,
            sa.and_(req.c.status == RESYNC_RUNNING, req.c.started_at < stale_before),
        )
        ids = self._read(
            lambda c: [
                int(i)
                for (i,) in c.execute(
                    sa.select(req.c.request_id).where(due).order_by(req.c.request_id).limit(limit)
                )
            ]
        )
        for request_id in ids:

            def work(conn: sa.Connection, request_id: int = request_id) -> ResyncRequest | None:
                taken = conn.execute(
                    sa.update(req)
                    .where(req.c.request_id == request_id, due)
                    .values(
                        status=RESYNC_RUNNING,
                        started_at=now,
                        worker_name=worker_name,
                        **self._who(now, insert=False),
                    )
                )
                if taken.rowcount != 1:
                    return None
                row = conn.execute(sa.select(req).where(req.c.request_id == request_id)).one()
                return ResyncRequest(
                    request_id=int(row.request_id),
                    account_number=row.account_number,
                    requested_by=row.requested_by,
                )

            got = self._unit(work)
            if got is not None:
                claimed.append(got)
        return claimed

    def finish_resync_request(self, request_id: int, *, ok: bool, result_text: str) -> None:
        req = self._t["xx_arw_resync_requests"]

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            conn.execute(
                sa.update(req)
                .where(req.c.request_id == request_id)
                .values(
                    status=RESYNC_DONE if ok else RESYNC_FAILED,
                    finished_at=now,
                    result_text=_clip(result_text),
                    **self._who(now, insert=False),
                )
            )

        self._unit(work)

    def resync_requests(self) -> list[dict[str, Any]]:
        req = self._t["xx_arw_resync_requests"]
        return self._read(
            lambda c: [
                dict(r._mapping) for r in c.execute(sa.select(req).order_by(req.c.request_id))
            ]
        )

    # ---- job runs --------------------------------------------------------------------------

    def start_job_run(
        self, *, run_id: str, job_name: str, scheduled_for: dt.datetime, worker_name: str
    ) -> bool:
        """Record a run; False when this (job, scheduled time) already ran on another worker."""
        runs = self._t["xx_arw_job_runs"]

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            conn.execute(
                sa.insert(runs).values(
                    run_id=run_id,
                    job_name=job_name,
                    scheduled_for=scheduled_for,
                    started_at=now,
                    status="RUNNING",
                    worker_name=worker_name,
                    **self._who(now, insert=True),
                )
            )

        try:
            self._unit(work)
        except AlreadyExists:
            return False
        return True

    def mark_enqueued(self, run_id: str, count: int) -> None:
        """Record that the run's enqueue is complete (the fleet waits on this, not on the run)."""
        runs = self._t["xx_arw_job_runs"]
        self._unit(
            lambda c: c.execute(
                sa.update(runs).where(runs.c.run_id == run_id).values(enqueued_count=count)
            )
        )

    def job_run_for_slot(self, job_name: str, scheduled_for: dt.datetime) -> dict[str, Any] | None:
        """The run that owns a (job, scheduled time) slot, if any."""
        runs = self._t["xx_arw_job_runs"]
        row = self._read(
            lambda c: c.execute(
                sa.select(runs).where(
                    runs.c.job_name == job_name, runs.c.scheduled_for == scheduled_for
                )
            ).first()
        )
        return None if row is None else dict(row._mapping)

    def finish_job_run(
        self, run_id: str, *, status: str, counts: JobRunCounts, summary: str
    ) -> None:
        runs = self._t["xx_arw_job_runs"]

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            conn.execute(
                sa.update(runs)
                .where(runs.c.run_id == run_id)
                .values(
                    finished_at=now,
                    status=status,
                    enqueued_count=counts.enqueued,
                    submitted_count=counts.submitted,
                    already_count=counts.already_submitted,
                    rejected_count=counts.rejected,
                    failed_count=counts.failed,
                    notes_count=counts.notes_written,
                    summary_text=_clip(summary),
                    **self._who(now, insert=False),
                )
            )

        self._unit(work)

    def job_runs(self, job_name: str | None = None) -> list[dict[str, Any]]:
        runs = self._t["xx_arw_job_runs"]
        query = sa.select(runs).order_by(runs.c.job_run_id)
        if job_name is not None:
            query = query.where(runs.c.job_name == job_name)
        return self._read(lambda c: [dict(r._mapping) for r in c.execute(query)])


def _clip(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    return text[:ERROR_TEXT_MAX_CHARS]


def _fields(record: InvoiceRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}
