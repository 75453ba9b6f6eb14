"""Portal verdicts on submitted invoices, stored and noted once per transition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connectors.oracle.notes import write_note
from connectors.oracle.records import EventType, PortalStatusChange, Submission, SubmissionStatus
from connectors.oracle.unit_of_work import UnitOfWork, clip_text

#: portal verdicts after which an invoice is not polled again
FINAL_PORTAL_STATUSES = ("PAID", "VOIDED")


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusBook:
    """One portal account's submitted invoices a status pass may read, as of the DB clock."""

    #: the invoices to read now (every watched one when the pass reads them all)
    due: list[Submission]
    #: submitted invoices whose verdict is not final (watched), due or not
    watched: int
    #: the database's time the book was read at: the "now" of the next-check rule
    as_of: dt.datetime


class PortalStatusVerbs(UnitOfWork):
    """What the status job reads and writes."""

    def status_book(self, portal_account_id: int, *, every: bool = False) -> StatusBook:
        """The account's watched invoices and those due for a read (``every``: all of them).

        Due means NEXT_STATUS_CHECK_AT is unset or passed on the database's clock, the one
        clock of a fleet whose hosts' clocks disagree.
        """
        sub = self._t["xx_arw_submissions"]
        watched = [
            sub.c.portal_account_id == portal_account_id,
            sub.c.status == SubmissionStatus.SUBMITTED.value,
            sa.or_(
                sub.c.portal_status.is_(None),
                sub.c.portal_status.not_in(list(FINAL_PORTAL_STATUSES)),
            ),
        ]

        def read(conn: sa.Connection) -> StatusBook:
            now = self._db_now(conn)
            count = conn.execute(sa.select(sa.func.count()).where(*watched)).scalar_one()
            query = sa.select(sub).where(*watched).order_by(sub.c.submission_id)
            if not every:
                query = query.where(
                    sa.or_(
                        sub.c.next_status_check_at.is_(None),
                        sub.c.next_status_check_at <= now,
                    )
                )
            due = [Submission.from_row(r) for r in conn.execute(query)]
            return StatusBook(due=due, watched=int(count), as_of=now)

        return self._read(read)

    def schedule_status_checks(self, next_checks: Mapping[int, dt.datetime | None]) -> None:
        """Store when each read verdict is next due (submission id → time, None: never)."""
        if not next_checks:
            return
        sub = self._t["xx_arw_submissions"]
        statement = (
            sa.update(sub)
            .where(sub.c.submission_id == sa.bindparam("b_submission_id"))
            .values(next_status_check_at=sa.bindparam("b_next"))
        )
        rows = [{"b_submission_id": k, "b_next": v} for k, v in next_checks.items()]
        self._unit(lambda conn: conn.execute(statement, rows))

    def claim_status_pass(self, portal_account_id: int, *, owner: str, lease_s: float) -> bool:
        """Take one account's status reads for this pass; False when another worker reads it.

        A guarded update on the database's clock: of two workers starting a pass at once, one
        reads the account and the other moves on, so no account is read twice in a pass. A
        worker that died mid-pass loses the claim when ``lease_s`` has passed.
        """
        pa = self._t["xx_arw_portal_accounts"]

        def work(conn: sa.Connection) -> bool:
            now = self._db_now(conn)
            claimed = conn.execute(
                sa.update(pa)
                .where(
                    pa.c.portal_account_id == portal_account_id,
                    sa.or_(
                        pa.c.status_pass_until.is_(None),
                        pa.c.status_pass_until < now,
                        pa.c.status_pass_by == owner,
                    ),
                )
                .values(
                    status_pass_by=owner,
                    status_pass_until=now + dt.timedelta(seconds=lease_s),
                )
            )
            return bool(claimed.rowcount == 1)

        return self._unit(work)

    def end_status_pass(self, portal_account_id: int, *, owner: str) -> None:
        """Give the account back once its reads are stored (only this worker's claim)."""
        pa = self._t["xx_arw_portal_accounts"]
        self._unit(
            lambda conn: conn.execute(
                sa.update(pa)
                .where(pa.c.portal_account_id == portal_account_id, pa.c.status_pass_by == owner)
                .values(status_pass_by=None, status_pass_until=None)
            )
        )

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

    def held_on_portal(self, *, cust_account_id: int) -> list[Submission]:
        """An account's items a person must resolve on the portal: rejected or disputed there
        after submission, under a number the portal will not take again."""
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        query = (
            sa.select(sub)
            .join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
            .where(
                sub.c.cust_account_id == cust_account_id,
                sub.c.status == SubmissionStatus.REJECTED.value,
                sub.c.portal_reference.is_not(None),
                pa.c.new_number_on_resubmit == False,  # noqa: E712 - YesNo renders the 'N' bind
            )
            .order_by(sub.c.submission_id)
        )
        return self._read(lambda c: [Submission.from_row(r) for r in c.execute(query)])

    def record_portal_status(
        self,
        submission_id: int,
        *,
        seen: str | None,
        change: PortalStatusChange,
        from_status: SubmissionStatus = SubmissionStatus.SUBMITTED,
    ) -> int | None:
        """Store a new portal verdict with its event and (on a transition) its note, at once.

        Guarded by the verdict the caller saw (``seen``): of two workers polling the same
        invoice, the second one's guarded update changes no row, and it writes no event and no
        note, so each transition has exactly one of each. Returns the note id, ``0`` without a
        note, ``None`` when someone else got there first. ``from_status`` REJECTED is for an
        item held on the portal whose verdict a resync re-reads.
        """
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> int | None:
            now = self.clock()
            same = sub.c.portal_status.is_(None) if seen is None else sub.c.portal_status == seen
            guard = [
                sub.c.submission_id == submission_id,
                sub.c.status == from_status.value,
                same,
            ]
            current = conn.execute(sa.select(sub.c.cust_account_id).where(*guard)).first()
            if current is None:
                return None
            values: dict[str, Any] = {
                "portal_status": change.portal_status,
                "portal_status_at": now,
                "portal_status_reason": clip_text(change.reason),
                "projected_pay_date": change.projected_pay_date,
                "payment_date": change.payment_date,
                "payment_reference": change.payment_reference,
                "next_status_check_at": change.next_status_check_at,
                **self._who(now, insert=False),
            }
            if change.to_status is not None:
                values |= {
                    "status": change.to_status.value,
                    "last_error_code": change.error_code,
                    "last_error_text": clip_text(change.reason),
                }
            if conn.execute(sa.update(sub).where(*guard).values(**values)).rowcount != 1:
                return None  # another worker recorded this transition between our read and now
            note_id = 0
            if change.note is not None:
                note_id = write_note(conn, self.md, change.note, self.notes, now=now)
            conn.execute(
                sa.insert(ev).values(
                    submission_id=submission_id,
                    cust_account_id=current.cust_account_id,
                    event_type=EventType.PORTAL_STATUS.value,
                    from_status=seen,
                    to_status=change.portal_status,
                    detail=clip_text(change.detail),
                    run_id=change.run_id,
                    jtf_note_id=note_id or None,
                    **self._who(now, insert=True),
                )
            )
            return note_id

        return self._unit(work)
