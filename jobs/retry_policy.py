"""What to do with a failed attempt: a pure function, so every branch is a table row in a test.

Business rejections end the item (a person fixes it); login failures and changed pages pause the
portal for the run and hand the item back untouched; everything else, including exceptions we do
not recognise, is an application fault retried with exponential backoff and jitter until the
attempts run out (style rule 7: the unknown is treated as transient, never as a rejection).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from enum import StrEnum

from connectors.oracle.records import SubmissionStatus
from connectors.portals.errors import InvoiceRejected, LoginFailed, PortalChanged


class RetryAction(StrEnum):
    #: try again at ``retry_at`` (status PENDING)
    RETRY = "RETRY"
    #: stop: the item ends in ``terminal_status`` with a note
    GIVE_UP = "GIVE_UP"
    #: hand the item back as it was and pause the portal login for this run
    PAUSE_LOGIN = "PAUSE_LOGIN"
    #: hand the item back as it was and pause the whole portal (circuit breaker)
    PAUSE_PORTAL = "PAUSE_PORTAL"


@dataclass(frozen=True, kw_only=True, slots=True)
class BackoffPolicy:
    max_attempts: int = 5
    base_s: float = 60.0
    max_s: float = 3600.0
    jitter: float = 0.25  #: ± fraction of the delay, so a fleet does not retry in lockstep


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryDecision:
    action: RetryAction
    retry_at: dt.datetime | None = None
    terminal_status: SubmissionStatus | None = None


def backoff_delay_s(
    attempts: int, policy: BackoffPolicy, rng: random.Random | None = None
) -> float:
    """Exponential delay after ``attempts`` failed attempts, capped, with jitter."""
    raw = float(min(policy.max_s, policy.base_s * (2.0 ** max(0, attempts - 1))))
    if rng is None or policy.jitter == 0:
        return raw
    return float(max(0.0, raw * (1 + rng.uniform(-policy.jitter, policy.jitter))))


def decide(
    exc: BaseException,
    attempts: int,
    now: dt.datetime,
    policy: BackoffPolicy,
    rng: random.Random | None = None,
) -> RetryDecision:
    """Decide the fate of an item whose attempt number ``attempts`` raised ``exc``."""
    if isinstance(exc, InvoiceRejected):
        return RetryDecision(action=RetryAction.GIVE_UP, terminal_status=SubmissionStatus.REJECTED)
    if isinstance(exc, LoginFailed):
        return RetryDecision(action=RetryAction.PAUSE_LOGIN)
    if isinstance(exc, PortalChanged):
        return RetryDecision(action=RetryAction.PAUSE_PORTAL)
    if attempts >= policy.max_attempts:
        return RetryDecision(action=RetryAction.GIVE_UP, terminal_status=SubmissionStatus.FAILED)
    delay = backoff_delay_s(attempts, policy, rng)
    return RetryDecision(action=RetryAction.RETRY, retry_at=now + dt.timedelta(seconds=delay))
