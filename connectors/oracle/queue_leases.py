"""Who holds which submission: claims, lease renewal, the fence before the submit click, expiry.

Every time compared here is the database server's (:meth:`UnitOfWork._db_now`): a fleet's hosts
disagree about the time, the database does not. The claim is the portable one of design §8:
pick candidates without a lock, take them with a guarded UPDATE, read back what carries our
token; identical SQL on SQLite, PostgreSQL and Oracle.

The fence (:meth:`LeaseVerbs.start_submit`) is what makes "never twice" hold when a worker's
lease lapses while it is busy on a portal page: immediately before the irreversible submit click
the worker proves, in a committed guarded UPDATE, that it still holds a live lease, renews it,
and records "submit started". A worker that cannot prove it does not click. Whoever takes an
item over later sees "submit started" and looks the invoice up on the portal before anything
else; an item without it has never been clicked, and needs no lookup.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from connectors.oracle.claim_order import accounts_side_by_side
from connectors.oracle.records import (
    CLAIMABLE_STATUSES,
    EventType,
    Submission,
    SubmissionStatus,
)
from connectors.oracle.unit_of_work import UnitOfWork

#: candidates read per item wanted: losers of a race move on to the next ones
CLAIM_CANDIDATE_FACTOR = 3


class LeaseVerbs(UnitOfWork):
    """Claiming, holding and giving up submissions."""

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
        """Claim up to ``limit`` due submissions of enabled portal accounts for ``owner``.

        An item of a disabled account stays queued: disabling an account means "not now", and
        enabling it again picks up where it was.
        """
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        token = uuid.uuid4().hex
        claimable = [s.value for s in CLAIMABLE_STATUSES]
        enabled = sa.select(pa.c.portal_account_id).where(
            pa.c.enabled_flag == True,  # noqa: E712 - YesNo renders the 'Y' bind
            pa.c.org_id.in_(list(self.org_ids)),
        )

        def candidates(conn: sa.Connection, now: dt.datetime, skip: set[int]) -> list[int]:
            query = (
                sa.select(sub.c.submission_id, sub.c.portal_account_id)
                .where(
                    sub.c.status.in_(claimable),
                    sa.or_(sub.c.next_attempt_at.is_(None), sub.c.next_attempt_at <= now),
                    sub.c.portal_account_id.in_(enabled),
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
            return accounts_side_by_side(
                (int(i), int(a)) for (i, a) in conn.execute(query) if int(i) not in skip
            )

        def take(ids: list[int]) -> int:
            def work(conn: sa.Connection) -> int:
                now = self._db_now(conn)
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
                        # an UNCERTAIN item may be on the portal, however it became uncertain
                        submit_started_at=sa.case(
                            (
                                sa.and_(
                                    sub.c.status == SubmissionStatus.UNCERTAIN.value,
                                    sub.c.submit_started_at.is_(None),
                                ),
                                now,
                            ),
                            else_=sub.c.submit_started_at,
                        ),
                        **self._who(self.clock(), insert=False),
                    )
                )
                return int(result.rowcount)

            return self._unit(work)

        taken = 0
        tried: set[int] = set()
        while taken < limit:
            ids = self._read(lambda c: candidates(c, self._db_now(c), tried))
            if not ids:
                break
            chunk = ids[: limit - taken]
            tried.update(chunk)
            taken += take(chunk)
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
                        "event_type": EventType.CLAIMED.value,
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
        """Push a live lease forward during a long upload; False if it was lost or had lapsed.

        A lease that ran out is not revived, even when nobody took the item over yet: another
        worker may be about to, and two holders is what leases exist to prevent.
        """
        sub = self._t["xx_arw_submissions"]

        def work(conn: sa.Connection) -> bool:
            now = self._db_now(conn)
            result = conn.execute(
                sa.update(sub)
                .where(*self._live_lease(sub, submission_id, token, now))
                .values(lease_expires_at=now + dt.timedelta(seconds=lease_s))
            )
            return bool(result.rowcount == 1)

        return self._unit(work)

    def start_submit(
        self, submission_id: int, token: str, *, lease_s: float, run_id: str | None = None
    ) -> bool:
        """The fence: prove the lease is still ours, renew it, record "submit started".

        Called immediately before the submit click, committed before it. ``False`` means the
        lease was lost or lapsed: the caller must not click.
        """
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> bool:
            now = self._db_now(conn)
            result = conn.execute(
                sa.update(sub)
                .where(*self._live_lease(sub, submission_id, token, now))
                .values(
                    lease_expires_at=now + dt.timedelta(seconds=lease_s),
                    submit_started_at=sa.func.coalesce(sub.c.submit_started_at, now),
                    **self._who(self.clock(), insert=False),
                )
            )
            if result.rowcount != 1:
                return False
            cust_account_id = conn.execute(
                sa.select(sub.c.cust_account_id).where(sub.c.submission_id == submission_id)
            ).scalar_one()
            conn.execute(
                sa.insert(ev).values(
                    submission_id=submission_id,
                    cust_account_id=cust_account_id,
                    event_type=EventType.SUBMIT_STARTED.value,
                    from_status=SubmissionStatus.IN_PROGRESS.value,
                    to_status=SubmissionStatus.IN_PROGRESS.value,
                    detail="lease proved before the submit click",
                    run_id=run_id,
                    **self._who(self.clock(), insert=True),
                )
            )
            return True

        return self._unit(work)

    @staticmethod
    def _live_lease(
        sub: sa.Table, submission_id: int, token: str, now: dt.datetime
    ) -> list[sa.ColumnElement[bool]]:
        return [
            sub.c.submission_id == submission_id,
            sub.c.lease_token == token,
            sub.c.status == SubmissionStatus.IN_PROGRESS.value,
            sub.c.lease_expires_at > now,
        ]

    def expire_leases(self, *, run_id: str | None = None) -> int:
        """IN_PROGRESS rows whose lease ran out: their worker died or lost touch mid-flight."""
        return self._take_back(
            lambda sub, now: sa.and_(
                sub.c.status == SubmissionStatus.IN_PROGRESS.value, sub.c.lease_expires_at < now
            ),
            why="lease expired: the worker holding it stopped or lost its lease",
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
        return self._take_back(
            lambda s, _now: sa.and_(
                s.c.status == SubmissionStatus.IN_PROGRESS.value, s.c.lease_owner.in_(dead)
            ),
            why="the worker process holding it is gone",
            run_id=run_id,
        )

    def _take_back(
        self,
        condition: Callable[[sa.Table, dt.datetime], sa.ColumnElement[bool]],
        *,
        why: str,
        run_id: str | None,
    ) -> int:
        """Items nobody holds any more: UNCERTAIN if their submit click may have happened,
        else simply PENDING again (the fence guarantees the click never happened)."""
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> int:
            now = self._db_now(conn)
            rows = conn.execute(
                sa.select(
                    sub.c.submission_id,
                    sub.c.cust_account_id,
                    sub.c.lease_token,
                    sub.c.submit_started_at,
                ).where(condition(sub, now))
            ).all()
            changed = 0
            for r in rows:
                started = r.submit_started_at is not None
                to_status = SubmissionStatus.UNCERTAIN if started else SubmissionStatus.PENDING
                result = conn.execute(
                    sa.update(sub)
                    .where(
                        sub.c.submission_id == r.submission_id,
                        sub.c.status == SubmissionStatus.IN_PROGRESS.value,
                        sub.c.lease_token == r.lease_token,
                    )
                    .values(
                        status=to_status.value,
                        lease_owner=None,
                        lease_token=None,
                        lease_expires_at=None,
                        **self._who(self.clock(), insert=False),
                    )
                )
                if result.rowcount != 1:
                    continue
                changed += 1
                detail = (
                    f"{why}; it may be on the portal: look it up before anything else"
                    if started
                    else f"{why}; it never reached the submit click: queued again"
                )
                conn.execute(
                    sa.insert(ev).values(
                        submission_id=r.submission_id,
                        cust_account_id=r.cust_account_id,
                        event_type=EventType.LEASE_EXPIRED.value,
                        from_status=SubmissionStatus.IN_PROGRESS.value,
                        to_status=to_status.value,
                        detail=detail,
                        run_id=run_id,
                        **self._who(self.clock(), insert=True),
                    )
                )
            return changed

        return self._unit(work)
