"""When to try a failed item again: a pure function, so every branch is a table row in a test.

The state machine (:mod:`jobs.submission`) asks this module one question after a transient
fault: try again (when), give up, or — for an item that may already be on the portal — keep
looking it up. There is no other place that bends these answers.

- Before the attempts run out: try again after an exponential delay with jitter (so a fleet
  does not retry in lockstep), capped.
- After that, an item that is surely not on the portal gives up (FAILED, a person looks); one
  that may be on the portal is never given up on blindly: it is looked up again at the longest
  delay, and the first time the attempts run out, a person is told to check the portal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum


class RetryAction(StrEnum):
    #: try again after ``retry_after_s``
    RETRY = "RETRY"
    #: stop: the item ends FAILED with a note
    GIVE_UP = "GIVE_UP"
    #: it may be on the portal: stay UNCERTAIN, look it up again after ``retry_after_s``
    KEEP_LOOKING = "KEEP_LOOKING"


@dataclass(frozen=True, kw_only=True, slots=True)
class BackoffPolicy:
    max_attempts: int = 5
    base_s: float = 60.0
    max_s: float = 3600.0
    jitter: float = 0.25  #: ± fraction of the delay, so a fleet does not retry in lockstep


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryDecision:
    action: RetryAction
    retry_after_s: float | None = None
    #: tell a person now (the first time the attempts of an uncertain item ran out)
    notify: bool = False


def backoff_delay_s(
    attempts: int, policy: BackoffPolicy, rng: random.Random | None = None
) -> float:
    """Exponential delay after ``attempts`` failed attempts, capped, with jitter."""
    raw = float(min(policy.max_s, policy.base_s * (2.0 ** max(0, attempts - 1))))
    if rng is None or policy.jitter == 0:
        return raw
    return float(max(0.0, raw * (1 + rng.uniform(-policy.jitter, policy.jitter))))


def decide(
    attempts: int,
    policy: BackoffPolicy,
    rng: random.Random | None = None,
    *,
    may_be_on_portal: bool = False,
) -> RetryDecision:
    """The fate of an item whose attempt number ``attempts`` failed with a transient fault."""
    if attempts < policy.max_attempts:
        return RetryDecision(
            action=RetryAction.RETRY, retry_after_s=backoff_delay_s(attempts, policy, rng)
        )
    if may_be_on_portal:
        return RetryDecision(
            action=RetryAction.KEEP_LOOKING,
            retry_after_s=backoff_delay_s(attempts, policy, rng),
            notify=attempts == policy.max_attempts,
        )
    return RetryDecision(action=RetryAction.GIVE_UP)
