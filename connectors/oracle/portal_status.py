"""Portal verdicts on submitted invoices, stored and noted once per transition."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.oracle.notes import write_note
from connectors.oracle.records import EventType, PortalStatusChange, Submission, SubmissionStatus
from connectors.oracle.unit_of_work import UnitOfWork, clip_text

#: portal verdicts after which an invoice is not polled again
FINAL_PORTAL_STATUSES = ("PAID", "VOIDED")


class PortalStatusVerbs(UnitOfWork):
    """What the status job reads and writes."""

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
