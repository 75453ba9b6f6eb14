"""Report e-mails (XX_ARW_DELIVERIES): one row per (report, period, recipient), sent at most once.

The row is written, with the message's file and Message-ID, before anything is sent; the unique
key makes a second build of the same report add nothing. Sending claims a row like a submission
(design §8's portable claim: pick ids, guarded UPDATE, read back by token) and records how it
ended. A row whose sender died mid-send, or whose connection broke after the message went out,
becomes UNCERTAIN: it may have been delivered, so only a person resends it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from connectors.oracle.errors import AlreadyExists
from connectors.oracle.unit_of_work import UnitOfWork, clip_text

REPLY_MAX_CHARS = 500


class DeliveryStatus(StrEnum):
    """Where one report e-mail stands."""

    #: written, waiting to be sent (or to be tried again at ``next_attempt_at``)
    PENDING = "PENDING"
    #: a worker is sending it under a lease
    SENDING = "SENDING"
    #: the mail server accepted it
    SENT = "SENT"
    #: refused for good, or attempts exhausted: a person looks (and may resend)
    FAILED = "FAILED"
    #: may or may not have been delivered: never resent automatically
    UNCERTAIN = "UNCERTAIN"


@dataclass(frozen=True, kw_only=True, slots=True)
class Delivery:
    """One row of XX_ARW_DELIVERIES."""

    delivery_id: int
    report_name: str
    period_key: str
    recipient: str
    collector_id: int | None
    subject: str
    message_id: str
    message_path: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    lease_token: str | None
    last_error: str | None
    sent_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> Delivery:
        m = row._mapping
        return cls(
            delivery_id=int(m["delivery_id"]),
            report_name=m["report_name"],
            period_key=m["period_key"],
            recipient=m["recipient"],
            collector_id=None if m["collector_id"] is None else int(m["collector_id"]),
            subject=m["subject"],
            message_id=m["message_id"],
            message_path=m["message_path"],
            status=DeliveryStatus(m["status"]),
            attempts=int(m["attempts"]),
            next_attempt_at=m["next_attempt_at"],
            lease_token=m["lease_token"],
            last_error=m["last_error"],
            sent_at=m["sent_at"],
            created_at=m["creation_date"],
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class NewDelivery:
    report_name: str
    period_key: str
    recipient: str
    collector_id: int | None
    subject: str
    message_id: str
    message_path: str
    run_id: str | None


class DeliveryVerbs(UnitOfWork):
    """Writing, claiming and settling report e-mails."""

    def add_delivery(self, new: NewDelivery) -> bool:
        """Record a message to send; False when (report, period, recipient) is there already."""
        table = self._t["xx_arw_deliveries"]

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            conn.execute(
                sa.insert(table).values(
                    report_name=new.report_name,
                    period_key=new.period_key,
                    recipient=new.recipient.lower(),
                    collector_id=new.collector_id,
                    subject=new.subject[:240],
                    message_id=new.message_id,
                    message_path=new.message_path,
                    status=DeliveryStatus.PENDING.value,
                    attempts=0,
                    run_id=new.run_id,
                    **self._who(now, insert=True),
                )
            )

        try:
            self._unit(work)
        except AlreadyExists:
            return False
        return True

    def deliveries(
        self,
        *,
        report_name: str | None = None,
        period_key: str | None = None,
        statuses: list[DeliveryStatus] | None = None,
    ) -> list[Delivery]:
        table = self._t["xx_arw_deliveries"]
        query = sa.select(table).order_by(table.c.delivery_id)
        if report_name is not None:
            query = query.where(table.c.report_name == report_name)
        if period_key is not None:
            query = query.where(table.c.period_key == period_key)
        if statuses is not None:
            query = query.where(table.c.status.in_([s.value for s in statuses]))
        return self._read(lambda c: [Delivery.from_row(r) for r in c.execute(query)])

    def expire_deliveries(self) -> int:
        """SENDING rows whose lease ran out become UNCERTAIN: the sender died mid-send."""
        table = self._t["xx_arw_deliveries"]

        def work(conn: sa.Connection) -> int:
            now = self.clock()
            result = conn.execute(
                sa.update(table)
                .where(
                    table.c.status == DeliveryStatus.SENDING.value,
                    table.c.lease_expires_at < now,
                )
                .values(
                    status=DeliveryStatus.UNCERTAIN.value,
                    lease_token=None,
                    lease_expires_at=None,
                    last_error="the sender stopped while sending; it may have been delivered",
                    **self._who(now, insert=False),
                )
            )
            return int(result.rowcount)

        return self._unit(work)

    def claim_deliveries(
        self, *, limit: int, lease_s: float, report_name: str | None = None
    ) -> list[Delivery]:
        """Take up to ``limit`` due PENDING rows for this caller (portable claim)."""
        table = self._t["xx_arw_deliveries"]
        token = uuid.uuid4().hex
        now = self.clock()
        due = [
            table.c.status == DeliveryStatus.PENDING.value,
            sa.or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now),
        ]
        if report_name is not None:
            due.append(table.c.report_name == report_name)
        ids = self._read(
            lambda c: [
                int(i)
                for (i,) in c.execute(
                    sa.select(table.c.delivery_id)
                    .where(*due)
                    .order_by(table.c.delivery_id)
                    .limit(limit)
                )
            ]
        )
        if not ids:
            return []

        def take(conn: sa.Connection) -> None:
            conn.execute(
                sa.update(table)
                .where(table.c.delivery_id.in_(ids), *due)
                .values(
                    status=DeliveryStatus.SENDING.value,
                    lease_token=token,
                    lease_expires_at=now + dt.timedelta(seconds=lease_s),
                    attempts=table.c.attempts + 1,
                    **self._who(now, insert=False),
                )
            )

        self._unit(take)
        return self._read(
            lambda c: [
                Delivery.from_row(r)
                for r in c.execute(
                    sa.select(table)
                    .where(table.c.lease_token == token)
                    .order_by(table.c.delivery_id)
                )
            ]
        )

    def settle_delivery(
        self,
        delivery_id: int,
        token: str,
        *,
        status: DeliveryStatus,
        error: str | None = None,
        next_attempt_at: dt.datetime | None = None,
        server_reply: str | None = None,
        undo_attempt: bool = False,
    ) -> bool:
        """Record how a send ended; False when the lease was lost (someone else settled it).
        ``undo_attempt``: the claim was handed back untried, so it does not count."""
        table = self._t["xx_arw_deliveries"]

        def work(conn: sa.Connection) -> bool:
            now = self.clock()
            values: dict[str, Any] = {
                "status": status.value,
                "lease_token": None,
                "lease_expires_at": None,
                "next_attempt_at": next_attempt_at,
                "last_error": clip_text(error),
                **self._who(now, insert=False),
            }
            if undo_attempt:
                values["attempts"] = table.c.attempts - 1
            if status is DeliveryStatus.SENT:
                values["sent_at"] = now
                values["server_reply"] = (server_reply or "")[:REPLY_MAX_CHARS] or None
            result = conn.execute(
                sa.update(table)
                .where(
                    table.c.delivery_id == delivery_id,
                    table.c.lease_token == token,
                    table.c.status == DeliveryStatus.SENDING.value,
                )
                .values(**values)
            )
            return bool(result.rowcount == 1)

        return self._unit(work)

    def requeue_delivery(self, delivery_id: int, *, requeued_by: str) -> bool:
        """A person decided to send a FAILED or UNCERTAIN message again; False otherwise."""
        table = self._t["xx_arw_deliveries"]

        def work(conn: sa.Connection) -> bool:
            now = self.clock()
            result = conn.execute(
                sa.update(table)
                .where(
                    table.c.delivery_id == delivery_id,
                    table.c.status.in_(
                        [DeliveryStatus.FAILED.value, DeliveryStatus.UNCERTAIN.value]
                    ),
                )
                .values(
                    status=DeliveryStatus.PENDING.value,
                    attempts=0,
                    next_attempt_at=None,
                    requeued_by=requeued_by[:100],
                    **self._who(now, insert=False),
                )
            )
            return bool(result.rowcount == 1)

        return self._unit(work)
