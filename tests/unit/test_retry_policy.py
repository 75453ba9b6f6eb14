"""The retry decision, one table row per case (design §4, style rule 8)."""

from __future__ import annotations

import random

import pytest

from jobs.retry_policy import BackoffPolicy, RetryAction, backoff_delay_s, decide

POLICY = BackoffPolicy(max_attempts=3, base_s=60, max_s=600, jitter=0)


@pytest.mark.parametrize(
    ("attempts", "may_be_on_portal", "action", "delay_s", "notify"),
    [
        # a transient fault on the first attempt waits the base delay
        (1, False, RetryAction.RETRY, 60, False),
        # the delay doubles per attempt
        (2, False, RetryAction.RETRY, 120, False),
        # attempts exhausted, surely not on the portal: FAILED with a note
        (3, False, RetryAction.GIVE_UP, None, False),
        # before the attempts run out, an item that may be on the portal retries like any other
        (2, True, RetryAction.RETRY, 120, False),
        # exhausted, but it may be on the portal: never given up blindly; a person is told once
        (3, True, RetryAction.KEEP_LOOKING, 240, True),
        # ... and it goes on being looked up, without telling anyone again
        (4, True, RetryAction.KEEP_LOOKING, 480, False),
        (9, True, RetryAction.KEEP_LOOKING, 600, False),
    ],
)
def test_decide_table(
    attempts: int,
    may_be_on_portal: bool,
    action: RetryAction,
    delay_s: float | None,
    notify: bool,
) -> None:
    """Each case gets the decision the state machine prescribes."""
    decision = decide(attempts, POLICY, may_be_on_portal=may_be_on_portal)
    assert decision.action is action
    assert decision.retry_after_s == delay_s
    assert decision.notify is notify


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
