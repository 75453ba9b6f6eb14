"""The retry decision, one table row per kind of failure (design §4, style rule 8)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from connectors.oracle.records import SubmissionStatus
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
    PortalChanged,
    PortalUnavailable,
    RejectionCode,
    SessionExpired,
)
from jobs.retry_policy import BackoffPolicy, RetryAction, backoff_delay_s, decide

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
POLICY = BackoffPolicy(max_attempts=3, base_s=60, max_s=600, jitter=0)


@pytest.mark.parametrize(
    ("exc", "attempts", "action", "terminal", "delay_s"),
    [
        # a business rejection never retries, whatever the attempt number
        (
            InvoiceRejected(RejectionCode.PO_CLOSED, "PO closed"),
            1,
            RetryAction.GIVE_UP,
            SubmissionStatus.REJECTED,
            None,
        ),
        # a rejection on the last attempt is still a rejection, not a failure
        (
            InvoiceRejected(RejectionCode.DUPLICATE, "dup"),
            3,
            RetryAction.GIVE_UP,
            SubmissionStatus.REJECTED,
            None,
        ),
        # a wrong password pauses the login: retrying would lock the account
        (LoginFailed("Invalid email or password"), 1, RetryAction.PAUSE_LOGIN, None, None),
        # changed pages pause the portal (circuit breaker), never hammered
        (PortalChanged("no #invoice-number"), 1, RetryAction.PAUSE_PORTAL, None, None),
        # a transient fault on the first attempt waits the base delay
        (PortalUnavailable("503"), 1, RetryAction.RETRY, None, 60),
        # the delay doubles per attempt
        (PortalUnavailable("503"), 2, RetryAction.RETRY, None, 120),
        # attempts exhausted: FAILED with a note
        (PortalUnavailable("503"), 3, RetryAction.GIVE_UP, SubmissionStatus.FAILED, None),
        # an expired session is transient like any other unavailability
        (SessionExpired("login page"), 1, RetryAction.RETRY, None, 60),
        # an ambiguous failure after the submit click is retried (after a lookup), not rejected
        (PortalUnavailable("500 after submit", after_submit=True), 1, RetryAction.RETRY, None, 60),
        # an exception we do not know is an application fault: retried, never a rejection
        (KeyError("surprise"), 1, RetryAction.RETRY, None, 60),
        # ... until the attempts run out
        (RuntimeError("bug"), 3, RetryAction.GIVE_UP, SubmissionStatus.FAILED, None),
    ],
)
def test_decide_table(
    exc: BaseException,
    attempts: int,
    action: RetryAction,
    terminal: SubmissionStatus | None,
    delay_s: float | None,
) -> None:
    """Each kind of failure gets the decision the state machine prescribes."""
    decision = decide(exc, attempts, NOW, POLICY)
    assert decision.action is action
    assert decision.terminal_status is terminal
    if delay_s is None:
        assert decision.retry_at is None
    else:
        assert decision.retry_at == NOW + dt.timedelta(seconds=delay_s)


def test_backoff_is_capped() -> None:
    """The delay never exceeds the configured maximum."""
    assert backoff_delay_s(20, POLICY) == 600


def test_backoff_jitter_stays_in_band() -> None:
    """Jitter spreads a fleet's retries by at most ± the configured fraction."""
    policy = BackoffPolicy(max_attempts=5, base_s=100, max_s=1000, jitter=0.25)
    rng = random.Random(1)
    delays = [backoff_delay_s(1, policy, rng) for _ in range(200)]
    assert min(delays) >= 75 and max(delays) <= 125
    assert len({round(d, 3) for d in delays}) > 100
