"""Send the queued report e-mails: each at most once, a passing failure retried with backoff.

Every message waiting in XX_ARW_DELIVERIES is claimed (a lease, like a submission), sent from its
``.eml`` file, and settled by what happened: SENT; PENDING again later after a failure that
delivered nothing; FAILED when refused for good or out of attempts; UNCERTAIN when the connection
broke after the message went out (only a person resends those). A login the relay refuses stops
the run: trying every message with a wrong password is how accounts get locked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import tenacity

from connectors.mail.errors import (
    MailError,
    MailLoginFailed,
    MailOutcomeUnknown,
    MailRejected,
    MailUnavailable,
)
from connectors.mail.smtp import SmtpMailer
from connectors.oracle.deliveries import Delivery, DeliveryStatus
from jobs.reports.runtime import ReportRuntime

CLAIM_BATCH = 10
#: a send is one SMTP conversation; the lease covers it with room to spare
SEND_LEASE_S = 300.0
#: quick tries inside one attempt, for a relay that blinks
QUICK_TRIES = 3
#: the longest wait between two attempts
MAX_BACKOFF_S = 6 * 3600.0
#: after a refused login, wait this long before the relay sees our password again
LOGIN_RETRY_S = 6 * 3600.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Settlement:
    """What to record for one failed attempt (a pure decision, unit-tested by table)."""

    status: DeliveryStatus
    next_attempt_at: dt.datetime | None
    error: str


def settle_failure(
    exc: MailError, *, attempts: int, max_attempts: int, now: dt.datetime, base_s: float
) -> Settlement:
    """The state a delivery goes to after ``exc`` on its ``attempts``-th attempt."""
    if isinstance(exc, MailOutcomeUnknown):
        return Settlement(status=DeliveryStatus.UNCERTAIN, next_attempt_at=None, error=str(exc))
    if isinstance(exc, MailRejected):
        return Settlement(status=DeliveryStatus.FAILED, next_attempt_at=None, error=str(exc))
    if attempts >= max_attempts:
        return Settlement(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            error=f"gave up after {attempts} attempts: {exc}",
        )
    if isinstance(exc, MailLoginFailed):
        wait_s = LOGIN_RETRY_S
    else:
        wait_s = min(base_s * 2 ** (attempts - 1), MAX_BACKOFF_S)
    return Settlement(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now + dt.timedelta(seconds=wait_s),
        error=str(exc),
    )


@dataclass(kw_only=True)
class DeliveryCounts:
    sent: int = 0
    retry_scheduled: int = 0
    failed: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "retry_scheduled": self.retry_scheduled,
            "failed": self.failed,
            "uncertain": self.uncertain,
            "errors": self.errors,
        }


async def send_pending(
    rt: ReportRuntime, *, report_name: str | None = None, quick_wait_s: float = 2.0
) -> DeliveryCounts:
    """Send every due message (of one report, or all); safe to run on several workers at once."""
    counts = DeliveryCounts()
    mail = rt.settings.mail
    if not mail.enabled:
        return counts
    expired = await rt.db(rt.store.expire_deliveries)
    if expired:
        rt.log.warning("mail.sender_died", uncertain=expired)
        counts.uncertain += expired
    password = rt.resolve_secret(mail.password_ref) if mail.password_ref else None
    mailer = SmtpMailer(mail, password)
    while True:
        claimed = await rt.db(
            rt.store.claim_deliveries,
            limit=CLAIM_BATCH,
            lease_s=SEND_LEASE_S,
            report_name=report_name,
        )
        if not claimed:
            return counts
        for position, delivery in enumerate(claimed):
            stop = await _send_one(rt, mailer, delivery, counts, quick_wait_s)
            if stop:
                for rest in claimed[position + 1 :]:
                    await _hand_back(rt, rest)
                return counts


async def _send_one(
    rt: ReportRuntime,
    mailer: SmtpMailer,
    delivery: Delivery,
    counts: DeliveryCounts,
    quick_wait_s: float,
) -> bool:
    """Send one claimed message and settle it; True when the run must stop (login refused)."""
    log = rt.log.bind(delivery_id=delivery.delivery_id, report=delivery.report_name)
    token = delivery.lease_token
    assert token is not None
    try:
        data = await rt.db(Path(delivery.message_path).read_bytes)
    except OSError as exc:
        await rt.db(
            rt.store.settle_delivery,
            delivery.delivery_id,
            token,
            status=DeliveryStatus.FAILED,
            error=f"the message file cannot be read ({exc.strerror}); rebuild the report",
        )
        counts.failed += 1
        log.error("mail.message_missing", path=delivery.message_path)
        return False
    sender = rt.settings.mail.from_address or ""
    try:
        reply = await _send_quickly(rt, mailer, data, sender, delivery.recipient, quick_wait_s)
    except MailError as exc:
        decision = settle_failure(
            exc,
            attempts=delivery.attempts,
            max_attempts=rt.settings.mail.max_attempts,
            now=rt.clock(),
            base_s=rt.settings.mail.retry_base_s,
        )
        await rt.db(
            rt.store.settle_delivery,
            delivery.delivery_id,
            token,
            status=decision.status,
            error=decision.error,
            next_attempt_at=decision.next_attempt_at,
        )
        _count(counts, decision.status)
        counts.errors.append(decision.error)
        log.warning(
            "mail.not_sent",
            outcome=decision.status.value,
            attempts=delivery.attempts,
            error=decision.error,
            retry_at=None if decision.next_attempt_at is None else str(decision.next_attempt_at),
        )
        return isinstance(exc, MailLoginFailed)
    await rt.db(
        rt.store.settle_delivery,
        delivery.delivery_id,
        token,
        status=DeliveryStatus.SENT,
        server_reply=reply,
    )
    counts.sent += 1
    log.info("mail.sent", attempts=delivery.attempts, message_id=delivery.message_id)
    return False


async def _send_quickly(
    rt: ReportRuntime,
    mailer: SmtpMailer,
    data: bytes,
    sender: str,
    recipient: str,
    quick_wait_s: float,
) -> str:
    """Up to :data:`QUICK_TRIES` sends while the relay only blinks (nothing delivered each time)."""
    retrying = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(QUICK_TRIES),
        wait=tenacity.wait_exponential(multiplier=quick_wait_s, max=30),
        retry=tenacity.retry_if_exception_type(MailUnavailable),
        reraise=True,
        after=lambda state: rt.log.info("mail.quick_retry", attempt=state.attempt_number),
    )
    async for attempt in retrying:
        with attempt:
            return await rt.db(mailer.send, data, sender=sender, recipients=[recipient])
    raise AssertionError("unreachable: tenacity re-raises")  # pragma: no cover


async def _hand_back(rt: ReportRuntime, delivery: Delivery) -> None:
    """A message claimed but not tried (the run stopped): waiting again, attempt not counted."""
    assert delivery.lease_token is not None
    await rt.db(
        rt.store.settle_delivery,
        delivery.delivery_id,
        delivery.lease_token,
        status=DeliveryStatus.PENDING,
        error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at,
        undo_attempt=True,
    )


def _count(counts: DeliveryCounts, status: DeliveryStatus) -> None:
    if status is DeliveryStatus.PENDING:
        counts.retry_scheduled += 1
    elif status is DeliveryStatus.FAILED:
        counts.failed += 1
    elif status is DeliveryStatus.UNCERTAIN:
        counts.uncertain += 1
